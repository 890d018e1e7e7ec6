"""Signing in and out, "remember me", redirects after sign-in, rate limits and CSRF."""

from __future__ import annotations

import html
import math
import os
import re
import uuid
from html.parser import HTMLParser

import pytest
import redis
from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.config import PRODUCTION_RATE_LIMITS
from sportressources.core.db import db, utcnow
from tests.factories import PASSWORD, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
STORAGES = [pytest.param("memory", id="memory")]
if REDIS_URL:
    STORAGES.append(pytest.param("redis", id="redis", marks=pytest.mark.redis))

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."


@pytest.fixture
def app_overrides(request):
    """Rate limiting stays off, except in tests parametrised (indirectly) with a storage.

    Each such test counts under its own key prefix, so that runs on several backends or workers
    sharing one Redis never see each other's hits.
    """
    storage = getattr(request, "param", None)
    if storage is None:
        yield {}
        return
    prefix = f"sr62-test-{uuid.uuid4().hex}"
    yield {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL if storage == "redis" else "memory://",
        "RATELIMIT_KEY_PREFIX": prefix,
        **PRODUCTION_RATE_LIMITS,
    }
    if storage == "redis":
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(match=f"*{prefix}*"):
            connection.delete(key)
        connection.close()


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attributes.get("action") or "", {})
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current.setdefault(attributes["name"], attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def form_values(response, action: str = "/compte/connexion") -> dict[str, str]:
    """The values the form posting to ``action`` would send, as the page shows them."""
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return parser.forms[action]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True), re.S)
    return html.unescape(match.group(0)) if match else ""


def log_in(client, email: str, password: str = PASSWORD, **fields):
    return client.post("/compte/connexion", data={"email": email, "password": password, **fields})


def is_signed_in(client) -> bool:
    response = client.get("/compte/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


# --- signing in -----------------------------------------------------------------------------------


def test_login_signs_in_and_the_header_offers_to_sign_out(client, resident):
    assert "Se déconnecter" not in text(client.get("/"))

    response = log_in(client, " RESIDENT@example.org ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "Bonjour Camille Résidente, vous êtes connecté." in home
    assert "Se déconnecter" in home
    assert is_signed_in(client)
    assert db.session.get(User, resident.id).last_login_at is not None


def test_wrong_password_and_unknown_address_get_the_same_answer(client, resident):
    wrong_password = log_in(client, "resident@example.org", "pas le bon mot de passe")
    unknown = log_in(client, "inconnu@example.org", "pas le bon mot de passe")

    assert wrong_password.status_code == unknown.status_code == 422
    assert BAD_CREDENTIALS in error_summary(wrong_password)
    assert error_summary(wrong_password) == error_summary(unknown)
    assert form_values(wrong_password)["email"] == "resident@example.org"
    assert form_values(wrong_password)["password"] == ""
    assert not is_signed_in(client)


def test_unconfirmed_account_with_the_right_password_is_asked_to_confirm(client):
    make_user(email="waiting@example.org", confirmed=False)

    response = log_in(client, "waiting@example.org")

    assert response.status_code == 403
    assert "Votre adresse e-mail n’est pas encore confirmée." in text(response)
    assert 'href="/compte/renvoyer-confirmation"' in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_unconfirmed_account_with_a_wrong_password_gets_the_usual_answer(client):
    make_user(email="waiting@example.org", confirmed=False)

    response = log_in(client, "waiting@example.org", "pas le bon mot de passe")

    assert response.status_code == 422
    assert BAD_CREDENTIALS in error_summary(response)
    assert "pas encore confirmée" not in text(response)


def test_deleted_account_cannot_sign_in(client):
    make_user(email="gone@example.org", deleted_at=utcnow())

    response = log_in(client, "gone@example.org")

    assert response.status_code == 422
    assert BAD_CREDENTIALS in error_summary(response)
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "password": PASSWORD}, "email", "Indiquez une adresse e-mail."),
        (
            {"email": "resident@example.org", "password": ""},
            "password",
            "Indiquez un mot de passe.",
        ),
    ],
)
def test_login_asks_for_missing_fields(client, resident, data, field, message):
    response = client.post("/compte/connexion", data=data)

    assert response.status_code == 422
    assert message in error_summary(response)
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie_only_when_ticked(app, client, resident):
    forgetful = client
    remembered = app.test_client()

    log_in(forgetful, resident.email)
    log_in(remembered, resident.email, remember="y")

    assert forgetful.get_cookie("sr62_remember") is None
    cookie = remembered.get_cookie("sr62_remember")
    assert cookie is not None
    assert cookie.expires is not None
    # The browser closed: the session cookie is gone, the remember cookie signs in again.
    remembered.delete_cookie("sr62_session")
    assert is_signed_in(remembered)


def test_logout_also_forgets_the_remember_me_cookie(client, resident):
    log_in(client, resident.email, remember="y")

    client.post("/compte/deconnexion")

    assert client.get_cookie("sr62_remember") is None
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/compte/email", "/compte/email"),
        ("/membres/1?onglet=annonces", "/membres/1?onglet=annonces"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("compte", "/"),
    ],
)
def test_login_follows_next_only_within_the_site(client, resident, target, expected):
    page = client.get("/compte/connexion", query_string={"next": target})
    assert form_values(page)["next"] == target

    response = log_in(client, resident.email, next=target)

    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_signed_in_visitor_of_the_login_page_goes_on_safely(resident_client):
    assert resident_client.get("/compte/connexion").headers["Location"] == "/compte/"
    safe = resident_client.get("/compte/connexion", query_string={"next": "/compte/email"})
    assert safe.headers["Location"] == "/compte/email"
    evil = resident_client.get("/compte/connexion", query_string={"next": "//evil.example"})
    assert evil.headers["Location"] == "/compte/"


def test_login_starts_a_new_session_keeping_only_the_language(client, resident):
    with client.session_transaction() as session:
        session["locale"] = "en"
        session["registered_email"] = "someone@example.org"
        session["left_by_a_previous_visitor"] = "x"

    assert log_in(client, resident.email).status_code == 302

    with client.session_transaction() as session:
        assert "registered_email" not in session
        assert "left_by_a_previous_visitor" not in session
        assert session["locale"] == "en"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


# --- signing out ----------------------------------------------------------------------------------


def test_logout_is_post_only(resident_client):
    response = resident_client.get("/compte/deconnexion")

    assert response.status_code == 405
    assert "Méthode non autorisée" in text(response)
    assert "POST" in response.headers["Allow"]
    assert is_signed_in(resident_client)


def test_logout_ends_the_session(resident_client):
    response = resident_client.post("/compte/deconnexion")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = text(resident_client.get("/"))
    assert "Vous êtes déconnecté. À bientôt !" in home
    assert "Se déconnecter" not in home
    assert not is_signed_in(resident_client)


# --- CSRF -----------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused_when_csrf_is_on(app, client, resident):
    app.config["WTF_CSRF_ENABLED"] = True

    refused = log_in(client, resident.email)

    assert refused.status_code == 400
    page = text(refused)
    assert "Formulaire expiré" in page
    assert "Le formulaire a expiré ou ne provient pas de ce site." in page
    assert not is_signed_in(client)

    token = form_values(client.get("/compte/connexion"))["csrf_token"]
    accepted = log_in(client, resident.email, csrf_token=token)
    assert accepted.status_code == 302
    assert is_signed_in(client)


# --- rate limits ----------------------------------------------------------------------------------


def assert_counted_under_own_prefix(app) -> None:
    """With Redis, the hits must be stored under this test's prefix, not a shared one."""
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        return
    connection = redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"])
    try:
        keys = list(connection.scan_iter(match=f"*{app.config['RATELIMIT_KEY_PREFIX']}*"))
    finally:
        connection.close()
    assert keys


@pytest.mark.parametrize("app_overrides", STORAGES, indirect=True)
def test_sixty_first_login_attempt_in_a_minute_from_one_address_is_refused(app, client, resident):
    # Different addresses typed, so that only the per-client-address ceiling is reached
    for number in range(60):
        response = log_in(client, f"inconnu{number}@example.org", "pas le bon mot de passe")
        assert response.status_code == 422

    response = log_in(client, resident.email)

    assert response.status_code == 429
    page = text(response)
    assert "Trop de tentatives" in page
    # The page names the wait the Retry-After header gives, in whole minutes
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    minutes = max(1, math.ceil(wait / 60))
    unit = "minute" if minutes == 1 else "minutes"
    assert f"en peu de temps. Réessayez dans {minutes} {unit}." in page
    assert not is_signed_in(client)
    assert client.get("/compte/connexion").status_code == 200
    assert_counted_under_own_prefix(app)


@pytest.mark.parametrize("app_overrides", STORAGES, indirect=True)
def test_sixth_registration_in_a_minute_is_refused(app, client, outbox):
    def registration(number: int) -> dict:
        form = client.get("/compte/inscription").get_data(as_text=True)
        started = re.search(r'name="started" type="hidden" value="([^"]+)"', form).group(1)
        password = "des crampons pour la course"
        return {
            "email": f"nouveau{number}@example.org",
            "display_name": f"Nouveau {number}",
            "home_commune": "62498",
            "password": password,
            "password_confirm": password,
            "accept_terms": "y",
            "started": started,
        }

    for number in range(5):
        assert client.post("/compte/inscription", data=registration(number)).status_code == 302

    response = client.post("/compte/inscription", data=registration(5))

    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == 5
    assert not outbox.to("nouveau5@example.org")
    assert_counted_under_own_prefix(app)


@pytest.mark.parametrize("app_overrides", STORAGES, indirect=True)
def test_sixth_password_reset_request_in_a_minute_is_refused(app, client, outbox, resident):
    for _ in range(5):
        response = client.post("/compte/mot-de-passe-oublie", data={"email": resident.email})
        assert response.status_code == 302

    response = client.post("/compte/mot-de-passe-oublie", data={"email": resident.email})

    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)
    assert len(outbox.to(resident.email)) == 5
    assert_counted_under_own_prefix(app)


@pytest.mark.parametrize("app_overrides", STORAGES, indirect=True)
def test_login_limit_applies_per_client_address(app, client, resident):
    blocked = client
    for number in range(60):
        log_in(blocked, f"inconnu{number}@example.org", "pas le bon mot de passe")
    assert log_in(blocked, resident.email).status_code == 429

    neighbour = app.test_client()
    response = neighbour.post(
        "/compte/connexion",
        data={"email": resident.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )

    assert response.status_code == 302
