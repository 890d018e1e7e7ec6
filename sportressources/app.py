"""Application factory: configuration, extensions, then each domain package's ``init_app``.

``DOMAINS`` lists the packages from the lowest to the highest: each registers its blueprints, CLI
commands, signal receivers and template hooks, so that a process that never imports a view (a CLI
job, a worker) has every receiver connected all the same.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, flash, has_request_context, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from sportressources.config import PROJECT_ROOT, load_config
from sportressources.core.db import WRITE_METHODS, begin_write, db
from sportressources.core.params import INT_MAX
from sportressources.extensions import babel, csrf, limiter, login_manager, migrate

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

DOMAINS = (
    "core",
    "geo",
    "accounts",
    "notifications",
    "venues",
    "organisations",
    "events",
    "listings",
    "alerts",
    "trade",
    "messaging",
    "drives",
    "secondlife",
    "moderation",
    "impact",
    "pages",
    "api",
    "feeds",
    "dev",
)


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
    for name in DOMAINS:
        import_module(f"sportressources.{name}").init_app(app)
    return app


class BoundedIntConverter(IntegerConverter):
    """Ids in paths, within what the id columns hold (core.params.INT_MAX); beyond, a 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", INT_MAX)
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


def import_models() -> None:
    """Every table in the metadata, whatever the caller imported (migrations compare them all)."""
    for name in DOMAINS:
        try:
            import_module(f"sportressources.{name}.models")
        except ModuleNotFoundError as error:
            if error.name != f"sportressources.{name}.models":
                raise
    for name in (
        "core.audit",
        "core.dataversion",
        "listings.search.index",
        "trade.exchanges.models",
        "trade.loans.models",
    ):
        import_module(f"sportressources.{name}")


def register_extensions(app: Flask) -> None:
    import_models()
    db.init_app(app)

    @app.before_request
    def open_write_transaction() -> None:
        # First of all hooks, before anything reads: see begin_write for why.
        if request.method in WRITE_METHODS:
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

    from sportressources.accounts.sessions import load_user

    login_manager.user_loader(load_user)
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
