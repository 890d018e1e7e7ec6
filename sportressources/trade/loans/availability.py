"""When a loan listing is free: the Paris calendar day, kits, bookings, blocked periods, opening
days of the pickup venue, and the month tables of the listing page. Reads only.

Dates are calendar days in Europe/Paris, both ends of a range included. A kit is free on a day
when the kit and every item are; an item is taken by its own loans and by its kits' loans (they
book it too, see ``booked_listing_ids``).
"""

from __future__ import annotations

import calendar as month_grid
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.dates import PARIS, paris_today  # noqa: F401 - imported from here
from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.trade.loans.models import BlockedPeriod, Booking, KitItem

CALENDAR_MONTHS = 3


class DatesTaken(Conflict):
    """The dates overlap an accepted or active loan: the member may join the waiting list."""

    code = "dates_taken"


class DatesBlocked(Conflict):
    """The dates overlap a period the owner does not lend."""

    code = "dates_blocked"


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# --- kits ----------------------------------------------------------------------------------------


def kit_item_ids(listing_id: int) -> list[int]:
    """The ids of the items bundled in the kit ``listing_id`` (empty for a single item)."""
    return sorted(db.session.scalars(select(KitItem.item_id).where(KitItem.kit_id == listing_id)))


def kit_items(listing: Listing) -> list[Listing]:
    """The listings bundled in ``listing``, by title."""
    return list(
        db.session.scalars(
            select(Listing)
            .join(KitItem, KitItem.item_id == Listing.id)
            .where(KitItem.kit_id == listing.id)
            .order_by(Listing.title, Listing.id)
        )
    )


def kits_containing(listing_ids: list[int]) -> list[int]:
    """The ids of the kits that bundle any of ``listing_ids``."""
    if not listing_ids:
        return []
    return sorted(
        set(db.session.scalars(select(KitItem.kit_id).where(KitItem.item_id.in_(listing_ids))))
    )


def booked_listing_ids(listing: Listing) -> list[int]:
    """The listings a loan of ``listing`` books: itself and, for a kit, each item; sorted, so that
    concurrent loans insert their rows in the same order (no deadlock on PostgreSQL).

    Raises Conflict when an item of the kit is no longer lent (withdrawn, not published).
    """
    items = kit_items(listing)
    for item in items:
        if item.kind != ListingKind.LOAN.value or item.status != ListingStatus.PUBLISHED.value:
            raise Conflict(
                _l(
                    "« %(item)s », qui fait partie de ce kit, n’est plus proposé au prêt : le kit "
                    "ne peut pas être prêté pour l’instant.",
                    item=item.title,
                )
            )
    return sorted({listing.id, *(item.id for item in items)})


def _family(listing: Listing) -> list[int]:
    """The listings whose bookings and blocked periods make ``listing`` unavailable."""
    return sorted({listing.id, *kit_item_ids(listing.id)})


# --- what is taken -------------------------------------------------------------------------------


def bookings_overlapping(
    listing_ids: list[int], start: date, end: date, except_loan_id: int | None = None
) -> list[Booking]:
    """Bookings of ``listing_ids`` that share a day with ``start``..``end``, earliest first."""
    query = select(Booking).where(
        Booking.listing_id.in_(listing_ids),
        Booking.start_date <= end,
        Booking.end_date >= start,
    )
    if except_loan_id is not None:
        query = query.where(Booking.loan_id != except_loan_id)
    return list(db.session.scalars(query.order_by(Booking.start_date, Booking.id)))


def blocks_overlapping(listing_ids: list[int], start: date, end: date) -> list[BlockedPeriod]:
    """Blocked periods of ``listing_ids`` that share a day with ``start``..``end``."""
    return list(
        db.session.scalars(
            select(BlockedPeriod)
            .where(
                BlockedPeriod.listing_id.in_(listing_ids),
                BlockedPeriod.start_date <= end,
                BlockedPeriod.end_date >= start,
            )
            .order_by(BlockedPeriod.start_date, BlockedPeriod.id)
        )
    )


def unavailability(
    listing: Listing,
    start: date,
    end: date,
    listing_ids: list[int] | None = None,
    except_loan_id: int | None = None,
) -> Conflict | None:
    """Why ``listing`` cannot be lent from ``start`` to ``end``, or None if it can.

    A ``DatesTaken`` names the first booked stretch, a ``DatesBlocked`` the owner's period.
    ``listing_ids`` defaults to the listing and its kit items; ``except_loan_id`` leaves one
    loan's own bookings out (for its extension).
    """
    from flask_babel import format_date

    ids = listing_ids if listing_ids is not None else _family(listing)
    taken = bookings_overlapping(ids, start, end, except_loan_id)
    if taken:
        first = taken[0]
        return DatesTaken(
            _l(
                "Ces dates ne sont plus libres : « %(title)s » est déjà prêté du %(start)s au "
                "%(end)s. Choisissez d’autres dates, ou inscrivez-vous sur la liste d’attente "
                "pour être prévenu s’il se libère.",
                title=listing.title,
                start=format_date(max(first.start_date, start), "long"),
                end=format_date(min(first.end_date, end), "long"),
            )
        )
    blocked = blocks_overlapping(ids, start, end)
    if blocked:
        first = blocked[0]
        return DatesBlocked(
            _l(
                "Le propriétaire ne prête pas « %(title)s » du %(start)s au %(end)s. Choisissez "
                "d’autres dates.",
                title=listing.title,
                start=format_date(first.start_date, "long"),
                end=format_date(first.end_date, "long"),
            )
        )
    return None


# --- the month tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    # "past", "free", "blocked" or "booked"
    state: str
    # False when the pickup venue is closed that day: no pickup or return then
    handover: bool

    @property
    def can_start(self) -> bool:
        return self.state == "free" and self.handover


@dataclass(frozen=True)
class Month:
    first: date
    # Weeks from Monday to Sunday; None outside the month
    weeks: list[list[Day | None]]


def month_tables(listing: Listing, today: date, months: int = CALENDAR_MONTHS) -> list[Month]:
    """The coming ``months`` months (the current one first), day by day: two queries."""
    first = today.replace(day=1)
    year, month = first.year, first.month
    firsts = []
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    last = date(year, month, 1) - timedelta(days=1)
    ids = _family(listing)
    booked: set[date] = set()
    for booking in bookings_overlapping(ids, first, last):
        booked.update(days_between(max(booking.start_date, first), min(booking.end_date, last)))
    blocked: set[date] = set()
    for period in blocks_overlapping(ids, first, last):
        blocked.update(days_between(max(period.start_date, first), min(period.end_date, last)))
    venue = listing.venue

    def state_of(day: date) -> Day:
        if day < today:
            state = "past"
        elif day in booked:
            state = "booked"
        elif day in blocked:
            state = "blocked"
        else:
            state = "free"
        return Day(day, state, venue is None or venue.is_open_on(day))

    grid = month_grid.Calendar(firstweekday=0)
    return [
        Month(
            first=start,
            weeks=[
                [state_of(day) if day.month == start.month else None for day in week]
                for week in grid.monthdatescalendar(start.year, start.month)
            ],
        )
        for start in firsts
    ]


@dataclass(frozen=True)
class MonthPage:
    """One month of the calendar and the ``mois`` values of its neighbours (None at either end)."""

    month: Month
    previous: str | None
    next: str | None


def month_key(month: Month) -> str:
    return month.first.strftime("%Y-%m")


def month_page(months: list[Month], wanted: str | None) -> MonthPage | None:
    """The month asked for by the ``mois`` query parameter (« 2026-12 »), the first one when the
    value is missing, malformed or out of range; None when there is no month at all."""
    if not months:
        return None
    keys = [month_key(month) for month in months]
    index = keys.index(wanted) if isinstance(wanted, str) and wanted in keys else 0
    return MonthPage(
        month=months[index],
        previous=keys[index - 1] if index > 0 else None,
        next=keys[index + 1] if index + 1 < len(keys) else None,
    )
