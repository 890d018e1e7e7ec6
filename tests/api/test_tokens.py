"""Calling the API with a personal token: scopes, expiry, revocation, sanctions, deleted accounts,
malformed headers, and cookies that never authenticate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sportressources.accounts import api_tokens
from sportressources.accounts.personal_data import delete_account
from sportressources.core.db import db, utcnow
from tests.api.conftest import secret_of, token_of
from tests.factories import PASSWORD, fresh
from tests.fixtures.web import sign_in


def assert_refused(response, status: int, code: str, detail: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["code"] == code
    assert detail in body["detail"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert body["title"] == "Authentification requise"
    return body


# --- scopes ------------------------------------------------------------------------------------


def test_a_read_token_reads_as_its_member(client, probe, resident, bearer):
    response = client.get(f"{probe}/lire", headers=bearer(resident, scope="read"))

    assert response.status_code == 200
    assert response.get_json() == {"member": resident.public_id}


def test_a_read_token_is_refused_a_write_with_403_insufficient_scope(
    client, probe, resident, bearer
):
    response = client.post(f"{probe}/ecrire", headers=bearer(resident, scope="read"))

    assert_refused(response, 403, "insufficient_scope", "Ce jeton d’accès est en lecture seule")
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_a_write_token_writes_and_reads(client, probe, resident, bearer):
    headers = bearer(resident, scope="write")

    assert client.post(f"{probe}/ecrire", headers=headers).get_json() == {
        "member": resident.public_id
    }
    assert client.get(f"{probe}/lire", headers=headers).status_code == 200


def test_a_valid_token_on_a_public_endpoint_names_its_member(client, probe, resident, bearer):
    headers = bearer(resident, scope="read")

    assert client.get(f"{probe}/public", headers=headers).get_json() == {
        "member": resident.public_id
    }
    assert client.get(f"{probe}/public").get_json() == {"member": None}


# --- missing, malformed, unknown, expired, revoked ----------------------------------------------


def test_no_token_is_a_401_saying_it_is_missing(client, probe):
    response = client.get(f"{probe}/lire")

    assert_refused(response, 401, "token_missing", "Aucun jeton d’accès n’a été envoyé")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic cmVzaWRlbnQ6c2VjcmV0",
        "Token sr62_" + "a" * 43,
        "Bearer " + "sr62_" + "a" * 10_000,
        "Bearer sr62_" + "é" * 43,
        "Bearer sr62_' OR '1'='1' --" + "a" * 27,
        "Bearer not-a-token-at-all",
        "Bearer sr62_" + "a" * 42,
    ],
    ids=["bare", "empty", "basic", "other-scheme", "10kB", "non-ascii", "sql", "garbage", "short"],
)
def test_a_malformed_authorization_header_is_a_401_problem(client, probe, header):
    response = client.post(
        f"{probe}/ecrire", headers={"Authorization": header.encode().decode("latin-1")}
    )

    assert_refused(response, 401, "token_malformed", "Le jeton d’accès est mal formé")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_an_unknown_token_is_a_401(client, probe):
    response = client.get(
        f"{probe}/lire", headers={"Authorization": f"Bearer {api_tokens.new_secret()}"}
    )

    assert_refused(response, 401, "token_unknown", "Ce jeton d’accès est inconnu ou a été révoqué")


def test_the_scheme_is_case_insensitive(client, probe, resident, bearer):
    secret = secret_of(bearer(resident, scope="read"))

    response = client.get(f"{probe}/lire", headers={"Authorization": f"bearer {secret}"})

    assert response.status_code == 200


def test_an_expired_token_is_a_401_saying_it_expired(client, probe, resident, bearer):
    headers = bearer(resident, expires_at=utcnow() - timedelta(minutes=1))

    response = client.get(f"{probe}/lire", headers=headers)

    assert_refused(response, 401, "token_expired", "Ce jeton d’accès a expiré")


def test_a_token_works_until_its_expiry_and_not_after(app, resident):
    token, secret = api_tokens.create_token(
        resident, name="Court", scope="read", expires_at=utcnow() + timedelta(days=30)
    )
    db.session.commit()

    assert api_tokens.authenticate(secret, now=utcnow() + timedelta(days=29)) == token
    assert api_tokens.authenticate(secret, now=utcnow() + timedelta(days=31)) is None


def test_a_revoked_token_is_refused_at_once(client, probe, resident, bearer):
    headers = bearer(resident)
    assert client.get(f"{probe}/lire", headers=headers).status_code == 200

    api_tokens.revoke_token(resident, token_of(headers).id)
    db.session.commit()

    response = client.get(f"{probe}/lire", headers=headers)
    assert_refused(response, 401, "token_unknown", "inconnu ou a été révoqué")


# --- cookies never authenticate -----------------------------------------------------------------


def test_a_signed_in_browser_without_a_token_is_anonymous(app, client, probe, resident):
    sign_in(client, resident)
    assert client.get("/compte/").status_code == 200  # the cookie signs in to the site

    assert_refused(client.get(f"{probe}/lire"), 401, "token_missing", "Aucun jeton")
    assert client.get(f"{probe}/public").get_json() == {"member": None}


def test_a_post_with_only_a_cookie_is_a_401_not_a_csrf_page(app, client, probe, resident):
    sign_in(client, resident)
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post(f"{probe}/ecrire", json={})

    assert_refused(response, 401, "token_missing", "Aucun jeton")


def test_a_token_needs_no_csrf_token(app, client, probe, resident, bearer):
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post(f"{probe}/ecrire", headers=bearer(resident), json={})

    assert response.status_code == 200


# --- the member's account -----------------------------------------------------------------------


def test_a_suspended_members_token_stops_working_and_says_why(client, probe, resident, bearer):
    headers = bearer(resident)
    resident.suspended_until = utcnow() + timedelta(days=2)
    db.session.commit()

    response = client.get(f"{probe}/lire", headers=headers)

    body = assert_refused(response, 403, "account_restricted", "Votre compte est suspendu")
    assert "Vos jetons d’accès à l’API ne fonctionnent pas pendant ce temps." in body["detail"]


def test_a_banned_members_token_stops_working(client, probe, resident, bearer):
    headers = bearer(resident)
    resident.banned_at = utcnow()
    db.session.commit()

    response = client.get(f"{probe}/lire", headers=headers)

    assert_refused(response, 403, "account_restricted", "Votre compte a été fermé")


def test_a_token_works_again_when_the_suspension_lapses(client, probe, resident, bearer):
    headers = bearer(resident)
    resident.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert client.get(f"{probe}/lire", headers=headers).status_code == 200


def test_deleting_the_account_ends_its_tokens(client, probe, resident, bearer):
    headers = bearer(resident)
    delete_account(resident, PASSWORD)
    db.session.commit()

    response = client.get(f"{probe}/lire", headers=headers)

    assert_refused(response, 401, "token_unknown", "inconnu ou a été révoqué")
    assert token_of(headers).revoked_at is not None


def test_a_token_of_a_deleted_account_is_refused_even_if_not_revoked(
    client, probe, resident, bearer
):
    headers = bearer(resident)
    resident.deleted_at = utcnow()
    db.session.commit()

    response = client.get(f"{probe}/lire", headers=headers)

    assert_refused(response, 401, "account_deleted", "Le compte de ce jeton d’accès a été supprimé")


# --- last use ----------------------------------------------------------------------------------


def test_last_use_is_noted_at_most_once_a_minute(client, probe, resident, bearer):
    headers = bearer(resident)
    assert token_of(headers).last_used_at is None

    client.get(f"{probe}/lire", headers=headers)
    first = token_of(headers).last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)

    client.get(f"{probe}/lire", headers=headers)
    assert token_of(headers).last_used_at == first

    token = token_of(headers)
    token.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    client.get(f"{probe}/lire", headers=headers)
    assert utcnow() - fresh(token).last_used_at < timedelta(minutes=1)
