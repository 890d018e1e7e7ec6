"""CSV exports of an organisation's inventory, receipts and handouts, for LibreOffice and Excel.

Format: UTF-8 with a byte order mark (so that spreadsheets read accents right), « ; » between
cells (the French list separator), CRLF line ends, French headers; dates as ISO 8601
(2026-12-05, and 2026-12-05 14:30 in Paris time), which spreadsheets read as dates whatever their
language. A cell that starts with = + - @ (or a tab or carriage return) gets a leading apostrophe,
so that a spreadsheet never runs it as a formula (CSV injection).

Personal data: the receipts say what was promised and received, at which drive, slot and venue,
never who pledged it (the organisation sees its pledgers on the drive's pages, not in files that
travel). The handouts give the date, the item, the age band, the commune and the Pass'Sport flag,
never the recipient's first name or reference: these exports feed reports (to a funder, to the
Pass'Sport scheme) that need no names, and a file that leaves the site escapes the erasure of
recipients after a year.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.drives.inventory_queries import STATUS_LABELS
from sportressources.drives.models import (
    Drive,
    DriveSlot,
    Handout,
    InventoryItem,
    Pledge,
    PledgeItem,
    PledgeItemStatus,
)
from sportressources.listings.taxonomy import AGE_GROUPS, CATEGORIES, CONDITION_LABELS, SPORTS
from sportressources.organisations.models import Organisation

PARIS = ZoneInfo("Europe/Paris")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_document(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The rows as a CSV file LibreOffice opens as it is: BOM, « ; », CRLF, neutralised
    formulas."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_filename(what: str, organisation: Organisation, today: date) -> str:
    """« inventaire-us-club-demo-2026-12-05.csv »: what, whose, when."""
    return f"{what}-{organisation.slug}-{today.isoformat()}.csv"


def _label(table: dict, code: str | None) -> str:
    return str(table[code]) if code in table else (code or "")


def _category(code: str) -> str:
    category = CATEGORIES.get(code)
    return str(category.label) if category is not None else code


def inventory_csv(organisation: Organisation) -> bytes:
    """Every item of the organisation's inventory, oldest first."""
    items = db.session.scalars(
        select(InventoryItem)
        .where(InventoryItem.organisation_id == organisation.id)
        .options(
            joinedload(InventoryItem.listing),
            joinedload(InventoryItem.pledge_item).joinedload(PledgeItem.pledge),
        )
        .order_by(InventoryItem.id)
    ).unique()
    drives = {
        drive.id: drive.title
        for drive in db.session.scalars(
            select(Drive).where(Drive.organisation_id == organisation.id)
        )
    }
    headers = [
        _("N° d’objet"),
        _("Objet"),
        _("Sport"),
        _("Catégorie"),
        _("Taille"),
        _("Public"),
        _("État"),
        _("Statut"),
        _("Note"),
        _("Entré le"),
        _("Sorti le"),
        _("Collecte"),
        _("N° d’annonce"),
        _("Statut de l’annonce"),
    ]
    rows = (
        [
            item.id,
            item.title,
            _label(SPORTS, item.sport),
            _category(item.category),
            item.size,
            _label(AGE_GROUPS, item.age_group),
            _label(CONDITION_LABELS, item.condition),
            _label(STATUS_LABELS, item.status),
            item.note,
            item.received_at,
            item.left_at,
            drives.get(item.pledge_item.pledge.drive_id, "") if item.pledge_item else "",
            item.listing_id,
            item.listing.status if item.listing is not None else "",
        ]
        for item in items
    )
    return csv_document(headers, rows)


RECEIPT_STATUS_LABELS = {
    PledgeItemStatus.PROMISED.value: _l("promis"),
    PledgeItemStatus.RECEIVED.value: _l("reçu"),
    PledgeItemStatus.NOT_RECEIVED.value: _l("non reçu"),
}


def receipts_csv(organisation: Organisation) -> bytes:
    """Every pledged item of the organisation's drives: drive, slot, venue, what, how many,
    status and dates; no pledger."""
    pledge_items = db.session.scalars(
        select(PledgeItem)
        .join(Pledge, Pledge.id == PledgeItem.pledge_id)
        .join(Drive, Drive.id == Pledge.drive_id)
        .where(Drive.organisation_id == organisation.id)
        .options(
            joinedload(PledgeItem.pledge).joinedload(Pledge.drive),
            joinedload(PledgeItem.pledge).joinedload(Pledge.slot).joinedload(DriveSlot.venue),
            joinedload(PledgeItem.wish_line),
        )
        .order_by(Drive.starts_on, Drive.id, PledgeItem.id)
    ).unique()
    headers = [
        _("Collecte"),
        _("Créneau"),
        _("Lieu"),
        _("Objet"),
        _("Quantité"),
        _("Sport"),
        _("Catégorie"),
        _("Taille"),
        _("État"),
        _("Statut"),
        _("Promis le"),
        _("Décidé le"),
    ]
    rows = (
        [
            item.pledge.drive.title,
            item.pledge.slot.starts_at,
            item.pledge.slot.venue.name,
            item.title,
            item.quantity,
            _label(SPORTS, item.wish_line.sport),
            _category(item.wish_line.category),
            item.wish_line.size,
            _label(CONDITION_LABELS, item.condition),
            _label(RECEIPT_STATUS_LABELS, item.status),
            item.pledge.created_at,
            item.decided_at,
        ]
        for item in pledge_items
    )
    return csv_document(headers, rows)


def handouts_csv(organisation: Organisation) -> bytes:
    """Every handout of the organisation, oldest first, without the recipient."""
    handouts = db.session.scalars(
        select(Handout)
        .where(Handout.organisation_id == organisation.id)
        .options(joinedload(Handout.inventory_item), joinedload(Handout.commune))
        .order_by(Handout.handed_at, Handout.id)
    )
    headers = [
        _("Date"),
        _("N° d’objet"),
        _("Objet"),
        _("Sport"),
        _("Catégorie"),
        _("Tranche d’âge"),
        _("Commune"),
        _("Code INSEE"),
        _("Pass’Sport"),
    ]
    rows = (
        [
            handout.handed_at,
            handout.inventory_item_id,
            handout.inventory_item.title,
            _label(SPORTS, handout.inventory_item.sport),
            _category(handout.inventory_item.category),
            handout.age_band,
            handout.commune.name if handout.commune is not None else "",
            handout.commune_insee,
            handout.pass_sport,
        ]
        for handout in handouts
    )
    return csv_document(headers, rows)
