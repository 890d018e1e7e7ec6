"""One search compiled to SQL on the ``listing_search`` projection: filters, text match,
distance, and the order and keyset of each sort."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

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
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql.expression import FromClause

from sportressources.core.db import db
from sportressources.geo.distance import bounding_box, distance_km_sql
from sportressources.geo.models import Zone
from sportressources.listings.search.index import listing_search
from sportressources.listings.search.params import SearchParams, at_least
from sportressources.listings.search.text import TextQuery, parse_text
from sportressources.venues.models import Venue
from sportressources.venues.queries import Place, resolve_place

# Text with « nearest » or « cheapest » (and SQLite): below this many text matches, sorting them
# all is cheaper than walking the position or price index and testing the words row by row
FEW_TEXT_MATCHES = 2000


# PostgreSQL, newest first with filters: rows (by seq) read in order before leaving the plan
# to the planner
RECENT_WINDOW = 5000


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


_s = listing_search.c


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


def _execute(statement: Select, parameters: dict | None = None):
    # Core statements on the session's connection: the ORM's execution layer adds nothing here
    # but ~0.1 ms a statement
    return db.session.connection().execute(statement, parameters or {})


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
