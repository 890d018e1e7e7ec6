"""Rate limits: loose in development so that a person can try things, strict in production, and
a refusal page in French that says how long to wait."""

from __future__ import annotations

import uuid

import pytest
from flask import Config

from sportressources.config import PRODUCTION_RATE_LIMITS, load_config
from tests.fixtures.web import text


def config_for(env: str, tmp_path) -> Config:
    config = Config(str(tmp_path))
    load_config(config, tmp_path, {"APP_ENV": env, "SECRET_KEY": "s" * 48})
    return config


def test_production_is_strict_and_development_loose(tmp_path):
    production = config_for("production", tmp_path)
    development = config_for("development", tmp_path)
    for key, strict in PRODUCTION_RATE_LIMITS.items():
        assert production[key] == strict
        assert development[key] != strict
    assert production["RATELIMIT_EMAIL_RESEND"].startswith("3 per minute")
    assert int(development["RATELIMIT_EMAIL_RESEND"].split()[0]) >= 100


def limiter_on(**limits) -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": f"sr62-test-{uuid.uuid4().hex}",
        **limits,
    }


def resend(client):
    return client.post("/compte/renvoyer-confirmation", data={"email": "x@example.org"})


@pytest.mark.parametrize("app_overrides", [limiter_on()])
def test_development_limits_let_a_person_try_things(client):
    for _ in range(12):
        assert resend(client).status_code == 302


@pytest.mark.parametrize("app_overrides", [limiter_on(**PRODUCTION_RATE_LIMITS)])
def test_the_refusal_page_says_in_french_how_long_to_wait(client):
    for _ in range(3):
        assert resend(client).status_code == 302

    refused = resend(client)

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60
    page = text(refused)
    assert '<html lang="fr"' in page
    assert "<h1>Trop de tentatives</h1>" in page
    assert "Vous avez fait trop de demandes en peu de temps. Réessayez dans 1 minute." in page
    assert "Code d’erreur : 429" in page
