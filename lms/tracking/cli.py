"""`lms stats` (the maintained dashboard statistics) and `lms export national FILE` (the
national table from the command line, with a progress bar)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

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
    total = stats.cohorts_to_rebuild()
    with click.progressbar(length=total, label="Cohorts", file=sys.stderr) as bar:
        done = stats.rebuild(progress=bar.update)
    db.session.commit()
    click.echo(f"Rebuilt the statistics of {done} cohorts in {time.perf_counter() - began:.1f} s.")


@click.group("export")
def export_cli() -> None:
    """Large tables to files."""


@export_cli.command("national")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--province", default="", help="Two-digit province code; all when empty.")
@click.option("--sort", default="completion", show_default=True)
@with_appcontext
def export_national(file: Path, province: str, sort: str) -> None:
    """Every region's figures as CSV or XLSX (by FILE's extension)."""
    from lms.tracking.views import national_export

    fmt = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
    bar: list = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(click.progressbar(length=total, label="Exporting", file=sys.stderr))
            bar[0].__enter__()
        bar[0].update(done - bar[0].pos)

    result = national_export({"format": fmt, "province": province, "sort": sort}, progress)
    if bar:
        bar[0].__exit__(None, None, None)
    file.write_bytes(result.content)
    click.echo(f"Wrote {file} ({len(result.content)} bytes).")
