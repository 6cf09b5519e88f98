"""Activity records kept by the engine for activity types without tables of their own;
clean up modules left behind by discarded drafts.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import lms.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activity_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('percent', sa.Float(), nullable=True),
        sa.Column('state', sa.String(length=40), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('updated_at', lms.models.UTCDateTime(), nullable=False),
        sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_activity_record_percent_range')),
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_record_activity_id_activity'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_activity_record_enrolment_id_enrolment'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_record')),
        sa.UniqueConstraint('enrolment_id', 'activity_id', name=op.f('uq_activity_record_enrolment_id_activity_id')),
    )
    with op.batch_alter_table('activity_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_record_activity_id'), ['activity_id'], unique=False)
    # Discarded drafts used to leave their modules (and activities) behind: remove every
    # module whose version no longer exists.
    op.execute(
        "DELETE FROM activity WHERE module_id IN "
        "(SELECT m.id FROM course_module m WHERE m.version_id NOT IN (SELECT id FROM course_version))"
    )
    op.execute("DELETE FROM course_module WHERE version_id NOT IN (SELECT id FROM course_version)")


def downgrade():
    with op.batch_alter_table('activity_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_record_activity_id'))
    op.drop_table('activity_record')
