"""The period and place a visitor asks for: months « YYYY-MM », a zone, a commune, read from the
query string within bounds, with French messages for what cannot be used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.params import clean_text
from sportressources.geo.models import Commune, Zone, ZoneKind
from sportressources.impact.figures import current_month, month_range

EARLIEST = "2020-01"
DEFAULT_MONTHS = 12
MAX_MONTHS = 120


def parse_month(text: object) -> str | None:
    """« 2026-03 » as written, or None when it is not a month between 2020 and this month."""
    text = clean_text(text, 7)
    if not text or len(text) != 7 or text[4] != "-" or not text.isascii():
        return None
    year, month = text[:4], text[5:]
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return None
    return text if EARLIEST <= text <= current_month() else None


def default_period() -> tuple[str, str]:
    """The last twelve months, this one included."""
    last = current_month()
    year, month = int(last[:4]), int(last[5:])
    month -= DEFAULT_MONTHS - 1
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}", last


def zones() -> list[Zone]:
    """The intercommunalities, by name."""
    return list(
        db.session.scalars(select(Zone).where(Zone.kind == ZoneKind.EPCI).order_by(Zone.name))
    )


@dataclass
class Request:
    first: str
    last: str
    zone: Zone | None = None
    commune: Commune | None = None
    errors: dict[str, str] = field(default_factory=dict)


def read_request(args: Mapping, *, strict: bool) -> Request:
    """The period (``du``, ``au``), ``zone`` (an id) and ``commune`` (an INSEE code) asked for.

    ``strict`` (the report) answers a French message per wrong value; otherwise a wrong value
    is ignored and the default used."""
    first, last = default_period()
    asked = Request(first, last)
    for key, label in (("du", "first"), ("au", "last")):
        raw = args.get(key)
        if raw in (None, ""):
            continue
        month = parse_month(raw)
        if month is None:
            asked.errors[key] = _(
                "Indiquez un mois sous la forme AAAA-MM, entre 2020-01 et ce mois-ci."
            )
        else:
            setattr(asked, label, month)
    if not asked.errors and asked.last < asked.first:
        asked.errors["au"] = _("La fin de la période doit suivre son début.")
    elif not asked.errors and len(month_range(asked.first, asked.last)) > MAX_MONTHS:
        asked.errors["au"] = _("La période ne peut dépasser dix ans.")
    raw_zone = clean_text(args.get("zone"), 10)
    if raw_zone:
        zone = (
            db.session.get(Zone, int(raw_zone))
            if raw_zone.isdigit() and len(raw_zone) < 9
            else None
        )
        if zone is None or zone.kind != ZoneKind.EPCI:
            asked.errors["zone"] = _("Cette zone n’existe pas : choisissez-la dans la liste.")
        else:
            asked.zone = zone
    raw_commune = clean_text(args.get("commune"), 10)
    if raw_commune:
        commune = db.session.get(Commune, raw_commune) if raw_commune.isdigit() else None
        if commune is None:
            asked.errors["commune"] = _("Cette commune n’existe pas : choisissez-la dans la liste.")
        else:
            asked.commune = commune
            asked.zone = asked.zone or commune.zone
    if asked.errors and not strict:
        return Request(*default_period())
    return asked
