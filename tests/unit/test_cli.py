"""The `lms` console script: clear errors and non-zero exits on bad input."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_regions_load_is_idempotent(app, db):
    result = _run(app, "regions", "load")
    assert result.exit_code == 0
    assert "0 provinces and 0 kabupaten/kota added" in result.output


def test_regions_load_reports_bad_data(app, db, tmp_path):
    (tmp_path / "provinces.csv").write_text("kode,nama\n")
    (tmp_path / "regencies.csv").write_text("code,province_code,name\n")
    result = _run(app, "regions", "load", "--data-dir", str(tmp_path))
    assert result.exit_code != 0 and "expected columns" in result.output


def test_users_create_and_errors(app, db):
    ok = _run(
        app,
        "users",
        "create",
        "--role",
        "admin",
        "--email",
        "boss@example.org",
        "--name",
        "Boss",
        "--password",
        "long-enough-password",
    )
    assert ok.exit_code == 0, ok.output
    dup = _run(
        app, "users", "create", "--role", "mentor", "--email", "BOSS@example.org", "--name", "Again"
    )
    assert dup.exit_code != 0 and "email" in dup.output.lower()
    bad = _run(
        app,
        "users",
        "create",
        "--role",
        "participant",
        "--email",
        "p@example.org",
        "--name",
        "P",
        "--region",
        "32.11",
        "--nip",
        "123",
    )
    assert bad.exit_code != 0 and "NIP" in bad.output
    short = _run(
        app,
        "users",
        "create",
        "--role",
        "admin",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--password",
        "short",
    )
    assert short.exit_code != 0
    noregion = _run(
        app, "users", "create", "--role", "participant", "--email", "q@example.org", "--name", "Q"
    )
    assert noregion.exit_code != 0
    link = _run(
        app, "users", "create", "--role", "mentor", "--email", "m@example.org", "--name", "M"
    )
    assert link.exit_code == 0 and "/reset/" in link.output
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_users_import_all_or_nothing(app, db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "name,email,nip,region_code,work_unit,position\n"
        "Asep,asep@example.org,,32.11,,\nBad,bad@example.org,,99.99,,\n"
    )
    result = _run(app, "users", "import", str(path))
    assert (
        result.exit_code != 0 and ":3:" in result.output and "nothing was imported" in result.output
    )
    assert db.session.scalar(select(func.count(User.id))) == 0
    result = _run(app, "users", "import", str(path), "--skip-invalid")
    assert result.exit_code == 0 and "Imported 1" in result.output


def test_users_import_missing_file(app, db):
    result = _run(app, "users", "import", "/no/such.csv")
    assert result.exit_code != 0


def test_demo_is_idempotent_and_prints_logins(app, db):
    first = _run(app, "demo")
    assert first.exit_code == 0, first.output
    second = _run(app, "demo")
    assert second.exit_code == 0
    for role in ("admin", "mentor", "coordinator", "participant"):
        assert role in first.output
    assert db.session.scalar(select(func.count(Cohort.id))) == 3
    assert db.session.scalar(select(func.count(User.id)).where(User.role == "participant")) == 12
    assert db.session.scalar(select(func.count(Enrolment.id))) == 12
    assert "32.11" in db.session.scalars(select(Cohort.region_code)).all()


def test_courses_validate_accepts_the_shipped_course(app):
    shipped = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"
    result = _run(app, "courses", "validate", str(shipped))
    assert result.exit_code == 0, result.output
    assert "spbe-dasar" in result.output and "no problems" in result.output


def test_courses_validate_reports_file_and_line(app, tmp_path):
    (tmp_path / "course.toml").write_text(
        'format = 1\nslug = "Bad Slug"\ntitle = "T"\nversion = "1.0.0"\nlanguage = "id"\n'
        'modules = ["01-a"]\n'
    )
    result = _run(app, "courses", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'course.toml'}:2:" in result.output
    assert "01-a" in result.output
