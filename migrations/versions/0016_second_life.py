"""second life suggestions

Revision ID: 0016_second_life
Revises: 0015_listing_revisions
Create Date: 2026-12-05 11:00:00

Gear left unused, suggested to its owner for a gift or a ressourcerie: one row per listing
(``uq_second_life_suggestions_listing_id``), so that two scans at once suggest it once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_second_life"
down_revision = "0015_listing_revisions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "second_life_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('suggested', 'offered', 'accepted', 'declined', 'donated', 'dismissed')",
            name=op.f("ck_second_life_suggestions_status_valid"),
        ),
        sa.CheckConstraint(
            "reason IN ('idle_loan', 'unclaimed_gift')",
            name=op.f("ck_second_life_suggestions_reason_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_second_life_suggestions_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_second_life_suggestions_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_second_life_suggestions_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_second_life_suggestions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_life_suggestions")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_second_life_suggestions_listing_id")),
    )
    with op.batch_alter_table("second_life_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_second_life_suggestions_owner_status", ["owner_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_second_life_suggestions_organisation_status",
            ["organisation_id", "status"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("second_life_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_second_life_suggestions_organisation_status")
        batch_op.drop_index("ix_second_life_suggestions_owner_status")
    op.drop_table("second_life_suggestions")
