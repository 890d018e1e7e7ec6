"""The search index: a projection of the visible listings, kept in step with ``listings``.

``listing_search`` holds one row per published or reserved listing with the columns searches filter
and sort on, and the text already prepared for full-text search. Searches read it alone: every
index on it serves visible listings only, so "newest first" is a walk down an index, never a sort.
Its ``seq`` grows each time a listing becomes visible: newest first means most recently published,
and alerts use it as their high-water mark.

Text: the same Python folding on both backends (lower case, accents removed, French stopwords
dropped, regular plurals made singular, so that « vélos », « velo » and « Vélo » meet), then
PostgreSQL's ``french`` Snowball stemmer into a stored ``tsvector`` (GIN index), or on SQLite the
Python Snowball French stemmer into an FTS5 table whose rows follow ``listing_search`` by triggers.

Position: listings sit at commune centres and venues, so thousands share one point.
``listing_positions`` holds each distinct position once, with how many visible listings it holds,
kept in step by triggers on ``listing_search`` (any write: ORM, bulk SQL, cascades); a GiST index
(PostgreSQL) or an R*Tree copy (SQLite) finds positions in a box, and the index on
``listing_search (latitude, longitude, seq)`` gives one position's listings newest first. On
SQLite an R*Tree of every listing also serves counts within a radius.

The projection follows every ORM write of a listing (mapper events, same transaction); bulk SQL
that bypasses the ORM must call ``reindex_listings`` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    DDL,
    Boolean,
    Column,
    Connection,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from sportressources.core.db import Base, UTCDateTime, utcnow
from sportressources.geo.models import Commune
from sportressources.listings.models import VISIBLE_STATUSES, Listing
from sportressources.listings.search.words import index_words, stem

# Objects managed by hand (not in the metadata) all start with this prefix; migrations/env.py
# leaves them out of autogenerate.
HAND_MANAGED_PREFIX = "search_"

listing_search = Table(
    "listing_search",
    Base.metadata,
    Column("seq", Integer, primary_key=True),
    Column(
        "listing_id",
        ForeignKey("listings.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("kind", String(8), nullable=False),
    Column("sport", String(32), nullable=False),
    Column("category", String(32), nullable=False),
    Column("size", String(16), nullable=False),
    Column("condition", String(16), nullable=False),
    Column("commune_insee", String(5), nullable=False),
    Column("zone_id", Integer, nullable=False),
    Column("venue_id", Integer),
    # 0 for gifts and loans: they are the cheapest
    Column("price_cents", Integer, nullable=False),
    Column("has_photos", Boolean, nullable=False),
    Column("latitude", Double, nullable=False),
    Column("longitude", Double, nullable=False),
    Column("visible_since", UTCDateTime, nullable=False),
    # PostgreSQL: to_tsvector('french', folded text); SQLite: the stems, indexed by search_fts
    Column("document", Text().with_variant(TSVECTOR(), "postgresql"), nullable=False),
    Index("ix_listing_search_kind_seq", "kind", "seq"),
    Index("ix_listing_search_sport_seq", "sport", "seq"),
    Index("ix_listing_search_category_seq", "category", "seq"),
    Index("ix_listing_search_commune_insee_seq", "commune_insee", "seq"),
    Index("ix_listing_search_zone_id_seq", "zone_id", "seq"),
    Index("ix_listing_search_venue_id_seq", "venue_id", "seq"),
    # « Cheapest first », then newest: read in this order, never sorted
    Index("ix_listing_search_price_cents_seq", "price_cents", literal_column("seq").desc()),
    # « Nearest first »: one position's listings, newest first
    Index("ix_listing_search_latitude_longitude_seq", "latitude", "longitude", "seq"),
    # Never reuse a seq on SQLite: alerts rely on it only ever growing
    sqlite_autoincrement=True,
)

# Each distinct position of a visible listing, and how many visible listings sit there; written
# only by the triggers below (and recount_positions)
listing_positions = Table(
    "listing_positions",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("latitude", Double, nullable=False),
    Column("longitude", Double, nullable=False),
    Column("listings", Integer, nullable=False),
    UniqueConstraint("latitude", "longitude"),
)

# --- Hand-managed DDL: created with the tables (db.create_all) and by migration 0004 -----------

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(document, content='listing_search', "
    "content_rowid='seq', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_rtree USING rtree(seq, min_lat, max_lat, min_lon, max_lon)",
    """CREATE TRIGGER search_ai AFTER INSERT ON listing_search BEGIN
  INSERT INTO search_fts (rowid, document) VALUES (new.seq, new.document);
  INSERT INTO search_rtree
    VALUES (new.seq, new.latitude, new.latitude, new.longitude, new.longitude);
END""",
    """CREATE TRIGGER search_ad AFTER DELETE ON listing_search BEGIN
  INSERT INTO search_fts (search_fts, rowid, document) VALUES ('delete', old.seq, old.document);
  DELETE FROM search_rtree WHERE seq = old.seq;
END""",
    """CREATE TRIGGER search_au AFTER UPDATE ON listing_search BEGIN
  INSERT INTO search_fts (search_fts, rowid, document) VALUES ('delete', old.seq, old.document);
  INSERT INTO search_fts (rowid, document) VALUES (new.seq, new.document);
  DELETE FROM search_rtree WHERE seq = old.seq;
  INSERT INTO search_rtree
    VALUES (new.seq, new.latitude, new.latitude, new.longitude, new.longitude);
END""",
)
# listing_positions follows every write of listing_search
SQLITE_POSITION_TRIGGERS = (
    """CREATE TRIGGER search_positions_ai AFTER INSERT ON listing_search BEGIN
  INSERT INTO listing_positions (latitude, longitude, listings)
    VALUES (new.latitude, new.longitude, 1)
    ON CONFLICT (latitude, longitude) DO UPDATE SET listings = listings + 1;
END""",
    """CREATE TRIGGER search_positions_ad AFTER DELETE ON listing_search BEGIN
  UPDATE listing_positions SET listings = listings - 1
    WHERE latitude = old.latitude AND longitude = old.longitude;
  DELETE FROM listing_positions
    WHERE latitude = old.latitude AND longitude = old.longitude AND listings <= 0;
END""",
    """CREATE TRIGGER search_positions_au AFTER UPDATE OF latitude, longitude ON listing_search
WHEN old.latitude IS NOT new.latitude OR old.longitude IS NOT new.longitude BEGIN
  UPDATE listing_positions SET listings = listings - 1
    WHERE latitude = old.latitude AND longitude = old.longitude;
  DELETE FROM listing_positions
    WHERE latitude = old.latitude AND longitude = old.longitude AND listings <= 0;
  INSERT INTO listing_positions (latitude, longitude, listings)
    VALUES (new.latitude, new.longitude, 1)
    ON CONFLICT (latitude, longitude) DO UPDATE SET listings = listings + 1;
END""",
)
# The positions' R*Tree carries the exact coordinates (its boxes are float32)
SQLITE_POSITIONS_DDL = (
    "CREATE VIRTUAL TABLE search_position_rtree USING rtree(id, min_lat, max_lat, min_lon, "
    "max_lon, +latitude, +longitude)",
    """CREATE TRIGGER search_position_rtree_ai AFTER INSERT ON listing_positions BEGIN
  INSERT INTO search_position_rtree VALUES (new.id, new.latitude, new.latitude, new.longitude,
    new.longitude, new.latitude, new.longitude);
END""",
    """CREATE TRIGGER search_position_rtree_ad AFTER DELETE ON listing_positions BEGIN
  DELETE FROM search_position_rtree WHERE id = old.id;
END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_positions_au",
    "DROP TRIGGER IF EXISTS search_positions_ad",
    "DROP TRIGGER IF EXISTS search_positions_ai",
    "DROP TRIGGER IF EXISTS search_au",
    "DROP TRIGGER IF EXISTS search_ad",
    "DROP TRIGGER IF EXISTS search_ai",
    "DROP TABLE IF EXISTS search_rtree",
    "DROP TABLE IF EXISTS search_fts",
)
SQLITE_POSITIONS_DROP = (
    "DROP TRIGGER IF EXISTS search_position_rtree_ad",
    "DROP TRIGGER IF EXISTS search_position_rtree_ai",
    "DROP TABLE IF EXISTS search_position_rtree",
)
POSTGRESQL_DDL = ("CREATE INDEX search_ix_document ON listing_search USING gin (document)",)
# Statement-level triggers: a bulk INSERT … SELECT updates each position once
POSTGRESQL_POSITION_TRIGGERS = (
    # A transition table can only be named by the triggers that define it, hence three branches
    """CREATE OR REPLACE FUNCTION search_positions_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO listing_positions AS p (latitude, longitude, listings)
    SELECT latitude, longitude, count(*) FROM new_rows
    GROUP BY latitude, longitude ORDER BY latitude, longitude
    ON CONFLICT (latitude, longitude) DO UPDATE SET listings = p.listings + excluded.listings;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE listing_positions AS p SET listings = p.listings - gone.listings
    FROM (SELECT latitude, longitude, count(*) AS listings FROM old_rows
          GROUP BY latitude, longitude) AS gone
    WHERE p.latitude = gone.latitude AND p.longitude = gone.longitude;
    DELETE FROM listing_positions AS p USING old_rows AS o
    WHERE p.latitude = o.latitude AND p.longitude = o.longitude AND p.listings <= 0;
  ELSE
    -- Most updates change the text or a filter, not the position: only moves count
    UPDATE listing_positions AS p SET listings = p.listings - gone.listings
    FROM (SELECT o.latitude, o.longitude, count(*) AS listings
          FROM old_rows AS o JOIN new_rows AS n ON n.seq = o.seq
          WHERE n.latitude <> o.latitude OR n.longitude <> o.longitude
          GROUP BY o.latitude, o.longitude) AS gone
    WHERE p.latitude = gone.latitude AND p.longitude = gone.longitude;
    DELETE FROM listing_positions AS p USING old_rows AS o
    WHERE p.latitude = o.latitude AND p.longitude = o.longitude AND p.listings <= 0;
    INSERT INTO listing_positions AS p (latitude, longitude, listings)
    SELECT n.latitude, n.longitude, count(*)
    FROM new_rows AS n JOIN old_rows AS o ON o.seq = n.seq
    WHERE n.latitude <> o.latitude OR n.longitude <> o.longitude
    GROUP BY n.latitude, n.longitude ORDER BY n.latitude, n.longitude
    ON CONFLICT (latitude, longitude) DO UPDATE SET listings = p.listings + excluded.listings;
  END IF;
  RETURN NULL;
END
$$""",
    "CREATE TRIGGER search_positions_ai AFTER INSERT ON listing_search "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_positions_follow()",
    "CREATE TRIGGER search_positions_ad AFTER DELETE ON listing_search "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_positions_follow()",
    "CREATE TRIGGER search_positions_au AFTER UPDATE ON listing_search "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_positions_follow()",
)
POSTGRESQL_POSITIONS_DDL = (
    "CREATE INDEX search_ix_positions ON listing_positions USING gist (point(longitude, latitude))",
)
POSTGRESQL_DROP = (
    "DROP FUNCTION IF EXISTS search_positions_follow() CASCADE",
    "DROP INDEX IF EXISTS search_ix_positions",
    "DROP INDEX IF EXISTS search_ix_document",
)


def _on(table: Table, when: str, statements: Sequence[str], dialect: str) -> None:
    for statement in statements:
        event.listen(table, when, DDL(statement).execute_if(dialect=dialect))


_on(listing_search, "after_create", SQLITE_DDL + SQLITE_POSITION_TRIGGERS, "sqlite")
_on(listing_search, "after_create", POSTGRESQL_DDL + POSTGRESQL_POSITION_TRIGGERS, "postgresql")
_on(listing_positions, "after_create", SQLITE_POSITIONS_DDL, "sqlite")
_on(listing_positions, "after_create", POSTGRESQL_POSITIONS_DDL, "postgresql")
_on(listing_search, "before_drop", SQLITE_DROP, "sqlite")
_on(listing_positions, "before_drop", SQLITE_POSITIONS_DROP, "sqlite")


# --- Text ----------------------------------------------------------------------------------


def document_text(
    title: str, description: str, brand: str = "", labels: Iterable[str] = (), size: str = ""
) -> str:
    """The text a listing is found by: title, description, brand, sport and category names,
    and its size, so that « crampons 36 » finds the size 36 whatever the title says."""
    return " ".join([title, description, brand, *labels, size])


def prepared_document(text: str, dialect: str) -> str:
    """What goes into ``listing_search.document`` (through to_tsvector on PostgreSQL)."""
    words = index_words(text)
    if dialect == "sqlite":
        return " ".join(stem(word) for word in words)
    return " ".join(words)


def document_value(text: str, dialect: str):
    """The SQL value of the document column for this dialect."""
    prepared = prepared_document(text, dialect)
    if dialect == "postgresql":
        return func.to_tsvector("french", prepared)
    return prepared


def taxonomy_labels(sport: str, category: str) -> list[str]:
    """French names of the sport and category (the source strings are French)."""
    from sportressources.listings.taxonomy import CATEGORIES, SPORTS

    labels = []
    if sport in SPORTS:
        labels.append(_source_text(SPORTS[sport]))
    if category in CATEGORIES:
        labels.append(_source_text(CATEGORIES[category].label))
    return labels


def _source_text(label) -> str:
    # The msgids are the French text: index them whatever the language of the request.
    from flask_babel import force_locale

    with force_locale("fr"):
        return str(label)


# --- Keeping the projection in step ----------------------------------------------------------

_WATCHED = (
    "status",
    "title",
    "description",
    "brand",
    "kind",
    "sport",
    "category",
    "size",
    "condition",
    "price_cents",
    "commune_insee",
    "venue_id",
    "latitude",
    "longitude",
    "photo_count",
)


def projection_values(listing: Listing, dialect: str) -> dict:
    """The ``listing_search`` columns of a visible listing (``zone_id`` excepted)."""
    text = document_text(
        listing.title,
        listing.description or "",
        listing.brand or "",
        taxonomy_labels(listing.sport, listing.category),
        size=listing.size or "",
    )
    return {
        "kind": listing.kind,
        "sport": listing.sport,
        "category": listing.category,
        "size": listing.size or "",
        "condition": listing.condition,
        "commune_insee": listing.commune_insee,
        "venue_id": listing.venue_id,
        "price_cents": listing.price_cents or 0,
        "has_photos": bool(listing.photo_count),
        "latitude": listing.latitude,
        "longitude": listing.longitude,
        "document": document_value(text, dialect),
    }


def _zone_of(commune_insee: str):
    return select(Commune.zone_id).where(Commune.insee == commune_insee).scalar_subquery()


def sync_listing(connection: Connection, listing: Listing) -> None:
    """Insert, update or remove the listing's projection row to match its current state."""
    if listing.status not in VISIBLE_STATUSES:
        connection.execute(delete(listing_search).where(listing_search.c.listing_id == listing.id))
        return
    values = projection_values(listing, connection.dialect.name)
    values["zone_id"] = _zone_of(listing.commune_insee)
    updated = connection.execute(
        update(listing_search).where(listing_search.c.listing_id == listing.id).values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(
            listing_search.insert().values(listing_id=listing.id, visible_since=utcnow(), **values)
        )


@event.listens_for(Listing, "after_insert")
def _listing_inserted(mapper, connection, listing) -> None:
    if listing.status in VISIBLE_STATUSES:
        sync_listing(connection, listing)


@event.listens_for(Listing, "after_update")
def _listing_updated(mapper, connection, listing) -> None:
    state = inspect(listing)
    if any(state.attrs[name].history.has_changes() for name in _WATCHED):
        sync_listing(connection, listing)


@event.listens_for(Listing, "after_delete")
def _listing_deleted(mapper, connection, listing) -> None:
    connection.execute(delete(listing_search).where(listing_search.c.listing_id == listing.id))


def reindex_listings(connection: Connection, listing_ids: Sequence[int] | None = None) -> int:
    """Rebuild projection rows from ``listings`` (all of them when ``listing_ids`` is None).

    For writes that bypass the ORM (bulk UPDATE statements, imports in SQL). Rows of listings
    still visible keep their ``seq``; a full rebuild also recounts ``listing_positions``.
    Returns the number of visible listings indexed.
    """
    from sqlalchemy.orm import Session

    session = Session(bind=connection)
    query = select(Listing).order_by(Listing.id)
    if listing_ids is not None:
        query = query.where(Listing.id.in_(list(listing_ids)))
        connection.execute(
            delete(listing_search).where(
                listing_search.c.listing_id.in_(list(listing_ids)),
                listing_search.c.listing_id.not_in(
                    select(Listing.id).where(Listing.status.in_(VISIBLE_STATUSES))
                ),
            )
        )
    else:
        connection.execute(
            delete(listing_search).where(
                listing_search.c.listing_id.not_in(
                    select(Listing.id).where(Listing.status.in_(VISIBLE_STATUSES))
                )
            )
        )
    count = 0
    for listing in session.scalars(query.execution_options(yield_per=1000)):
        if listing.status in VISIBLE_STATUSES:
            sync_listing(connection, listing)
            count += 1
    session.close()
    if listing_ids is None:
        recount_positions(connection)
    return count


def recount_positions(connection: Connection) -> None:
    """Rebuild ``listing_positions`` from ``listing_search``.

    Triggers keep it in step with every INSERT, UPDATE and DELETE; this repairs what they do not
    see (a TRUNCATE of listing_search) and fills it for a projection built before it existed.
    """
    s = listing_search.c
    connection.execute(delete(listing_positions))
    connection.execute(
        listing_positions.insert().from_select(
            ["latitude", "longitude", "listings"],
            select(s.latitude, s.longitude, func.count())
            .group_by(s.latitude, s.longitude)
            .order_by(s.latitude, s.longitude),
        )
    )
