"""`lms demo` and `lms bench`: data that spans every layer, so they live at the top."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from lms.extensions import db


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the regions and an idempotent demo data set, then print the demo logins."""
    from flask import current_app

    from lms.home.demo import load_demo
    from lms.regions.services import load_regions

    load_regions()
    # The services notify people with links to pages (url_for), as from a request.
    with current_app.test_request_context("/"):
        logins = load_demo()
    db.session.commit()
    click.echo("Demo logins (role, email, password):")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email:<40} {password}")


@click.group("bench")
def bench_cli() -> None:
    """Benchmark data (bench/ of a source checkout; see bench/README.md)."""


@bench_cli.command("generate")
@click.option("--regions", type=click.IntRange(1, 514), default=514, show_default=True)
@click.option("--participants", type=click.IntRange(1, 999), default=40, show_default=True)
@click.option("--modules", type=click.IntRange(1), default=None, help="Sessions held (all).")
@click.option("--attempts", type=click.IntRange(1), default=2, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
def bench_generate(
    regions: int, participants: int, modules: int | None, attempts: int, seed: int
) -> None:
    """A deterministic dataset, one cohort per kabupaten/kota, into an empty database."""
    import sys

    from lms import ROOT

    if str(ROOT.parent) not in sys.path:
        sys.path.append(str(ROOT.parent))  # bench/ sits next to lms/, outside the package
    try:
        from bench.generate import BenchError, generate
    except ImportError as error:
        raise click.ClickException("bench/ is only in a source checkout.") from error
    try:
        summary = generate(regions, participants, modules, attempts, seed, echo=click.echo)
    except BenchError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    # The rows were bulk-inserted past the ORM: compute the dashboards' statistics once.
    from lms.tracking import stats

    began = time.perf_counter()
    cohorts = stats.rebuild()
    db.session.commit()
    click.echo(f"Statistics of {cohorts} cohorts rebuilt in {time.perf_counter() - began:.1f} s.")
    # Planner statistics for the freshly bulk-loaded tables: without them PostgreSQL picks
    # sequential scans (measured: the cohort dashboard took 823 ms at national scale before
    # ANALYZE, 26 ms after).
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    for line in summary.lines():
        click.echo(line)


def init_cli(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(bench_cli)
