"""Flagged questions kept with a quiz attempt; a revision on the self-assessment for autosave.

Revision ID: i19_flags_revisions
Revises: i11_mentor_notes
Create Date: 2026-12-04 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i19_flags_revisions"
down_revision = "i11_mentor_notes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("self_assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("self_assessment", schema=None) as batch_op:
        batch_op.drop_column("revision")
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_column("flagged")
