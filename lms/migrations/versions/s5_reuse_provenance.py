"""Where a copied course version, module, activity or question came from (reuse).

Revision ID: s5_reuse_provenance
Revises: s5_summary_page
Create Date: 2026-12-04 16:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "s5_reuse_provenance"
down_revision = "s5_summary_page"
branch_labels = None
depends_on = None

TABLES = ("course_version", "course_module", "activity", "question")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("copied_from", sa.JSON(), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("copied_from")
