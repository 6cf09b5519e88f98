"""`lms courses`: list, validate, import and export course packages. Each command commits."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from lms.extensions import db


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
    from courses.package import load_with
    from lms import plugins

    course, problems = load_with(plugins.registry(), path)
    for problem in problems:
        click.echo(
            f"{path / problem.file}{':' + str(problem.line) if problem.line else ''}: "
            f"{'warning: ' if problem.warning else ''}{problem.message}",
            err=True,
        )
    if course is None:
        errors = sum(1 for problem in problems if not problem.warning)
        raise click.ClickException(f"{errors} problems found in {path}.")
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


def init_cli(app: Flask) -> None:
    app.cli.add_command(courses_cli)
