"""The impact figures: what the scheme achieved per month and commune, rolled up per zone
(intercommunality) and overall. Read-only; a fixed number of grouped statements whatever the
data size (seven, plus two for the places), the roll-ups done in Python.

Months are calendar months in UTC. A cell's people are the members with a completed exchange,
a returned loan or a published listing in it; when there are some but fewer than
``SMALL_CELL``, every figure drawn from members' activity is suppressed (statistical secrecy),
the organisations' figures (drives, items collected and handed out) stay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import String, func, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from sportressources.core.db import db
from sportressources.drives.models import Drive, DriveStatus, Handout, InventoryItem
from sportressources.geo.models import Commune, Zone
from sportressources.impact.reference import reference_for
from sportressources.listings.models import Listing, ListingKind
from sportressources.organisations.models import Organisation
from sportressources.secondlife.models import Suggestion, SuggestionStatus
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.loans.models import Loan, LoanStatus

SMALL_CELL = 5
# Counted figures, additive across communes and months
COUNTS = ("donated", "sold", "lent", "loans", "rerouted", "drives", "collected", "handed_out")
# Figures drawn from members' activity: suppressed in a cell of fewer than SMALL_CELL people
PERSONAL = ("donated", "sold", "lent", "loans", "rerouted", "members", "kilograms", "euros")
METRICS = (*COUNTS, "members", "organisations", "kilograms", "euros")


class month_of(FunctionElement):
    """A timestamp's or a date's month as text, « 2026-03 »."""

    type = String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"


class month_of_day(FunctionElement):
    """A date's month as text, « 2026-03 »."""

    type = String()
    name = "month_of_day"
    inherit_cache = True


@compiles(month_of_day, "sqlite")
def _day_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of_day, "postgresql")
def _day_month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@dataclass
class Cell:
    """The figures of one place over one period, with the people and organisations behind
    them (as ids, never shown) so that roll-ups count each once."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    grams: int = 0
    cents: int = 0
    people: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)

    def add(self, other: Cell) -> None:
        for key, value in other.counts.items():
            self.counts[key] += value
        self.grams += other.grams
        self.cents += other.cents
        self.people |= other.people
        self.organisations |= other.organisations

    @property
    def suppressed(self) -> bool:
        # No one at all discloses no one: a zero is published as such
        return 0 < len(self.people) < SMALL_CELL

    def raw(self, metric: str) -> int:
        if metric == "members":
            return len(self.people)
        if metric == "organisations":
            return len(self.organisations)
        if metric == "kilograms":
            return round(self.grams / 1000)
        if metric == "euros":
            return round(self.cents / 100)
        return self.counts[metric]

    def value(self, metric: str) -> int | None:
        """The figure to publish, or None when statistical secrecy hides it."""
        if metric in PERSONAL and self.suppressed:
            return None
        return self.raw(metric)

    @property
    def empty(self) -> bool:
        return not (self.people or self.organisations or any(self.counts.values()))


@dataclass
class Figures:
    """Cells per (month, insee), with their roll-ups."""

    months: list[str]
    communes: dict[str, Commune]
    zones: dict[int, Zone]
    cells: dict[tuple[str, str], Cell]

    def _sum(self, keep) -> Cell:
        total = Cell()
        for (month, insee), cell in self.cells.items():
            if keep(month, insee):
                total.add(cell)
        return total

    def cell(self, month: str | None = None, zone_id: int | None = None, insee: str | None = None):
        """The figures of a month (or the whole period), for a commune, a zone or everywhere."""

        def keep(cell_month: str, cell_insee: str) -> bool:
            if month is not None and cell_month != month:
                return False
            if insee is not None:
                return cell_insee == insee
            return zone_id is None or self.communes[cell_insee].zone_id == zone_id

        return self._sum(keep)

    def per_place(self, zones: bool = False) -> dict:
        """Totals over the period per commune (INSEE code), or per zone id, in one pass."""
        totals: dict = defaultdict(Cell)
        for (_month, insee), cell in self.cells.items():
            totals[self.communes[insee].zone_id if zones else insee].add(cell)
        return totals

    def monthly(self, zone_id: int | None = None, insee: str | None = None) -> list[tuple]:
        """(month, cell) for every month of the period, empty months included."""
        return [(m, self.cell(m, zone_id=zone_id, insee=insee)) for m in self.months]


def month_range(first: str, last: str) -> list[str]:
    """The months from ``first`` to ``last`` included, both « YYYY-MM »."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _bounds(first: str, last: str) -> tuple[datetime, datetime]:
    start = datetime(int(first[:4]), int(first[5:7]), 1, tzinfo=UTC)
    year, month = int(last[:4]), int(last[5:7])
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _between(column, start, end):
    return (column >= start) & (column < end)


def compute(first: str, last: str) -> Figures:
    """The figures of the months ``first`` to ``last`` (« YYYY-MM », included)."""
    start, end = _bounds(first, last)
    start_day, end_day = start.date(), end.date()
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)

    done = ExchangeRequest.status == RequestStatus.COMPLETED.value
    exchange_month = month_of(ExchangeRequest.completed_at)
    rows = db.session.execute(
        select(
            exchange_month,
            Listing.commune_insee,
            Listing.kind,
            Listing.category,
            func.count(),
            func.coalesce(func.sum(Listing.price_cents), 0),
        )
        .join(Listing, Listing.id == ExchangeRequest.listing_id)
        .where(done, _between(ExchangeRequest.completed_at, start, end))
        .group_by(exchange_month, Listing.commune_insee, Listing.kind, Listing.category)
    )
    for month, insee, kind, category, count, paid in rows:
        cell, ref = cells[month, insee], reference_for(category)
        cell.counts["donated" if kind == ListingKind.GIFT else "sold"] += count
        cell.grams += ref.weight_grams * count
        # A household that buys second hand saves the new price less what it paid
        cell.cents += max(ref.new_price_cents * count - (paid or 0), 0)

    returned = Loan.status == LoanStatus.RETURNED.value
    loan_month = month_of(Loan.returned_at)
    rows = db.session.execute(
        select(
            loan_month,
            Listing.commune_insee,
            func.count(),
            func.count(func.distinct(Loan.listing_id)),
        )
        .join(Listing, Listing.id == Loan.listing_id)
        .where(returned, _between(Loan.returned_at, start, end))
        .group_by(loan_month, Listing.commune_insee)
    )
    for month, insee, loans, lent in rows:
        cells[month, insee].counts["loans"] += loans
        cells[month, insee].counts["lent"] += lent

    # Gear nobody used, taken by a ressourcerie (second-life routing): kept out of waste, and
    # the ressourcerie was active; no household saving is counted until it passes the gear on
    rerouted_month = month_of(Suggestion.decided_at)
    rows = db.session.execute(
        select(
            rerouted_month,
            Listing.commune_insee,
            Suggestion.organisation_id,
            Listing.category,
            func.count(),
        )
        .join(Listing, Listing.id == Suggestion.listing_id)
        .where(_rerouted(start, end))
        .group_by(
            rerouted_month, Listing.commune_insee, Suggestion.organisation_id, Listing.category
        )
    )
    for month, insee, organisation_id, category, count in rows:
        cell = cells[month, insee]
        cell.counts["rerouted"] += count
        cell.grams += reference_for(category).weight_grams * count
        cell.organisations.add(organisation_id)

    drive_month = month_of_day(Drive.starts_on)
    rows = db.session.execute(
        select(drive_month, Organisation.commune_insee, Drive.organisation_id, func.count())
        .join(Organisation, Organisation.id == Drive.organisation_id)
        .where(
            Drive.status != DriveStatus.CANCELLED.value,
            Drive.starts_on >= start_day,
            Drive.starts_on < end_day,
        )
        .group_by(drive_month, Organisation.commune_insee, Drive.organisation_id)
    )
    for month, insee, organisation_id, count in rows:
        cells[month, insee].counts["drives"] += count
        cells[month, insee].organisations.add(organisation_id)

    received_month = month_of(InventoryItem.received_at)
    rows = db.session.execute(
        select(
            received_month, Organisation.commune_insee, InventoryItem.organisation_id, func.count()
        )
        .join(Organisation, Organisation.id == InventoryItem.organisation_id)
        .where(
            InventoryItem.pledge_item_id.is_not(None),
            _between(InventoryItem.received_at, start, end),
        )
        .group_by(received_month, Organisation.commune_insee, InventoryItem.organisation_id)
    )
    for month, insee, organisation_id, count in rows:
        cells[month, insee].counts["collected"] += count
        cells[month, insee].organisations.add(organisation_id)

    handout_month = month_of(Handout.handed_at)
    rows = db.session.execute(
        select(
            handout_month,
            Organisation.commune_insee,
            Handout.organisation_id,
            InventoryItem.category,
            func.count(),
        )
        .join(Organisation, Organisation.id == Handout.organisation_id)
        .join(InventoryItem, InventoryItem.id == Handout.inventory_item_id)
        .where(_between(Handout.handed_at, start, end))
        .group_by(
            handout_month,
            Organisation.commune_insee,
            Handout.organisation_id,
            InventoryItem.category,
        )
    )
    for month, insee, organisation_id, category, count in rows:
        cell, ref = cells[month, insee], reference_for(category)
        cell.counts["handed_out"] += count
        cell.grams += ref.weight_grams * count
        cell.cents += ref.new_price_cents * count
        cell.organisations.add(organisation_id)

    for month, insee, user_id in db.session.execute(_people(start, end)):
        cells[month, insee].people.add(user_id)
    published = _between(Listing.published_at, start, end) & Listing.organisation_id.is_not(None)
    listing_month = month_of(Listing.published_at)
    rows = db.session.execute(
        select(listing_month, Listing.commune_insee, Listing.organisation_id)
        .where(published)
        .group_by(listing_month, Listing.commune_insee, Listing.organisation_id)
    )
    for month, insee, organisation_id in rows:
        cells[month, insee].organisations.add(organisation_id)

    communes = {
        commune.insee: commune
        for commune in db.session.scalars(select(Commune).order_by(Commune.name))
    }
    zones = {zone.id: zone for zone in db.session.scalars(select(Zone).order_by(Zone.name))}
    return Figures(month_range(first, last), communes, zones, dict(cells))


def _rerouted(start: datetime, end: datetime):
    return (Suggestion.status == SuggestionStatus.ACCEPTED.value) & _between(
        Suggestion.decided_at, start, end
    )


def _people(start: datetime, end: datetime):
    """(month, insee, member id): who was active where, once each."""
    done = ExchangeRequest.status == RequestStatus.COMPLETED.value
    exchange_month = month_of(ExchangeRequest.completed_at)
    exchanged = _between(ExchangeRequest.completed_at, start, end)
    loan_month = month_of(Loan.returned_at)
    lent = (Loan.status == LoanStatus.RETURNED.value) & _between(Loan.returned_at, start, end)
    selects: Iterable = (
        select(exchange_month, Listing.commune_insee, ExchangeRequest.requester_id)
        .join(Listing, Listing.id == ExchangeRequest.listing_id)
        .where(done, exchanged),
        select(exchange_month, Listing.commune_insee, Listing.owner_id)
        .join(Listing, Listing.id == ExchangeRequest.listing_id)
        .where(done, exchanged),
        select(loan_month, Listing.commune_insee, Loan.borrower_id)
        .join(Listing, Listing.id == Loan.listing_id)
        .where(lent),
        select(loan_month, Listing.commune_insee, Loan.lender_id)
        .join(Listing, Listing.id == Loan.listing_id)
        .where(lent),
        select(month_of(Suggestion.decided_at), Listing.commune_insee, Suggestion.owner_id)
        .join(Listing, Listing.id == Suggestion.listing_id)
        .where(_rerouted(start, end)),
        select(month_of(Listing.published_at), Listing.commune_insee, Listing.owner_id).where(
            _between(Listing.published_at, start, end)
        ),
    )
    # UNION (not UNION ALL) leaves each (month, commune, member) once
    return union(*selects)


def current_month(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"
