"""What every list contains, per role: rows that must appear and rows that never may.

The page-level access table (`test_access.py`) pins who may open a page; this module pins
what a page *lists*. One fixture world: two provinces, two regions in each, two cohorts per
region, each cohort with its own mentor, participant, submission, meeting and notification,
one coordinator per region, one admin. Every name is a unique token (`c3211a` is the first
cohort of 32.11, `p3211a` its participant, `m3211a` its mentor, `k3211` the region's
coordinator), so a page's text tells which rows it shows.

How to check that these tests guard `lms/policy.py` (a mutation check, done by hand):
change one clause so it lets more through, run this module, and see a failure. For
example, in `cohort_scope` make the coordinator branch `return true()`:

    .venv/bin/python -m pytest -q tests/web/test_list_scope.py

fails `test_cohort_list_and_search` and `test_staff_home_lists_only_cohorts_in_scope`
(among others). The clauses checked this way, each with the tests that fail:

- `cohort_scope` admin → `false()`: cohort list, staff home, import cohort choices.
- `cohort_scope` coordinator → `true()`: cohort list and search, staff home, import choices.
- `cohort_scope` mentor → `true()`: cohort list, staff home.
- `cohort_scope` participant → `true()`: `test_scope_functions_select_exactly_their_rows`.
- `user_scope` admin → `false()`, coordinator → `true()` or dropping either half of its
  AND: user list and search.
- `import_region_codes` coordinator → `None`: `test_import_refuses_rows_outside_the_region`.
- `can_view_cohort_roster` coordinator → `True`: cohort pages, dashboards and exports of
  other regions; `can_manage_cohort` for any region: their edit and enrol pages;
  `can_take_attendance` for any mentor: `test_object_checks_answer_for_every_role_and_cohort`.
- `can_manage_user` for any region: user list (edit links) and search.

The mutations are scripted in the issue-16 note (`/work/notes/i16.md`): each was applied
in a copy of the tree, this module run, and every one failed at least one test.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, time

import icalendar
import pytest
from sqlalchemy import select

from assignments.models import Submission
from courses.meetings import services as meeting_services
from courses.models import Activity
from lms import policy
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from lms.notifications.models import Notification
from lms.practices.models import Practice, PracticeStatus

PROVINCES = {"32": ("32.11", "32.73"), "35": ("35.10", "35.78")}
REGIONS = [code for codes in PROVINCES.values() for code in codes]
RUBRIC = [{"criterion": "Analisis", "levels": ["Kurang", "Baik"], "points": [0, 4]}]


def tok(code: str) -> str:
    return code.replace(".", "")


@dataclass
class World:
    admin: User
    coordinators: dict[str, User]
    mentors: dict[str, User]  # by cohort token
    participants: dict[str, User]  # by cohort token
    cohorts: dict[str, Cohort]  # by cohort token
    region_of: dict[str, str]  # cohort token → region code
    submissions: dict[str, int] = field(default_factory=dict)  # cohort token → id
    practices: dict[str, str] = field(default_factory=dict)  # proposer token → slug

    def cohort_tokens(self, region: str | None = None) -> set[str]:
        return {t for t, code in self.region_of.items() if region in (None, code)}

    def province_tokens(self, province: str) -> set[str]:
        return {t for t, code in self.region_of.items() if code.startswith(province + ".")}


@pytest.fixture
def world(db, make_user, make_cohort, make_course, attach) -> World:
    version = make_course(
        modules=1,
        activities=(
            ("bacaan", "reading"),
            ("pertemuan", "meeting"),
            ("tugas", "assignment", {"brief": "Petakan regulasi.", "rubric": RUBRIC}),
        ),
    )
    w = World(make_user("admin", name="adm0"), {}, {}, {}, {}, {})
    activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    for code in REGIONS:
        w.coordinators[code] = make_user(
            "coordinator", region=code, name=f"k{tok(code)}", email=f"k{tok(code)}@example.org"
        )
        for letter in "ab":
            t = f"{tok(code)}{letter}"
            mentor = make_user("mentor", name=f"m{t}", email=f"m{t}@example.org")
            person = make_user("participant", region=code, name=f"p{t}", email=f"p{t}@x.org")
            cohort = make_cohort(code, name=f"c{t}", mentors=[mentor], participants=[person])
            attach(cohort, version)
            w.mentors[t], w.participants[t], w.cohorts[t] = mentor, person, cohort
            w.region_of[t] = code
            meeting_services.generate_schedule(
                db.session.get(Cohort, cohort.id),
                meeting_services.ScheduleInput(
                    first_day=date(2026, 12, 7),
                    start_time=time(9, 0),
                    every_days=7,
                    place=f"place{t}",
                    online_url="",
                    mentor_id=mentor.id,
                ),
                "Asia/Jakarta",
            )
            enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == person.id))
            submission = Submission(
                activity_id=activity.id, enrolment_id=enrolment.id, number=1, text=f"s{t}"
            )
            db.session.add(submission)
            db.session.add(Notification(user_id=person.id, kind="x", params={}, link=f"/n{t}"))
            db.session.add(
                Practice(
                    slug=f"pr{t}",
                    title=f"pr{t}",
                    region_code=code,
                    status=PracticeStatus.PROPOSED.value,
                    created_by_id=person.id,
                )
            )
            for user in (person, mentor):
                db.session.get(User, user.id).calendar_token = f"feed-{user.name}-0123456789abc"
            db.session.flush()
            w.submissions[t] = submission.id
            w.practices[t] = f"pr{t}"
    db.session.commit()
    return w


_ECHOES = re.compile(r'value="[^"]*"|href="[^"]*\?[^"]*"')


def _shown(html: str, prefix: str, tokens: set[str]) -> set[str]:
    """Which of `tokens` (each prefixed) a page lists, leaving out the search terms it
    echoes back in form fields and paging links."""
    if "<main" in html:
        html = html.split("<main", 1)[1].split("</main>", 1)[0]
    html = _ECHOES.sub("", html)
    return {t for t in tokens if f"{prefix}{t}" in html}


def _as(client, login, user: User) -> None:
    client.post_form("/logout")
    login(user)


# --------------------------------------------------------------------------- cohorts


def test_cohort_list_and_search(client, login, world):
    everything = world.cohort_tokens()
    expected = {world.admin.id: everything}
    for code, coordinator in world.coordinators.items():
        expected[coordinator.id] = world.cohort_tokens(code)
    for t, mentor in world.mentors.items():
        expected[mentor.id] = {t}
    users = [world.admin, *world.coordinators.values(), *world.mentors.values()]
    searchers = {world.admin.id, world.coordinators["32.11"].id, world.mentors["3578b"].id}
    for user in users:
        _as(client, login, user)
        html = client.get("/cohorts/").get_data(as_text=True)
        assert _shown(html, "c", everything) == expected[user.id], user.name
        if user.id not in searchers:
            continue
        # a search or a region filter never reaches past the scope
        for t in everything:
            html = client.get(f"/cohorts/?q=c{t}").get_data(as_text=True)
            assert _shown(html, "c", everything) == ({t} & expected[user.id]), (user.name, t)
        for code in REGIONS:
            html = client.get(f"/cohorts/?region={code}").get_data(as_text=True)
            wanted = world.cohort_tokens(code) & expected[user.id]
            assert _shown(html, "c", everything) == wanted, (user.name, code)
    _as(client, login, world.participants["3211a"])
    assert client.get("/cohorts/").status_code == 403


def test_staff_home_lists_only_cohorts_in_scope(client, login, world):
    everything = world.cohort_tokens()
    cases = [(world.admin, everything)]
    cases += [(k, world.cohort_tokens(code)) for code, k in world.coordinators.items()]
    cases += [(world.mentors[t], {t}) for t in ("3211a", "3578b")]
    for user, wanted in cases:
        _as(client, login, user)
        html = client.get("/home").get_data(as_text=True)
        assert _shown(html, "c", everything) == wanted, user.name


def test_participant_home_and_notifications_are_their_own(client, login, world):
    everything = world.cohort_tokens()
    for t, person in world.participants.items():
        _as(client, login, person)
        assert _shown(client.get("/home").get_data(as_text=True), "c", everything) == {t}
        notes = client.get("/notifications/").get_data(as_text=True)
        assert _shown(notes, "/n", everything) == {t}, person.name


def test_cohort_pages_of_other_regions_are_refused(client, login, world):
    """Dashboards, exports and schedules of a cohort: only those who may see it."""
    for code, coordinator in world.coordinators.items():
        _as(client, login, coordinator)
        for t, cohort in world.cohorts.items():
            mine = world.region_of[t] == code
            for path in (
                f"/cohorts/{cohort.id}",
                f"/cohorts/{cohort.id}/edit",
                f"/cohorts/{cohort.id}/enrol",
                f"/cohorts/{cohort.id}/dashboard",
                f"/cohorts/{cohort.id}/export/progress.csv",
                f"/cohorts/{cohort.id}/schedule",
            ):
                assert client.get(path).status_code == (200 if mine else 403), (path, code)


# --------------------------------------------------------------------------- dashboards


def test_cohort_dashboard_and_exports_list_only_that_cohorts_participants(client, login, world):
    everything = world.cohort_tokens()
    for t in ("3211a", "3578b"):
        cohort = world.cohorts[t]
        for user in (world.admin, world.coordinators[world.region_of[t]], world.mentors[t]):
            _as(client, login, user)
            html = client.get(f"/cohorts/{cohort.id}/dashboard").get_data(as_text=True)
            assert _shown(html, "p", everything) == {t}, (user.name, t)
            for kind in ("progress", "gradebook", "attendance"):
                body = client.get(f"/cohorts/{cohort.id}/export/{kind}.csv")
                names = {row[0] for row in csv.reader(io.StringIO(body.data.decode("utf-8-sig")))}
                assert {n for n in names if n.startswith("p")} == {f"p{t}"}, (kind, user.name)


def test_region_and_national_dashboards(client, login, world):
    everything = world.cohort_tokens()
    for code, coordinator in world.coordinators.items():
        _as(client, login, coordinator)
        html = client.get(f"/regions/{code}/dashboard").get_data(as_text=True)
        assert _shown(html, "c", everything) == world.cohort_tokens(code)
        for other in REGIONS:
            if other != code:
                assert client.get(f"/regions/{other}/dashboard").status_code == 403
        assert client.get("/admin/dashboard").status_code == 403
    _as(client, login, world.admin)
    for code in REGIONS:
        html = client.get(f"/regions/{code}/dashboard").get_data(as_text=True)
        assert _shown(html, "c", everything) == world.cohort_tokens(code)
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert page.count('data-testid="figures-row"') == 4
    for province in PROVINCES:
        page = client.get(f"/admin/dashboard?province={province}").get_data(as_text=True)
        assert page.count('data-testid="figures-row"') == 2
        sheet = client.get(f"/admin/dashboard?province={province}&format=csv")
        rows = list(csv.reader(io.StringIO(sheet.data.decode("utf-8-sig"))))
        assert len(rows) == 3  # header + the province's two regions
    for mentor in world.mentors.values():
        _as(client, login, mentor)
        assert client.get("/admin/dashboard").status_code == 403
        assert client.get("/regions/32.11/dashboard").status_code == 403
        break


# --------------------------------------------------------------------------- people


def test_user_list_and_search(client, login, world):
    everyone = {u.name for u in world.participants.values()}
    everyone |= {u.name for u in world.mentors.values()}
    everyone |= {u.name for u in world.coordinators.values()} | {world.admin.name}

    def names(html: str) -> set[str]:
        if "<main" in html:
            html = html.split("<main", 1)[1].split("</main>", 1)[0]
        return {n for n in everyone if f">{n}<" in html}

    _as(client, login, world.admin)
    assert names(client.get("/users/").get_data(as_text=True)) == everyone
    for code, coordinator in world.coordinators.items():
        _as(client, login, coordinator)
        own = {f"p{t}" for t in world.cohort_tokens(code)}
        assert names(client.get("/users/").get_data(as_text=True)) == own, code
        for name in everyone:
            html = client.get(f"/users/?q={name}").get_data(as_text=True)
            assert names(html) == ({name} & own), (code, name)
        for role in ("admin", "coordinator", "mentor"):
            assert names(client.get(f"/users/?role={role}").get_data(as_text=True)) == set()
        for other in REGIONS:
            html = client.get(f"/users/?region={other}").get_data(as_text=True)
            assert names(html) == (own if other == code else set())
        for person in world.participants.values():
            status = 200 if person.region_code == code else 403
            assert client.get(f"/users/{person.id}/edit").status_code == status
    for user in (world.mentors["3211a"], world.participants["3211a"]):
        _as(client, login, user)
        assert client.get("/users/").status_code == 403


def test_import_refuses_rows_outside_the_region(client, login, world):
    everything = world.cohort_tokens()
    coordinator = world.coordinators["32.11"]
    _as(client, login, coordinator)
    page = client.get("/users/import").get_data(as_text=True)
    assert _shown(page, "c", everything) == world.cohort_tokens("32.11")
    table = "nama,email,kode_daerah\nOrang Lain,orang.lain@example.org,35.10\n"
    response = client.post_form(
        "/users/import",
        {"file": (io.BytesIO(table.encode()), "peserta.csv")},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "35.10" in html
    assert 'data-testid="import-confirm"' not in html or "0 " in html
    from lms.extensions import db

    assert db.session.scalar(select(User).where(User.email == "orang.lain@example.org")) is None
    _as(client, login, world.admin)
    page = client.get("/users/import").get_data(as_text=True)
    assert _shown(page, "c", everything) == everything


# --------------------------------------------------------------------------- grading, calendars


def test_grading_queue_lists_only_the_mentors_cohorts(client, login, world):
    everything = world.cohort_tokens()
    for t, mentor in world.mentors.items():
        _as(client, login, mentor)
        html = client.get("/grading/?status=all").get_data(as_text=True)
        assert _shown(html, "p", everything) == {t}
        assert _shown(html, "c", everything) == {t}  # the cohort filter's choices too
        assert html.count('data-testid="queue-row"') == 1
        for other, submission_id in world.submissions.items():
            status = 200 if other == t else 403
            assert client.get(f"/grading/submissions/{submission_id}").status_code == status
        other = next(c for o, c in world.cohorts.items() if o != t)
        html = client.get(f"/grading/?status=all&cohort={other.id}").get_data(as_text=True)
        assert html.count('data-testid="queue-row"') == 0
    _as(client, login, world.admin)
    html = client.get("/grading/?status=all").get_data(as_text=True)
    assert html.count('data-testid="queue-row"') == len(everything)
    for user in (world.coordinators["32.11"], world.participants["3211a"]):
        _as(client, login, user)
        assert client.get("/grading/").status_code == 403


def test_calendar_feeds_hold_only_the_users_own_meetings(client, world):
    everything = world.cohort_tokens()
    for group in (world.participants, world.mentors):
        for t, user in group.items():
            feed = client.get(f"/calendar/feed-{user.name}-0123456789abc.ics")
            assert feed.status_code == 200
            events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
            places = {str(e.get("LOCATION")) for e in events}
            assert {p for p in places if p.startswith("place")} == {f"place{t}"}, user.name
            assert _shown(feed.data.decode(), "place", everything) == {t}


def test_mentor_home_upcoming_meetings_are_their_own(client, login, world):
    # the schedule starts in the future relative to the fixture's dates only when it is;
    # what matters is that no other cohort's meeting ever shows
    everything = world.cohort_tokens()
    for t, mentor in world.mentors.items():
        _as(client, login, mentor)
        html = client.get("/home").get_data(as_text=True)
        assert _shown(html, "place", everything) <= {t}


# --------------------------------------------------------------------------- practices


def test_proposed_practices_are_listed_to_curators_only(client, login, world):
    everything = world.cohort_tokens()
    for user in (world.admin, world.mentors["3211a"]):
        _as(client, login, user)
        html = client.get("/practices/?status=proposed").get_data(as_text=True)
        assert _shown(html, "pr", everything) == everything
        assert _shown(client.get("/practices/").get_data(as_text=True), "pr", everything) == set()
    for user in (world.coordinators["32.11"], world.participants["3211a"]):
        _as(client, login, user)
        html = client.get("/practices/?status=proposed").get_data(as_text=True)
        assert _shown(html, "pr", everything) == set()
    _as(client, login, world.participants["3211b"])
    assert client.get("/practices/pr3211a").status_code == 403
    assert client.get("/practices/pr3211b").status_code == 200


# --------------------------------------------------------------------------- the functions


def test_scope_functions_select_exactly_their_rows(db, world):
    """Each `*_scope` and `import_region_codes`, queried directly, for every role."""

    def cohorts(user: User) -> set[str]:
        rows = db.session.scalars(select(Cohort.name).where(policy.cohort_scope(user)))
        return {name[1:] for name in rows}

    def users(user: User) -> set[str]:
        return set(db.session.scalars(select(User.name).where(policy.user_scope(user))))

    admin = db.session.get(User, world.admin.id)
    assert cohorts(admin) == world.cohort_tokens()
    assert len(users(admin)) == 1 + 4 + 8 + 8
    assert policy.import_region_codes(admin) is None
    for code, k in world.coordinators.items():
        k = db.session.get(User, k.id)
        assert cohorts(k) == world.cohort_tokens(code)
        assert users(k) == {f"p{t}" for t in world.cohort_tokens(code)}
        assert policy.import_region_codes(k) == {code}
    for t in world.cohort_tokens():
        mentor = db.session.get(User, world.mentors[t].id)
        person = db.session.get(User, world.participants[t].id)
        assert cohorts(mentor) == {t} and cohorts(person) == {t}
        assert users(mentor) == set() and users(person) == set()
        assert policy.import_region_codes(mentor) == set()
        assert policy.import_region_codes(person) == set()


def test_object_checks_answer_for_every_role_and_cohort(db, world):
    """`can_view_cohort_roster`, `can_manage_cohort` and `can_take_attendance` over the
    whole world: the lists above are built from the same answers."""
    people = [("admin", None, world.admin)]
    people += [("coordinator", code, k) for code, k in world.coordinators.items()]
    people += [("mentor", t, m) for t, m in world.mentors.items()]
    people += [("participant", t, p) for t, p in world.participants.items()]
    for role, where, user in people:
        user = db.session.get(User, user.id)
        for t, cohort in world.cohorts.items():
            cohort = db.session.get(Cohort, cohort.id)
            region_staff = role == "coordinator" and world.region_of[t] == where
            own_mentor = role == "mentor" and where == t
            assert policy.can_view_cohort_roster(user, cohort) == (
                role == "admin" or region_staff or own_mentor
            ), (user.name, t)
            assert policy.can_manage_cohort(user, cohort) == (role == "admin" or region_staff)
            assert policy.can_take_attendance(user, cohort) == (role == "admin" or own_mentor)
