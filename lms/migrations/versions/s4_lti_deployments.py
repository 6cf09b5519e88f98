"""LTI registrations hold several deployment ids (one per line)

Revision ID: s4_lti_deployments
Revises: i12_discussions
Create Date: 2026-12-04 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "s4_lti_deployments"
down_revision = "i12_discussions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.alter_column(
            "deployment_id",
            existing_type=sa.String(length=255),
            type_=sa.Text(),
            existing_nullable=False,
        )


def downgrade():
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.alter_column(
            "deployment_id",
            existing_type=sa.Text(),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
