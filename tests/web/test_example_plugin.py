"""The outside plugin in `examples/external-tool` counts everywhere a built-in does.

It is installed into an app from its own pyproject.toml entry points (as `pip install -e`
would), and a course whose graded work is its `external_tool` activity is followed through
the validated package, the participant's gradebook and course grade, the cohort dashboard
cell, the CSV/XLSX exports, an at-risk reason it raises, the certificate and the national
dashboard, and across a move to a new course version. No engine module names it.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courses import package as pkg
from courses.models import Activity, ActivityCompletion, Module
from lms.certificates.models import Certificate
from lms.extensions import db as _db
from tests.conftest import PASSWORD, app_with_plugins, course_package

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "external-tool"


def example_entry_points() -> list[EntryPoint]:
    """The entry points exactly as the example distribution declares them."""
    data = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    return [
        EntryPoint(name=name, value=value, group=group)
        for group, points in data["project"]["entry-points"].items()
        for name, value in points.items()
    ]


@pytest.fixture
def plugin_app(app):
    sys.path.insert(0, str(EXAMPLE))
    try:
        with app_with_plugins(app, example_entry_points()) as other:
            yield other
    finally:
        sys.path.remove(str(EXAMPLE))


TOOL = {"tool_url": "https://simulasi.example.id/layanan", "pass_percent": 60}


def _package(version: str = "1.0.0", title: str = "Kursus Alat"):
    course = course_package(
        slug="kursus-alat",
        modules=2,
        version=version,
        title=title,
        activities=(("bacaan", "reading"), ("simulasi", "external_tool", TOOL)),
    )
    # The built-in categories left out would keep their default weights: say they weigh 0.
    weights = (("pre", 0), ("practice", 0), ("post", 0), ("assignment", 0), ("external", 100))
    return pkg.GradingWeights(pass_percent=60, weights=weights), course


def _publish(plugin_app, tmp_path, version="1.0.0", title="Kursus Alat"):
    """Write the package, validate it with the plugin's registry, import it."""
    from dataclasses import replace

    from courses import services
    from lms import plugins

    grading, course = _package(version, title)
    folder = tmp_path / f"pkg-{version}"
    pkg.dump_package(replace(course, grading=grading), folder)
    with plugin_app.app_context():
        loaded, problems = pkg.load_with(plugins.registry(), folder)
        assert problems == [], problems
        assert loaded.grading.weight("external") == 100
        result = services.import_package(loaded)
        _db.session.commit()
        return result.version.id


def _login(client, user):
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _tool_ids(plugin_app, version_id):
    with plugin_app.app_context():
        return list(
            _db.session.scalars(
                select(Activity.id)
                .join(Module, Module.id == Activity.module_id)
                .where(Module.version_id == version_id, Activity.type == "external_tool")
                .order_by(Module.position)
            )
        )


def _score(client, cohort_id, activity_id, value):
    """The participant launches the tool; the tool posts the score back with the token."""
    module_page = client.get(f"/learn/{cohort_id}")
    assert module_page.status_code == 200
    launch = client.get(f"/activities/external_tool/{activity_id}/launch")
    assert launch.status_code == 302
    target = urlsplit(launch.headers["Location"])
    assert target.netloc == "simulasi.example.id"
    query = parse_qs(target.query)
    back = urlsplit(query["return"][0]).path
    tool = client.application.test_client()  # the tool has no session and no CSRF token
    answer = tool.post(back, json={"token": query["token"][0], "score": value})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return query["token"][0]


def test_a_graded_outside_activity_counts_everywhere(
    plugin_app, tmp_path, db, make_user, make_cohort
):
    from courses import services

    version_id = _publish(plugin_app, tmp_path)
    mentor = make_user("mentor")
    admin = make_user("admin")
    people = [make_user("participant", name="Ani Lulus"), make_user("participant", name="Budi")]
    cohort = make_cohort("32.11", mentors=[mentor], participants=people)
    with plugin_app.app_context():
        from courses.models import CourseVersion
        from lms.cohorts.models import Cohort

        services.attach_cohort(
            _db.session.get(Cohort, cohort.id), _db.session.get(CourseVersion, version_id)
        )
        _db.session.commit()
    first, second = _tool_ids(plugin_app, version_id)

    ani = plugin_app.test_client()
    _login(ani, people[0])
    for module_id in _module_ids(plugin_app, version_id):
        assert ani.get(f"/learn/{cohort.id}/modules/{module_id}").status_code == 200
    page = ani.get(f"/learn/{cohort.id}/modules/{_module_ids(plugin_app, version_id)[0]}")
    assert 'data-testid="external-launch"' in page.get_data(as_text=True)
    _score(ani, cohort.id, first, 40)
    _score(ani, cohort.id, second, 90)

    budi = plugin_app.test_client()
    _login(budi, people[1])
    _score(budi, cohort.id, first, 100)

    # The gradebook: each session's tool score with its weight (100 split in two), the
    # course grade (40 + 90) / 2 = 65, passed (pass mark 60) once every activity is done.
    book = ani.get(f"/learn/{cohort.id}/gradebook").get_data(as_text=True)
    assert "Alat eksternal" in book
    assert book.count("50,0%") == 2  # weights with the Indonesian decimal comma
    assert "65%" in book and 'data-testid="pass-state">Lulus' in book

    # The certificate was issued when the last activity completed.
    with plugin_app.app_context():
        certificate = _db.session.scalar(select(Certificate))
        assert certificate is not None and certificate.participant_name == "Ani Lulus"
        assert certificate.grade_percent == 65.0
        completions = _db.session.scalar(
            select(ActivityCompletion.source).where(ActivityCompletion.activity_id == first)
        )
        assert completions == "result:graded"

    # The cohort dashboard: the tool's cell, and the at-risk reason the plugin raises for
    # Ani's first session (40 < 60).
    staff = plugin_app.test_client()
    _login(staff, mentor)
    board = staff.get(f"/cohorts/{cohort.id}/dashboard").get_data(as_text=True)
    assert "Alat eksternal: 40%" in board and "Alat eksternal: 90%" in board
    assert "score 40 below 60" in board
    risk_rows = re.findall(r'data-testid="at-risk-row"><strong>([^<]+)</strong>', board)
    assert risk_rows == ["Ani Lulus"]

    # The exports carry the same numbers.
    text = staff.get(f"/cohorts/{cohort.id}/export/gradebook.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    ani_row = next(r for r in rows if r[0] == "Ani Lulus")
    assert ani_row[2:5] == ["40.0", "90.0", "65.0"]
    sheet = load_workbook(
        io.BytesIO(staff.get(f"/cohorts/{cohort.id}/export/gradebook.xlsx").data)
    ).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert next(v for v in values if v[0] == "Ani Lulus")[2:5] == [40.0, 90.0, 65.0]
    progress = staff.get(f"/cohorts/{cohort.id}/export/progress.csv").get_data(as_text=True)
    assert "score 40 below 60" in progress

    # The national dashboard: the plugin's category figure for the region (40, 90, 100).
    national = plugin_app.test_client()
    _login(national, admin)
    page = national.get("/admin/dashboard").get_data(as_text=True)
    assert "Alat eksternal" in page and "77%" in page

    # A new version of the course: the cohort moves, every result stays in the gradebook.
    new_id = _publish(plugin_app, tmp_path, version="1.1.0", title="Kursus Alat (revisi)")
    with plugin_app.app_context():
        from courses.models import CourseVersion
        from lms.cohorts.models import Cohort

        services.attach_cohort(
            _db.session.get(Cohort, cohort.id), _db.session.get(CourseVersion, new_id)
        )
        _db.session.commit()
    book = ani.get(f"/learn/{cohort.id}/gradebook").get_data(as_text=True)
    assert "Kursus Alat (revisi)" in book and "65%" in book


def _module_ids(plugin_app, version_id):
    with plugin_app.app_context():
        return list(
            _db.session.scalars(
                select(Module.id).where(Module.version_id == version_id).order_by(Module.position)
            )
        )


def test_a_forged_or_out_of_range_score_is_refused(plugin_app, tmp_path, make_user, make_cohort):
    from courses import services

    version_id = _publish(plugin_app, tmp_path)
    person = make_user("participant")
    cohort = make_cohort("32.11", participants=[person])
    with plugin_app.app_context():
        from courses.models import CourseVersion
        from lms.cohorts.models import Cohort

        services.attach_cohort(
            _db.session.get(Cohort, cohort.id), _db.session.get(CourseVersion, version_id)
        )
        _db.session.commit()
    first, _second = _tool_ids(plugin_app, version_id)
    client = plugin_app.test_client()
    _login(client, person)
    launch = client.get(f"/activities/external_tool/{first}/launch")
    token = parse_qs(urlsplit(launch.headers["Location"]).query)["token"][0]
    tool = plugin_app.test_client()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (
        tool.post(
            "/activities/external_tool/score", json={"token": forged, "score": 99}
        ).status_code
        == 403
    )
    assert (
        tool.post(
            "/activities/external_tool/score", json={"token": token, "score": 101}
        ).status_code
        == 400
    )
    # Someone not enrolled cannot launch it.
    stranger = plugin_app.test_client()
    _login(stranger, make_user("participant"))
    assert stranger.get(f"/activities/external_tool/{first}/launch").status_code == 403
    with plugin_app.app_context():
        assert _db.session.scalar(select(ActivityCompletion.id)) is None


def test_grading_refuses_a_category_no_installed_type_declares(plugin_app, app, tmp_path):
    from dataclasses import replace

    from lms import plugins

    grading, course = _package()
    folder = tmp_path / "pkg"
    pkg.dump_package(replace(course, grading=grading), folder)
    with app.app_context():  # an app without the plugin
        loaded, problems = pkg.load_with(plugins.registry(), folder)
    assert loaded is None
    messages = [str(p) for p in problems]
    assert any(
        m.startswith("course.toml:") and "unknown grade category 'grading.external'" in m
        for m in messages
    ), messages
    assert any("unknown activity type 'external_tool'" in m for m in messages), messages


def _counted(count_queries, client, url):
    client.get(url)  # warm: the first request of a session loads more
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.n


def test_pages_with_the_outside_type_issue_the_same_statements_whatever_the_size(
    plugin_app, tmp_path, make_user, make_cohort, count_queries
):
    """Gradebook, dashboard and export cost the same for 2 and 8 scored participants."""
    from courses import services

    version_id = _publish(plugin_app, tmp_path)
    first, second = _tool_ids(plugin_app, version_id)
    counts = []
    for size in (2, 8):
        mentor = make_user("mentor")
        people = [make_user("participant") for _ in range(size)]
        cohort = make_cohort("32.11", mentors=[mentor], participants=people)
        with plugin_app.app_context():
            from courses.models import CourseVersion
            from lms.cohorts.models import Cohort

            services.attach_cohort(
                _db.session.get(Cohort, cohort.id), _db.session.get(CourseVersion, version_id)
            )
            _db.session.commit()
        for n, person in enumerate(people):
            client = plugin_app.test_client()
            _login(client, person)
            _score(client, cohort.id, first, 30 + n)
            _score(client, cohort.id, second, 70)
        staff = plugin_app.test_client()
        _login(staff, mentor)
        learner = plugin_app.test_client()
        _login(learner, people[0])
        counts.append(
            (
                _counted(count_queries, staff, f"/cohorts/{cohort.id}/dashboard"),
                _counted(count_queries, staff, f"/cohorts/{cohort.id}/export/gradebook.csv"),
                _counted(count_queries, learner, f"/learn/{cohort.id}/gradebook"),
            )
        )
    assert counts[0] == counts[1], counts
