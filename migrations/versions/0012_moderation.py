"""moderation: cases, reports, statements of reasons, appeals, sanctions, forbidden words

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 02:53:45.823813

Listings gain three statuses (changes_requested, removed, hidden); photos gain the hashes of the
duplicate-photo flag; messages and rating comments can be taken down; accounts carry what a
sanction blocks. Listings already awaiting review get an open case, so the queue shows them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


OLD_STATUSES = (
    "status IN ('draft', 'awaiting_review', 'published', 'reserved', 'given', 'sold', "
    "'withdrawn', 'rejected')"
)
NEW_STATUSES = (
    "status IN ('draft', 'awaiting_review', 'published', 'reserved', 'given', 'sold', "
    "'withdrawn', 'rejected', 'changes_requested', 'removed', 'hidden')"
)


def _replace_listing_status_check(condition):
    # Batch mode: SQLite changes a CHECK constraint only by rebuilding the table.
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_listings_status_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_listings_status_valid"), sa.text(condition))


def upgrade():
    op.create_table(
        "moderation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("flag_count", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_case_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('approve', 'reject', 'request_changes', 'remove', 'dismiss')",
            name=op.f("ck_moderation_cases_decision_valid"),
        ),
        sa.CheckConstraint(
            "reason IN ('new', 'edited', 'resubmitted', 'reported', 'flagged')",
            name=op.f("ck_moderation_cases_reason_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'decided', 'closed')", name=op.f("ck_moderation_cases_status_valid")
        ),
        sa.CheckConstraint(
            "target_type IN ('listing', 'message', 'profile', 'rating', 'organisation')",
            name=op.f("ck_moderation_cases_target_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_moderation_cases_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_cases_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_case_id"],
            ["moderation_cases.id"],
            name=op.f("fk_moderation_cases_previous_case_id_moderation_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_cases")),
    )
    with op.batch_alter_table("moderation_cases", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_cases_author", ["author_id", "id"], unique=False)
        batch_op.create_index(
            "ix_moderation_cases_status_opened", ["status", "opened_at"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_cases_target", ["target_type", "target_id", "id"], unique=False
        )
        batch_op.create_index(
            "uq_moderation_cases_open_target",
            ["target_type", "target_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "moderation_forbidden_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=80), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_forbidden_words_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_forbidden_words")),
        sa.UniqueConstraint("word", name=op.f("uq_moderation_forbidden_words_word")),
    )
    op.create_table(
        "moderation_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("terms_rule", sa.String(length=8), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'suspension' OR ends_at IS NOT NULL",
            name=op.f("ck_moderation_sanctions_suspension_ends"),
        ),
        sa.CheckConstraint(
            "kind IN ('warning', 'suspension', 'ban')",
            name=op.f("ck_moderation_sanctions_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'ended', 'lifted')",
            name=op.f("ck_moderation_sanctions_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_sanctions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_sanctions_lifted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_moderation_sanctions_member_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_sanctions")),
    )
    with op.batch_alter_table("moderation_sanctions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_sanctions_member", ["member_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_sanctions_status_ends", ["status", "ends_at"], unique=False
        )

    op.create_table(
        "moderation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_email", sa.String(length=254), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=48), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'upheld', 'rejected')",
            name=op.f("ck_moderation_reports_status_valid"),
        ),
        sa.CheckConstraint(
            "target_type IN ('listing', 'message', 'profile', 'rating', 'organisation')",
            name=op.f("ck_moderation_reports_target_type_valid"),
        ),
        sa.CheckConstraint(
            "reporter_id IS NOT NULL OR (reporter_email IS NOT NULL AND reporter_name IS NOT NULL)",
            name=op.f("ck_moderation_reports_reporter_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["moderation_cases.id"],
            name=op.f("fk_moderation_reports_case_id_moderation_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_reports_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_moderation_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_reports")),
    )
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_reports_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_reports_reporter", ["reporter_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_reports_status_created", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_reports_target", ["target_type", "target_id", "status"], unique=False
        )

    op.create_table(
        "moderation_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("sanction_id", sa.Integer(), nullable=True),
        sa.Column("appeal_of_id", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=64), nullable=True),
        sa.Column("account_decision", sa.String(length=64), nullable=True),
        sa.Column("ground", sa.String(length=48), nullable=False),
        sa.Column("legal_ground", sa.Text(), nullable=False),
        sa.Column("terms_rule", sa.String(length=8), nullable=True),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("automated_detection", sa.Boolean(), nullable=False),
        sa.Column("automated_decision", sa.String(length=48), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appeal_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "target_type IN ('listing', 'message', 'profile', 'rating', 'organisation')",
            name=op.f("ck_moderation_statements_target_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["appeal_of_id"],
            ["moderation_statements.id"],
            name=op.f("fk_moderation_statements_appeal_of_id_moderation_statements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["moderation_cases.id"],
            name=op.f("fk_moderation_statements_case_id_moderation_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_statements_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["users.id"],
            name=op.f("fk_moderation_statements_member_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sanction_id"],
            ["moderation_sanctions.id"],
            name=op.f("fk_moderation_statements_sanction_id_moderation_sanctions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_statements")),
    )
    with op.batch_alter_table("moderation_statements", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_statements_created", ["created_at"], unique=False)
        batch_op.create_index("ix_moderation_statements_member", ["member_id", "id"], unique=False)

    op.create_table(
        "moderation_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("appellant_id", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ruled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ruled_by_id", sa.Integer(), nullable=True),
        sa.Column("ruling_note", sa.Text(), nullable=False),
        sa.Column("outcome_statement_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'rejected', 'granted')",
            name=op.f("ck_moderation_appeals_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["appellant_id"],
            ["users.id"],
            name=op.f("fk_moderation_appeals_appellant_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_statement_id"],
            ["moderation_statements.id"],
            name=op.f("fk_moderation_appeals_outcome_statement_id_moderation_statements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ruled_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_appeals_ruled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["moderation_statements.id"],
            name=op.f("fk_moderation_appeals_statement_id_moderation_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_appeals")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_moderation_appeals_statement_id")),
    )
    with op.batch_alter_table("moderation_appeals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_appeals_status_created", ["status", "created_at"], unique=False
        )

    with op.batch_alter_table("listing_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("dhash", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("dhash_band0", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dhash_band1", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dhash_band2", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dhash_band3", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_listing_photos_dhash_band0"), ["dhash_band0"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_photos_dhash_band1"), ["dhash_band1"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_photos_dhash_band2"), ["dhash_band2"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_photos_dhash_band3"), ["dhash_band3"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_listing_photos_sha256"), ["sha256"], unique=False)

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("trade_ratings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("comment_removed_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("banned_at", sa.DateTime(timezone=True), nullable=True))

    _replace_listing_status_check(NEW_STATUSES)
    op.execute(
        "INSERT INTO moderation_cases (target_type, target_id, author_id, reason, status, flags, "
        "flag_count, report_count, opened_at, decision_note) "
        "SELECT 'listing', id, owner_id, 'new', 'open', '[]', 0, 0, updated_at, '' "
        "FROM listings WHERE status = 'awaiting_review'"
    )


def downgrade():
    # Listings in a status 0011 does not know go back to the nearest one it does
    op.execute(
        "UPDATE listings SET status = 'rejected' WHERE status IN ('changes_requested', 'removed')"
    )
    op.execute("UPDATE listings SET status = 'withdrawn' WHERE status = 'hidden'")
    _replace_listing_status_check(OLD_STATUSES)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("banned_at")
        batch_op.drop_column("suspended_until")

    with op.batch_alter_table("trade_ratings", schema=None) as batch_op:
        batch_op.drop_column("comment_removed_at")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("removed_at")

    with op.batch_alter_table("listing_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_photos_sha256"))
        batch_op.drop_index(batch_op.f("ix_listing_photos_dhash_band3"))
        batch_op.drop_index(batch_op.f("ix_listing_photos_dhash_band2"))
        batch_op.drop_index(batch_op.f("ix_listing_photos_dhash_band1"))
        batch_op.drop_index(batch_op.f("ix_listing_photos_dhash_band0"))
        batch_op.drop_column("dhash_band3")
        batch_op.drop_column("dhash_band2")
        batch_op.drop_column("dhash_band1")
        batch_op.drop_column("dhash_band0")
        batch_op.drop_column("dhash")
        batch_op.drop_column("sha256")

    with op.batch_alter_table("moderation_appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_appeals_status_created")

    op.drop_table("moderation_appeals")
    with op.batch_alter_table("moderation_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_statements_member")
        batch_op.drop_index("ix_moderation_statements_created")

    op.drop_table("moderation_statements")
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_reports_target")
        batch_op.drop_index("ix_moderation_reports_status_created")
        batch_op.drop_index("ix_moderation_reports_reporter")
        batch_op.drop_index(batch_op.f("ix_moderation_reports_case_id"))

    op.drop_table("moderation_reports")
    with op.batch_alter_table("moderation_sanctions", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_sanctions_status_ends")
        batch_op.drop_index("ix_moderation_sanctions_member")

    op.drop_table("moderation_sanctions")
    op.drop_table("moderation_forbidden_words")
    with op.batch_alter_table("moderation_cases", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_moderation_cases_open_target",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_moderation_cases_target")
        batch_op.drop_index("ix_moderation_cases_status_opened")
        batch_op.drop_index("ix_moderation_cases_author")

    op.drop_table("moderation_cases")
