"""accounts: one row per signed-in device, and sign-in failures per address

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00.000000

member_sessions holds the hash of each session's token: the session and « remember me » cookies
carry the token, so that signing out, ending a device or changing the password really ends it.
Sessions of users.session_token are not carried over: everyone signs in again once.
sign_in_throttles counts failed sign-ins per address (hashed), across processes and servers.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('browser', sa.String(length=40), nullable=True),
    sa.Column('system', sa.String(length=40), nullable=True),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_member_sessions_token_hash'))
    )
    with op.batch_alter_table('member_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_member_sessions_user_live', ['user_id', 'revoked_at'], unique=False)

    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lock_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )


def downgrade():
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('member_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_member_sessions_user_live')
    op.drop_table('member_sessions')
