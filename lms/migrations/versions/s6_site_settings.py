"""Site settings an admin saves (first: the outside video players allowed).

Revision ID: s6_site_settings
Revises: s5_assets_module_files
Create Date: 2026-12-04 21:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "s6_site_settings"
down_revision = "s5_assets_module_files"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_setting")),
    )


def downgrade():
    op.drop_table("site_setting")
