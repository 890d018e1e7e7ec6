"""loans: terms, kits, blocked periods, loans, bookings, handovers, ratings, waiting lists,
calendar feeds; in-app notifications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:39:19.243493

No two bookings of one listing may overlap: an exclusion constraint on PostgreSQL (btree_gist,
installed in « public » so that dropping another schema never drops it), triggers on SQLite. The
DDL is the one sportressources.loans.models attaches to the table for db.create_all(); it is
copied here so that this revision never changes with the code.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public",
    "ALTER TABLE loan_bookings ADD CONSTRAINT ex_loan_bookings_no_overlap "
    "EXCLUDE USING gist (listing_id WITH =, daterange(start_date, end_date, '[]') WITH &&)",
)
_OVERLAP = (
    "SELECT 1 FROM loan_bookings AS other WHERE other.listing_id = NEW.listing_id "
    "AND other.start_date <= NEW.end_date AND NEW.start_date <= other.end_date"
)
SQLITE_DDL = (
    "CREATE TRIGGER loan_bookings_no_overlap_insert BEFORE INSERT ON loan_bookings "
    f"WHEN EXISTS ({_OVERLAP}) "
    "BEGIN SELECT RAISE(ABORT, 'ex_loan_bookings_no_overlap'); END",
    "CREATE TRIGGER loan_bookings_no_overlap_update "
    "BEFORE UPDATE OF listing_id, start_date, end_date ON loan_bookings "
    f"WHEN EXISTS ({_OVERLAP} AND other.id <> NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'ex_loan_bookings_no_overlap'); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS loan_bookings_no_overlap_update",
    "DROP TRIGGER IF EXISTS loan_bookings_no_overlap_insert",
)


def upgrade():
    op.create_table('loan_calendar_feeds',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loan_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_loan_calendar_feeds')),
    sa.UniqueConstraint('token', name=op.f('uq_loan_calendar_feeds_token'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('loan_blocked_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_loan_blocked_periods_dates_ordered')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_loan_blocked_periods_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_blocked_periods'))
    )
    with op.batch_alter_table('loan_blocked_periods', schema=None) as batch_op:
        batch_op.create_index('ix_loan_blocked_periods_listing_id', ['listing_id', 'start_date'], unique=False)

    op.create_table('loan_kit_items',
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('kit_id <> item_id', name=op.f('ck_loan_kit_items_not_itself')),
    sa.ForeignKeyConstraint(['item_id'], ['listings.id'], name=op.f('fk_loan_kit_items_item_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kit_id'], ['listings.id'], name=op.f('fk_loan_kit_items_kit_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kit_id', 'item_id', name=op.f('pk_loan_kit_items'))
    )
    with op.batch_alter_table('loan_kit_items', schema=None) as batch_op:
        batch_op.create_index('ix_loan_kit_items_item_id', ['item_id'], unique=False)

    op.create_table('loan_terms',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=False),
    sa.Column('deposit_cents', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('deposit_cents IS NULL OR deposit_cents > 0', name=op.f('ck_loan_terms_deposit_positive')),
    sa.CheckConstraint('max_days >= min_days AND max_days <= 366', name=op.f('ck_loan_terms_max_days_range')),
    sa.CheckConstraint('min_days >= 1', name=op.f('ck_loan_terms_min_days_positive')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_loan_terms_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('listing_id', name=op.f('pk_loan_terms'))
    )
    op.create_table('loan_waitlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_loan_waitlist_dates_ordered')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_loan_waitlist_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loan_waitlist_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_waitlist')),
    sa.UniqueConstraint('listing_id', 'user_id', name=op.f('uq_loan_waitlist_listing_id_user_id'))
    )
    with op.batch_alter_table('loan_waitlist', schema=None) as batch_op:
        batch_op.create_index('ix_loan_waitlist_user_id', ['user_id'], unique=False)

    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('borrower_id', sa.Integer(), nullable=False),
    sa.Column('lender_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('deposit_cents', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('picked_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deposit_kept_cents', sa.Integer(), nullable=True),
    sa.Column('extension_end_date', sa.Date(), nullable=True),
    sa.Column('extension_message', sa.Text(), nullable=False),
    sa.Column('extension_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extensions_count', sa.Integer(), nullable=False),
    sa.Column('due_reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_notice_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('requested', 'accepted', 'active', 'returned', 'declined', 'cancelled', 'no_show', 'expired')", name=op.f('ck_loans_status_valid')),
    sa.CheckConstraint('borrower_id <> lender_id', name=op.f('ck_loans_not_own_item')),
    sa.CheckConstraint('deposit_cents IS NULL OR deposit_cents > 0', name=op.f('ck_loans_deposit_positive')),
    sa.CheckConstraint('deposit_kept_cents IS NULL OR (deposit_kept_cents >= 0 AND deposit_cents IS NOT NULL AND deposit_kept_cents <= deposit_cents)', name=op.f('ck_loans_deposit_kept_range')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_loans_dates_ordered')),
    sa.CheckConstraint('extension_end_date IS NULL OR extension_end_date > end_date', name=op.f('ck_loans_extension_later')),
    sa.ForeignKeyConstraint(['borrower_id'], ['users.id'], name=op.f('fk_loans_borrower_id_users')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_loans_cancelled_by_id_users')),
    sa.ForeignKeyConstraint(['lender_id'], ['users.id'], name=op.f('fk_loans_lender_id_users')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_loans_listing_id_listings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index('ix_loans_borrower_status', ['borrower_id', 'status'], unique=False)
        batch_op.create_index('ix_loans_lender_status', ['lender_id', 'status'], unique=False)
        batch_op.create_index('ix_loans_listing_status', ['listing_id', 'status', 'start_date'], unique=False)
        batch_op.create_index('ix_loans_status_end_date', ['status', 'end_date'], unique=False)

    op.create_table('loan_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_loan_bookings_dates_ordered')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_loan_bookings_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_bookings_loan_id_loans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_bookings')),
    sa.UniqueConstraint('loan_id', 'listing_id', name=op.f('uq_loan_bookings_loan_id_listing_id'))
    )
    with op.batch_alter_table('loan_bookings', schema=None) as batch_op:
        batch_op.create_index('ix_loan_bookings_listing_id', ['listing_id', 'start_date'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, ()):
        op.execute(statement)

    op.create_table('loan_handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('party', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('damage_report', sa.Text(), nullable=False),
    sa.Column('photo_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("party IN ('lender', 'borrower')", name=op.f('ck_loan_handovers_party_valid')),
    sa.CheckConstraint("stage IN ('pickup', 'return')", name=op.f('ck_loan_handovers_stage_valid')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_handovers_loan_id_loans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loan_handovers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_handovers')),
    sa.UniqueConstraint('loan_id', 'stage', 'party', name=op.f('uq_loan_handovers_loan_id_stage_party'))
    )
    op.create_table('loan_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('ratee_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_loan_ratings_score_range')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_ratings_loan_id_loans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ratee_id'], ['users.id'], name=op.f('fk_loan_ratings_ratee_id_users')),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_loan_ratings_rater_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_ratings')),
    sa.UniqueConstraint('loan_id', 'rater_id', name=op.f('uq_loan_ratings_loan_id_rater_id'))
    )
    with op.batch_alter_table('loan_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_loan_ratings_ratee', ['ratee_id', 'created_at'], unique=False)


def downgrade():
    # btree_gist stays: other objects of the database may use it.
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
    with op.batch_alter_table('loan_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_ratings_ratee')

    op.drop_table('loan_ratings')
    op.drop_table('loan_handovers')
    with op.batch_alter_table('loan_bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_bookings_listing_id')

    op.drop_table('loan_bookings')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('ix_loans_status_end_date')
        batch_op.drop_index('ix_loans_listing_status')
        batch_op.drop_index('ix_loans_lender_status')
        batch_op.drop_index('ix_loans_borrower_status')

    op.drop_table('loans')
    with op.batch_alter_table('loan_waitlist', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_waitlist_user_id')

    op.drop_table('loan_waitlist')
    op.drop_table('loan_terms')
    with op.batch_alter_table('loan_kit_items', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_kit_items_item_id')

    op.drop_table('loan_kit_items')
    with op.batch_alter_table('loan_blocked_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_blocked_periods_listing_id')

    op.drop_table('loan_blocked_periods')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index('ix_notifications_user_id')

    op.drop_table('notifications')
    op.drop_table('loan_calendar_feeds')