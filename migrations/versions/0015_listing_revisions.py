"""listing revisions

Revision ID: 0015_listing_revisions
Revises: 0014_member_public_ids
Create Date: 2026-12-05 10:00:00

A change to a public listing waits for review in ``listing_revisions`` (with its photos in
``listing_revision_photos``) while the listing keeps showing its previous version.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_listing_revisions"
down_revision = "0014_member_public_ids"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "listing_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'withdrawn')",
            name=op.f("ck_listing_revisions_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_listing_revisions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_revisions_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_listing_revisions_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_revisions")),
    )
    with op.batch_alter_table("listing_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_revisions_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(
            "uq_listing_revisions_one_pending",
            ["listing_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "listing_revision_photos",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["listing_revisions.id"],
            name=op.f("fk_listing_revision_photos_revision_id_listing_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "revision_id", "position", name=op.f("pk_listing_revision_photos")
        ),
    )
    with op.batch_alter_table("listing_revision_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_revision_photos_key"), ["key"], unique=False
        )


def downgrade():
    with op.batch_alter_table("listing_revision_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_revision_photos_key"))
    op.drop_table("listing_revision_photos")
    with op.batch_alter_table("listing_revisions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_listing_revisions_one_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_listing_revisions_listing_id"))
    op.drop_table("listing_revisions")
