"""A revision number on course modules and each module's edit history.

Revision ID: s4_authoring_history
Revises: s4_jobs_progress
Create Date: 2026-12-04 12:00:00

"""

import sqlalchemy as sa
from alembic import op

from lms.models import UTCDateTime

revision = "s4_authoring_history"
down_revision = "s4_jobs_progress"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_module", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "course_module_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("material", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["course_module.id"],
            name=op.f("fk_course_module_revision_module_id_course_module"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["user_account.id"],
            name=op.f("fk_course_module_revision_editor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_module_revision")),
        sa.UniqueConstraint(
            "module_id", "number", name=op.f("uq_course_module_revision_module_id_number")
        ),
    )
    with op.batch_alter_table("course_module_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_module_revision_module_id"), ["module_id"], unique=False
        )


def downgrade():
    op.drop_table("course_module_revision")
    with op.batch_alter_table("course_module", schema=None) as batch_op:
        batch_op.drop_column("revision")
