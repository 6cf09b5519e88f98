"""A one-page summary per session (a course package module's summary.md).

Revision ID: s5_summary_page
Revises: s4_course_authors
Create Date: 2026-12-04 16:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "s5_summary_page"
down_revision = "s4_course_authors"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_module") as batch_op:
        batch_op.add_column(sa.Column("summary_page", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("course_module") as batch_op:
        batch_op.drop_column("summary_page")
