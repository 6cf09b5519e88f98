"""One unfinished job at a time for the kinds that run one at a time

Revision ID: s8_jobs_single
Revises: s8_stats_areas
Create Date: 2026-12-05 03:45:00

Two first clicks in the same instant could start two jobs of a one-at-a-time kind (the
statistics rebuild): a partial unique index over the kind's queued and running jobs now
lets only one in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "s8_jobs_single"
down_revision = "s8_stats_areas"
branch_labels = None
depends_on = None

UNFINISHED_SINGLE = "single_run AND status IN ('queued', 'running')"


def upgrade():
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("single_run", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Jobs of the one-at-a-time kind already recorded (`stats_rebuild`, the only one).
    op.execute("UPDATE job_run SET single_run = true WHERE kind = 'stats_rebuild'")
    # Should two be unfinished already, the newer ones are marked failed first.
    op.execute(
        "UPDATE job_run SET status = 'failed', error = 'superseded' "
        "WHERE single_run AND status IN ('queued', 'running') AND id NOT IN ("
        "SELECT min(id) FROM job_run WHERE single_run AND status IN ('queued', 'running') "
        "GROUP BY kind)"
    )
    op.create_index(
        "uq_job_run_single_kind",
        "job_run",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(UNFINISHED_SINGLE),
        postgresql_where=sa.text(UNFINISHED_SINGLE),
    )


def downgrade():
    op.drop_index("uq_job_run_single_kind", table_name="job_run")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_column("single_run")
