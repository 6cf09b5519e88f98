"""The mentor's to-do counts participants at risk in their own running cohorts, by the same
rules as each cohort's dashboard, in a fixed number of statements."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from assignments.models import AssignmentWindow
from courses.meetings import services as meetings
from courses.meetings.models import AttendanceStatus
from courses.models import Module
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from tests.web.test_tracking import _course


def _cohort(db, make_user, make_cohort, attach, version, mentor, size, **dates):
    people = [make_user("participant", name=f"Peserta {i:02d}") for i in range(size)]
    cohort = make_cohort("32.11", mentors=[mentor], participants=people, **dates)
    attach(cohort, version)
    meetings.generate_schedule(
        db.session.get(Cohort, cohort.id),
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", mentor.id),
        "Asia/Jakarta",
    )
    db.session.commit()
    return cohort, people


def _absent(db, cohort, mentor, people):
    """Mark `people` absent at every meeting of the cohort (two sessions: two misses)."""
    for meeting in meetings.meetings_of(cohort.id):
        meetings.record_attendance(
            db.session.get(Cohort, cohort.id),
            meeting,
            {p.id: AttendanceStatus.ABSENT for p in people},
            mentor.id,
            {},
        )
    db.session.commit()


def _overdue(db, cohort, version):
    """The cohort's own due date for session 1's assignment, a month ago: everyone who has
    not submitted is overdue."""
    slug = db.session.scalar(
        select(Module.slug).where(Module.version_id == version.id, Module.position == 1)
    )
    db.session.add(
        AssignmentWindow(
            cohort_id=cohort.id,
            module_slug=slug,
            activity_key="tugas",
            due_at=datetime.now(UTC) - timedelta(days=30),
        )
    )
    db.session.commit()


def _todo_count(page, key="todo-at-risk"):
    part = page.split(f'data-testid="{key}"', 1)[1].split("</ul>", 1)[0]
    return int(re.search(r'data-testid="todo-count">(\d+)<', part).group(1))


def _dashboard_count(client, cohort_id):
    page = client.get(f"/cohorts/{cohort_id}/dashboard").get_data(as_text=True)
    return page.count('data-testid="at-risk-row"')


def test_todo_at_risk_equals_the_dashboards_of_the_mentors_running_cohorts(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor = make_user("mentor")
    other_mentor = make_user("mentor")
    version = _course(make_course)
    # A: two absent (one of them then withdrawn); B: everyone overdue by its own date;
    # C: nobody at risk; D: ended last month (not on the to-do); E: another mentor's.
    a, a_people = _cohort(db, make_user, make_cohort, attach, version, mentor, 4)
    _absent(db, a, mentor, a_people[:2])
    withdrawn = db.session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == a.id, Enrolment.user_id == a_people[1].id)
    )
    withdrawn.status = EnrolmentStatus.WITHDRAWN.value
    db.session.commit()
    b, _b_people = _cohort(db, make_user, make_cohort, attach, version, mentor, 3)
    _overdue(db, b, version)
    c, _c_people = _cohort(db, make_user, make_cohort, attach, version, mentor, 2)
    d, d_people = _cohort(
        db, make_user, make_cohort, attach, version, mentor, 2,
        start=date(2026, 6, 1), end=date.today() - timedelta(days=30),
    )  # fmt: skip
    _absent(db, d, mentor, d_people)
    e, e_people = _cohort(db, make_user, make_cohort, attach, version, other_mentor, 3)
    _absent(db, e, other_mentor, e_people)
    _overdue(db, e, version)

    login(mentor)
    page = client.get("/home").get_data(as_text=True)
    dashboards = {cohort.id: _dashboard_count(client, cohort.id) for cohort in (a, b, c, d)}
    assert dashboards == {a.id: 1, b.id: 3, c.id: 0, d.id: 2}
    assert _todo_count(page) == dashboards[a.id] + dashboards[b.id] + dashboards[c.id] == 4
    parts = page.split('data-testid="todo-at-risk"', 1)[1].split("</ul>", 1)[0]
    found = dict(
        re.findall(
            r'href="/cohorts/(\d+)/dashboard\?show=risk"><strong data-testid="todo-part-count">'
            r"(\d+)</strong>",
            parts,
        )
    )
    assert found == {str(a.id): "1", str(b.id): "3"}  # links only to cohorts with someone
    client.post_form("/logout")

    login(other_mentor)
    page = client.get("/home").get_data(as_text=True)
    assert _todo_count(page) == _dashboard_count(client, e.id) == 3
    # one cohort: the total itself links to its dashboard, filtered to those at risk
    assert f'href="/cohorts/{e.id}/dashboard?show=risk"><strong data-testid="todo-count">3<' in (
        page
    )
    client.post_form("/logout")

    login(make_user("coordinator", region="32.11"))
    assert 'data-testid="todo-at-risk"' not in client.get("/home").get_data(as_text=True)
