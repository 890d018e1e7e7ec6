"""Each step of an exchange tells the other party once: an in-app notice and an email, both in
their language, written in the step's transaction and dropped with it."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.mail import OutgoingMail
from sportressources.notifications import services as notifications
from sportressources.notifications.models import Notification
from sportressources.trade.exchanges import services as exchanges
from tests.factories import committed, make_listing, make_user

TITLE = "Vélo enfant 20 pouces"


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org", display_name="Olivier Propriétaire", locale="en")


@pytest.fixture
def asker(app):
    return make_user(email="asker@example.org", display_name="Inès Intéressée")


@pytest.fixture
def gift(owner):
    return make_listing(owner=owner, title=TITLE, category="velos", size='20"')


def notices_shown_to(user) -> list[tuple[str, str]]:
    """The member's notices as they read them (in their language): message and link."""
    with force_locale(user.locale):
        shown, _more = notifications.list_notifications(user)
        return [(item.message, item.notification.url) for item in shown]


def test_a_request_tells_the_owner_once_in_their_language(app, owner, asker, gift, outbox):
    committed(exchanges.request_item(asker, gift, "Bonjour !"))
    assert notices_shown_to(owner) == [
        (f"Inès Intéressée asks for “{TITLE}”.", f"/annonces/{gift.id}/demandes")
    ]
    [mail] = outbox.to(owner.email)
    assert mail.subject == f"New request for “{TITLE}”"
    assert notices_shown_to(asker) == [] and outbox.to(asker.email) == []


def test_accepting_tells_the_chosen_member_and_declines_the_others_politely(
    app, owner, asker, gift, outbox
):
    rival = make_user(email="rival@example.org", display_name="Rémi Rival")
    request = committed(exchanges.request_item(asker, gift))
    rival_request = committed(exchanges.request_item(rival, gift))
    committed(exchanges.accept_request(owner, request))
    assert notices_shown_to(asker) == [
        (
            f"Olivier Propriétaire vous réserve « {TITLE} » : convenez ensemble de la remise.",
            f"/demandes/{request.id}",
        )
    ]
    assert [mail.subject for mail in outbox.to(asker.email)] == [
        f"Bonne nouvelle : « {TITLE} » vous est réservé"
    ]
    assert notices_shown_to(rival) == [
        (f"Votre demande pour « {TITLE} » n’est pas retenue.", f"/demandes/{rival_request.id}")
    ]
    assert [mail.subject for mail in outbox.to(rival.email)] == [f"Votre demande pour « {TITLE} »"]


def test_a_rolled_back_step_tells_nobody(app, owner, asker, gift, outbox):
    exchanges.request_item(asker, gift)
    assert counts() == (1, 1)  # written in the action's transaction...
    db.session.rollback()
    assert counts() == (0, 0)  # ...and gone with it
    assert len(outbox) == 0


def counts() -> tuple[int, int]:
    """Notices and queued emails, as the current transaction sees them."""
    return (
        db.session.scalar(select(func.count()).select_from(Notification)),
        db.session.scalar(select(func.count()).select_from(OutgoingMail)),
    )
