"""accounts: an opaque public id for each member

Revision ID: 0014_member_public_ids
Revises: 0013
Create Date: 2026-12-05 09:45:00

Profile and report URLs named members by their integer id, so anyone could list every member by
counting. Each member gets a random, URL-safe ``public_id`` (existing rows are filled here) that
those URLs use instead.

SQLite cannot make an added column NOT NULL without rebuilding ``users``, and rebuilding it with
foreign keys on would cascade the implicit DELETE to the tables that reference it (sessions…):
there the column is added NOT NULL with an empty default that no row keeps (the application
always sets a value, and the unique index refuses a second empty one).
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_member_public_ids'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        'users',
        sa.Column(
            'public_id',
            sa.String(length=16),
            nullable=not sqlite,
            server_default=sa.text("''") if sqlite else None,
        ),
    )
    users = sa.table('users', sa.column('id'), sa.column('public_id'))
    connection = op.get_bind()
    ids = connection.execute(sa.select(users.c.id)).scalars().all()
    for user_id in ids:
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(public_id=secrets.token_urlsafe(9))
        )
    if not sqlite:
        op.alter_column('users', 'public_id', existing_type=sa.String(length=16), nullable=False)
    op.create_index(op.f('ix_users_public_id'), 'users', ['public_id'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_users_public_id'), table_name='users')
    op.execute("ALTER TABLE users DROP COLUMN public_id")
