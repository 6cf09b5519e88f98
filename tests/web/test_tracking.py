"""Tracking: the participant's gradebook, the cohort dashboard with at-risk flags, and the
exports agree on the same numbers; dashboards issue a fixed number of statements."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time

from openpyxl import load_workbook
from sqlalchemy import select

from courses.meetings import services as meetings
from courses.meetings.models import AttendanceStatus
from courses.models import Activity, Module
from lms.cohorts.models import Cohort
from tests.web.test_assignments import RUBRIC
from tests.web.test_quizzes import _choice, _revision, _start, _tokens


def _course(make_course, modules=2, slug="kursus-uji"):
    questions = {n: [_choice(f"m{n}-a"), _choice(f"m{n}-b")] for n in range(1, modules + 1)}
    return make_course(
        slug=slug,
        modules=modules,
        activities=(
            ("pre-test", "quiz", {"kind": "pre", "draw": 2}),
            ("bacaan", "reading"),
            ("pertemuan", "meeting"),
            ("post-test", "quiz", {"kind": "post", "draw": 2, "pass_percent": 70}),
            ("tugas", "assignment", {"brief": "Tugas", "rubric": RUBRIC}),
        ),
        questions=questions,
    )


def _take(client, cohort_id, activity_id, right):
    attempt_id = _start(
        client, type("C", (), {"id": cohort_id}), type("A", (), {"id": activity_id})
    )
    page = client.get(f"/learn/{cohort_id}/attempts/{attempt_id}").get_data(as_text=True)
    form = {"revision": _revision(page)}
    for slot in (1, 2):
        form[f"q{slot}"] = _tokens(page, f"q{slot}")["Benar" if slot <= right else "Salah"]
    client.post_form(f"/learn/{cohort_id}/attempts/{attempt_id}/submit", form)


def _class(db, make_user, make_cohort, make_course, attach, size=2, slug="kursus-uji"):
    mentor = make_user("mentor")
    people = [make_user("participant", name=f"Peserta {i:02d}") for i in range(size)]
    cohort = make_cohort("32.11", mentors=[mentor], participants=people)
    version = _course(make_course, slug=slug)
    attach(cohort, version)
    meetings.generate_schedule(
        db.session.get(Cohort, cohort.id),
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", mentor.id),
        "Asia/Jakarta",
    )
    db.session.commit()
    return mentor, people, cohort, version


def _quiz(db, version, module_position, kind):
    return db.session.scalar(
        select(Activity.id)
        .join(Module, Module.id == Activity.module_id)
        .where(
            Module.version_id == version.id,
            Module.position == module_position,
            Activity.key == kind,
        )
    )


def test_dashboard_gradebook_and_export_agree_and_flag_who_is_at_risk(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (good, weak), cohort, version = _class(db, make_user, make_cohort, make_course, attach)
    # good: pre 50% then post 100% in session 1; weak: post 50% (below 70) and absent twice.
    login(good)
    _take(client, cohort.id, _quiz(db, version, 1, "pre-test"), right=1)
    _take(client, cohort.id, _quiz(db, version, 1, "post-test"), right=2)
    client.post_form("/logout")
    login(weak)
    _take(client, cohort.id, _quiz(db, version, 1, "post-test"), right=1)
    client.post_form("/logout")
    for meeting in meetings.meetings_of(cohort.id):
        meetings.record_attendance(
            db.session.get(Cohort, cohort.id),
            meeting,
            {good.id: AttendanceStatus.PRESENT, weak.id: AttendanceStatus.ABSENT},
            mentor.id,
            {},
        )
    db.session.commit()

    login(good)
    book = client.get(f"/learn/{cohort.id}/gradebook").get_data(as_text=True)
    assert book.count('data-testid="grade-line"') == 6  # pre, post, assignment × 2 sessions
    # post-tests weigh 40 over 2 (20 each): 100% on one of them gives a course grade of 20%.
    assert "20%" in book.split('data-testid="course-grade"')[1][:400]
    client.post_form("/logout")

    login(mentor)
    page = client.get(f"/cohorts/{cohort.id}/dashboard").get_data(as_text=True)
    risk = page.split('data-testid="at-risk"', 1)[1].split("</article>", 1)[0]
    assert weak.name in risk and good.name not in risk
    assert "2" in risk  # missed 2 meetings
    grid = page.split('data-testid="dashboard-grid"', 1)[1]
    good_row = grid.split(good.name, 1)[1].split("</tr>", 1)[0]
    # session 1: pre 50, post 100 (each graded item of the session has its own mark)
    assert re.search(r'data-category="pre">[^<]*: 50%', good_row)
    assert re.search(r'data-category="post">[^<]*: 100%', good_row)
    assert ">1,00<" in good_row  # decimal comma; gain (100 − 50) / (100 − 50) = 1.00

    response = client.get(f"/cohorts/{cohort.id}/export/progress.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[good.name][4] == "20.0"  # the same course grade as the gradebook
    assert "2" in by_name[weak.name][6]
    xlsx = client.get(f"/cohorts/{cohort.id}/export/gradebook.xlsx")
    assert xlsx.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert values[good.name][-2] == 20.0


def test_dashboard_statements_do_not_grow_with_the_cohort(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    counts = []
    for size, slug in ((2, "kecil"), (12, "besar")):
        mentor, people, cohort, version = _class(
            db, make_user, make_cohort, make_course, attach, size=size, slug=slug
        )
        login(people[0])
        _take(client, cohort.id, _quiz(db, version, 1, "post-test"), right=2)
        client.post_form("/logout")
        login(mentor)
        with count_queries() as counted:
            assert client.get(f"/cohorts/{cohort.id}/dashboard").status_code == 200
        counts.append(counted.n)
        client.post_form("/logout")
    assert counts[0] == counts[1]


def test_only_staff_of_the_cohort_see_its_dashboard_and_exports(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (participant, _), cohort, _ = _class(db, make_user, make_cohort, make_course, attach)
    for user, status in [
        (participant, 403),
        (make_user("coordinator", region="35.10"), 403),
        (make_user("mentor"), 403),
        (make_user("coordinator", region="32.11"), 200),
        (mentor, 200),
    ]:
        login(user)
        assert client.get(f"/cohorts/{cohort.id}/dashboard").status_code == status
        export = client.get(f"/cohorts/{cohort.id}/export/attendance.csv")
        assert export.status_code == status
        client.post_form("/logout")


def test_national_dashboard_figures_filters_and_statement_count(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    admin = make_user("admin")
    version = _course(make_course)
    counts = []
    for step, regions in enumerate((("32.11",), ("35.10", "73.71", "32.04"))):
        for code in regions:
            people = [make_user("participant", region=code) for _ in range(2)]
            cohort = make_cohort(code, participants=people)
            attach(cohort, version)
            login(people[0])
            _take(client, cohort.id, _quiz(db, version, 1, "pre-test"), right=1)
            _take(client, cohort.id, _quiz(db, version, 1, "post-test"), right=2)
            client.post_form("/logout")
        login(admin)
        with count_queries() as counted:
            page = client.get("/admin/dashboard")
        assert page.status_code == 200
        counts.append(counted.n)
        client.post_form("/logout")
        if step == 0:
            html = page.get_data(as_text=True)
            row = html.split('data-testid="figures-row"', 1)[1].split("</tr>", 1)[0]
            assert "Sumedang" in row and ">2<" in row  # two enrolled
            # post 100, pre 50 → gain 1.00, with the Indonesian decimal comma
            assert "100%" in row and "1,00" in row
    assert counts[0] == counts[1]
    login(admin)
    page = client.get("/admin/dashboard?province=35").get_data(as_text=True)
    assert page.count('data-testid="figures-row"') == 1 and "Banyuwangi" in page
    xlsx = client.get("/admin/dashboard?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 5  # header + four regions
    distribution = page.split('data-testid="gain-distribution"', 1)[1]
    assert "≥ 0.7" in distribution


def test_region_view_is_for_its_coordinator_and_admins(
    db, client, login, make_user, make_cohort, make_course, attach
):
    version = _course(make_course)
    for name in ("Angkatan A", "Angkatan B"):
        attach(make_cohort("32.11", name=name), version)
    login(make_user("coordinator", region="32.11"))
    page = client.get("/regions/32.11/dashboard").get_data(as_text=True)
    assert page.count('data-testid="figures-row"') == 2
    assert client.get("/regions/35.10/dashboard").status_code == 403
    client.post_form("/logout")
    login(make_user("mentor"))
    assert client.get("/regions/32.11/dashboard").status_code == 403
    assert client.get("/admin/dashboard").status_code == 403
