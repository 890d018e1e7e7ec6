"""the pages' data version

Revision ID: 0019_data_version
Revises: 0018_api_tokens
Create Date: 2026-12-05 19:30:00

``data_versions``: one row per name; ``pages`` changes with every committed write to a table
that public pages show (``core.dataversion``), and anonymous pages' validators carry it. Seeded
with a random value, as every later change gives one.
"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019_data_version"
down_revision = "0018_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.bulk_insert(table, [{"name": "pages", "version": secrets.randbits(62) + 1}])


def downgrade():
    op.drop_table("data_versions")
