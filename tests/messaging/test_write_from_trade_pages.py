"""« Écrire à … » on the page of a loan and of an exchange request: it opens the parties'
conversation about the listing, creating it once and reusing it after, from either side; the
button shows to the two parties only and the route refuses anyone else."""

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.messaging import services as messaging
from sportressources.messaging.models import Conversation
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.loans import services as loans
from sportressources.trade.loans.availability import paris_today
from tests.factories import add_member, committed, make_listing, make_organisation, make_user
from tests.fixtures.web import text


def conversations() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Conversation))


@pytest.fixture
def loan(owner, asker):
    bike = make_listing(owner=owner, kind="loan", title="Vélo de route", category="velos")
    today = paris_today()
    return committed(loans.request_loan(asker, bike, today, today))


@pytest.fixture
def exchange(owner, asker):
    gift = make_listing(owner=owner, title="Ballon de basket")
    return committed(exchanges.request_item(asker, gift))


def write_from(browser, page: str, action: str, name: str) -> int:
    """Open ``page``, check it offers « Écrire à <name> » posting to ``action``, post it and
    return the conversation's id."""
    html = text(browser.get(page))
    assert f'action="{action}"' in html and f"Écrire à {name}" in html
    response = browser.post(action)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/messages/")
    assert browser.get(response.headers["Location"]).status_code == 200
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.parametrize("target", ["loan", "exchange"])
def test_either_party_opens_the_same_conversation_created_once(
    request, target, owner, asker, client_for
):
    item = request.getfixturevalue(target)
    page, action = (
        (f"/prets/{item.id}", f"/prets/{item.id}/ecrire")
        if target == "loan"
        else (f"/demandes/{item.id}", f"/demandes/{item.id}/ecrire")
    )
    assert conversations() == 0
    first = write_from(client_for(asker), page, action, "Olivier Propriétaire")
    assert conversations() == 1
    again = write_from(client_for(asker), page, action, "Olivier Propriétaire")
    from_owner = write_from(client_for(owner), page, action, "Inès Intéressée")
    assert first == again == from_owner and conversations() == 1
    conversation = db.session.get(Conversation, first)
    assert (conversation.listing_id, conversation.interested_id) == (item.listing_id, asker.id)


def test_the_owner_may_write_first_about_a_loan(owner, asker, loan, client_for):
    conversation_id = write_from(
        client_for(owner), f"/prets/{loan.id}", f"/prets/{loan.id}/ecrire", "Inès Intéressée"
    )
    assert db.session.get(Conversation, conversation_id).interested_id == asker.id


def test_a_conversation_started_from_the_listing_is_reused(owner, asker, loan, client_for):
    existing = committed(messaging.start_conversation(asker, loan.listing))
    assert (
        write_from(
            client_for(owner), f"/prets/{loan.id}", f"/prets/{loan.id}/ecrire", "Inès Intéressée"
        )
        == existing.id
    )


@pytest.mark.parametrize("target", ["loan", "exchange"])
def test_a_stranger_sees_no_button_and_is_refused_by_post(request, target, client_for):
    item = request.getfixturevalue(target)
    prefix = "prets" if target == "loan" else "demandes"
    stranger = client_for(make_user(email="stranger@example.org", display_name="Sam Curieux"))
    page = stranger.get(f"/{prefix}/{item.id}")
    assert page.status_code in (403, 404)
    assert "Écrire à" not in text(page)
    response = stranger.post(f"/{prefix}/{item.id}/ecrire")
    assert response.status_code == 404
    assert "ne vous concerne pas" in text(response)
    assert conversations() == 0


def test_a_member_following_a_loan_for_their_organisation_gets_no_button(owner, asker, client_for):
    """They may read the loan's page, but the conversation is the borrower's own."""
    club = make_organisation(manager=asker, name="US Liévin Football")
    follower = add_member(
        club, make_user(email="follower@example.org", display_name="Paul Suiveur")
    )
    bike = make_listing(owner=owner, kind="loan", title="Vélo de route", category="velos")
    today = paris_today()
    loan = committed(
        loans.request_loan(asker, bike, today, today, borrower_organisation_id=club.id)
    )
    browser = client_for(follower)
    page = browser.get(f"/prets/{loan.id}")
    assert page.status_code == 200 and "Écrire à" not in text(page)
    assert browser.post(f"/prets/{loan.id}/ecrire").status_code == 404
    assert conversations() == 0


@pytest.mark.parametrize("prefix", ["prets", "demandes"])
def test_a_visitor_is_asked_to_sign_in_and_a_missing_id_is_a_404(prefix, client, client_for, asker):
    response = client.post(f"/{prefix}/1/ecrire")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
    browser = client_for(asker)
    assert browser.post(f"/{prefix}/12345/ecrire").status_code == 404
    assert browser.post(f"/{prefix}/{10**25}/ecrire").status_code == 404
    assert browser.get(f"/{prefix}/1/ecrire").status_code == 405


def test_writing_about_a_loan_needs_a_csrf_token(app, asker, loan, client_for):
    browser = client_for(asker)
    app.config["WTF_CSRF_ENABLED"] = True
    response = browser.post(f"/prets/{loan.id}/ecrire")
    assert response.status_code == 400
    assert conversations() == 0
