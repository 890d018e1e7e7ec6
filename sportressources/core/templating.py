"""What every template may call: policies, role checks, locale and date helpers."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext

from sportressources.core.security import Role, has_role

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def member_name(user) -> str:
    """The name to show for a member; deleted accounts appear as « Membre supprimé »."""
    if user is None or getattr(user, "is_deleted", False):
        return gettext("Membre supprimé")
    return user.display_name


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        Role=Role,
        has_role=has_role,
        current_locale=lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        language_names=LANGUAGE_NAMES,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        member_name=member_name,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_context() -> dict[str, object]:
        return {
            "site_name": app.config["SITE_NAME"],
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
