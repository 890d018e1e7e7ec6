"""Application factory: configuration, extensions, blueprints, handlers, in that order."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from flask import Flask, flash, has_request_context, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from sportressources.config import PROJECT_ROOT, load_config
from sportressources.core.db import begin_write
from sportressources.extensions import babel, csrf, db, limiter, login_manager, migrate

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    # An id no database column can hold is simply not found (SQLite would overflow otherwise)
    app.url_map.converters["int"] = BoundedIntConverter
    load_config(app.config, Path(app.instance_path), overrides)
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    register_extensions(app)
    register_blueprints(app)
    register_handlers(app)
    register_cli(app)
    return app


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def select_locale() -> str:
    from flask import current_app

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    import sportressources.core.mail.models  # noqa: F401 - every table in the metadata
    import sportressources.listings.models  # noqa: F401 - every table in the metadata
    import sportressources.listings.search_index  # noqa: F401
    import sportressources.loans.models  # noqa: F401
    import sportressources.notifications.models  # noqa: F401

    db.init_app(app)

    @app.before_request
    def open_write_transaction() -> None:
        # First of all hooks, before anything reads: see begin_write for why.
        if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            begin_write()

    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
    _forget_previous_limiter_settings()
    limiter.init_app(app)
    login_manager.init_app(app)

    from sportressources.accounts.services import load_user_from_session

    login_manager.user_loader(load_user_from_session)
    login_manager.unauthorized_handler(send_to_login)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.needs_refresh_message = _l("Confirmez votre identité pour continuer.")


def _forget_previous_limiter_settings() -> None:
    """Let this app's RATELIMIT_* settings apply even if another app was created before.

    Flask-Limiter keeps the first app's settings on its singleton (it expects one app per process);
    tests and scripts create several, each with its own key prefix and storage.
    """
    for attribute in ("_key_prefix", "_strategy", "_headers_enabled", "_retry_after"):
        setattr(limiter, attribute, None)


def send_to_login():
    """Anonymous visitor on a members' page: to the login page, back here afterwards if a page."""
    flash(login_manager.login_message, login_manager.login_message_category)
    if request.method in {"GET", "HEAD"}:
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))
    return redirect(url_for(login_manager.login_view))


def register_blueprints(app: Flask) -> None:
    import xstatic.pkg.leaflet
    from flask import Blueprint

    from sportressources.accounts.views import bp as accounts_bp
    from sportressources.core.media import bp as media_bp
    from sportressources.listings.alert_views import bp as alerts_bp
    from sportressources.listings.exchange_views import bp as exchanges_bp
    from sportressources.listings.messaging_views import bp as messages_bp
    from sportressources.listings.views import bp as listings_bp
    from sportressources.loans.views import bp as loans_bp
    from sportressources.notifications.views import bp as notifications_bp
    from sportressources.pages.views import bp as pages_bp
    from sportressources.territory.views import bp as territory_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(territory_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(listings_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(exchanges_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(loans_bp)
    app.register_blueprint(notifications_bp)
    # Leaflet comes from the XStatic-Leaflet package on PyPI and is served by the app: no CDN
    leaflet = Blueprint(
        "leaflet",
        __name__,
        static_folder=xstatic.pkg.leaflet.BASE_DIR,
        static_url_path="/static/vendor/leaflet",
    )
    app.register_blueprint(leaflet)
    if app.config["APP_ENV"] in {"development", "testing"}:
        from sportressources.dev.views import bp as dev_bp

        app.register_blueprint(dev_bp)


def register_handlers(app: Flask) -> None:
    from sportressources.core import errorpages, requestlog, templating
    from sportressources.core.security import register_security_headers

    errorpages.register(app)
    requestlog.register(app)
    templating.register(app)
    register_security_headers(app)


def register_cli(app: Flask) -> None:
    from sportressources.accounts.cli import users_cli
    from sportressources.accounts.demo import load_demo_accounts
    from sportressources.accounts.services import link_legacy_communes
    from sportressources.core.cli import data_cli, register_initial_data
    from sportressources.core.mail.cli import mail_cli
    from sportressources.listings.alerts import alerts_cli
    from sportressources.listings.demo import demo_cli, seed_demo
    from sportressources.listings.photos import uploads_cli
    from sportressources.loans.cli import loans_cli
    from sportressources.loans.demo import seed_demo_loans
    from sportressources.territory import cli as territory_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(mail_cli)
    territory_cli.register(app)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(loans_cli)
    register_initial_data(
        app,
        "annonces de démonstration",
        lambda: seed_demo(random.Random(62)),
        95,
        demo_only=True,
    )
    register_initial_data(app, "prêts de démonstration", seed_demo_loans, 96, demo_only=True)
    register_initial_data(app, "communes des membres", link_legacy_communes, 20)
    register_initial_data(app, "comptes de démonstration", load_demo_accounts, 90, demo_only=True)
