"""A cohort's schedule, attendance (which completes meeting activities), session notes,
and calendars (.ics per meeting and the personal feed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import icalendar
from sqlalchemy import func, select

from courses.meetings import services
from courses.meetings.models import Attendance, Meeting
from courses.models import Activity, ActivityCompletion, Module


def _course_cohort(db, make_user, make_cohort, make_course, attach, region="32.11", n=2):
    mentor = make_user("mentor")
    people = [make_user("participant", region=region) for _ in range(n)]
    cohort = make_cohort(region, mentors=[mentor], participants=people)
    version = make_course(modules=3)
    attach(cohort, version)
    return mentor, people, cohort, version


def _schedule(db, cohort, mentor=None):
    from lms.cohorts.models import Cohort

    cohort = db.session.get(Cohort, cohort.id)
    services.generate_schedule(
        cohort,
        services.ScheduleInput(
            first_day=date(2026, 12, 7),
            start_time=time(9, 0),
            every_days=7,
            place="Aula Diskominfo",
            online_url="https://meet.example.org/x",
            mentor_id=mentor.id if mentor else None,
        ),
        "Asia/Jakarta",
    )
    db.session.commit()
    return services.meetings_of(cohort.id)


def test_generated_schedule_uses_the_regions_time_zone(
    db, client, login, make_user, make_cohort, make_course, attach
):
    _, _, cohort, _ = _course_cohort(db, make_user, make_cohort, make_course, attach, "73.71")
    login(make_user("coordinator", region="73.71"))
    response = client.post_form(
        f"/cohorts/{cohort.id}/schedule",
        {"first_day": "2026-12-07", "start_time": "09:00", "every_days": "7"},
    )
    assert response.status_code == 302
    meetings = services.meetings_of(cohort.id)
    assert len(meetings) == 3
    # 09:00 WITA (Makassar, UTC+8) is 01:00 UTC; one week apart.
    assert meetings[0].starts_at == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert meetings[2].starts_at == datetime(2026, 12, 21, 1, 0, tzinfo=UTC)
    page = client.get(f"/cohorts/{cohort.id}/schedule").get_data(as_text=True)
    assert page.count('data-testid="meeting-row"') == 3 and "09.00" in page
    # Generating again keeps what exists.
    client.post_form(
        f"/cohorts/{cohort.id}/schedule",
        {"first_day": "2027-01-01", "start_time": "10:00", "every_days": "7"},
    )
    assert db.session.scalar(select(func.count(Meeting.id))) == 3


def test_only_managers_generate_and_bad_links_are_refused(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, _, cohort, _ = _course_cohort(db, make_user, make_cohort, make_course, attach)
    login(mentor)
    data = {"first_day": "2026-12-07", "start_time": "09:00", "every_days": "7"}
    assert client.post_form(f"/cohorts/{cohort.id}/schedule", data).status_code == 403
    client.post_form("/logout")
    login(make_user("admin"))
    bad = client.post_form(
        f"/cohorts/{cohort.id}/schedule", {**data, "online_url": "javascript:alert(1)"}
    )
    assert bad.status_code == 422
    assert 'data-testid="error-online_url"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def _meeting_activity(db, version, slug="01-sesi"):
    return db.session.scalar(
        select(Activity.id)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version.id, Module.slug == slug, Activity.type == "meeting")
    )


def test_attendance_completes_the_meeting_activity_and_can_be_corrected(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (a, b), cohort, version = _course_cohort(
        db, make_user, make_cohort, make_course, attach
    )
    meeting = _schedule(db, cohort, mentor)[0]
    login(mentor)
    url = f"/cohorts/{cohort.id}/meetings/{meeting.id}/attendance"
    assert client.get(url).status_code == 200
    response = client.post_form(url, {f"status-{a.id}": "present", f"status-{b.id}": "absent"})
    assert response.status_code == 302
    activity = _meeting_activity(db, version)
    completed = db.session.scalars(
        select(ActivityCompletion.enrolment_id).where(ActivityCompletion.activity_id == activity)
    ).all()
    assert len(completed) == 1
    page = client.get(url).get_data(as_text=True)
    assert f'name="status-{a.id}" value="present" checked' in page
    # Corrected: A was absent after all, B came late.
    client.post_form(url, {f"status-{a.id}": "absent", f"status-{b.id}": "late"})
    rows = dict(db.session.execute(select(Attendance.user_id, Attendance.status)).all())
    assert rows == {a.id: "absent", b.id: "late"}
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 1


def test_a_missing_status_is_shown_next_to_the_participant_and_nothing_is_saved(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (a, b), cohort, _ = _course_cohort(db, make_user, make_cohort, make_course, attach)
    meeting = _schedule(db, cohort, mentor)[0]
    login(mentor)
    url = f"/cohorts/{cohort.id}/meetings/{meeting.id}/attendance"
    response = client.post_form(url, {f"status-{a.id}": "late"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'data-testid="error-status-{b.id}"' in page
    assert f'name="status-{a.id}" value="late" checked' in page
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_attendance_is_for_the_cohorts_mentors_and_admins_only(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, people, cohort, _ = _course_cohort(db, make_user, make_cohort, make_course, attach)
    meeting = _schedule(db, cohort, mentor)[0]
    url = f"/cohorts/{cohort.id}/meetings/{meeting.id}/attendance"
    for user, status in [
        (make_user("mentor"), 403),
        (make_user("coordinator", region="32.11"), 403),
        (people[0], 403),
        (make_user("admin"), 200),
    ]:
        login(user)
        assert client.get(url).status_code == status, user.role
        client.post_form("/logout")


def test_session_notes_reach_the_cohort_sanitized(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (a, _), cohort, version = _course_cohort(
        db, make_user, make_cohort, make_course, attach
    )
    meeting = _schedule(db, cohort, mentor)[0]
    login(mentor)
    response = client.post_form(
        f"/cohorts/{cohort.id}/meetings/{meeting.id}/notes",
        {"notes": "**Tindak lanjut**: susun SK Tim.\n\n<script>alert(1)</script>"},
    )
    assert response.status_code == 302
    client.post_form("/logout")
    login(a)
    module_id = db.session.scalar(
        select(Module.id).where(Module.version_id == version.id, Module.slug == "01-sesi")
    )
    page = client.get(f"/learn/{cohort.id}/modules/{module_id}").get_data(as_text=True)
    notes = page.split('data-testid="session-notes"', 1)[1]
    assert "<strong>Tindak lanjut</strong>" in notes
    assert "<script>alert(1)" not in page


def test_a_meeting_downloads_as_an_ics_file(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (a, _), cohort, _ = _course_cohort(db, make_user, make_cohort, make_course, attach)
    meeting = _schedule(db, cohort, mentor)[0]
    login(a)
    response = client.get(f"/learn/{cohort.id}/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment")
    calendar = icalendar.Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Sesi 1"
    assert event.decoded("DTSTART") == datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    client.post_form("/logout")
    stranger = make_user("participant")
    make_cohort("32.11", participants=[stranger])
    login(stranger)
    assert client.get(f"/learn/{cohort.id}/meetings/{meeting.id}.ics").status_code == 403


def test_the_personal_calendar_feed_lists_every_meeting_and_can_be_replaced(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor, (a, _), cohort, _ = _course_cohort(db, make_user, make_cohort, make_course, attach)
    _schedule(db, cohort, mentor)
    login(a)
    assert client.post_form("/account/calendar").status_code == 302
    page = client.get("/account/calendar").get_data(as_text=True)
    url = page.split('data-testid="feed-url"', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    path = url.split("lms.test", 1)[1]
    client.post_form("/logout")
    feed = client.get(path)  # no login: the address is the key
    assert feed.status_code == 200
    assert len(icalendar.Calendar.from_ical(feed.data).walk("VEVENT")) == 3
    assert client.get("/calendar/" + "x" * 32 + ".ics").status_code == 404
    login(a)
    client.post_form("/account/calendar")
    client.post_form("/logout")
    assert client.get(path).status_code == 404
