"""The review of a proposed venue tells the member who proposed it once: an in-app notice and an
email, both in their language, written in the review's transaction and dropped with it."""

from flask_babel import force_locale
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.mail import OutgoingMail
from sportressources.notifications import services as notifications
from sportressources.notifications.models import Notification
from sportressources.venues import services as venues
from sportressources.venues.services import VenueData
from tests.factories import make_user

GYM = VenueData(name="Gymnase Jean-Macé", kind="gymnasium", commune_insee="62510")


def notices_shown_to(user) -> list[tuple[str, str]]:
    with force_locale(user.locale):
        shown, _more = notifications.list_notifications(user)
        return [(item.message, item.notification.url) for item in shown]


def proposed_by(member):
    venue = venues.create_venue(member, GYM)
    db.session.commit()
    assert venue.status == "proposed"
    return venue


def test_a_rejected_proposal_tells_the_member_why_in_their_language(app, moderator, outbox):
    member = make_user(email="member@example.org", locale="en")
    venue = proposed_by(member)
    venues.review_venue(moderator, venue, accept=False, note="Lieu privé.")
    db.session.commit()
    assert notices_shown_to(member) == [
        ("The venue you proposed, “Gymnase Jean-Macé”, was not accepted. Reason: Lieu privé.", "")
    ]
    [mail] = outbox.to(member.email)
    assert mail.subject == "Your venue suggestion was not accepted"


def test_a_published_proposal_links_to_its_page(app, moderator, outbox):
    member = make_user(email="member@example.org")
    venue = proposed_by(member)
    venues.review_venue(moderator, venue, accept=True)
    db.session.commit()
    assert notices_shown_to(member) == [
        (
            "Le lieu que vous avez proposé, « Gymnase Jean-Macé », est maintenant publié.",
            f"/lieux/{venue.slug}",
        )
    ]
    assert [mail.subject for mail in outbox.to(member.email)] == [
        "Votre proposition de lieu a été acceptée"
    ]


def test_a_rolled_back_review_tells_nobody(app, moderator, outbox):
    venue = proposed_by(make_user())
    venues.review_venue(moderator, venue, accept=True)
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
