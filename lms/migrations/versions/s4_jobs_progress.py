"""Long jobs with progress (exports on the worker, shown on a job page)

Revision ID: s4_jobs_progress
Revises: s4_discussion_fts
Create Date: 2026-12-04 12:30:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models


# revision identifiers, used by Alembic.
revision = 's4_jobs_progress'
down_revision = "s4_discussion_fts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('download_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('created_at', lms.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', lms.models.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_job_run_status_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_run_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_user_created')
    op.drop_table('job_run')
