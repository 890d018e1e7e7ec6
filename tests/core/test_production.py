"""The production application as it starts: HSTS, secure cookies, a rate-limit store that counts
for every process."""

from __future__ import annotations

import re

import pytest

from sportressources import create_app
from sportressources.config import ENVIRONMENT, ConfigurationError
from sportressources.core.db import db
from tests.factories import PASSWORD, make_user

STRONG_SECRET = "production-secret-" + "k" * 40


@pytest.fixture
def production_environment(monkeypatch):
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    return monkeypatch


@pytest.fixture
def production_app(production_environment, database, tmp_path):
    url, engine_options = database
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SITE_URL": "https://sportressources62.fr",
        }
    )
    context = app.app_context()
    context.push()
    yield app
    db.session.remove()
    db.engine.dispose()
    context.pop()


def cookie_attributes(response, name: str) -> set[str]:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return {part.strip().split("=")[0].lower() + _value(part) for part in headers[0].split(";")[1:]}


def _value(part: str) -> str:
    name, _, value = part.strip().partition("=")
    return f"={value.lower()}" if name.lower() == "samesite" else ""


def test_production_answers_over_https_with_hsts_and_secure_cookies(production_app):
    assert production_app.config["APP_ENV"] == "production"
    member = make_user(email="prod@example.org")
    client = production_app.test_client()
    https = {"base_url": "https://sportressources62.fr"}

    page = client.get("/compte/connexion", **https)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)

    response = client.post(
        "/compte/connexion",
        data={"email": member.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
        headers={"Referer": "https://sportressources62.fr/compte/connexion"},
        **https,
    )

    assert response.status_code == 302, response.text[:500]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    for name in ("sr62_session", "sr62_remember"):
        assert {"secure", "httponly", "samesite=lax"} <= cookie_attributes(response, name)


def test_production_refuses_memory_rate_limits_for_several_workers(production_environment):
    production_environment.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(ConfigurationError, match="WEB_CONCURRENCY"):
        create_app()

    production_environment.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    assert create_app().config["WEB_CONCURRENCY"] == 4

    production_environment.setenv("RATELIMIT_STORAGE_URI", "memory://")
    production_environment.setenv("WEB_CONCURRENCY", "1")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "memory://"
