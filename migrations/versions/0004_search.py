"""search: listing_search projection and listing_positions, SQLite FTS5 + R*Trees, PostgreSQL GIN + GiST

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00

The hand-made DDL is the one sportressources.listings.search_index attaches to the table for
db.create_all(); it is copied here so that this revision never changes with the code.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(document, content='listing_search', "
    "content_rowid='seq', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_rtree USING rtree(seq, min_lat, max_lat, min_lon, max_lon)",
    """CREATE TRIGGER search_ai AFTER INSERT ON listing_search BEGIN
  INSERT INTO search_fts (rowid, document) VALUES (new.seq, new.document);
  INSERT INTO search_rtree VALUES (new.seq, new.latitude, new.latitude, new.longitude, new.longitude);
END""",
    """CREATE TRIGGER search_ad AFTER DELETE ON listing_search BEGIN
  INSERT INTO search_fts (search_fts, rowid, document) VALUES ('delete', old.seq, old.document);
  DELETE FROM search_rtree WHERE seq = old.seq;
END""",
    """CREATE TRIGGER search_au AFTER UPDATE ON listing_search BEGIN
  INSERT INTO search_fts (search_fts, rowid, document) VALUES ('delete', old.seq, old.document);
  INSERT INTO search_fts (rowid, document) VALUES (new.seq, new.document);
  DELETE FROM search_rtree WHERE seq = old.seq;
  INSERT INTO search_rtree VALUES (new.seq, new.latitude, new.latitude, new.longitude, new.longitude);
END""",
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
    "DROP TRIGGER IF EXISTS search_position_rtree_ad",
    "DROP TRIGGER IF EXISTS search_position_rtree_ai",
    "DROP TABLE IF EXISTS search_position_rtree",
    "DROP TRIGGER IF EXISTS search_positions_au",
    "DROP TRIGGER IF EXISTS search_positions_ad",
    "DROP TRIGGER IF EXISTS search_positions_ai",
    "DROP TRIGGER IF EXISTS search_au",
    "DROP TRIGGER IF EXISTS search_ad",
    "DROP TRIGGER IF EXISTS search_ai",
    "DROP TABLE IF EXISTS search_rtree",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRESQL_DDL = (
    "CREATE INDEX search_ix_document ON listing_search USING gin (document)",
    "CREATE INDEX search_ix_positions ON listing_positions USING gist (point(longitude, latitude))",
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
POSTGRESQL_DROP = (
    "DROP FUNCTION IF EXISTS search_positions_follow() CASCADE",
    "DROP INDEX IF EXISTS search_ix_positions",
    "DROP INDEX IF EXISTS search_ix_document",
)


def upgrade():
    op.create_table('listing_search',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('sport', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('size', sa.String(length=16), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=True),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('has_photos', sa.Boolean(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('visible_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_search_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_listing_search')),
    sa.UniqueConstraint('listing_id', name=op.f('uq_listing_search_listing_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('listing_search', schema=None) as batch_op:
        batch_op.create_index('ix_listing_search_category_seq', ['category', 'seq'], unique=False)
        batch_op.create_index('ix_listing_search_commune_insee_seq', ['commune_insee', 'seq'], unique=False)
        batch_op.create_index('ix_listing_search_kind_seq', ['kind', 'seq'], unique=False)
        batch_op.create_index('ix_listing_search_latitude_longitude_seq', ['latitude', 'longitude', 'seq'], unique=False)
        batch_op.create_index('ix_listing_search_price_cents_seq', ['price_cents', sa.text('seq DESC')], unique=False)
        batch_op.create_index('ix_listing_search_sport_seq', ['sport', 'seq'], unique=False)
        batch_op.create_index('ix_listing_search_venue_id_seq', ['venue_id', 'seq'], unique=False)
        batch_op.create_index('ix_listing_search_zone_id_seq', ['zone_id', 'seq'], unique=False)

    op.create_table('listing_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('listings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_positions')),
    sa.UniqueConstraint('latitude', 'longitude', name=op.f('uq_listing_positions_latitude_longitude'))
    )

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, ()):
        op.execute(statement)
    # Listings published before this revision: index them (SQLite stems need Python); the
    # triggers fill listing_positions
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM listings")).scalar():
        from sportressources.listings.search_index import reindex_listings

        reindex_listings(bind)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(dialect, ()):
        op.execute(statement)
    op.drop_table('listing_positions')
    with op.batch_alter_table('listing_search', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_search_zone_id_seq')
        batch_op.drop_index('ix_listing_search_venue_id_seq')
        batch_op.drop_index('ix_listing_search_sport_seq')
        batch_op.drop_index('ix_listing_search_price_cents_seq')
        batch_op.drop_index('ix_listing_search_latitude_longitude_seq')
        batch_op.drop_index('ix_listing_search_kind_seq')
        batch_op.drop_index('ix_listing_search_commune_insee_seq')
        batch_op.drop_index('ix_listing_search_category_seq')

    op.drop_table('listing_search')
