"""The `lms` console script: database, regions, users and demo data. Each command commits."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.extensions import db


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


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
    from lms.users.services import ImportFileError, apply_import, read_table, validate_rows

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
    result = apply_import(preview, cohort.id if cohort else None)
    db.session.commit()
    click.echo(
        f"Imported {len(result.created)} participants"
        + (f", enrolled {result.enrolled} into {cohort.name}." if cohort else ".")
    )


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the regions and an idempotent demo data set, then print the demo logins."""
    from lms.demo import load_demo
    from lms.regions.services import load_regions

    load_regions()
    logins = load_demo()
    db.session.commit()
    click.echo("Demo logins (role, email, password):")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email:<40} {password}")


@click.group("courses")
def courses_cli() -> None:
    """Course packages."""


def _package_path(name_or_path: str) -> Path:
    """A package folder: a path, or the name of an installed package (lms courses list)."""
    from lms import plugins

    path = Path(name_or_path)
    if path.is_dir():
        return path
    found = plugins.registry().course_packages.get(name_or_path)
    if found is None:
        raise click.BadParameter(
            f"{name_or_path} is neither a folder nor an installed course package "
            "(see `lms courses list`).",
            param_hint="PATH",
        )
    return found


def _load_or_fail(path: Path):
    from lms import plugins

    course, problems = plugins.registry().load_package(path)
    for problem in problems:
        click.echo(
            f"{path / problem.file}{':' + str(problem.line) if problem.line else ''}: "
            f"{problem.message}",
            err=True,
        )
    if course is None:
        raise click.ClickException(f"{len(problems)} problems found in {path}.")
    return course


@courses_cli.command("list")
@with_appcontext
def courses_list() -> None:
    """Course packages installed (shipped folders and lms.course_packages plugins)."""
    from lms import plugins

    for name, path in plugins.registry().course_packages.items():
        click.echo(f"{name:<24} {path}")


@courses_cli.command("validate")
@click.argument("path")
@with_appcontext
def courses_validate(path: str) -> None:
    """Report every problem in a course package with file and line; exit 1 if any."""
    folder = _package_path(path)
    course = _load_or_fail(folder)
    words = sum(len(m.material.split()) for m in course.modules)
    click.echo(
        f"{course.slug} {course.version}: {len(course.modules)} modules, {words} words "
        "of material, no problems."
    )


@courses_cli.command("import")
@click.argument("path")
@with_appcontext
def courses_import(path: str) -> None:
    """Load a valid package: a new published version if its content changed, else nothing."""
    from courses import services

    folder = _package_path(path)
    course = _load_or_fail(folder)
    try:
        result = services.import_package(course)
    except services.CourseError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if result.created:
        click.echo(
            f"Imported {course.slug} {course.version} as version #{result.version.number} "
            f"({len(course.modules)} modules)."
        )
    else:
        click.echo(
            f"{course.slug} is unchanged (identical to version {result.version.label}); "
            "nothing imported."
        )


@courses_cli.command("export")
@click.argument("slug")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Export the draft instead of the latest version.")
@with_appcontext
def courses_export(slug: str, dest: Path, draft: bool) -> None:
    """Write the latest published version (or the draft) of a course as a package in DEST."""
    from sqlalchemy import select

    from courses import services
    from courses.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"No course {slug}.")
    version = services.draft_of(course.id) if draft else services.latest_published(course.id)
    if version is None:
        raise click.ClickException(f"{slug} has no {'draft' if draft else 'published version'}.")
    if dest.exists() and any(dest.iterdir()):
        raise click.ClickException(f"{dest} is not empty; choose an empty or new folder.")
    services.export_version(version, slug, dest)
    click.echo(f"Wrote {slug} {version.label} to {dest}.")


@click.group("quizzes")
def quizzes_cli() -> None:
    """Question banks and quiz attempts."""


def _draft_for(slug: str):
    from sqlalchemy import select

    from courses import services
    from courses.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"No course {slug}.")
    return course, services.start_draft(course)


@quizzes_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "slug", required=True, help="The course's slug.")
@click.option("--module", "module_slug", required=True, help="The session to add them to.")
@with_appcontext
def quizzes_import(file: Path, slug: str, module_slug: str) -> None:
    """Import a GIFT (.gift/.txt) or Moodle XML (.xml) file into the course's draft.

    Every question must be valid: a file with any problem imports nothing and lists them all.
    """
    from quizzes import services
    from quizzes.admin_views import parse_question_file

    questions, problems = parse_question_file(file.name, file.read_bytes())
    for problem in problems:
        click.echo(f"{file}: {problem.where}: {problem.message}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problems; nothing was imported.")
    course, draft = _draft_for(slug)
    try:
        created = services.import_questions(draft, module_slug, questions, _question_types())
    except services.QuizError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Imported {len(created)} questions into the draft of {course.slug}:")
    for question in created:
        click.echo(f"  {question.key:<40} {question.type:<18} {question.name}")


def _question_types():
    from lms import plugins

    return plugins.registry().question_types


@quizzes_cli.command("export")
@click.option("--course", "slug", required=True)
@click.option("--format", "fmt", type=click.Choice(["gift", "xml"]), required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def quizzes_export(slug: str, fmt: str, out: Path) -> None:
    """Write the latest published version's question bank as GIFT or Moodle XML."""
    from sqlalchemy import select

    from courses import services as course_services
    from courses.models import Course
    from quizzes import services
    from quizzes.formats import gift, moodle_xml

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    version = course_services.latest_published(course.id) if course else None
    if version is None:
        raise click.ClickException(f"No published course {slug}.")
    questions = services.exportable(services.bank_of(version.id))
    try:
        text = (gift if fmt == "gift" else moodle_xml).dump(questions)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(questions)} questions to {out}.")


@quizzes_cli.command("close-overdue")
@with_appcontext
def quizzes_close_overdue() -> None:
    """Finalise every attempt whose time is over, by each quiz's rule (run it every minute)."""
    from lms.models import utcnow
    from quizzes import services

    closed = services.close_overdue(_question_types(), utcnow())
    db.session.commit()
    click.echo(f"Closed {closed} overdue attempts.")


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
    # Planner statistics for the freshly bulk-loaded tables: without them PostgreSQL picks
    # sequential scans (measured: the cohort dashboard took 823 ms at national scale before
    # ANALYZE, 26 ms after).
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    for line in summary.lines():
        click.echo(line)


def register_commands(app: Flask) -> None:
    app.cli.add_command(quizzes_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(regions_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
    app.cli.add_command(practices_cli)
    app.cli.add_command(bench_cli)
