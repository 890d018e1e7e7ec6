"""Finding listings: parameters from a query string, and pages of results read from the index.

Shared by the search page, saved-search alerts and (later) the API. Only published and reserved
listings are ever found, since only they are in ``listing_search`` (see ``search_index``).

Cost stays flat as the table grows: pages are read in index order with a keyset cursor (the last
row's sort key and ``seq``), never with OFFSET; the count stops at ``COUNT_CAP``; « nearest first »
reads the distinct positions near the place (``listing_positions``) in growing circles until one
holds a full page, and from each position at most a page of its listings, newest first, so a
point where thousands of listings sit costs one page, not a sort of thousands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import (
    Column,
    ColumnElement,
    Double,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.expression import FromClause, Subquery

from sportressources.core.geo import bounding_box, distance_km_sql
from sportressources.extensions import db
from sportressources.listings.models import Condition, Listing, ListingKind, ListingStatus
from sportressources.listings.search_index import (
    index_words,
    listing_positions,
    listing_search,
    stem,
)
from sportressources.listings.taxonomy import CATEGORIES, SIZE_SYSTEMS, SPORTS
from sportressources.territory.models import Commune, Venue, VenueStatus, Zone, ZoneKind
from sportressources.territory.queries import Place, resolve_place

SORTS = ("newest", "nearest", "cheapest")
RADII_KM = (2, 5, 10, 20, 50)
QUERY_MAX_LENGTH = 200
MAX_PRICE_EUROS = 100_000
# The count shown above results stops here: « plus de 200 annonces »; an exact count reads them all
COUNT_CAP = 200
# « Nearest first » first reads the positions in a ring just beyond the cursor (a disc around the
# place on a first page) with the area of a disc of this radius, then rings at least four times
# larger until one holds a full page; past the last one, the chosen radius (or no limit). Small:
# with a million listings, hundreds of distinct positions lie within 100 m of a town centre.
FIRST_RING_KM = 0.01
LAST_RING_KM = 60
# Text with « nearest » or « cheapest » (and SQLite): below this many text matches, sorting them
# all is cheaper than walking the position or price index and testing the words row by row
FEW_TEXT_MATCHES = 2000
# PostgreSQL, newest first with filters: rows (by seq) read in order before leaving the plan
# to the planner
RECENT_WINDOW = 5000
PAGE_SIZE = 20
PAGE_SIZE_MAX = 100

# Best first: « état minimum : bon état » finds new, very good and good items
CONDITION_ORDER = (
    Condition.NEW.value,
    Condition.VERY_GOOD.value,
    Condition.GOOD.value,
    Condition.WORN.value,
)
_ALL_SIZES = frozenset(size for _, sizes in SIZE_SYSTEMS.values() for size in sizes)
_TRUE = {"1", "on", "true", "oui", "yes"}
_CURSOR = re.compile(r"^[0-9eE.+-]{1,40}(_[0-9]{1,12})?$")

# Hand-managed SQLite tables (not in the metadata: create_all must not make them)
_sqlite_tables = MetaData()
search_fts = Table(
    "search_fts",
    _sqlite_tables,
    Column("rowid", Integer),
    Column("document", Text),
    Column("search_fts", Text),  # FTS5's hidden column named after the table, for MATCH
)
search_rtree = Table(
    "search_rtree",
    _sqlite_tables,
    Column("seq", Integer),
    Column("min_lat", Integer),
    Column("max_lat", Integer),
    Column("min_lon", Integer),
    Column("max_lon", Integer),
)
search_position_rtree = Table(
    "search_position_rtree",
    _sqlite_tables,
    Column("id", Integer),
    Column("min_lat", Double),
    Column("max_lat", Double),
    Column("min_lon", Double),
    Column("max_lon", Double),
    Column("latitude", Double),  # exact, where the box is rounded to float32
    Column("longitude", Double),
)


# --- Parameters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    """A search, as a visitor asked for it; values are already checked (see parse_search_args)."""

    q: str = ""
    kind: str | None = None
    sport: str | None = None
    category: str | None = None
    size: str | None = None
    condition: str | None = None  # the minimum condition
    zone: str | None = None  # zone slug
    commune: str | None = None  # INSEE code
    venue: str | None = None  # venue slug
    near: str | None = None  # "commune:<INSEE>" or "venue:<slug>"
    radius_km: int | None = None  # only with near
    max_price_cents: int | None = None
    with_photos: bool = False
    sort: str = "newest"
    after: str | None = None  # cursor: the page after this key
    before: str | None = None  # cursor: the page before this key
    # Resolved by parse_search_args, so that the search does not look them up again
    zone_id: int | None = field(default=None, compare=False, repr=False)
    venue_id: int | None = field(default=None, compare=False, repr=False)
    place: Place | None = field(default=None, compare=False, repr=False)

    @property
    def max_price_euros(self) -> str | None:
        """The maximum price as people write it in a query string: « 12 » or « 12.50 »."""
        if self.max_price_cents is None:
            return None
        euros, cents = divmod(self.max_price_cents, 100)
        return f"{euros}.{cents:02d}" if cents else str(euros)

    def to_args(self, with_cursor: bool = False) -> dict[str, str]:
        """The non-default parameters, by name, as strings."""
        args = {
            "q": self.q,
            "kind": self.kind,
            "sport": self.sport,
            "category": self.category,
            "size": self.size,
            "condition": self.condition,
            "zone": self.zone,
            "commune": self.commune,
            "venue": self.venue,
            "near": self.near,
            "radius": str(self.radius_km) if self.near and self.radius_km else None,
            "max_price": self.max_price_euros,
            "with_photos": "1" if self.with_photos else None,
            "sort": self.sort if self.sort != "newest" else None,
        }
        if with_cursor:
            args.update(after=self.after, before=self.before)
        return {name: value for name, value in args.items() if value}

    def to_query_string(self, with_cursor: bool = False) -> str:
        """Canonical query string, keys sorted, no cursor unless asked: a shareable URL and the
        identity of a saved alert (two spellings of the same search give the same string)."""
        return urlencode(sorted(self.to_args(with_cursor).items()))

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the search (every visible listing matches)."""
        return not {k: v for k, v in self.to_args().items() if k != "sort"}

    def without(self, *names: str) -> SearchParams:
        """The same search without some criteria (and without cursor)."""
        changes: dict[str, object] = {"after": None, "before": None}
        for name in names:
            changes[name] = SearchParams.__dataclass_fields__[name].default
            if name == "near":
                changes.update(radius_km=None, place=None)
                if self.sort == "nearest":
                    changes["sort"] = "newest"
            if name == "zone":
                changes["zone_id"] = None
            if name == "venue":
                changes["venue_id"] = None
        return replace(self, **changes)


def _first(args: Mapping, name: str) -> str:
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_search_args(args: Mapping) -> tuple[SearchParams, dict[str, str]]:
    """Read a search from query-string arguments (a MultiDict or a dict).

    Returns the parameters and, per field, a French message for each value that was dropped
    because it was not understood: a bad value never fails the search. Looks up the zone,
    commune, venue and place named, so it needs an application context.
    """
    errors: dict[str, str] = {}
    values: dict[str, object] = {}

    q = " ".join(_first(args, "q").split())
    if len(q) > QUERY_MAX_LENGTH:
        q = q[:QUERY_MAX_LENGTH].rsplit(" ", 1)[0]
        errors["q"] = _(
            "La recherche est limitée à %(limit)s caractères ; la fin a été ignorée.",
            limit=QUERY_MAX_LENGTH,
        )
    if q and parse_text(q) is None:
        errors["q"] = _(
            "« %(q)s » ne contient aucun mot assez précis pour chercher : essayez un autre mot.",
            q=q,
        )
        q = ""
    values["q"] = q

    choices = {
        "kind": ({kind.value for kind in ListingKind}, _("Ce type d’annonce n’existe pas.")),
        "sport": (set(SPORTS), _("Ce sport ne fait pas partie de la liste.")),
        "category": (set(CATEGORIES), _("Cette catégorie ne fait pas partie de la liste.")),
        "condition": ({c.value for c in Condition}, _("Cet état ne fait pas partie de la liste.")),
    }
    for name, (allowed, message) in choices.items():
        value = _first(args, name)
        if value in allowed:
            values[name] = value
        elif value:
            errors[name] = message

    size = _first(args, "size")
    if size:
        category = CATEGORIES.get(values.get("category") or "")
        allowed_sizes = set(category.sizes) if category and category.sizes else _ALL_SIZES
        if size in allowed_sizes:
            values["size"] = size
        else:
            errors["size"] = _("Cette taille ne fait pas partie de la liste.")

    zone_slug = _first(args, "zone")
    if zone_slug:
        zone = (
            db.session.scalar(
                select(Zone).where(Zone.slug == zone_slug, Zone.kind == ZoneKind.EPCI.value)
            )
            if len(zone_slug) <= 80
            else None
        )
        if zone is None:
            errors["zone"] = _("Cette zone n’existe pas.")
        else:
            values.update(zone=zone.slug, zone_id=zone.id)

    insee = _first(args, "commune")
    if insee:
        if len(insee) == 5 and db.session.get(Commune, insee) is not None:
            values["commune"] = insee
        else:
            errors["commune"] = _("Cette commune ne fait pas partie du territoire.")

    venue_slug = _first(args, "venue")
    if venue_slug:
        venue_id = (
            db.session.scalar(
                select(Venue.id).where(
                    Venue.slug == venue_slug, Venue.status == VenueStatus.PUBLISHED.value
                )
            )
            if len(venue_slug) <= 120
            else None
        )
        if venue_id is None:
            errors["venue"] = _("Ce lieu n’existe pas ou n’est pas encore publié.")
        else:
            values.update(venue=venue_slug, venue_id=venue_id)

    near = _first(args, "near")
    radius = _first(args, "radius")
    if near:
        place = resolve_place(near)
        if place is None:
            errors["near"] = _("Ce lieu est inconnu : choisissez une commune ou un lieu sportif.")
        else:
            values.update(near=place.token, place=place)
    if radius:
        if radius.isdigit() and int(radius) in RADII_KM:
            if "near" in values:
                values["radius_km"] = int(radius)
            elif not near:
                errors["radius"] = _("Choisissez aussi un lieu pour chercher à une distance.")
        else:
            errors["radius"] = _(
                "Choisissez une distance dans la liste : %(radii)s km.",
                radii=", ".join(str(r) for r in RADII_KM),
            )

    max_price = _first(args, "max_price")
    if max_price:
        cents = parse_euros(max_price)
        if cents is None:
            errors["max_price"] = _("Indiquez un prix en euros, par exemple 15 ou 7,50.")
        else:
            values["max_price_cents"] = cents

    values["with_photos"] = _first(args, "with_photos").lower() in _TRUE

    sort = _first(args, "sort") or "newest"
    if sort not in SORTS:
        errors["sort"] = _("Ce tri n’existe pas ; les annonces sont triées par date.")
        sort = "newest"
    elif sort == "nearest" and "place" not in values:
        errors["sort"] = _(
            "Pour trier par distance, choisissez un lieu ; les annonces sont triées par date."
        )
        sort = "newest"
    values["sort"] = sort

    for name in ("after", "before"):
        cursor = _first(args, name)
        if not cursor:
            continue
        if parse_cursor(sort, cursor) is None:
            errors["page"] = _("Ce lien de page n’est plus valable : voici la première page.")
        else:
            values[name] = cursor
    if values.get("after") and values.get("before"):
        values.pop("before")

    return SearchParams(**values), errors


def at_least(condition: str) -> tuple[str, ...]:
    """The conditions as good as ``condition`` or better."""
    return CONDITION_ORDER[: CONDITION_ORDER.index(condition) + 1]


def parse_euros(text: str) -> int | None:
    """Cents from « 12 », « 12,5 » or « 12.50 € »; None if not a price between 0 and the maximum."""
    cleaned = text.replace("€", "").replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not cleaned or len(cleaned) > 12:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE_EUROS:
        return None
    return int((amount * 100).to_integral_value())


# --- Text queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextQuery:
    """What the words of ``q`` ask for: every clause must match, no excluded group may.

    A clause is a list of alternatives (« vélo ou trottinette »), an alternative a list of
    words that must all be present (« protège-tibias » gives two words).
    """

    clauses: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    def postgresql(self) -> str:
        """A to_tsquery('french', …) expression; words are letters and digits only."""

        def group(words: tuple[str, ...]) -> str:
            return "(" + " & ".join(words) + ")"

        parts = ["(" + " | ".join(group(alt) for alt in clause) + ")" for clause in self.clauses]
        parts += ["!" + group(words) for words in self.excluded]
        return " & ".join(parts)

    def fts5(self) -> str:
        """An FTS5 MATCH expression over the stems."""

        def group(words: tuple[str, ...]) -> str:
            return "(" + " AND ".join(f'"{stem(word)}"' for word in words) + ")"

        expression = " AND ".join(
            "(" + " OR ".join(group(alt) for alt in clause) + ")" for clause in self.clauses
        )
        for words in self.excluded:
            expression = f"({expression}) NOT {group(words)}"
        return expression

    def in_stems(self, stems: ColumnElement[str]) -> ColumnElement[bool]:
        """The test of ``fts5()`` on one row's stems, one space apart (SQLite's document)."""
        padded = literal(" ") + stems + literal(" ")

        def group(words: tuple[str, ...]) -> ColumnElement[bool]:
            return and_(*(func.instr(padded, f" {stem(word)} ") > 0 for word in words))

        condition = and_(*(or_(*(group(alt) for alt in clause)) for clause in self.clauses))
        return and_(condition, *(not_(group(words)) for words in self.excluded))


def parse_text(q: str) -> TextQuery | None:
    """The text query of ``q``: words (all required), « ou » between alternatives, ``-mot`` to
    exclude. None when no usable word is left (only very common words, or only exclusions)."""
    clauses: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    pending_or = False
    for chunk in q.split():
        if chunk.lower() in {"ou", "or", "|"}:
            pending_or = bool(clauses)
            continue
        negative = chunk.startswith("-") and len(chunk) > 1
        words = tuple(index_words(chunk[1:] if negative else chunk))
        if not words:
            continue
        if negative:
            excluded.append(words)
        elif pending_or:
            clauses[-1].append(words)
        else:
            clauses.append([words])
        pending_or = False
    if not clauses:
        return None
    return TextQuery(tuple(tuple(clause) for clause in clauses), tuple(excluded))


# --- Cursors ---------------------------------------------------------------------------------


def parse_cursor(sort: str, cursor: str) -> tuple | None:
    """The key in a cursor for this sort order, or None if it is not one."""
    if not cursor or len(cursor) > 60 or not _CURSOR.match(cursor):
        return None
    parts = cursor.split("_")
    try:
        if sort == "newest" and len(parts) == 1:
            return (int(parts[0]),)
        if sort == "cheapest" and len(parts) == 2:
            return (int(parts[0]), int(parts[1]))
        if sort == "nearest" and len(parts) == 2:
            distance = float(parts[0])
            if distance != distance or distance < 0 or distance > 40_000:
                return None
            return (distance, int(parts[1]))
    except ValueError:
        return None
    return None


def _make_cursor(sort: str, row) -> str:
    if sort == "newest":
        return str(row.seq)
    if sort == "cheapest":
        return f"{row.price_cents}_{row.seq}"
    return f"{float(row.distance_km)!r}_{row.seq}"


# --- Results ---------------------------------------------------------------------------------


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


# --- Queries ---------------------------------------------------------------------------------

_s = listing_search.c
# Above every seq: the largest integer of PostgreSQL's serial column, which seq never reaches
_SEQ_LIMIT = 2**31 - 1
# PostgreSQL: the newest rows below a seq, read in order (see _rows). Built once: building it and
# rewriting each statement onto it (ClauseAdapter) took about 1 ms, more than running them.
_recent = (
    select(listing_search)
    .where(_s.seq < bindparam("recent_below"))
    .order_by(_s.seq.desc())
    .limit(RECENT_WINDOW)
    .subquery("recent")
)
# Built once: an alias copies every column of the table (0.2 ms)
_hit = listing_search.alias("hit")


@dataclass
class _Query:
    """What every SQL statement of one search shares: filters, text, distance, on the rows of
    ``source`` (listing_search, or on PostgreSQL a window of its newest rows)."""

    params: SearchParams
    dialect: str
    text: TextQuery | None
    place: Place | None
    zone_id: int | None
    venue_id: int | None
    published_in: tuple[int, int] | None
    source: FromClause
    filters: list[ColumnElement[bool]] = field(default_factory=list)
    distance: ColumnElement[float] | None = None

    def __post_init__(self) -> None:
        c, params = self.source.c, self.params
        for name in ("kind", "sport", "category", "size"):
            value = getattr(params, name)
            if value:
                self.filters.append(c[name] == value)
        if params.condition:
            self.filters.append(c.condition.in_(at_least(params.condition)))
        if params.commune:
            self.filters.append(c.commune_insee == params.commune)
        if self.zone_id is not None:
            self.filters.append(c.zone_id == self.zone_id)
        if self.venue_id is not None:
            self.filters.append(c.venue_id == self.venue_id)
        if params.max_price_cents is not None:
            self.filters.append(c.price_cents <= params.max_price_cents)
        if params.with_photos:
            self.filters.append(c.has_photos.is_(True))
        if self.published_in is not None:
            self.filters += [c.seq > self.published_in[0], c.seq <= self.published_in[1]]
        if self.place is not None:
            self.distance = _distance_from(self.source, self.place.latitude, self.place.longitude)

    def on(self, source: FromClause) -> _Query:
        """The same search on the rows of another source."""
        return replace(self, source=source, filters=[], distance=None)

    def text_condition(self) -> ColumnElement[bool]:
        """The full-text test on a row, for plans driven by another index."""
        assert self.text is not None
        document = self.source.c.document
        if self.dialect == "postgresql":
            return document.op("@@")(func.to_tsquery("french", self.text.postgresql()))
        # FTS5 takes ~50 µs to test one row; the row holds its stems, which instr tests in ~1 µs
        return self.text.in_stems(document)

    def within(self, radius_km: float | None, spatial: bool) -> list[ColumnElement[bool]]:
        """Rows within ``radius_km`` of the place: a box, then the exact great-circle distance.

        With ``spatial`` (SQLite) the box is looked up in the R*Tree, which must then be in the
        FROM clause; otherwise it is tested on the row's columns, for plans that walk another
        index.
        """
        if self.place is None or radius_km is None:
            return []
        # A hair wider than the circle: a row exactly on it must not fall out to rounding
        box = bounding_box(self.place.latitude, self.place.longitude, radius_km + 1e-6)
        if self.dialect == "sqlite" and spatial:
            return [_overlaps(search_rtree, box), self.distance <= radius_km]
        latitude, longitude = self.source.c.latitude, self.source.c.longitude
        if self.dialect == "sqlite":
            # « + 0 »: SQLite would read the box from the index of positions (a band of
            # latitude across the territory) and sort it, rather than walk the sort's index
            latitude, longitude = latitude + 0, longitude + 0
        in_box = and_(
            latitude.between(box.min_lat, box.max_lat),
            longitude.between(box.min_lon, box.max_lon),
        )
        return [in_box, self.distance <= radius_km]

    def columns(self) -> list:
        c = self.source.c
        columns = [c.seq, c.listing_id, c.price_cents]
        if self.distance is not None:
            columns.append(self.distance.label("distance_km"))
        return columns

    def base(
        self, text_driven: bool, radius_km: float | None, spatial: bool = False, count: bool = False
    ) -> Select:
        """SELECT of the matching rows (their seq only to ``count`` them), without order or
        limit.

        SQLite picks its plan from the FROM clause here: ``text_driven`` reads the full-text
        matches first and joins the rows; otherwise ``spatial`` reads the R*Tree first (rows
        stream out of it, so a capped count stops early); else listing_search alone, by the
        index of the sort order or of a filter, testing the distance on each row.
        """
        query = select(self.source.c.seq) if count else select(*self.columns())
        if self.dialect == "sqlite" and self.text is not None and text_driven:
            spatial = False
            query = query.select_from(
                search_fts.join(listing_search, listing_search.c.seq == search_fts.c.rowid)
            ).where(search_fts.c.search_fts.op("MATCH")(self.text.fts5()))
        else:
            if self.dialect == "sqlite" and spatial and radius_km is not None and self.place:
                query = query.select_from(
                    search_rtree.join(listing_search, listing_search.c.seq == search_rtree.c.seq)
                )
            else:
                query = query.select_from(self.source)
            if self.text is not None:
                query = query.where(self.text_condition())
        return query.where(*self.filters, *self.within(radius_km, spatial))


def _prepare(params: SearchParams, published_in: tuple[int, int] | None = None) -> _Query:
    place = params.place
    if params.near and place is None:
        place = resolve_place(params.near)
    zone_id = params.zone_id
    if params.zone and zone_id is None:
        zone_id = db.session.scalar(select(Zone.id).where(Zone.slug == params.zone)) or -1
    venue_id = params.venue_id
    if params.venue and venue_id is None:
        venue_id = db.session.scalar(select(Venue.id).where(Venue.slug == params.venue)) or -1
    return _Query(
        params=params,
        dialect=db.session.get_bind().dialect.name,
        text=parse_text(params.q) if params.q else None,
        place=place,
        zone_id=zone_id,
        venue_id=venue_id,
        published_in=published_in,
        source=listing_search,
    )


def _order(query: _Query, sort: str, reverse: bool) -> list:
    """ORDER BY of a sort: newest (seq down), cheapest (price up, then newest), nearest."""
    c = query.source.c
    seq = c.seq.asc() if reverse else c.seq.desc()
    if sort == "newest":
        if query.dialect == "sqlite" and query.text is not None:
            # Let FTS5 walk its own rowids in order (they are the seq)
            return [search_fts.c.rowid.asc() if reverse else search_fts.c.rowid.desc()]
        return [seq]
    if sort == "cheapest":
        return [c.price_cents.desc() if reverse else c.price_cents.asc(), seq]
    distance = literal_column("distance_km")
    return [distance.desc() if reverse else distance.asc(), seq]


def _keyset(query: _Query, sort: str, key: tuple, reverse: bool) -> ColumnElement[bool]:
    """Rows strictly after ``key`` in the sort order (before it when ``reverse``)."""
    c, seq = query.source.c, key[-1]
    beyond_seq = c.seq > seq if reverse else c.seq < seq
    if sort == "newest":
        if query.dialect == "sqlite" and query.text is not None:
            return search_fts.c.rowid > seq if reverse else search_fts.c.rowid < seq
        return beyond_seq
    value = c.price_cents if sort == "cheapest" else query.distance
    first = key[0]
    if reverse:
        return and_(value <= first, or_(value < first, and_(value == first, beyond_seq)))
    return and_(value >= first, or_(value > first, and_(value == first, beyond_seq)))


def _execute(statement: Select, parameters: dict | None = None):
    # Core statements on the session's connection: the ORM's execution layer adds nothing here
    # but ~0.1 ms a statement
    return db.session.connection().execute(statement, parameters or {})


@lru_cache(maxsize=1024)
def _distance_from(table: Table, latitude: float, longitude: float) -> ColumnElement[float]:
    # The great-circle distance from a place to the rows of ``table``: a tree of some thirty
    # SQL expressions that takes 0.3 ms to build, and searches come from a few hundred places
    return distance_km_sql(table.c.latitude, table.c.longitude, latitude, longitude)


def _overlaps(rtree: Table, box) -> ColumnElement[bool]:
    # R*Tree stores float32 boxes rounded outwards: test overlap, not containment
    return and_(
        rtree.c.max_lat >= box.min_lat,
        rtree.c.min_lat <= box.max_lat,
        rtree.c.max_lon >= box.min_lon,
        rtree.c.min_lon <= box.max_lon,
    )


def _few_text_matches(query: _Query) -> bool:
    """Whether the words match at most FEW_TEXT_MATCHES listings (then they are read and sorted).

    SQLite counts its FTS5 matches up to the limit; PostgreSQL asks its planner, whose estimate
    comes from the statistics of ANALYZE: counting GIN matches reads them all.
    """
    if query.text is None:
        return False
    if query.dialect == "sqlite":
        probe = (
            select(search_fts.c.rowid)
            .where(search_fts.c.search_fts.op("MATCH")(query.text.fts5()))
            .limit(FEW_TEXT_MATCHES + 1)
            .subquery()
        )
        return _execute(select(func.count()).select_from(probe)).scalar() <= FEW_TEXT_MATCHES
    connection = db.session.connection()
    explain, parameters = _planner_estimate(connection.dialect)
    plan = connection.exec_driver_sql(
        explain, {**parameters, "words": query.text.postgresql()}
    ).scalar_one()
    return plan[0]["Plan"]["Plan Rows"] <= FEW_TEXT_MATCHES


@lru_cache(maxsize=8)
def _planner_estimate(dialect) -> tuple[str, dict]:
    # EXPLAIN of the words' matches, compiled once (a statement compiled by hand is not cached)
    words = func.to_tsquery("french", bindparam("words", type_=Text))
    compiled = select(_s.seq).where(_s.document.op("@@")(words)).compile(dialect=dialect)
    return f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params


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


def _nearest_rows(query: _Query, limit: int, cursor: tuple | None, reverse: bool) -> list:
    """« Nearest first » by positions, in growing rings from the cursor (or the place).

    Each ring is one statement that reads the positions in it and at most ``limit + 1``
    listings of each, so its cost follows the positions near the place and the page, not the
    thousands of listings that may share a point. A ring that yields a full page is exact:
    whatever lies beyond it is farther. Rings grow by area, so a ring past a cursor far from
    the place is a thin band, not a disc.
    """
    start = cursor[0] if cursor is not None else 0.0
    radius = query.params.radius_km
    reach = FIRST_RING_KM
    while True:
        inner: float | None
        outer: float | None
        if reverse:
            # Towards the place: from the cursor's distance down to a ring of the same area
            inner = math.sqrt(max(start * start - reach * reach, 0.0)) if cursor else None
            outer = start if cursor else None
            last = not inner
        else:
            inner, outer, last = start, math.hypot(start, reach), False
            if (radius is not None and outer >= radius) or outer > LAST_RING_KM:
                outer, last = radius, True
        rows = _execute(_ring(query, limit + 1, inner, outer, cursor, reverse)).all()
        if len(rows) > limit or last:
            return rows
        # Aim at about twice the page in the next ring, growing its area at least four times
        reach *= max(2.0, math.sqrt(2 * (limit + 1) / max(len(rows), 1)))


def _ring(
    query: _Query,
    count: int,
    inner: float | None,
    outer: float | None,
    key: tuple | None,
    reverse: bool,
) -> Select:
    """The first ``count`` listings, nearest first (farthest with ``reverse``), at the positions
    between ``inner`` and ``outer`` km from the place (None: no bound) and past ``key``."""
    assert query.place is not None
    if query.dialect == "sqlite":
        positions: Table = search_position_rtree
    else:
        positions = listing_positions
    latitude, longitude = positions.c.latitude, positions.c.longitude
    distance = _distance_from(positions, query.place.latitude, query.place.longitude)
    near = select(latitude, longitude, distance.label("distance"))
    if outer is not None:
        box = bounding_box(query.place.latitude, query.place.longitude, outer + 1e-6)
        if query.dialect == "sqlite":
            in_box = _overlaps(positions, box)
        else:  # the GiST index search_ix_positions
            in_box = func.point(longitude, latitude).op("<@")(
                func.box(func.point(box.min_lon, box.min_lat), func.point(box.max_lon, box.max_lat))
            )
        near = near.where(in_box, distance <= outer)
    if inner:
        near = near.where(distance >= inner)
    near = near.subquery("near")

    # A position's listings, newest first (oldest first going back), from the index
    # (latitude, longitude, seq); at the cursor's own distance, only those past it. One bound
    # on seq per position, not an OR, so that the index starts there.
    at_position = select(_s.seq, _s.listing_id, _s.price_cents).where(
        _s.latitude == near.c.latitude, _s.longitude == near.c.longitude, *query.filters
    )
    if query.text is not None:
        at_position = at_position.where(query.text_condition())
    if key is not None:
        at_cursor, seq = key
        if reverse:
            bound = case((near.c.distance < at_cursor, 0), else_=seq)
            at_position = at_position.where(_s.seq > bound)
        else:
            bound = case((near.c.distance > at_cursor, _SEQ_LIMIT), else_=seq)
            at_position = at_position.where(_s.seq < bound)
    by_seq = _s.seq.asc() if reverse else _s.seq.desc()
    at_position = at_position.order_by(by_seq).limit(count).correlate(near)
    if query.dialect == "postgresql":
        hit = at_position.lateral("hit")
        joined = near.join(hit, true())
    else:  # no LATERAL in SQLite: a correlated IN gives the same plan
        hit = _hit
        joined = near.join(hit, hit.c.seq.in_(at_position.with_only_columns(_s.seq)))
    order = near.c.distance.desc() if reverse else near.c.distance.asc()
    return (
        select(hit.c.seq, hit.c.listing_id, hit.c.price_cents, near.c.distance.label("distance_km"))
        .select_from(joined)
        .order_by(order, hit.c.seq.asc() if reverse else hit.c.seq.desc())
        .limit(count)
    )


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
            select(Listing)
            .where(Listing.id.in_([row.listing_id for row in rows]))
            .options(joinedload(Listing.commune), joinedload(Listing.venue))
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
