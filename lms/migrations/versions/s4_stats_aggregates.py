"""Maintained per-cohort statistics for the region and national dashboards

Revision ID: s4_stats_aggregates
Revises: s4_lti_deployments
Create Date: 2026-12-04 12:20:00

The tables start empty: run `lms stats rebuild` once after upgrading a database that
already holds cohorts; from then on the rows are kept in the same transaction as the
events that change them.
"""
from alembic import op
import sqlalchemy as sa

import lms.models


# revision identifiers, used by Alembic.
revision = 's4_stats_aggregates'
down_revision = "s4_lti_deployments"
branch_labels = None
depends_on = None


def _cohort_fk(table):
    return sa.ForeignKeyConstraint(
        ['cohort_id'], ['cohort.id'], name=op.f(f'fk_{table}_cohort_id_cohort'), ondelete='CASCADE'
    )


def upgrade():
    op.create_table('stats_cohort',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('completion_sum', sa.Double(), nullable=False),
    sa.Column('completion_n', sa.Integer(), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('pre_sum', sa.Double(), nullable=False),
    sa.Column('pre_n', sa.Integer(), nullable=False),
    sa.Column('post_sum', sa.Double(), nullable=False),
    sa.Column('post_n', sa.Integer(), nullable=False),
    sa.Column('certificates', sa.Integer(), nullable=False),
    sa.Column('gain_loss', sa.Integer(), nullable=False),
    sa.Column('gain_low', sa.Integer(), nullable=False),
    sa.Column('gain_medium', sa.Integer(), nullable=False),
    sa.Column('gain_high', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', lms.models.UTCDateTime(timezone=True), nullable=False),
    _cohort_fk('stats_cohort'),
    sa.PrimaryKeyConstraint('cohort_id', name=op.f('pk_stats_cohort'))
    )
    with op.batch_alter_table('stats_cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_cohort_region_code'), ['region_code'], unique=False)

    op.create_table('stats_cohort_category',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('total', sa.Double(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    _cohort_fk('stats_cohort_category'),
    sa.PrimaryKeyConstraint('cohort_id', 'category', name=op.f('pk_stats_cohort_category'))
    )
    op.create_table('stats_cohort_day',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    _cohort_fk('stats_cohort_day'),
    sa.PrimaryKeyConstraint('cohort_id', 'day', name=op.f('pk_stats_cohort_day'))
    )
    with op.batch_alter_table('stats_cohort_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_cohort_day_day'), ['day'], unique=False)

    op.create_table('stats_cohort_week',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.Column('post_sum', sa.Double(), nullable=False),
    sa.Column('post_n', sa.Integer(), nullable=False),
    _cohort_fk('stats_cohort_week'),
    sa.PrimaryKeyConstraint('cohort_id', 'week', name=op.f('pk_stats_cohort_week'))
    )
    with op.batch_alter_table('stats_cohort_week', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_cohort_week_week'), ['week'], unique=False)


def downgrade():
    with op.batch_alter_table('stats_cohort_week', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_cohort_week_week'))
    op.drop_table('stats_cohort_week')
    with op.batch_alter_table('stats_cohort_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_cohort_day_day'))
    op.drop_table('stats_cohort_day')
    op.drop_table('stats_cohort_category')
    with op.batch_alter_table('stats_cohort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_cohort_region_code'))
    op.drop_table('stats_cohort')
