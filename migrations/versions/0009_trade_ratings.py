"""trade ratings: one table for the ratings of exchanges and loans

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 00:29:43.017979

trade_ratings replaces ratings (exchanges) and loan_ratings: every row is copied (new ids, in
the order of the old ones, exchanges first), then the old tables are dropped. The downgrade
recreates them as 0003 and 0006 made them and copies each kind back.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_COLUMNS = 'rater_id, ratee_id, score, comment, created_at'


def _create_old_tables():
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=True),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('ratee_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_ratings_score_range')),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchange_requests.id'], name=op.f('fk_ratings_exchange_id_exchange_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ratee_id'], ['users.id'], name=op.f('fk_ratings_ratee_id_users')),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_ratings_rater_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('exchange_id', 'rater_id', name=op.f('uq_ratings_exchange_id_rater_id'))
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_ratee', ['ratee_id', 'created_at'], unique=False)

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


def _drop_old_tables():
    with op.batch_alter_table('loan_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_ratings_ratee')

    op.drop_table('loan_ratings')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_ratee')

    op.drop_table('ratings')


def upgrade():
    op.create_table('trade_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('exchange_request_id', sa.Integer(), nullable=True),
    sa.Column('loan_id', sa.Integer(), nullable=True),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('ratee_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'exchange' AND exchange_request_id IS NOT NULL AND loan_id IS NULL) OR (kind = 'loan' AND loan_id IS NOT NULL AND exchange_request_id IS NULL)", name=op.f('ck_trade_ratings_one_target')),
    sa.CheckConstraint("kind IN ('exchange', 'loan')", name=op.f('ck_trade_ratings_kind_valid')),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_trade_ratings_score_range')),
    sa.ForeignKeyConstraint(['exchange_request_id'], ['exchange_requests.id'], name=op.f('fk_trade_ratings_exchange_request_id_exchange_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_trade_ratings_loan_id_loans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ratee_id'], ['users.id'], name=op.f('fk_trade_ratings_ratee_id_users')),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_trade_ratings_rater_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_ratings')),
    sa.UniqueConstraint('exchange_request_id', 'rater_id', name=op.f('uq_trade_ratings_exchange_request_id_rater_id')),
    sa.UniqueConstraint('loan_id', 'rater_id', name=op.f('uq_trade_ratings_loan_id_rater_id'))
    )
    with op.batch_alter_table('trade_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_trade_ratings_ratee', ['ratee_id', 'created_at'], unique=False)

    op.execute(
        f"INSERT INTO trade_ratings (kind, exchange_request_id, {_COLUMNS}) "
        f"SELECT 'exchange', exchange_id, {_COLUMNS} FROM ratings "
        # 0003 let exchange_id be NULL, although no code ever wrote one: such a row rates nothing
        "WHERE exchange_id IS NOT NULL ORDER BY id"
    )
    op.execute(
        f"INSERT INTO trade_ratings (kind, loan_id, {_COLUMNS}) "
        f"SELECT 'loan', loan_id, {_COLUMNS} FROM loan_ratings ORDER BY id"
    )
    _drop_old_tables()


def downgrade():
    _create_old_tables()
    op.execute(
        f"INSERT INTO ratings (exchange_id, {_COLUMNS}) "
        f"SELECT exchange_request_id, {_COLUMNS} FROM trade_ratings "
        "WHERE kind = 'exchange' ORDER BY id"
    )
    op.execute(
        f"INSERT INTO loan_ratings (loan_id, {_COLUMNS}) "
        f"SELECT loan_id, {_COLUMNS} FROM trade_ratings WHERE kind = 'loan' ORDER BY id"
    )
    with op.batch_alter_table('trade_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_trade_ratings_ratee')

    op.drop_table('trade_ratings')
