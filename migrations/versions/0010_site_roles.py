"""accounts: site roles only (resident, moderator, admin); association members become residents

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00.000000

Belonging to a club or an association becomes a membership of an organisation (a later
revision), so the « association_member » site role goes: its accounts become residents. The
downgrade restores the old CHECK constraint; the accounts stay residents.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SITE_ROLES = "role IN ('resident', 'moderator', 'admin')"
OLD_ROLES = "role IN ('resident', 'association_member', 'moderator', 'admin')"


def _replace_role_check(condition):
    # Batch mode: SQLite changes a CHECK constraint only by rebuilding the table.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role_valid'), sa.text(condition))


def upgrade():
    op.execute("UPDATE users SET role = 'resident' WHERE role = 'association_member'")
    _replace_role_check(SITE_ROLES)


def downgrade():
    _replace_role_check(OLD_ROLES)
