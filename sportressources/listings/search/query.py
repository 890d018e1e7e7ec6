"""Finding listings: parameters from a query string, and pages of results read from the index.

Shared by the search page, saved-search alerts and (later) the API. Only published and reserved
listings are ever found, since only they are in ``listing_search`` (see ``search_index``).

Cost stays flat as the table grows: pages are read in index order with a keyset cursor (the last
row's sort key and ``seq``), never with OFFSET; the count stops at ``COUNT_CAP``; « nearest first »
reads the distinct positions near the place (``listing_positions``) in growing circles until one
holds a full page, and from each position at most a page of its listings, newest first, so a
point where thousands of listings sit costs one page, not a sort of thousands."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.expression import Subquery

from sportressources.core.db import db
from sportressources.geo.distance import RADII_KM
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.search.keyset import _SEQ_LIMIT, _make_cursor, parse_cursor
from sportressources.listings.search.params import SORTS, SearchParams
from sportressources.listings.search.place import _nearest_rows
from sportressources.listings.search.plan import (
    _execute,
    _few_text_matches,
    _keyset,
    _order,
    _prepare,
    _Query,
    _recent,
)
from sportressources.venues.queries import Place

# The count shown above results stops here: « plus de 200 annonces »; an exact count reads them all
COUNT_CAP = 200


PAGE_SIZE = 20


PAGE_SIZE_MAX = 100

_listings_by_id: Select | None = None


def _listings_statement() -> Select:
    """The listings of a page with what their cards show, built once (building the IN list and
    the loader options on each request cost about as much as running the statement); on first
    use, when every model is mapped."""
    global _listings_by_id
    if _listings_by_id is None:
        _listings_by_id = (
            select(Listing)
            .where(Listing.id.in_(bindparam("ids", expanding=True)))
            .options(
                joinedload(Listing.commune),
                joinedload(Listing.venue),
                joinedload(Listing.organisation),
            )
        )
    return _listings_by_id


@dataclass(frozen=True)
class SearchHit:
    """One listing found, with its distance from the chosen place when there is one."""

    listing: Listing
    distance_km: float | None = None

    @property
    def is_reserved(self) -> bool:
        return self.listing.status == ListingStatus.RESERVED.value


@dataclass(frozen=True)
class SearchPage:
    """A page of results, its cursors and a count that stops at COUNT_CAP."""

    params: SearchParams
    hits: list[SearchHit]
    next_cursor: str | None = None  # pass as ``after`` for the next page
    prev_cursor: str | None = None  # pass as ``before`` for the previous page
    total: int | None = None  # counted on the first page only; at most COUNT_CAP
    total_is_capped: bool = False  # True when there are more than ``total`` results

    @property
    def items(self) -> list[SearchHit]:
        return self.hits

    @property
    def place(self) -> Place | None:
        return self.params.place

    @property
    def is_first_page(self) -> bool:
        return self.prev_cursor is None

    @property
    def count_label(self) -> str | None:
        """« 12 », or « 200+ » past the cap; None on later pages (no count is made there)."""
        if self.total is None:
            return None
        return f"{self.total}+" if self.total_is_capped else str(self.total)

    def next_query_string(self) -> str | None:
        if self.next_cursor is None:
            return None
        return _with_cursor(self.params, after=self.next_cursor)

    def prev_query_string(self) -> str | None:
        if self.prev_cursor is None:
            return None
        return _with_cursor(self.params, before=self.prev_cursor)

    def first_query_string(self) -> str:
        return self.params.to_query_string()

    @property
    def suggestions(self) -> list[tuple[str, str]]:
        return widen_suggestions(self.params)


def _with_cursor(params: SearchParams, after: str | None = None, before: str | None = None):
    return replace(params, after=after, before=before).to_query_string(with_cursor=True)


def widen_suggestions(params: SearchParams, limit: int = 4) -> list[tuple[str, str]]:
    """Ways to widen a search that found nothing: (French label, query string) pairs."""
    suggestions: list[tuple[str, str]] = []

    def offer(label: str, widened: SearchParams) -> None:
        if len(suggestions) < limit:
            suggestions.append((label, widened.to_query_string()))

    if params.near and params.radius_km and params.radius_km < RADII_KM[-1]:
        larger = next(r for r in RADII_KM if r > params.radius_km)
        offer(
            _("Chercher jusqu’à %(km)s km", km=larger),
            replace(params, radius_km=larger, after=None, before=None),
        )
    if params.q:
        offer(_("Chercher sans les mots « %(q)s »", q=params.q), params.without("q"))
    for name, label in (
        ("with_photos", _("Avec ou sans photo")),
        ("max_price", _("Sans prix maximum")),
        ("size", _("Toutes les tailles")),
        ("condition", _("Tous les états")),
        ("venue", _("Tous les lieux de remise")),
        ("commune", _("Toutes les communes")),
        ("zone", _("Tout le territoire")),
        ("category", _("Toutes les catégories")),
        ("sport", _("Tous les sports")),
        ("kind", _("Dons, prêts et ventes")),
    ):
        attribute = "max_price_cents" if name == "max_price" else name
        if getattr(params, attribute):
            offer(label, params.without(attribute))
    if not params.is_empty:
        offer(_("Voir toutes les annonces"), SearchParams())
    return suggestions


def _rows(query: _Query, limit: int) -> tuple[list, bool]:
    """The rows of the page (up to limit + 1 to know if more follow), in display order."""
    params = query.params
    sort = params.sort
    reverse = params.before is not None
    cursor = parse_cursor(sort, params.before or params.after or "")
    radius = params.radius_km if query.place is not None else None
    # Words sorted by price (SQLite; PostgreSQL's planner chooses well) or by distance: walk
    # the sort order's index testing the words row by row, unless the words are rare
    few_matches = (
        query.text is not None
        and (sort == "nearest" or (sort == "cheapest" and query.dialect == "sqlite"))
        and _few_text_matches(query)
    )
    if sort == "nearest" and not few_matches:
        rows = _nearest_rows(query, limit, cursor, reverse)
        if reverse:
            rows.reverse()
        return rows, reverse

    def build(on: _Query, radius_km: float | None, key: tuple | None) -> Select:
        statement = on.base(text_driven=sort == "newest" or few_matches, radius_km=radius_km)
        if key is not None:
            statement = statement.where(_keyset(on, sort, key, reverse))
        return statement.order_by(*_order(on, sort, reverse)).limit(limit + 1)

    if (
        query.dialect == "postgresql"
        and sort == "newest"
        and not reverse
        and (query.text is not None or query.filters or radius)
    ):
        # PostgreSQL may think a filter rare (two words always found together, a box on the
        # map) and sort every match. Reading the newest rows in order, a bounded window of
        # them, costs little and is enough unless the filters are rare indeed.
        below = {"recent_below": cursor[0] if cursor is not None else _SEQ_LIMIT}
        rows = _execute(build(query.on(_recent), radius, cursor), below).all()
        if len(rows) > limit:
            return rows, reverse

    # Going back from a nearest-first cursor: every row wanted lies within its distance
    if sort == "nearest" and reverse and cursor is not None:
        radius = min(radius, cursor[0]) if radius else cursor[0]
    rows = _execute(build(query, radius, cursor)).all()
    if reverse:
        rows.reverse()
    return rows, reverse


def _count(query: _Query) -> tuple[int, bool]:
    """How many listings match, counting no further than COUNT_CAP."""
    radius = query.params.radius_km if query.place is not None else None

    # SQLite streams rows out of the R*Tree and stops at the cap; PostgreSQL tests the box on
    # each row (its listing_search has no spatial index)
    def matching(on: _Query) -> Subquery:
        spatial = query.dialect == "sqlite"
        statement = on.base(text_driven=True, radius_km=radius, spatial=spatial, count=True)
        return statement.limit(COUNT_CAP + 1).subquery()

    everywhere = select(func.count()).select_from(matching(query))
    below = None
    if query.dialect == "postgresql" and (query.text is not None or query.filters or radius):
        # A common search passes the cap among the newest rows already (see _rows); PostgreSQL
        # runs the count of every row only if the CASE reaches it
        in_window = select(func.count()).select_from(matching(query.on(_recent)))
        everywhere = select(
            case(
                (in_window.scalar_subquery() > COUNT_CAP, COUNT_CAP + 1),
                else_=everywhere.scalar_subquery(),
            )
        )
        below = {"recent_below": _SEQ_LIMIT}
    total = _execute(everywhere, below).scalar()
    return min(total, COUNT_CAP), total > COUNT_CAP


def search_listings(
    params: SearchParams, limit: int = PAGE_SIZE, *, published_in: tuple[int, int] | None = None
) -> SearchPage:
    """A page of visible listings matching ``params``, in its sort order.

    Only published and reserved listings are found (reserved ones are flagged on their hit).
    Each listing comes with its commune and venue loaded; its distance when a place is set.
    ``published_in`` = (after, up_to) keeps listings whose index ``seq`` lies in that range:
    those published since an alert's high-water mark.
    The statements run do not depend on ``limit``: one for the rows of the page (« nearest
    first »: one per ring tried, and a ring reads at most a page per position, however many
    listings share it), one for the listings, one for the count on a first page, and with words
    sorted by distance (or by price on SQLite) one estimate of how many listings they match.
    """
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    query = _prepare(params, published_in)
    sort = params.sort if params.sort in SORTS else "newest"
    if sort == "nearest" and query.place is None:
        sort = "newest"
    if sort != params.sort:
        params = replace(params, sort=sort, after=None, before=None)
        query.params = params

    rows, backwards = _rows(query, limit)
    more = len(rows) > limit
    if more:
        rows = rows[1:] if backwards else rows[:limit]

    listings = {
        listing.id: listing
        for listing in db.session.scalars(
            _listings_statement(), {"ids": [row.listing_id for row in rows]}
        )
    }
    hits = []
    for row in rows:
        listing = listings.get(row.listing_id)
        if listing is None:
            continue
        distance = getattr(row, "distance_km", None)
        hits.append(SearchHit(listing, float(distance) if distance is not None else None))

    at_start = params.after is None and params.before is None
    has_before = not at_start and (not backwards or more)
    has_after = more if not backwards else True
    next_cursor = _make_cursor(sort, rows[-1]) if rows and has_after else None
    prev_cursor = _make_cursor(sort, rows[0]) if rows and has_before else None
    total, capped = _count(query) if at_start else (None, False)
    return SearchPage(
        params=params,
        hits=hits,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        total=total,
        total_is_capped=capped,
    )
