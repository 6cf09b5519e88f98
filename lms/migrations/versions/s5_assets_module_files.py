"""Files a module carries (assets/: images, PDF, audio, MP4 video).

Revision ID: s5_assets_module_files
Revises: s5_reuse_provenance
Create Date: 2026-12-04 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "s5_assets_module_files"
down_revision = "s5_reuse_provenance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_module_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["course_module.id"],
            name=op.f("fk_course_module_asset_module_id_course_module"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_module_asset")),
        sa.UniqueConstraint(
            "module_id", "path", name=op.f("uq_course_module_asset_module_id_path")
        ),
    )
    with op.batch_alter_table("course_module_asset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_module_asset_module_id"), ["module_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("course_module_asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_module_asset_module_id"))
    op.drop_table("course_module_asset")
