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


def test_demo_is_idempotent_alive_and_prints_logins(app, db):
    """Six regions in the three time zones at different weeks, played through the services:
    attempts with a gain, submissions in every state, certificates, self-assessments,
    adapted practices; a second run changes nothing."""
    from assignments.models import Review, Submission, SubmissionDraft
    from courses.meetings.models import Attendance, Meeting
    from lms.certificates.models import Certificate
    from lms.maturity.models import SelfAssessment
    from lms.practices.models import Practice
    from lms.regions.models import Region
    from quizzes.models import QuizAttempt

    first = _run(app, "demo")
    assert first.exit_code == 0, first.output
    counts = lambda: [  # noqa: E731
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Cohort, Enrolment, Meeting, Attendance, QuizAttempt, Submission, Certificate)
    ]
    before = counts()
    second = _run(app, "demo")
    assert second.exit_code == 0
    assert counts() == before
    logins = [line for line in first.output.splitlines() if "@demo.livinglab.id" in line]
    assert len(logins) == 1 + 3 + 1 + 36  # one line each: admin, mentors, coordinator, people
    for role in ("admin", "mentor", "coordinator", "participant"):
        assert role in first.output
    regions = db.session.execute(
        select(Region.province_code, Region.timezone).join(
            Cohort, Cohort.region_code == Region.code
        )
    ).all()
    assert len(regions) == 6
    assert len({p for p, _ in regions}) >= 3
    assert {tz for _, tz in regions} == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    starts = set(db.session.scalars(select(Cohort.start_date)))
    starts_id = db.session.scalar(select(Cohort.id).limit(1))
    assert len(starts) == 6  # cohorts at different weeks
    versions = set(db.session.scalars(select(Cohort.course_version_id)))
    assert len(versions) == 1 and None not in versions  # all on the shipped course
    sessions = db.session.scalar(
        select(func.count(Meeting.id)).where(Meeting.cohort_id == starts_id)
    )
    assert db.session.scalar(select(func.count(Meeting.id))) == 6 * sessions  # one per session
    assert db.session.scalar(select(func.count(Attendance.id))) > 100
    states = set(db.session.scalars(select(Submission.status)))
    assert {"submitted", "returned", "graded"} <= states
    assert db.session.scalar(select(func.count(SubmissionDraft.id))) > 0
    released = set(db.session.scalars(select(Review.released)))
    assert released == {True, False}  # graded and released, graded and waiting
    assert db.session.scalar(select(func.count(Certificate.id))) >= 2
    phases = set(db.session.scalars(select(SelfAssessment.phase)))
    assert phases == {"baseline", "follow_up"}
    assert (
        db.session.scalar(
            select(func.count(Practice.id)).where(Practice.derived_from_id.is_not(None))
        )
        >= 3
    )


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


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"


def test_courses_validate_reports_an_unknown_practice_at_its_line(app, tmp_path):
    import shutil

    copy = tmp_path / "spbe-dasar"
    shutil.copytree(SHIPPED, copy)
    module = copy / "11-studi-tiru-praktik-baik" / "module.toml"
    text = module.read_text(encoding="utf-8")
    assert '  "command-center-sumedang",\n' in text
    module.write_text(text.replace('"command-center-sumedang"', '"sumedang-command-center"'))
    line = text.splitlines().index('  "command-center-sumedang",') + 1
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 1
    assert (
        f"{module}:{line}: setting 'activities[5].practices': no practice "
        "'sumedang-command-center' in the practice catalogue" in result.output
    )
    assert "did you mean 'command-center-sumedang'?" in result.output


def test_courses_import_export_round_trips_byte_for_byte(app, db, tmp_path):
    first = _run(app, "courses", "import", "spbe-dasar")
    assert first.exit_code == 0, first.output
    assert "Imported spbe-dasar 2.1.0" in first.output
    again = _run(app, "courses", "import", str(SHIPPED))
    assert again.exit_code == 0 and "unchanged" in again.output
    exported = _run(app, "courses", "export", "spbe-dasar", str(tmp_path / "a"))
    assert exported.exit_code == 0, exported.output
    assert _tree(tmp_path / "a") == _tree(SHIPPED)
    # export, import, export: identical files, and the import changes nothing.
    assert "unchanged" in _run(app, "courses", "import", str(tmp_path / "a")).output
    _run(app, "courses", "export", "spbe-dasar", str(tmp_path / "b"))
    assert _tree(tmp_path / "b") == _tree(tmp_path / "a")
    from courses.models import CourseVersion

    assert db.session.scalar(select(func.count(CourseVersion.id))) == 1


def test_changed_content_needs_a_new_version_number(app, db, tmp_path):
    import shutil

    copy = tmp_path / "spbe-dasar"
    shutil.copytree(SHIPPED, copy)
    _run(app, "courses", "import", str(copy))
    material = copy / "01-spbe-dan-dasar-hukum" / "material.md"
    material.write_text(material.read_text() + "\nTambahan.\n")
    refused = _run(app, "courses", "import", str(copy))
    assert refused.exit_code == 1
    assert "raise the version" in refused.output
    course = copy / "course.toml"
    course.write_text(course.read_text().replace('version = "2.1.0"', 'version = "2.2.0"'))
    accepted = _run(app, "courses", "import", str(copy))
    assert accepted.exit_code == 0 and "version #2" in accepted.output


def test_courses_export_refuses_unknown_courses_and_full_folders(app, db, tmp_path):
    assert _run(app, "courses", "export", "tidak-ada", str(tmp_path / "x")).exit_code == 1
    _run(app, "courses", "import", "spbe-dasar")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    result = _run(app, "courses", "export", "spbe-dasar", str(tmp_path / "full"))
    assert result.exit_code == 1 and "not empty" in result.output


def test_courses_validate_a_name_or_a_missing_path(app):
    assert _run(app, "courses", "validate", "spbe-dasar").exit_code == 0
    result = _run(app, "courses", "validate", "/no/such/package")
    assert result.exit_code != 0 and "neither a folder" in result.output
