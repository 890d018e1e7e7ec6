"""audit: the append-only audit log of state changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 00:13:27.029987

Rows of audit_entries are never changed or deleted: triggers refuse it on SQLite and PostgreSQL,
except the UPDATE that ON DELETE SET NULL makes when a user row is deleted (actor_id alone, set
to NULL). The DDL is the one sportressources.core.audit attaches to the table for
db.create_all(); it is copied here so that this revision never changes with the code.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ERROR = 'audit_entries_append_only'
_FROZEN = '"id", "occurred_at", "action", "target_type", "target_id", "before", "after", "reason", "details"'
SQLITE_DDL = (
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, '{_ERROR}'); END",
    f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OF {_FROZEN} ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, '{_ERROR}'); END",
    "CREATE TRIGGER audit_entries_actor_only_cleared BEFORE UPDATE OF actor_id ON audit_entries "
    f"WHEN NEW.actor_id IS NOT NULL BEGIN SELECT RAISE(ABORT, '{_ERROR}'); END",
)
POSTGRESQL_DDL = (
    "CREATE OR REPLACE FUNCTION audit_entries_refuse_change() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"RAISE EXCEPTION '{_ERROR}' USING ERRCODE = 'restrict_violation'; "
    "END $$",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()",
    f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OF {_FROZEN} ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()",
    "CREATE TRIGGER audit_entries_actor_only_cleared BEFORE UPDATE OF actor_id ON audit_entries "
    "FOR EACH ROW WHEN (NEW.actor_id IS NOT NULL) "
    "EXECUTE FUNCTION audit_entries_refuse_change()",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS audit_entries_actor_only_cleared",
    "DROP TRIGGER IF EXISTS audit_entries_no_update",
    "DROP TRIGGER IF EXISTS audit_entries_no_delete",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS audit_entries_actor_only_cleared ON audit_entries",
    "DROP TRIGGER IF EXISTS audit_entries_no_update ON audit_entries",
    "DROP TRIGGER IF EXISTS audit_entries_no_delete ON audit_entries",
    "DROP FUNCTION IF EXISTS audit_entries_refuse_change()",
)


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.String(length=40), nullable=True),
    sa.Column('after', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_actor', ['actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_entries_target', ['target_type', 'target_id', 'id'], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, ()):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(dialect, ()):
        op.execute(statement)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_target')
        batch_op.drop_index('ix_audit_entries_actor')

    op.drop_table('audit_entries')
