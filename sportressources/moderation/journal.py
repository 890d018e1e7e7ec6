"""The audit log as admins browse it: the filters read from the query string (a wrong value is
a French message and an ignored criterion, never an error), the labels of its rows, and the CSV
export (UTF-8 with a byte order mark and « ; » between cells, as French spreadsheets expect;
cells a spreadsheet would take for a formula are defused).

Nothing here writes: the table is append-only, down to the database (``core.audit``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row

from sportressources.core.params import INT_MAX, parse_date, parse_int, text_param
from sportressources.core.templating import member_name
from sportressources.moderation.figures import PARIS, paris_midnight
from sportressources.moderation.queries import JournalFilter, member_by_email

# Rows an export may hold: past that, the admin narrows the filters
EXPORT_LIMIT = 100_000
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]*)?$")
# The prefixes offered as examples under the action filter
ACTION_PREFIXES = (
    "listing.",
    "moderation_case.",
    "report.",
    "statement.",
    "appeal.",
    "sanction.",
    "user.",
    "venue.",
    "loan.",
    "exchange_request.",
)
TARGET_TYPES: dict[str, LazyString] = {
    "listing": _l("Annonce"),
    "moderation_case": _l("Dossier de modération"),
    "report": _l("Signalement"),
    "statement": _l("Exposé des motifs"),
    "appeal": _l("Contestation"),
    "sanction": _l("Sanction"),
    "user": _l("Membre"),
    "venue": _l("Lieu"),
    "loan": _l("Prêt"),
    "exchange_request": _l("Demande d’échange"),
}
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SYSTEM_WORDS = {"systeme", "système", "system"}
FILTER_NAMES = ("action", "acteur", "cible", "numero", "du", "au")
UNREADABLE = "\x00"  # what a value that is too long or holds control characters reads as


@dataclass
class JournalQuery:
    """The filters as typed (for the form) and as understood (for the query)."""

    filters: JournalFilter
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments, for links to other pages and the export."""
        return {name: value for name, value in self.values.items() if value}


def parse_journal_args(args: Mapping) -> JournalQuery:
    """Read the journal's filters: ``action`` (exact, or a prefix ending with « . »),
    ``acteur`` (an email address, a member number or « système »), ``cible`` (a target type)
    and ``numero`` (its id), ``du`` and ``au`` (Paris days, both included). A wrong value is
    left out of the query with a French message; an actor nobody matches gives no row."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    criteria: dict = {}
    for name in FILTER_NAMES:
        value = text_param(args, name, max_length=254, default=UNREADABLE)
        if value == UNREADABLE and name in args:
            errors[name] = _("Critère illisible ou trop long : il est ignoré.")
            value = ""
        values[name] = "" if value == UNREADABLE else value

    action = values["action"]
    if action and (len(action) > 60 or not ACTION_PATTERN.match(action)):
        errors["action"] = _(
            "Action non reconnue : écrivez-la comme « listing.approve », ou un préfixe comme "
            "« listing. »."
        )
    elif action:
        criteria["action"] = action

    actor = values["acteur"]
    if actor.lower() in SYSTEM_WORDS:
        criteria["system"] = True
    elif actor.isdigit():
        number = parse_int(actor, minimum=1, maximum=INT_MAX)
        if number is None:
            errors["acteur"] = _("Ce numéro de membre n’existe pas.")
        else:
            criteria["actor_id"] = number
    elif "@" in actor:
        member = member_by_email(actor)
        if member is None:
            errors["acteur"] = _("Aucun membre n’a cette adresse : aucune entrée ne correspond.")
            criteria["nobody"] = True
        else:
            criteria["actor_id"] = member.id
    elif actor:
        errors["acteur"] = _(
            "Indiquez l’adresse e-mail du membre, son numéro, ou « système » pour les actions "
            "automatiques."
        )

    target_type = values["cible"]
    if target_type and target_type not in TARGET_TYPES:
        errors["cible"] = _("Type d’objet inconnu.")
    elif target_type:
        criteria["target_type"] = target_type

    if values["numero"]:
        number = parse_int(values["numero"], minimum=1, maximum=INT_MAX)
        if number is None:
            errors["numero"] = _("Le numéro de l’objet est un nombre entier positif.")
        else:
            criteria["target_id"] = number

    days = {}
    for name in ("du", "au"):
        if values[name]:
            day = parse_date(values[name])
            if day is None:
                errors[name] = _("Date non reconnue : utilisez le format AAAA-MM-JJ.")
            else:
                days[name] = day
    if "du" in days and "au" in days and days["du"] > days["au"]:
        errors["au"] = _("La date de fin précède la date de début.")
        days.pop("au")
    if "du" in days:
        criteria["since"] = paris_midnight(days["du"])
    if "au" in days:
        criteria["until"] = paris_midnight(days["au"] + timedelta(days=1))
    return JournalQuery(JournalFilter(**criteria), values, errors)


def target_label(target_type: str) -> str:
    label = TARGET_TYPES.get(target_type)
    return str(label) if label is not None else target_type


def details_text(details) -> str:
    """The details of a row as one line of JSON, keys sorted ('' when there are none)."""
    if not details:
        return ""
    return json.dumps(details, ensure_ascii=False, sort_keys=True)


def defuse(value) -> str:
    """A cell's text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_header() -> list[str]:
    return [
        _("Numéro"),
        _("Date (heure de Paris)"),
        _("Numéro de l’auteur"),
        _("Auteur"),
        _("E-mail de l’auteur"),
        _("Action"),
        _("Type d’objet"),
        _("Numéro de l’objet"),
        _("Avant"),
        _("Après"),
        _("Motif"),
        _("Détails"),
    ]


def csv_line(row: Row) -> list[str]:
    if row.actor_id is None:
        name, email = _("Système"), ""
    elif row.actor_deleted_at is not None:
        name, email = member_name(None), ""
    else:
        name, email = row.actor_name, row.actor_email
    return [
        str(row.id),
        row.occurred_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S"),
        "" if row.actor_id is None else str(row.actor_id),
        defuse(name),
        defuse(email),
        defuse(row.action),
        defuse(row.target_type),
        str(row.target_id),
        defuse(row.before),
        defuse(row.after),
        defuse(row.reason),
        defuse(details_text(row.details)),
    ]


def journal_csv(rows: Iterable[Row], *, limit: int = EXPORT_LIMIT) -> str | None:
    """The rows as CSV text for a spreadsheet: a byte order mark, « ; » between cells, a header
    line, every text cell defused; None when there are more than ``limit`` rows."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_header())
    for count, row in enumerate(rows, start=1):
        if count > limit:
            return None
        writer.writerow(csv_line(row))
    return buffer.getvalue()
