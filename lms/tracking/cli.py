"""`lms stats`: the maintained dashboard statistics."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from lms.cohorts.models import Cohort
from lms.extensions import db


@click.group("stats")
def stats_cli() -> None:
    """Statistics the region and national dashboards read."""


@stats_cli.command("rebuild")
@with_appcontext
def stats_rebuild() -> None:
    """Recompute every cohort's statistics from the raw rows (one transaction)."""
    from lms.tracking import stats

    began = time.perf_counter()
    total = db.session.scalar(
        select(func.count(Cohort.id)).where(Cohort.course_version_id.is_not(None))
    )
    with click.progressbar(length=total or 0, label="Cohorts", file=sys.stderr) as bar:
        done = stats.rebuild(progress=bar.update)
    db.session.commit()
    click.echo(f"Rebuilt the statistics of {done} cohorts in {time.perf_counter() - began:.1f} s.")
