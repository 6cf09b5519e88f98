"""A plugin's failure stays in its place, a broken plugin stops start-up with a short
message, and a discarded draft leaves nothing behind for the next one."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courses.models import Activity, CourseVersion, Module
from lms import create_app
from lms.extensions import db as _db
from lms.plugins import PluginError
from tests.conftest import PASSWORD, app_with_plugins


def _ep(name: str, cls: str) -> EntryPoint:
    return EntryPoint(name=name, value=f"tests.plugins.broken:{cls}", group="lms.activity_types")


@pytest.fixture
def broken_app(app):
    points = [
        _ep("exploding", "Exploding"),
        _ep("bad_prepare", "BadPrepare"),
        _ep("bad_grades", "BadGrades"),
    ]
    with app_with_plugins(app, points) as other:
        yield other


def _login(client, user):
    assert (
        client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    )


def test_a_failing_activity_shows_a_notice_and_the_rest_of_the_session_works(
    broken_app, make_user, make_cohort, make_course, attach, caplog
):
    version = make_course(
        modules=1,
        activities=(
            ("bacaan", "reading"),
            ("meledak", "exploding"),
            ("persiapan", "bad_prepare"),
            ("nilai", "bad_grades"),
        ),
        material="## Materi tetap terbaca\n",
    )
    person = make_user("participant")
    cohort = make_cohort("32.11", participants=[person])
    attach(cohort, version)
    with broken_app.app_context():
        module_id = _db.session.scalar(select(Module.id).where(Module.version_id == version.id))
    client = broken_app.test_client()
    _login(client, person)
    with caplog.at_level(logging.ERROR, logger="lms.plugins"):
        response = client.get(f"/learn/{cohort.id}/modules/{module_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Materi tetap terbaca" in page
    assert page.count('data-testid="activity-unavailable"') == 1  # the exploding one
    assert "<p>ok</p>" in page and "<p>nilai</p>" in page  # its neighbours still render
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "'exploding' failed in render" in logged and "'bad_prepare' failed in prepare" in logged


def test_a_graded_type_that_fails_never_takes_down_staff_pages(
    broken_app, make_user, make_cohort, make_course, attach, caplog
):
    version = make_course(modules=1, activities=(("bacaan", "reading"), ("nilai", "bad_grades")))
    person, mentor = make_user("participant"), make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[person])
    attach(cohort, version)
    participant = broken_app.test_client()
    _login(participant, person)
    book = participant.get(f"/learn/{cohort.id}/gradebook")
    assert book.status_code == 200
    assert "Aktivitas ini tidak dapat ditampilkan sekarang." in book.get_data(as_text=True)
    staff = broken_app.test_client()
    _login(staff, mentor)
    with caplog.at_level(logging.ERROR, logger="lms.plugins"):
        board = staff.get(f"/cohorts/{cohort.id}/dashboard")
        export = staff.get(f"/cohorts/{cohort.id}/export/gradebook.csv")
    assert board.status_code == 200 and export.status_code == 200
    assert 'data-testid="unavailable"' in board.get_data(as_text=True)
    assert "'bad_grades' failed in result_query" in " ".join(r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (
            [_ep("missing_results", "MissingResults")],
            "declares grade categories but lacks result_query",
        ),
        ([_ep("clashing", "ClashingCategory")], "declares the grade category 'post' already"),
        (
            [
                EntryPoint(
                    name="gone", value="tests.plugins.nowhere:Gone", group="lms.activity_types"
                )
            ],
            "plugin 'gone' (lms.activity_types = tests.plugins.nowhere:Gone) failed to load",
        ),
    ],
    ids=["missing-method", "duplicate-category", "import-error"],
)
def test_a_broken_plugin_stops_start_up_naming_it(app, points, message):
    with pytest.raises(PluginError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "LMS_EXTRA_PLUGINS": points})


def test_the_lms_command_names_a_broken_distribution_without_a_traceback(tmp_path: Path):
    """A real installed distribution whose module fails to import."""
    dist = tmp_path / "lms_broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: lms-broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[lms.activity_types]\nrusak = lms_broken_plugin:Rusak\n"
    )
    (tmp_path / "lms_broken_plugin.py").write_text(
        textwrap.dedent(
            """
            import a_module_that_is_not_installed  # noqa: F401
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DATABASE_URL": "sqlite://"}
    done = subprocess.run(
        [sys.executable, "-m", "lms.cli", "courses", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "plugin 'rusak'" in done.stderr and "from lms-broken-plugin" in done.stderr
    assert "a_module_that_is_not_installed" in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 3


def test_discard_start_edit_publish_three_times(db, client, login, make_user, make_course):
    version = make_course(modules=2)
    login(make_user("admin"))
    course_id = version.course_id
    for round_ in range(3):
        assert client.post_form(f"/admin/courses/{course_id}/draft").status_code == 302
        assert client.post_form(f"/admin/courses/{course_id}/draft/discard").status_code == 302
        response = client.post_form(f"/admin/courses/{course_id}/draft")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        draft = db.session.scalar(
            select(CourseVersion).where(
                CourseVersion.course_id == course_id, CourseVersion.status == "draft"
            )
        )
        modules = db.session.scalars(
            select(Module).where(Module.version_id == draft.id).order_by(Module.position)
        ).all()
        assert [m.position for m in modules] == [1, 2]  # no leftovers of the discarded draft
        form = {
            "slug": modules[0].slug,
            "title": f"Sesi 1 putaran {round_}",
            "summary": modules[0].summary,
            "objectives": "Tujuan",
            "duration_minutes": "45",
            "indicators": "1",
            "material": "Materi",
            "meeting_minutes": "90",
            "meeting_agenda": "Paparan",
            "revision": str(modules[0].revision),
        }
        edit = client.post_form(f"/admin/courses/{course_id}/modules/{modules[0].id}/edit", form)
        assert edit.status_code == 302, edit.get_data(as_text=True)[:300]
        publish = client.post_form(f"/admin/courses/{course_id}/publish", {"confirmed": "yes"})
        assert publish.status_code == 302, publish.get_data(as_text=True)[:300]
        db.session.expire_all()
    orphans = db.session.scalar(
        select(func.count(Module.id)).where(Module.version_id.not_in(select(CourseVersion.id)))
    )
    assert orphans == 0
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 4
    assert db.session.scalar(select(func.count(Activity.id))) == 4 * 2 * 2
