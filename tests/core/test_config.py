"""Configuration layers and the production safety checks."""

from pathlib import Path

import pytest

from sportressources import create_app
from sportressources.config import DEV_SECRET_KEY, PROJECT_ROOT, ConfigurationError

STRONG_SECRET = "x" * 48


@pytest.fixture
def clean_environment(monkeypatch):
    for variable in (
        "APP_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "MAIL_BACKEND",
        "MAIL_PORT",
        "MAIL_DELIVERY",
    ):
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_a_secret(clean_environment):
    clean_environment.setenv("APP_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("secret", [DEV_SECRET_KEY, "too-short-secret"])
def test_production_refuses_the_development_or_a_short_secret(clean_environment, secret):
    clean_environment.setenv("APP_ENV", "production")
    clean_environment.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_strong_secret_and_secure_cookies(clean_environment):
    clean_environment.setenv("APP_ENV", "production")
    clean_environment.setenv("SECRET_KEY", STRONG_SECRET)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_DELIVERY"] == "queue"  # requests never wait for the mail server
    assert "dev" not in app.blueprints


def test_development_uses_the_outbox_and_plain_http_cookies(clean_environment):
    clean_environment.setenv("APP_ENV", "development")
    app = create_app()
    assert app.config["MAIL_BACKEND"] == "outbox"
    assert app.config["MAIL_DELIVERY"] == "immediate"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "dev" in app.blueprints


def test_the_default_database_is_a_sqlite_file_in_instance(clean_environment):
    clean_environment.setenv("APP_ENV", "development")
    app = create_app()
    expected = f"sqlite:///{PROJECT_ROOT / 'instance' / 'sportressources.db'}"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_database_url_is_read_from_the_environment_with_the_psycopg_driver(
    clean_environment, scheme
):
    clean_environment.setenv("APP_ENV", "development")
    clean_environment.setenv("DATABASE_URL", f"{scheme}://user@db.example:5432/sr62")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example:5432/sr62"


def test_environment_values_are_parsed_and_bad_ones_named(clean_environment):
    clean_environment.setenv("APP_ENV", "development")
    clean_environment.setenv("MAIL_PORT", "2525")
    assert create_app().config["MAIL_PORT"] == 2525
    clean_environment.setenv("MAIL_PORT", "vingt")
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        create_app()


def test_an_unknown_environment_name_is_refused(clean_environment):
    clean_environment.setenv("APP_ENV", "staging")
    with pytest.raises(ConfigurationError, match="APP_ENV"):
        create_app()


def test_an_unknown_mail_backend_is_refused(clean_environment):
    clean_environment.setenv("APP_ENV", "development")
    clean_environment.setenv("MAIL_BACKEND", "pigeon")
    with pytest.raises(ConfigurationError, match="MAIL_BACKEND"):
        create_app()
    clean_environment.setenv("MAIL_BACKEND", "smtp")
    clean_environment.setenv("MAIL_DELIVERY", "later")
    with pytest.raises(ConfigurationError, match="MAIL_DELIVERY"):
        create_app()


def test_create_app_writes_no_file(tmp_path):
    outbox = tmp_path / "outbox"
    create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never.db'}",
            "MAIL_OUTBOX_DIR": str(outbox),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    assert list(tmp_path.iterdir()) == []


def test_templates_and_static_files_resolve_from_the_repository_root(client):
    app = client.application
    assert Path(app.template_folder) == PROJECT_ROOT / "templates"
    assert app.jinja_env.get_template("base.html") is not None
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert "--brand" in response.get_data(as_text=True)
