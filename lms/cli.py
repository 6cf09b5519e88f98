"""The `lms` console script: database, regions, users and demo data. Each command commits."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.extensions import db


def _create_app() -> Flask:
    """The app for a command; a broken plugin ends the command with its short message."""
    from lms import create_app
    from lms.plugins import PluginError

    try:
        return create_app()
    except PluginError as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Living Lab LMS management commands."""


@click.group("regions")
def regions_cli() -> None:
    """Provinces and kabupaten/kota."""


@regions_cli.command("load")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with provinces.csv and regencies.csv (default: the shipped data).",
)
@with_appcontext
def regions_load(data_dir: Path | None) -> None:
    """Load or update all 38 provinces and 514 kabupaten/kota (idempotent)."""
    from lms.regions.services import DATA_DIR, RegionDataError, load_regions

    try:
        result = load_regions(data_dir or DATA_DIR)
    except RegionDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Regions: {result.provinces_added} provinces and {result.regions_added} "
        f"kabupaten/kota added, {result.updated} updated."
    )


@click.group("users")
def users_cli() -> None:
    """Accounts."""


@users_cli.command("create")
@click.option(
    "--role", type=click.Choice(["participant", "mentor", "coordinator", "admin"]), required=True
)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--region", "region_code", default=None, help="Region code, e.g. 32.11.")
@click.option("--nip", default=None)
@click.option("--institution", default=None)
@click.option(
    "--password", default=None, help="At least 12 characters; omit to get a one-time link."
)
@with_appcontext
def users_create(
    role: str,
    email: str,
    name: str,
    region_code: str | None,
    nip: str | None,
    institution: str | None,
    password: str | None,
) -> None:
    """Create an account of any role."""
    from email_validator import EmailNotValidError, validate_email

    from lms.auth.models import Role
    from lms.auth.services import MIN_PASSWORD_LENGTH, issue_reset_token
    from lms.users.nip import nip_problem
    from lms.users.services import UserError, UserInput, create_user

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from error
    if nip and (problem := nip_problem(nip)):
        raise click.BadParameter(problem, param_hint="--nip")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    try:
        user = create_user(
            UserInput(
                email=email,
                name=name,
                role=Role(role),
                region_code=region_code,
                nip=nip,
                institution=institution,
                password=password,
            )
        )
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    link = None
    if password is None:
        link = issue_reset_token(
            user, created_by=None, valid_hours=current_app.config["PASSWORD_RESET_HOURS"]
        ).token
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if link:
        click.echo(f"One-time link to set the password: /reset/{link}")


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cohort", "cohort_id", type=int, default=None, help="Enrol every row into it.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are bad.")
@with_appcontext
def users_import(file: Path, cohort_id: int | None, skip_invalid: bool) -> None:
    """Import participants from a CSV or XLSX file (name, email, nip, region_code, work_unit,
    position). Any bad row stops the import unless --skip-invalid is given."""
    from lms.cohorts.models import Cohort
    from lms.users.services import (
        ImportFileError,
        UserError,
        import_participants,
        read_table,
        validate_rows,
    )

    cohort = None
    if cohort_id is not None:
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None:
            raise click.BadParameter(f"no cohort with id {cohort_id}", param_hint="--cohort")
    try:
        rows = read_table(file.name, file.read_bytes())
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}") from error
    preview = validate_rows(rows, None, cohort_region=cohort.region_code if cohort else None)
    for problem in preview.problems:
        click.echo(f"{file}:{problem.line}: {problem.reason}", err=True)
    if preview.problems and not skip_invalid:
        raise click.ClickException(
            f"{len({p.line for p in preview.problems})} bad rows; nothing was imported."
        )
    # The service the browser's import job uses; one commit at the end.
    with click.progressbar(length=len(preview.rows), label="Importing", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        try:
            result = import_participants(preview, cohort.id if cohort else None, progress)
        except UserError as error:
            raise click.ClickException(f"{error}; nothing was imported.") from error
    created, enrolled = len(result.created), result.enrolled
    db.session.commit()
    click.echo(
        f"Imported {created} participants"
        + (f", enrolled {enrolled} into {cohort.name}." if cohort else ".")
    )


@click.group("practices")
def practices_cli() -> None:
    """The catalog of good practices."""


@practices_cli.command("seed")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A practices TOML file (default: the shipped lms/practices/data/practices.toml).",
)
@with_appcontext
def practices_seed(path: Path | None) -> None:
    """Load the shipped good practices; existing slugs are kept as they are (idempotent)."""
    from lms.practices.seed import DATA_FILE, SeedError, seed_practices

    try:
        result = seed_practices(path or DATA_FILE)
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Practices: {result.created} added, {result.kept} already present.")


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(folder: Path) -> None:
    """Write the database, the uploads and a manifest into FOLDER (new or empty)."""
    from lms import backup

    try:
        summary = backup.backup(
            db.engine, Path(current_app.config["UPLOAD_FOLDER"]), folder, echo=click.echo
        )
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backup written to {summary.folder}: {summary.tables} tables, {summary.rows} rows, "
        f"{summary.files} files."
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace a database and upload folder that are not empty."
)
@with_appcontext
def restore_command(folder: Path, force: bool) -> None:
    """Restore a backup FOLDER into an empty database and upload folder."""
    from lms import backup

    db.session.remove()
    try:
        summary = backup.restore(
            db.engine,
            Path(current_app.config["UPLOAD_FOLDER"]),
            folder,
            force=force,
            echo=click.echo,
        )
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored {summary.tables} tables, {summary.rows} rows and {summary.files} files; "
        "every count and checksum matches the manifest."
    )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run background jobs (mail, digests) from the Redis queue (LMS_REDIS_URL)."""
    from lms import jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        jobs.run_worker(app, burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error


@click.group("notifications")
def notifications_cli() -> None:
    """Notifications and their e-mail."""


@notifications_cli.command("digest")
@with_appcontext
def notifications_digest() -> None:
    """Queue today's digest e-mails (run it once a day from cron)."""
    from lms.notifications import services

    count = services.queue_digests()
    db.session.commit()
    click.echo(f"Digests queued: {count}.")


@click.group("jobs")
def jobs_cli() -> None:
    """Long jobs started in the browser (exports) and their result files."""


@jobs_cli.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Delete result files of jobs finished longer ago (default LMS_JOB_RESULT_DAYS).",
)
@with_appcontext
def jobs_prune(days: int | None) -> None:
    """Delete old result files of finished jobs (also done as each new job finishes)."""
    from lms.longjobs import services
    from lms.models import utcnow

    days = current_app.config["JOB_RESULT_DAYS"] if days is None else days
    count = services.prune(utcnow(), days)
    db.session.commit()
    click.echo(f"Result files deleted: {count} (finished more than {days} days ago).")


def register_commands(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(regions_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(practices_cli)


if __name__ == "__main__":
    main()
