"""Security headers, cookies, error pages and the health check, as browsers and probes see them."""

import pytest
from flask import Blueprint, abort

from sportressources import create_app
from sportressources.core.db import db
from sportressources.core.errors import ValidationFailed
from sportressources.core.security import Role, role_required
from tests.fixtures.web import IsolatedClient, sign_in


def test_every_page_carries_the_security_headers(client):
    for path in ("/", "/compte/connexion", "/page-qui-n-existe-pas"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_session_cookie_is_http_only_and_same_site(client):
    client.get("/compte/connexion")  # its form's token is the first thing the session keeps
    cookie = client.get_cookie("sr62_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_pages_seen_signed_in_are_not_cached(resident_client):
    assert resident_client.get("/compte/").headers["Cache-Control"] == "private, no-store"
    with resident_client.get("/static/css/site.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_production_cookies_are_secure_and_https_gets_hsts(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(
        {
            "APP_ENV": "production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
        }
    )
    client = app.test_client()
    response = client.get("/compte/connexion", base_url="https://sr62.example")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (
        "Strict-Transport-Security" not in client.get("/", base_url="http://sr62.example").headers
    )


def test_health_check_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-directory/sr62.db",
        "postgresql+psycopg://root@127.0.0.1:1/test?connect_timeout=2",
    ],
)
def test_health_check_reports_an_unreachable_database_with_503(url):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "reason": "database unreachable"}


def test_unknown_page_gets_a_french_404_page(client):
    response = client.get("/page-qui-n-existe-pas")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert '<html lang="fr">' in body
    assert "Page introuvable" in body
    assert "Revenir à l’accueil" in body


def test_wrong_method_gets_405_with_allow_header(client):
    response = client.get("/compte/deconnexion")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Méthode non autorisée" in response.get_data(as_text=True)


def test_oversized_request_gets_a_french_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post("/compte/connexion", data={"email": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "trop lourds (1 Mo au plus en tout)" in response.get_data(as_text=True)


def test_csrf_failure_gets_a_french_explanation(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/compte/mot-de-passe-oublie", data={"email": "x@example.org"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Formulaire expiré" in body
    assert "rechargez-la puis renvoyez le formulaire" in body


@pytest.fixture
def app_with_test_routes(app):
    """Routes that fail on purpose, registered before the first request."""
    bp = Blueprint("failing", __name__)

    @bp.route("/test/boom")
    def boom():
        from sportressources.accounts.models import User

        db.session.add(User(email="half@example.org", display_name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("unexpected")

    @bp.route("/test/moderation")
    @role_required(Role.MODERATOR)
    def moderation_only():
        return "zone de modération"

    @bp.route("/test/forbidden")
    def forbidden():
        abort(403)

    @bp.route("/test/domain")
    def domain():
        raise ValidationFailed({"title": "Le titre est trop long."})

    @bp.route("/api/test/missing")
    def api_missing():
        abort(404)

    app.register_blueprint(bp)
    app.test_client_class = IsolatedClient
    return app


def test_unexpected_error_gets_a_french_500_page_and_writes_nothing(app_with_test_routes):
    from sportressources.accounts.models import User

    app_with_test_routes.config["PROPAGATE_EXCEPTIONS"] = False
    response = app_with_test_routes.test_client().get("/test/boom")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "half@example.org")) is None


def test_forbidden_page_is_french(app_with_test_routes):
    response = app_with_test_routes.test_client().get("/test/forbidden")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_role_check_sends_visitors_to_login_and_refuses_lower_roles(
    app_with_test_routes, resident, moderator, admin
):
    client = app_with_test_routes.test_client()
    response = client.get("/test/moderation")
    assert response.status_code == 302
    assert "/compte/connexion?next=" in response.headers["Location"]

    sign_in(client, resident)
    assert client.get("/test/moderation").status_code == 403

    for user in (moderator, admin):
        other = app_with_test_routes.test_client()
        sign_in(other, user)
        response = other.get("/test/moderation")
        assert response.status_code == 200
        assert "zone de modération" in response.get_data(as_text=True)


def test_unhandled_domain_error_gets_its_status_and_french_message(app_with_test_routes):
    response = app_with_test_routes.test_client().get("/test/domain")
    assert response.status_code == 422
    assert "Le titre est trop long." in response.get_data(as_text=True)


def test_api_errors_are_problem_json(app_with_test_routes):
    response = app_with_test_routes.test_client().get("/api/test/missing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["title"] == "Page introuvable"


def test_error_pages_follow_the_chosen_language(client):
    client.post("/langue", data={"locale": "en"})
    body = client.get("/page-qui-n-existe-pas").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "Page introuvable" not in body
