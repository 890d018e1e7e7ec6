"""The owner's lending terms: loan lengths, deposit, kit composition and blocked periods.

Functions flush and never commit. Only the owner of a loan listing changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.text import clean_text
from sportressources.geo.models import Commune
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.trade.loans.availability import bookings_overlapping, paris_today
from sportressources.trade.loans.models import BlockedPeriod, KitItem, LoanTerms
from sportressources.trade.loans.policies import can_manage_loan_terms
from sportressources.venues.models import Venue

DEFAULT_MIN_DAYS = 1
DEFAULT_MAX_DAYS = 14
LONGEST_LOAN_DAYS = 366
DEPOSIT_MAX_CENTS = 2_000_00
BLOCK_NOTE_MAX = 120
KIT_MAX_ITEMS = 20
# Requests and blocked periods may not reach further than this into the future
HORIZON_DAYS = 366
# Listing statuses an item may have to join a kit
KIT_ITEM_STATUSES = (
    ListingStatus.DRAFT.value,
    ListingStatus.AWAITING_REVIEW.value,
    ListingStatus.PUBLISHED.value,
    ListingStatus.RESERVED.value,
)


@dataclass(frozen=True)
class Terms:
    """The terms that apply to a loan listing (its own, or the defaults)."""

    min_days: int
    max_days: int
    deposit_cents: int | None
    custom: bool
    # « Prêt entre clubs et communes », on an organisation's listing: for a verified
    # organisation that borrows, no deposit (if waived) and up to partner_max_days
    partner_deposit_waived: bool = False
    partner_max_days: int | None = None
    # True when these are the terms granted to a borrowing organisation
    for_partner: bool = False

    @property
    def has_partner_terms(self) -> bool:
        return self.partner_deposit_waived or self.partner_max_days is not None


def _require_owner(actor, listing: Listing) -> None:
    if not can_manage_loan_terms(actor, listing):
        raise Forbidden(_l("Seul le propriétaire de l’annonce de prêt peut faire cela."))


def terms_of(listing: Listing) -> Terms:
    """The lending terms of ``listing``: those its owner set, or 1 to 14 days without deposit."""
    row = db.session.get(LoanTerms, listing.id)
    if row is None:
        return Terms(DEFAULT_MIN_DAYS, DEFAULT_MAX_DAYS, None, custom=False)
    partner = listing.organisation_id is not None
    return Terms(
        row.min_days,
        row.max_days,
        row.deposit_cents,
        custom=True,
        partner_deposit_waived=partner and row.partner_deposit_waived,
        partner_max_days=row.partner_max_days if partner else None,
    )


def partner_terms(terms: Terms) -> Terms:
    """The terms a verified organisation borrows on (``Loan.borrower_organisation_id``): the
    deposit waived if the lending organisation said so, and its longer maximum if it set one."""
    return replace(
        terms,
        deposit_cents=None if terms.partner_deposit_waived else terms.deposit_cents,
        max_days=max(terms.max_days, terms.partner_max_days or 0),
        for_partner=True,
    )


def pickup_place(listing: Listing) -> Venue | Commune:
    """Where the gear changes hands: the listing's venue, else the owner's home commune (or the
    listing's commune if the owner gave none)."""
    if listing.venue is not None:
        return listing.venue
    if listing.organisation is not None:
        return listing.commune
    return listing.owner.home_commune or listing.commune


def set_terms(
    actor,
    listing: Listing,
    min_days: int | None,
    max_days: int | None,
    deposit_cents: int | None,
    kit_item_ids: list[int] | None = None,
    partner_deposit_waived: bool = False,
    partner_max_days: int | None = None,
) -> LoanTerms:
    """Set the loan lengths (days), the deposit (cents, None or 0 for none) and the kit's items;
    on an organisation's listing, the terms for verified organisations too.

    Lengths: 1 ≤ min ≤ max ≤ 366. Deposit: at most 2,000 €. Kit items: other loan listings of
    the same owner (for an organisation's listing, of the same organisation), not closed, that
    are not kits themselves; a listing inside a kit cannot become a kit (no nesting). Partner
    terms (``partner_deposit_waived``, ``partner_max_days``: min ≤ it ≤ 366) exist only on an
    organisation's listing. Raises Forbidden (not the owner) or ValidationFailed naming the
    fields.
    """
    _require_owner(actor, listing)
    errors = check_lengths_and_deposit(min_days, max_days, deposit_cents)
    items = _checked_kit_items(listing, kit_item_ids or [], errors)
    _check_partner_terms(listing, min_days, partner_deposit_waived, partner_max_days, errors)
    if errors:
        raise ValidationFailed(errors)
    row = db.session.get(LoanTerms, listing.id)
    if row is None:
        row = LoanTerms(listing_id=listing.id)
        db.session.add(row)
    row.min_days, row.max_days = min_days, max_days
    row.deposit_cents = deposit_cents or None
    row.partner_deposit_waived = bool(partner_deposit_waived)
    row.partner_max_days = partner_max_days
    if kit_item_ids is not None:
        db.session.execute(delete(KitItem).where(KitItem.kit_id == listing.id))
        for item in items:
            db.session.add(KitItem(kit_id=listing.id, item_id=item.id))
    db.session.flush()
    return row


def check_lengths_and_deposit(
    min_days: int | None, max_days: int | None, deposit_cents: int | None, prefix: str = ""
) -> dict:
    """The refusals of loan lengths (1 ≤ min ≤ max ≤ 366 days) and a deposit (0 to 2,000 €),
    by field name (``min_days``, ``max_days``, ``deposit``, after ``prefix``); empty if fine."""
    errors: dict = {}
    if min_days is None or not 1 <= min_days <= LONGEST_LOAN_DAYS:
        errors[f"{prefix}min_days"] = _l(
            "Indiquez une durée minimale entre 1 et %(limit)s jours.", limit=LONGEST_LOAN_DAYS
        )
    if max_days is None or not 1 <= max_days <= LONGEST_LOAN_DAYS:
        errors[f"{prefix}max_days"] = _l(
            "Indiquez une durée maximale entre 1 et %(limit)s jours.", limit=LONGEST_LOAN_DAYS
        )
    elif min_days is not None and f"{prefix}min_days" not in errors and max_days < min_days:
        errors[f"{prefix}max_days"] = _l(
            "La durée maximale ne peut pas être plus courte que la minimale."
        )
    if deposit_cents is not None and not 0 <= deposit_cents <= DEPOSIT_MAX_CENTS:
        errors[f"{prefix}deposit"] = _l(
            "La caution doit être comprise entre 0 et %(limit)s €.", limit=DEPOSIT_MAX_CENTS // 100
        )
    return errors


def _check_partner_terms(
    listing: Listing, min_days, waived: bool, max_days: int | None, errors: dict
) -> None:
    if listing.organisation_id is None:
        if waived or max_days is not None:
            errors["partner_max_days"] = _l(
                "Les conditions pour les organisations vérifiées concernent le matériel d’une "
                "organisation."
            )
        return
    if max_days is not None and not 1 <= max_days <= LONGEST_LOAN_DAYS:
        errors["partner_max_days"] = _l(
            "Indiquez une durée maximale entre 1 et %(limit)s jours.", limit=LONGEST_LOAN_DAYS
        )
    elif max_days is not None and isinstance(min_days, int) and max_days < min_days:
        errors["partner_max_days"] = _l(
            "La durée maximale ne peut pas être plus courte que la minimale."
        )


def _checked_kit_items(listing: Listing, ids: list[int], errors: dict) -> list[Listing]:
    ids = sorted(set(ids))
    if not ids:
        return []
    if len(ids) > KIT_MAX_ITEMS:
        errors["kit_items"] = _l("Un kit regroupe %(limit)s articles au plus.", limit=KIT_MAX_ITEMS)
        return []
    if db.session.scalar(select(exists().where(KitItem.item_id == listing.id))):
        errors["kit_items"] = _l(
            "Cette annonce fait déjà partie d’un kit : elle ne peut pas en regrouper d’autres."
        )
        return []
    allowed = {item.id: item for item in kit_candidates(listing)}
    if any(item_id not in allowed for item_id in ids):
        errors["kit_items"] = _l(
            "Un kit ne regroupe que vos autres annonces de prêt, qui ne sont pas elles-mêmes "
            "des kits."
        )
        return []
    return [allowed[item_id] for item_id in ids]


def kit_candidates(listing: Listing) -> list[Listing]:
    """The owner's other loan listings that may join ``listing``'s kit: not closed, not kits."""
    is_kit = exists().where(KitItem.kit_id == Listing.id)
    return list(
        db.session.scalars(
            select(Listing)
            .where(
                (
                    Listing.organisation_id == listing.organisation_id
                    if listing.organisation_id is not None
                    else and_(
                        Listing.owner_id == listing.owner_id, Listing.organisation_id.is_(None)
                    )
                ),
                Listing.id != listing.id,
                Listing.kind == ListingKind.LOAN.value,
                Listing.status.in_(KIT_ITEM_STATUSES),
                ~is_kit,
            )
            .order_by(Listing.title, Listing.id)
        )
    )


def kit_item_ids_of(listing: Listing) -> list[int]:
    return sorted(db.session.scalars(select(KitItem.item_id).where(KitItem.kit_id == listing.id)))


def check_dates(
    listing: Listing, terms: Terms, start: date | None, end: date | None, today: date
) -> None:
    """Check a date range against the terms and the pickup place, without looking at bookings.

    The start is today or later (Europe/Paris), within a year; the end is on or after the start;
    the length (both ends included) is within the terms; at a venue, the first and the last day
    fall on days it opens. Raises ValidationFailed on ``start_date`` and ``end_date``.
    """
    errors: dict = {}
    if start is None:
        errors["start_date"] = _l("Indiquez le premier jour du prêt.")
    elif start < today:
        errors["start_date"] = _l("Le premier jour du prêt ne peut pas être passé.")
    elif (start - today).days > HORIZON_DAYS:
        errors["start_date"] = _l("Les prêts se demandent au plus un an à l’avance.")
    if end is None:
        errors["end_date"] = _l("Indiquez le dernier jour du prêt.")
    elif start is not None and end < start:
        errors["end_date"] = _l("Le dernier jour ne peut pas précéder le premier.")
    elif start is not None:
        length = (end - start).days + 1
        if length < terms.min_days:
            errors["end_date"] = _l(
                "Ce matériel se prête au moins %(num)s jour(s) : votre demande en compte "
                "%(count)s.",
                num=terms.min_days,
                count=length,
            )
        elif length > terms.max_days:
            errors["end_date"] = (
                _l(
                    "Ce matériel se prête au plus %(num)s jour(s), %(partner)s jours pour une "
                    "organisation vérifiée qui l’emprunte en son nom : votre demande en compte "
                    "%(count)s.",
                    num=terms.max_days,
                    partner=terms.partner_max_days,
                    count=length,
                )
                if not terms.for_partner and (terms.partner_max_days or 0) > terms.max_days
                else _l(
                    "Ce matériel se prête au plus %(num)s jour(s) : votre demande en compte "
                    "%(count)s.",
                    num=terms.max_days,
                    count=length,
                )
            )
    venue = listing.venue
    if venue is not None:
        for field, day in (("start_date", start), ("end_date", end)):
            if day is not None and field not in errors and not venue.is_open_on(day):
                errors[field] = _l(
                    "%(venue)s est fermé le %(date)s : la remise et le retour se font un jour "
                    "d’ouverture.",
                    venue=venue.name,
                    date=format_date(day, "full"),
                )
    if errors:
        raise ValidationFailed(errors)


def blocked_periods(listing: Listing) -> list[BlockedPeriod]:
    """The listing's blocked periods, earliest first."""
    return list(
        db.session.scalars(
            select(BlockedPeriod)
            .where(BlockedPeriod.listing_id == listing.id)
            .order_by(BlockedPeriod.start_date, BlockedPeriod.id)
        )
    )


def add_blocked_period(
    actor,
    listing: Listing,
    start: date | None,
    end: date | None,
    note: str = "",
    now: datetime | None = None,
) -> BlockedPeriod:
    """Block days when the owner does not lend (holidays, own use), both ends included.

    The period ends today or later, within a year, and is at most a year long; it may not cover
    days already booked by a loan (cancel that loan first). Raises Forbidden (not the owner),
    ValidationFailed (dates, note over 120 characters) or Conflict (days booked).
    """
    _require_owner(actor, listing)
    today = paris_today(now)
    errors: dict = {}
    if start is None:
        errors["start_date"] = _l("Indiquez le premier jour de la période.")
    if end is None:
        errors["end_date"] = _l("Indiquez le dernier jour de la période.")
    elif start is not None:
        if end < start:
            errors["end_date"] = _l("Le dernier jour ne peut pas précéder le premier.")
        elif end < today:
            errors["end_date"] = _l("Cette période est déjà passée.")
        elif (end - today).days > HORIZON_DAYS or (end - start).days >= LONGEST_LOAN_DAYS:
            errors["end_date"] = _l("Une période bloquée tient dans l’année qui vient.")
    text = clean_text(note)
    if len(text) > BLOCK_NOTE_MAX:
        errors["note"] = _l(
            "Ce texte ne peut pas dépasser %(limit)s caractères.", limit=BLOCK_NOTE_MAX
        )
    if errors:
        raise ValidationFailed(errors)
    taken = bookings_overlapping([listing.id], start, end)
    if taken:
        raise Conflict(
            _l(
                "Un prêt accepté occupe déjà ces dates (du %(start)s au %(end)s) : annulez-le "
                "d’abord si vous avez besoin du matériel.",
                start=format_date(taken[0].start_date, "long"),
                end=format_date(taken[0].end_date, "long"),
            )
        )
    period = BlockedPeriod(listing_id=listing.id, start_date=start, end_date=end, note=text)
    db.session.add(period)
    db.session.flush()
    return period


def remove_blocked_period(actor, period: BlockedPeriod) -> None:
    """The owner lends again on the days of ``period``. Raises Forbidden (not the owner)."""
    listing = db.session.get(Listing, period.listing_id)
    _require_owner(actor, listing)
    db.session.delete(period)
    db.session.flush()
