"""What a suspended or banned member can no longer do: sign in (told why and until when), stay
signed in, publish, write, borrow, request; and how a suspension ends by itself at sign-in."""

from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.errors import Forbidden
from sportressources.listings import services as listings
from sportressources.messaging import services as messaging
from sportressources.moderation import sanctions
from sportressources.moderation.models import Statement
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.loans import services as loans
from sportressources.trade.loans import terms
from tests.factories import PASSWORD, committed, fresh, make_listing
from tests.fixtures.web import text
from tests.listings.helpers import listing_data

REASON = "Propos injurieux répétés envers d’autres membres."


def suspend(moderator, member, days=7, now=None):
    last_day = paris_today() + timedelta(days=days)
    sanction = committed(
        sanctions.suspend_member(moderator, member, last_day, REASON, "5.1", now=now)
    )
    return sanction, last_day


def sign_in_page(client, user, password=PASSWORD):
    return client.post("/compte/connexion", data={"email": user.email, "password": password})


def test_a_suspended_member_is_told_why_and_until_when_and_where_to_read_the_decision(
    client, moderator, resident
):
    sanction, last_day = suspend(moderator, resident)
    statement = db.session.scalar(select(Statement).where(Statement.sanction_id == sanction.id))

    response = sign_in_page(client, resident)

    assert response.status_code == 403
    page = text(response)
    until = format_date(last_day, "long", locale="fr")
    assert f"Votre compte est suspendu par l’équipe de modération jusqu’au {until} inclus." in page
    assert f"Motif : {REASON}" in page
    assert f'href="/compte/decisions/{statement.id}"' in page
    assert "Bonjour" not in page
    assert client.get("/compte/").status_code == 302  # not signed in


def test_a_banned_member_is_told_the_account_is_closed(client, admin, resident):
    committed(sanctions.ban_member(admin, resident, REASON, "5.1"))
    response = sign_in_page(client, resident)
    assert response.status_code == 403
    assert "Votre compte a été fermé par l’équipe de modération." in text(response)
    assert "Motif : Propos injurieux" in text(response)


def test_a_wrong_password_says_nothing_of_the_suspension(client, moderator, resident):
    suspend(moderator, resident)
    page = text(sign_in_page(client, resident, password="pas le bon mot de passe"))
    assert "incorrect" in page and "suspendu" not in page


def test_the_member_signed_in_elsewhere_is_signed_out_by_the_suspension(
    moderator, resident, client_for
):
    browser = client_for(resident)
    assert browser.get("/compte/").status_code == 200
    suspend(moderator, resident)
    response = browser.get("/compte/")
    assert response.status_code == 302 and "/compte/connexion" in response.location


def test_a_session_that_escaped_the_sanction_signs_nobody_in(resident, client_for):
    browser = client_for(resident)
    # As if the account were marked without its sessions ended (an API token, later)
    resident.suspended_until = datetime.now(UTC) + timedelta(days=2)
    db.session.commit()
    assert browser.get("/compte/").status_code == 302
    resident.suspended_until = None
    resident.banned_at = datetime.now(UTC)
    db.session.commit()
    assert browser.get("/compte/").status_code == 302


def test_a_suspended_member_can_neither_publish_nor_edit(moderator, resident):
    draft = make_listing(owner=resident, status="draft")
    suspend(moderator, resident)
    with pytest.raises(Forbidden, match="suspendu jusqu’au .* : vous ne pouvez pas publier"):
        listings.create_listing(resident, listing_data())
    with pytest.raises(Forbidden, match="vous ne pouvez pas modifier ni publier"):
        listings.update_listing(resident, draft, listing_data(photo_keys=[]), submit=False)


def test_a_banned_member_cannot_publish_any_more(admin, resident):
    committed(sanctions.ban_member(admin, resident, REASON, "5.1"))
    with pytest.raises(Forbidden, match="fermé par l’équipe de modération : vous ne pouvez plus"):
        listings.create_listing(resident, listing_data(), submit=False)


def test_a_suspended_member_cannot_send_a_message(moderator, resident, owner):
    listing = make_listing(owner=owner)
    conversation = committed(messaging.start_conversation(resident, listing))
    committed(messaging.send_message(resident, conversation, "Bonjour, toujours disponible ?"))
    suspend(moderator, resident)
    with pytest.raises(Forbidden, match="vous ne pouvez pas envoyer de message"):
        messaging.send_message(resident, conversation, "Et maintenant ?")


def test_a_suspended_member_can_neither_borrow_nor_request(moderator, resident, owner):
    lent = make_listing(owner=owner, kind="loan", title="Tente 2 places", category="velos")
    committed(terms.set_terms(owner, lent, 1, 14, None))
    given = make_listing(owner=owner, title="Ballon de basket")
    suspend(moderator, resident)
    start = paris_today() + timedelta(days=2)
    with pytest.raises(Forbidden, match="vous ne pouvez pas emprunter de matériel"):
        loans.request_loan(resident, lent, start, start + timedelta(days=2))
    with pytest.raises(Forbidden, match="vous ne pouvez pas demander d’article"):
        exchanges.request_item(resident, given, "Bonjour")


def test_a_suspension_over_ends_when_the_member_signs_in(client, moderator, resident, outbox):
    listing = make_listing(owner=resident, title="Raquette tennis Babolat")
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    sanction, _last_day = suspend(moderator, resident, days=-7, now=ten_days_ago)
    assert fresh(listing).status == "hidden"

    response = sign_in_page(client, resident)

    assert response.status_code == 302
    assert fresh(sanction).status == "ended" and fresh(resident).suspended_until is None
    assert fresh(listing).status == "published"
    assert outbox.last(resident.email).subject == "Votre suspension est terminée"
    assert client.get("/compte/").status_code == 200


def test_an_expired_suspension_under_a_ban_still_refuses_the_sign_in(
    client, moderator, admin, resident
):
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    suspend(moderator, resident, days=-7, now=ten_days_ago)
    committed(sanctions.ban_member(admin, resident, REASON, "5.4"))
    response = sign_in_page(client, resident)
    assert response.status_code == 403
    assert "Votre compte a été fermé" in text(response)
