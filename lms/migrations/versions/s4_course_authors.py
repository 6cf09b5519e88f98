"""Course authors (Penulis Materi) and whether they may publish.

Revision ID: s4_course_authors
Revises: s4_authoring_history
Create Date: 2026-12-04 12:10:00

"""

import sqlalchemy as sa
from alembic import op

from lms.models import UTCDateTime

revision = "s4_course_authors"
down_revision = "s4_authoring_history"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "authors_may_publish", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "course_author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_author_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_course_author_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user_account.id"],
            name=op.f("fk_course_author_assigned_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_author")),
        sa.UniqueConstraint(
            "course_id", "user_id", name=op.f("uq_course_author_course_id_user_id")
        ),
    )
    with op.batch_alter_table("course_author", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_author_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("course_author")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("authors_may_publish")
