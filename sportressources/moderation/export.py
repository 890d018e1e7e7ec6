"""The statements of reasons as the EU DSA Transparency Database API takes them, and
``flask moderation export-statements``, which writes them to a JSON file for the Pôle to submit.

One object per statement restricting something (a listing, a message, a profile, an account),
with the field names and values of the API documentation
(https://transparency.dsa.ec.europa.eu/page/api-documentation, schema v2): lists for
``decision_visibility``, ``content_type`` and ``territorial_scope``, dates as YYYY-MM-DD (in
Paris time), « Yes »/« No » for ``automated_detection``, and a ``puid`` that stays the same from
one export to the next (« sr62-statement-42 »), so that the database refuses a statement sent
twice. Statements that restrict nothing (a warning, the ruling on an appeal) are not exported:
the database only takes decisions with a visibility, monetary, service or account restriction.
Texts longer than the API allows are cut, ending with « … »; email addresses and phone numbers
quoted in them are blanked (the database is public and takes no personal data). Moderators
write the facts without naming anyone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.messaging.models import Message
from sportressources.moderation import dsa, grounds
from sportressources.moderation.cli import moderation_cli
from sportressources.moderation.models import Statement, TargetType
from sportressources.moderation.statements import terms_url
from sportressources.trade.models import Rating

PUID_PREFIX = "sr62-statement-"
# Organisations have no content type of their own in the API
CONTENT_TYPE_OTHER_TEXT = "Fiche d’organisation (club, association)"
TERMS_NAME = "Conditions d’utilisation de Sport ressources 62"


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Paris, as members and moderators saw it."""
    return moment.astimezone(_zone()).date()


# The database is public and must hold no personal data (API documentation, « Statement
# Attributes »): contact details quoted in the facts are blanked
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<!\d)(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
)
REDACTED = "[coordonnées retirées]"


def without_contact_details(text: str) -> str:
    """``text`` with email addresses and French phone numbers blanked."""
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))


def _cut(text: str, limit: int) -> str:
    text = without_contact_details((text or "").strip())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def puid(statement: Statement) -> str:
    """The statement's platform unique identifier: letters, digits and hyphens only."""
    return f"{PUID_PREFIX}{statement.id}"


def is_exported(statement: Statement) -> bool:
    """Whether the statement restricts something the API has a field for."""
    return bool(statement.visibility or statement.account_decision)


def exported_statements(since: date, until: date | None = None) -> list[Statement]:
    """The statements made from ``since`` to ``until`` (Paris days, both included), oldest
    first, that the Transparency Database takes (see ``is_exported``)."""
    zone = _zone()
    query = select(Statement).where(
        Statement.created_at >= datetime.combine(since, time.min, tzinfo=zone)
    )
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        query = query.where(Statement.created_at < end)
    rows = db.session.scalars(query.order_by(Statement.created_at, Statement.id))
    return [row for row in rows if is_exported(row)]


def content_dates(rows: Iterable[Statement]) -> dict[tuple[str, int], date]:
    """When each statement's item was posted (``content_date``), one query per kind of item."""
    models = {
        TargetType.LISTING.value: Listing,
        TargetType.MESSAGE.value: Message,
        TargetType.RATING.value: Rating,
        TargetType.PROFILE.value: User,
    }
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.target_type in models:
            wanted.setdefault(row.target_type, set()).add(row.target_id)
    dates: dict[tuple[str, int], date] = {}
    for target_type, ids in wanted.items():
        model = models[target_type]
        for item_id, created_at in db.session.execute(
            select(model.id, model.created_at).where(model.id.in_(ids))
        ):
            dates[(target_type, item_id)] = local_day(created_at)
    return dates


def payload(statement: Statement, content_date: date | None = None) -> dict[str, Any]:
    """One statement as the API's JSON object. ``content_date``: when the item was posted (the
    day of the decision when unknown, an item since deleted)."""
    applied = local_day(statement.created_at)
    posted = min(content_date or applied, applied)
    data: dict[str, Any] = {}
    if statement.visibility:
        data["decision_visibility"] = [statement.visibility]
    if statement.account_decision:
        data["decision_account"] = statement.account_decision
        if statement.ends_at is not None:
            data["end_date_account_restriction"] = local_day(statement.ends_at).isoformat()
    elif statement.visibility and statement.ends_at is not None:
        data["end_date_visibility_restriction"] = local_day(statement.ends_at).isoformat()
    data["decision_ground"] = statement.ground
    explanation = _cut(statement.explanation, dsa.MAX_EXPLANATION)
    if statement.ground == dsa.DECISION_GROUND_ILLEGAL:
        legal = statement.legal_ground or statement.explanation
        data["illegal_content_legal_ground"] = _cut(legal, dsa.MAX_GROUND)
        data["illegal_content_explanation"] = explanation
    else:
        rule = statement.terms_rule
        ground = TERMS_NAME
        if rule:
            ground = f"{TERMS_NAME}, règle {rule}"
            data["decision_ground_reference_url"] = terms_url(grounds.rule(rule))
        data["incompatible_content_ground"] = _cut(ground, dsa.MAX_GROUND)
        data["incompatible_content_explanation"] = explanation
    data["content_type"] = [statement.content_type]
    if statement.content_type == dsa.CONTENT_TYPE_OTHER:
        data["content_type_other"] = CONTENT_TYPE_OTHER_TEXT
    data["category"] = statement.category
    data["territorial_scope"] = list(dsa.TERRITORIAL_SCOPE)
    data["content_language"] = dsa.CONTENT_LANGUAGE
    data["content_date"] = posted.isoformat()
    data["application_date"] = applied.isoformat()
    data["decision_facts"] = _cut(statement.facts or statement.explanation, dsa.MAX_DECISION_FACTS)
    data["source_type"] = statement.source_type
    data["automated_detection"] = dsa.YES if statement.automated_detection else dsa.NO
    data["automated_decision"] = statement.automated_decision
    data["puid"] = puid(statement)
    return data


def export_payloads(since: date, until: date | None = None) -> list[dict[str, Any]]:
    """The API objects of the statements from ``since`` to ``until`` (see module docstring)."""
    rows = exported_statements(since, until)
    dates = content_dates(rows)
    return [payload(row, dates.get((row.target_type, row.target_id))) for row in rows]


# --- the command ---------------------------------------------------------------------------------

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Day(click.ParamType):
    """A calendar day written YYYY-MM-DD, refused in French otherwise."""

    name = "AAAA-MM-JJ"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if not _DAY.fullmatch(text):
                raise ValueError
            return date.fromisoformat(text)
        except ValueError:
            self.fail(
                f"« {value} » n’est pas une date : écrivez-la AAAA-MM-JJ, par exemple 2026-01-31.",
                param,
                ctx,
            )


@moderation_cli.command("export-statements")
@click.option(
    "--since",
    required=True,
    type=Day(),
    help="Premier jour exporté (AAAA-MM-JJ, heure de Paris).",
)
@click.option(
    "--until",
    type=Day(),
    default=None,
    help="Dernier jour exporté, inclus (AAAA-MM-JJ) ; par défaut, jusqu’à aujourd’hui.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    show_default=True,
    help="Fichier JSON à écrire ; « - » pour la sortie standard.",
)
def export_statements_command(since: date, until: date | None, output: str) -> None:
    """Write the statements of reasons as the DSA Transparency Database API takes them."""
    if until is not None and until < since:
        raise click.BadParameter(
            f"le {until.isoformat()} précède la date de début ({since.isoformat()}).",
            param_hint="'--until'",
        )
    payloads = export_payloads(since, until)
    text = json.dumps(payloads, ensure_ascii=False, indent=2) + "\n"
    try:
        with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as stream:
            stream.write(text)
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from None
    where = "la sortie standard" if output == "-" else output
    click.echo(f"{len(payloads)} décision(s) exportée(s) vers {where}.", err=True)
