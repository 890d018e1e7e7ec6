"""Sign-in limited per account (many addresses cannot guess one password) but not per shared
connection (a club house signs its members in); registration and reset work alike for every
address."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from sportressources.accounts import services
from sportressources.accounts.models import SignInThrottle
from sportressources.config import PRODUCTION_RATE_LIMITS
from sportressources.core.db import db, utcnow
from tests.factories import PASSWORD, make_user

WRONG = "pas le bon mot de passe"
LOCK_SUBJECT = "Connexion à votre compte bloquée temporairement"


@pytest.fixture
def app_overrides():
    """The production limits, on, with the client address taken from X-Forwarded-For."""
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": f"sr62-test-{uuid.uuid4().hex}",
        "TRUSTED_PROXIES": 1,
        **PRODUCTION_RATE_LIMITS,
    }


class Attacker:
    """Tries passwords from a new address each time (a botnet)."""

    def __init__(self, client):
        self.client = client
        self.number = 0

    def try_password(self, email: str, password: str = WRONG):
        self.number += 1
        return self.client.post(
            "/compte/connexion",
            data={"email": email, "password": password},
            headers={"X-Forwarded-For": f"198.51.100.{self.number}"},
        )


def let_the_refusal_pass() -> None:
    db.session.execute(update(SignInThrottle).values(blocked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True), re.S)
    return html.unescape(match.group(0)) if match else ""


def is_signed_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def test_guessing_from_many_addresses_is_slowed_then_locked_with_one_email(
    client, outbox, resident
):
    attacker = Attacker(client)
    for _ in range(5):
        assert attacker.try_password(resident.email).status_code == 422

    refused = attacker.try_password(resident.email, PASSWORD)  # even the right one, for now

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Réessayez dans 1 minute" in error_summary(refused)
    assert not is_signed_in(client)

    # One more failure after the refusal ends doubles it
    let_the_refusal_pass()
    assert attacker.try_password(resident.email).status_code == 422
    assert "Réessayez dans 2 minutes" in error_summary(attacker.try_password(resident.email))

    for _ in range(14):  # up to 20 failures in all
        let_the_refusal_pass()
        assert attacker.try_password(resident.email).status_code == 422

    locked = attacker.try_password(resident.email, PASSWORD)
    assert locked.status_code == 429
    assert "Réessayez dans 30 minutes" in error_summary(locked)
    assert 29 * 60 < int(locked.headers["Retry-After"]) <= 30 * 60
    mails = [mail for mail in outbox.to(resident.email) if mail.subject == LOCK_SUBJECT]
    assert len(mails) == 1
    assert mails[0].link("/compte/mot-de-passe-oublie")
    assert "bloquée pendant 30 minutes" in mails[0].text

    # Guessing on after the lock: locked again, but the owner is not emailed again
    let_the_refusal_pass()
    assert attacker.try_password(resident.email).status_code == 422
    assert attacker.try_password(resident.email, PASSWORD).status_code == 429
    assert len([m for m in outbox.to(resident.email) if m.subject == LOCK_SUBJECT]) == 1


def test_a_successful_sign_in_clears_the_failures(client, resident):
    attacker = Attacker(client)
    for _ in range(4):
        attacker.try_password(resident.email)

    assert attacker.try_password(resident.email, PASSWORD).status_code == 302

    assert db.session.scalar(select(SignInThrottle)) is None


def test_an_unknown_address_is_refused_exactly_like_a_known_one(app, client, resident):
    answers = {}
    for email in (resident.email, "personne@example.org"):
        attacker = Attacker(app.test_client())
        failures = [attacker.try_password(email) for _ in range(5)]
        refused = attacker.try_password(email, PASSWORD)
        answers[email] = (
            [response.status_code for response in failures],
            refused.status_code,
            error_summary(refused),
        )

    assert answers[resident.email] == answers["personne@example.org"]
    assert answers[resident.email][1] == 429


def test_one_shared_address_lets_many_members_sign_in(app, client):
    """Thirty members of a club sign in within a minute from the club house's one public
    address, some after a typo, and the one who keeps getting it wrong locks out only their own
    account."""
    members = [make_user(email=f"club{number}@example.org") for number in range(30)]
    club_house = {"X-Forwarded-For": "203.0.113.10"}

    clumsy = client
    for _ in range(8):
        clumsy.post(
            "/compte/connexion",
            data={"email": "club0@example.org", "password": WRONG},
            headers=club_house,
        )

    for number, member in enumerate(members[1:]):
        device = app.test_client()
        if number % 3 == 0:
            typo = device.post(
                "/compte/connexion",
                data={"email": member.email, "password": WRONG},
                headers=club_house,
            )
            assert typo.status_code == 422
        response = device.post(
            "/compte/connexion",
            data={"email": member.email, "password": PASSWORD},
            headers=club_house,
        )
        assert response.status_code == 302, member.email
        assert is_signed_in(device)
    assert (
        clumsy.post(
            "/compte/connexion",
            data={"email": "club0@example.org", "password": PASSWORD},
            headers=club_house,
        ).status_code
        == 429
    )


# --- registration and reset do the same work for known and unknown addresses ---------------------


@pytest.fixture
def count_hashes(monkeypatch):
    """Counts argon2 hash computations, the real function still doing the work."""
    calls = []
    real = PasswordHasher.hash

    def spy(self, password, *args, **kwargs):
        calls.append(1)
        return real(self, password, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", spy)
    return calls


def register(email: str) -> None:
    services.register_user(
        services.Registration(
            email=email,
            display_name="Quelqu'un",
            password="des crampons pour la course",
            home_commune="62498",
        )
    )
    db.session.commit()


def test_registration_hashes_the_password_for_a_known_address_too(
    app, outbox, resident, count_hashes
):
    register("nouvelle@example.org")
    for_new = len(count_hashes)
    register(resident.email)

    assert for_new == 1
    assert len(count_hashes) == 2
    # and each queues one email: a confirmation link, or a note to the owner
    assert len(outbox.to("nouvelle@example.org")) == len(outbox.to(resident.email)) == 1


def test_reset_queues_one_email_for_a_known_and_an_unknown_address(app, outbox, resident):
    services.request_password_reset(resident.email)
    services.request_password_reset("personne@example.org")
    db.session.commit()

    assert len(outbox.to(resident.email)) == len(outbox.to("personne@example.org")) == 1
