"""Mentor notes per session (a course package module's mentor.md).

Revision ID: i11_mentor_notes
Revises: 0006
Create Date: 2026-12-04 06:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i11_mentor_notes"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_module") as batch_op:
        batch_op.add_column(sa.Column("mentor_notes", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("course_module") as batch_op:
        batch_op.drop_column("mentor_notes")
