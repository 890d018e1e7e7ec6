"""sporting events

Revision ID: 0017_events
Revises: 0016_second_life
Create Date: 2026-12-05 11:00:00

The territory's sporting events (``events``), and the event a listing or a drive is tied to
(``listings.event_id``, ``drives.event_id``, set to NULL when the event is deleted).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_events"
down_revision = "0016_second_life"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("sports", sa.JSON(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_events_dates_ordered")),
        sa.CheckConstraint(
            "status IN ('published', 'cancelled')", name=op.f("ck_events_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee"], name=op.f("fk_events_commune_insee_communes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_events_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_events_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_events_venue_id_venues"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_status_ends_on", ["status", "ends_on"], unique=False)
        batch_op.create_index("ix_events_starts_on", ["starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_venue_id"), ["venue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_commune_insee"), ["commune_insee"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_organisation_id"), ["organisation_id"], unique=False)

    for table in ("listings", "drives"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
            batch_op.create_index(f"ix_{table}_event_id", ["event_id"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_event_id_events", "events", ["event_id"], ["id"], ondelete="SET NULL"
            )


def downgrade():
    for table in ("drives", "listings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_event_id_events", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_event_id")
            batch_op.drop_column("event_id")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_events_commune_insee"))
        batch_op.drop_index(batch_op.f("ix_events_venue_id"))
        batch_op.drop_index("ix_events_starts_on")
        batch_op.drop_index("ix_events_status_ends_on")
    op.drop_table("events")
