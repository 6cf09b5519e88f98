"""`lms uploads cleanup`: the retention rule for uploads of finished cohorts."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import storage
from lms.extensions import db


@click.group("uploads")
def uploads_cli() -> None:
    """Uploaded files."""


@uploads_cli.command("cleanup")
@click.option(
    "--days",
    type=click.IntRange(0),
    default=None,
    help="Keep files this many days after a cohort ends (default LMS_UPLOAD_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@click.option(
    "--orphan-minutes",
    type=click.IntRange(0),
    default=60,
    show_default=True,
    help="Files of interrupted uploads older than this are removed.",
)
@with_appcontext
def uploads_cleanup(days: int | None, dry_run: bool, orphan_minutes: int) -> None:
    """Delete submission files of cohorts that ended longer ago than the retention period;
    submissions, grades and feedback stay."""
    from lms.models import utcnow
    from lms.privacy.services import cleanup_uploads, sweep_orphans

    days = current_app.config["UPLOAD_RETENTION_DAYS"] if days is None else days
    backend = storage.backend()
    result = cleanup_uploads(days, date.today(), dry_run=dry_run)
    db.session.commit()
    if not dry_run and isinstance(backend, storage.LocalBackend):
        folder = backend.root
        orphans = sweep_orphans(folder, timedelta(minutes=orphan_minutes), utcnow())
        click.echo(f"Removed {orphans} files left by interrupted uploads.")
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {result.files} files ({result.bytes} bytes) of {result.cohorts} cohorts "
        f"that ended more than {days} days ago."
    )
