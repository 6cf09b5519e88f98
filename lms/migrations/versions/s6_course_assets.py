"""Files a course carries at its package root (assets/), shared by every module.

Revision ID: s6_course_assets
Revises: s6_site_settings
Create Date: 2026-12-04 21:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "s6_course_assets"
down_revision = "s6_site_settings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_version_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["course_version.id"],
            name=op.f("fk_course_version_asset_version_id_course_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_version_asset")),
        sa.UniqueConstraint(
            "version_id", "path", name=op.f("uq_course_version_asset_version_id_path")
        ),
    )
    with op.batch_alter_table("course_version_asset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_version_asset_version_id"), ["version_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("course_version_asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_version_asset_version_id"))
    op.drop_table("course_version_asset")
