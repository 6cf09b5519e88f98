"""`lms quizzes`: GIFT/Moodle XML import and export, closing overdue attempts."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from lms.extensions import db


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
@click.option(
    "--import-rest",
    is_flag=True,
    help="Skip questions of a Moodle type we do not support (cloze, calculated, "
    "drag-and-drop ...) and import the rest.",
)
@with_appcontext
def quizzes_import(file: Path, slug: str, module_slug: str, import_rest: bool) -> None:
    """Import a GIFT (.gift/.txt) or Moodle XML (.xml) file into the course's draft.

    Every question must be valid: a file with any problem imports nothing and lists them all
    (with --import-rest, questions of an unsupported Moodle type are skipped and listed).
    """
    from quizzes import services
    from quizzes.admin_views import parse_question_file
    from quizzes.formats import blocking

    questions, problems = parse_question_file(file.name, file.read_bytes())
    stopping = blocking(problems, import_rest=import_rest)
    for problem in problems:
        skipped = " (skipped)" if problem not in stopping else ""
        click.echo(f"{file}: {problem.where}: {problem.message}{skipped}", err=True)
    if stopping:
        hint = (
            ""
            if import_rest or len(stopping) != sum(1 for p in problems if p.unsupported)
            else (" Add --import-rest to skip the questions of unsupported types.")
        )
        raise click.ClickException(f"{len(stopping)} problems; nothing was imported.{hint}")
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


def init_cli(app: Flask) -> None:
    app.cli.add_command(quizzes_cli)
