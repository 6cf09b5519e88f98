"""Courses in a real browser: authoring with the live preview, publishing, attaching a cohort,
the participant's session plan and module page, and a mentor taking attendance."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from courses.meetings import services as meeting_services
from courses.meetings.models import Attendance, Meeting
from courses.models import Module
from lms.cohorts.models import Cohort
from lms.regions.models import Region
from tests.e2e.conftest import url_ending

# The Indonesian catalog is still being written, so flash texts are not matched word for word:
# their category (class), and the data they carry (labels, counts), are.
COURSE_SLUG = "spbe-dasar"
COURSE_TITLE = "Dasar-Dasar SPBE"
COURSE_LABEL = "1.0.0"
MODULE_TITLE = "Pengantar SPBE"
MATERIAL = (
    "## Judul\n\n"
    "Arsitektur SPBE dibahas secara **tebal** di sini.\n\n"
    "<script>window.__x=1</script>\n"
)


# --------------------------------------------------------------------------- helpers


def _success(page: Page) -> Locator:
    return page.locator("main p.flash-success[role=status]")


def _activity(page: Page, kind: str) -> Locator:
    return page.locator(f"[data-testid=activity][data-activity-type={kind}]")


def _radio(page: Page, user_id: int, status: str) -> Locator:
    return page.locator(f"input[type=radio][name='status-{user_id}'][value={status}]")


def _expect_complete(activity: Locator, complete: bool) -> None:
    state = activity.get_by_test_id("activity-state")
    expect(state).to_have_count(1)
    if complete:
        expect(state).to_have_class(re.compile(r"\bbadge-complete\b"))
    else:
        expect(state).not_to_have_class(re.compile(r"\bbadge-complete\b"))


def _first_module_id(db: Any, version: Any) -> int:
    return db.session.scalar(
        select(Module.id).where(Module.version_id == version.id).order_by(Module.position)
    )


# --------------------------------------------------------------------------- authoring


def _create_course(page: Page) -> int:
    page.goto("/admin/courses/new")
    form = page.locator("main form")
    form.locator("input[name=slug]").fill(COURSE_SLUG)
    form.locator("input[name=title]").fill(COURSE_TITLE)
    form.locator("input[name=label]").fill(COURSE_LABEL)
    form.locator("select[name=language]").select_option("id")
    form.locator("textarea[name=description]").fill("Kursus dasar untuk tim SPBE daerah.")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/courses/\d+$"))
    expect(_success(page)).to_be_visible()
    expect(page.get_by_test_id("draft-badge")).to_contain_text(COURSE_LABEL)
    match = re.search(r"/admin/courses/(\d+)$", page.url)
    assert match is not None
    return int(match.group(1))


def _add_module(page: Page, course_id: int) -> None:
    page.locator(f"main a[href$='/admin/courses/{course_id}/modules/new']").click()
    expect(page).to_have_url(url_ending(f"/admin/courses/{course_id}/modules/new"))
    form = page.locator("main form")
    form.locator("input[name=slug]").fill("01-pengantar")
    form.locator("input[name=title]").fill(MODULE_TITLE)
    form.locator("textarea[name=summary]").fill("Apa itu SPBE dan mengapa penting.")
    form.locator("textarea[name=objectives]").fill("Memahami SPBE\nMengenal indikator SPBE")
    form.locator("input[name=duration_minutes]").fill("60")
    form.locator("input[name=indicators]").fill("1, 2")
    form.locator("input[name=meeting_minutes]").fill("90")
    form.locator("textarea[name=meeting_agenda]").fill("Paparan\nDiskusi")

    preview = page.get_by_test_id("material-preview")
    material = form.locator("textarea[name=material]")
    # Typed in two steps: the preview follows what is typed, not only the first keystrokes.
    material.fill("## Judul\n\n")
    expect(preview.locator("h2")).to_have_text("Judul")
    expect(preview.locator("strong")).to_have_count(0)
    material.fill(MATERIAL)
    expect(preview.locator("strong")).to_have_text("tebal")
    expect(preview.locator("h2")).to_have_count(1)
    expect(preview.locator("h2")).to_have_text("Judul")
    expect(preview.locator("script")).to_have_count(0)
    expect(preview).not_to_contain_text("window.__x")
    assert page.evaluate("window.__x") is None

    page.get_by_test_id("save-module").click()
    expect(page).to_have_url(url_ending(f"/admin/courses/{course_id}"))
    expect(_success(page)).to_contain_text(MODULE_TITLE)
    modules = page.get_by_test_id("authoring-module")
    expect(modules).to_have_count(1)
    expect(modules).to_contain_text(MODULE_TITLE)
    expect(modules).to_contain_text("90")  # the live meeting's length


def _add_activity(page: Page, course_id: int, kind: str, key: str, title: str) -> None:
    module = page.get_by_test_id("authoring-module")
    module.locator("a[href$='/activities/new']").click()
    expect(page).to_have_url(re.compile(rf"/admin/courses/{course_id}/modules/\d+/activities/new$"))
    form = page.locator("main form")
    form.locator("select[name=type]").select_option(kind)
    form.locator("input[name=key]").fill(key)
    form.locator("input[name=title]").fill(title)
    page.get_by_test_id("save-activity").click()
    expect(page).to_have_url(re.compile(rf"/admin/courses/{course_id}(#module-\d+)?$"))
    expect(_success(page)).to_be_visible()
    expect(page.get_by_test_id("authoring-activity").filter(has_text=title)).to_have_count(1)


def test_admin_authors_and_publishes_a_course_a_participant_follows_it(
    page: Page, log_in: Any, open_as: Any, make_user: Any, make_cohort: Any
) -> None:
    admin_email = make_user("admin", name="Ratna Sari Dewi").email
    participant = make_user("participant", name="Siti Rahmawati")
    participant_email = participant.email
    cohort_id = make_cohort("32.11", name="Angkatan Sumedang I", participants=[participant]).id

    log_in(admin_email)
    course_id = _create_course(page)
    _add_module(page, course_id)
    _add_activity(page, course_id, "reading", "bacaan", "Membaca materi sesi")
    _add_activity(page, course_id, "meeting", "pertemuan", "Mengikuti pertemuan daring")
    expect(page.get_by_test_id("authoring-activity")).to_have_count(2)

    page.get_by_test_id("publish").click()
    page.get_by_test_id("confirmation").get_by_test_id("confirm").click()
    expect(page).to_have_url(url_ending(f"/admin/courses/{course_id}"))
    expect(_success(page)).to_contain_text(COURSE_LABEL)
    expect(page.get_by_test_id("draft-badge")).to_have_count(0)
    expect(page.get_by_test_id("publish")).to_have_count(0)
    expect(page.get_by_test_id("start-draft")).to_be_visible()
    page.locator("main details > summary").filter(has_text="Versi yang sudah terbit").click()
    version_rows = page.get_by_test_id("version-row")
    expect(version_rows).to_have_count(1)
    expect(version_rows).to_be_visible()
    expect(version_rows).to_contain_text(COURSE_LABEL)

    page.goto("/admin/courses/")
    expect(page.get_by_test_id("course-row").filter(has_text=COURSE_SLUG)).to_have_count(1)

    # Attach the cohort to the published version.
    page.goto(f"/cohorts/{cohort_id}/course")
    version = page.locator("main select[name=version_id]")
    version.select_option(label=f"{COURSE_TITLE} — {COURSE_SLUG} {COURSE_LABEL}")
    page.get_by_test_id("attach-course").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{cohort_id}/schedule"))
    expect(_success(page)).to_contain_text(COURSE_TITLE)
    expect(page.get_by_test_id("no-course")).to_have_count(0)
    expect(page.get_by_test_id("generate-schedule")).to_be_visible()  # the module has a meeting

    # The participant, in a browser of their own.
    learner = open_as(participant_email)
    rows = learner.get_by_test_id("plan-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(MODULE_TITLE)
    expect(rows.get_by_test_id("module-state")).to_have_class(re.compile(r"\bbadge-available\b"))
    expect(learner.get_by_test_id("next-module")).to_contain_text(MODULE_TITLE)

    rows.get_by_role("link", name=re.compile(MODULE_TITLE)).click()
    expect(learner).to_have_url(re.compile(rf"/learn/{cohort_id}/modules/\d+$"))
    expect(learner.get_by_role("heading", level=1)).to_contain_text(MODULE_TITLE)
    material = learner.get_by_test_id("material")
    expect(material.locator("h2")).to_have_text("Judul")
    expect(material.locator("strong")).to_have_text("tebal")
    expect(material.locator("script")).to_have_count(0)
    expect(learner.locator("main script")).to_have_count(0)
    assert learner.evaluate("window.__x") is None
    expect(learner.get_by_test_id("activity")).to_have_count(2)
    _expect_complete(_activity(learner, "reading"), True)  # opening the page is reading it
    _expect_complete(_activity(learner, "meeting"), False)  # until the mentor records it

    learner.goto("/home")
    expect(rows.get_by_test_id("module-state")).to_have_class(re.compile(r"\bbadge-in_progress\b"))


# --------------------------------------------------------------------------- attendance


@pytest.fixture
def class_of_two(db: Any, make_user: Any, make_cohort: Any, make_course: Any, attach: Any) -> Any:
    """A cohort of two participants (A first by name, then B), its mentor, and a one-module
    course (a reading and a meeting) attached to it; nothing scheduled yet."""
    mentor = make_user("mentor", name="Dr. Budi Santoso")
    a = make_user("participant", name="Ani Suryani")
    b = make_user("participant", name="Bambang Wijaya")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[a, b])
    version = make_course(modules=1)
    attach(cohort, version)
    world = {
        "mentor": mentor.email,
        "mentor_id": mentor.id,
        "a": a.email,
        "a_id": a.id,
        "b": b.email,
        "b_id": b.id,
        "cohort_id": cohort.id,
        "module_id": _first_module_id(db, version),
    }
    db.session.rollback()  # no read transaction left open while the server writes
    return world


def test_mentor_takes_attendance_which_completes_the_meeting_activity(
    page: Page, log_in: Any, open_as: Any, make_user: Any, class_of_two: Any
) -> None:
    w = class_of_two
    cohort_id = w["cohort_id"]

    # The admin generates the schedule.
    log_in(make_user("admin").email)
    page.goto(f"/cohorts/{cohort_id}/schedule")
    form = page.locator("main form[action$='/schedule']")
    form.locator("input[name=first_day]").fill("2026-11-03")
    form.locator("input[name=start_time]").fill("09:00")
    form.locator("input[name=every_days]").fill("7")
    form.locator("select[name=mentor_id]").select_option(str(w["mentor_id"]))
    form.locator("input[name=online_url]").fill("https://meet.example.com/spbe")
    form.locator("input[name=place]").fill("Aula Setda Sumedang")
    page.get_by_test_id("generate-schedule").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{cohort_id}/schedule"))
    expect(_success(page)).to_contain_text("1")
    expect(page.get_by_test_id("meeting-row")).to_have_count(1)

    # The mentor takes attendance, finding the schedule from their home page.
    mentor = open_as(w["mentor"])
    mentor.get_by_test_id("cohort-row").get_by_role("link").first.click()
    expect(mentor).to_have_url(url_ending(f"/cohorts/{cohort_id}"))
    mentor.get_by_test_id("schedule-link").click()
    expect(mentor).to_have_url(url_ending(f"/cohorts/{cohort_id}/schedule"))
    row = mentor.get_by_test_id("meeting-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Sesi 1")
    expect(row).to_contain_text("Dr. Budi Santoso")
    row.get_by_test_id("take-attendance").click()
    expect(mentor).to_have_url(re.compile(rf"/cohorts/{cohort_id}/meetings/\d+/attendance$"))
    attendance_url = mentor.url
    expect(mentor.get_by_test_id("attendance-row")).to_have_count(2)
    _radio(mentor, w["a_id"], "present").check()
    _radio(mentor, w["b_id"], "absent").check()
    mentor.get_by_test_id("save-attendance").click()
    expect(mentor).to_have_url(attendance_url)
    expect(_success(mentor)).to_contain_text("2")

    mentor.goto(attendance_url)  # a fresh load, so the browser restores no form state
    expect(_success(mentor)).to_have_count(0)
    expect(_radio(mentor, w["a_id"], "present")).to_be_checked()
    expect(_radio(mentor, w["b_id"], "absent")).to_be_checked()
    expect(mentor.locator("input[type=radio]:checked")).to_have_count(2)

    # A attended: the meeting activity is complete. B did not.
    module_url = f"/learn/{cohort_id}/modules/{w['module_id']}"
    for email, attended in ((w["a"], True), (w["b"], False)):
        learner = open_as(email)
        learner.goto(module_url)
        expect(learner.get_by_test_id("meeting")).to_contain_text("Aula Setda Sumedang")
        _expect_complete(_activity(learner, "meeting"), attended)
        _expect_complete(_activity(learner, "reading"), True)


def test_attendance_with_a_participant_left_out_shows_the_error_next_to_them(
    db: Any, open_as: Any, class_of_two: Any
) -> None:
    w = class_of_two
    cohort_id = w["cohort_id"]
    cohort = db.session.get(Cohort, cohort_id)
    meeting_services.generate_schedule(
        cohort,
        meeting_services.ScheduleInput(
            first_day=date(2026, 11, 3),
            start_time=time(9, 0),
            every_days=7,
            place="Aula Setda Sumedang",
            online_url="",
            mentor_id=w["mentor_id"],
        ),
        db.session.get(Region, cohort.region_code).timezone,
    )
    db.session.commit()
    meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.cohort_id == cohort_id))
    db.session.rollback()
    attendance_url = f"/cohorts/{cohort_id}/meetings/{meeting_id}/attendance"

    mentor = open_as(w["mentor"])
    mentor.goto(attendance_url)
    _radio(mentor, w["a_id"], "late").check()
    mentor.get_by_test_id("save-attendance").click()

    expect(mentor).to_have_url(url_ending(attendance_url))
    expect(mentor.locator("main [role=alert]")).to_be_visible()
    error = mentor.get_by_test_id(f"error-status-{w['b_id']}")
    expect(error).to_be_visible()
    # Next to B: in B's row, not A's.
    b_row = mentor.get_by_test_id("attendance-row").filter(has=error)
    expect(b_row).to_contain_text("Bambang Wijaya")
    expect(mentor.get_by_test_id(f"error-status-{w['a_id']}")).to_have_count(0)
    # A's choice is kept; B still has none.
    expect(_radio(mentor, w["a_id"], "late")).to_be_checked()
    expect(mentor.locator(f"input[name='status-{w['b_id']}']:checked")).to_have_count(0)
    expect(_success(mentor)).to_have_count(0)
    assert db.session.scalar(select(func.count(Attendance.id))) == 0
    db.session.rollback()
