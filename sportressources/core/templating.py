"""What every template may call: policies, role checks, locale and date helpers."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    gettext,
)

from sportressources.core.security import Role, has_role

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def member_name(user) -> str:
    """The name to show for a member; deleted accounts appear as « Membre supprimé »."""
    if user is None or getattr(user, "is_deleted", False):
        return gettext("Membre supprimé")
    return user.display_name


# One date style per context: long in sentences, short in tables, with the time for a moment
# (« 5 déc. 2026 à 14 h 30 », the French typographic way; other languages get theirs).
MOMENT_PATTERNS = {"fr": "d MMM y 'à' H 'h' mm", "en": "d MMM y 'at' HH:mm"}


def long_date(value: date | datetime | None) -> str:
    """« 5 décembre 2026 », for prose."""
    return "" if value is None else format_date(value, "long")


def short_date(value: date | datetime | None) -> str:
    """« 05/12/2026 », for tables and compact lists."""
    return "" if value is None else format_date(value, "short")


def date_time(value: datetime | None) -> str:
    """« 5 déc. 2026 à 14 h 30 » in Paris time, for a moment."""
    if value is None:
        return ""
    language = str(get_locale() or "fr").split("_")[0]
    return format_datetime(value, MOMENT_PATTERNS.get(language, "medium"))


def iso_moment(value: date | datetime | None) -> str:
    """The machine-readable value of ``<time datetime>``: to the second, never microseconds."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _translations():
    """The current translations, as Flask-Babel's ``get_translations`` gives them, remembered
    for the locale they are for: a template's ``_()`` cost 40 µs through Flask-Babel's lookups,
    sixty times a page. Keyed by the locale object Flask-Babel keeps for the request, which
    ``force_locale`` (emails in their recipient's language) replaces: never the wrong language."""
    if not g:
        return get_translations()
    babel = g.get("_flask_babel")
    locale = getattr(babel, "babel_locale", None)
    remembered = g.get("_sr62_translations")
    if locale is not None and remembered is not None and remembered[0] is locale:
        return remembered[1]
    translations = get_translations()
    g._sr62_translations = (g._flask_babel.babel_locale, translations)
    return translations


def register(app: Flask) -> None:
    # Templates' _() and ngettext(): Flask-Babel's own, with the translations looked up once
    app.jinja_env.install_gettext_callables(
        lambda string: _translations().ugettext(string),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
    )
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
    app.jinja_env.filters.update(
        long_date=long_date, short_date=short_date, date_time=date_time, iso_moment=iso_moment
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
