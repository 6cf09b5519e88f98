"""Tracking in a real browser: a mentor sees an at-risk participant and the reason on the
cohort dashboard; an admin downloads an XLSX export from the national dashboard."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from courses.meetings import services as meetings
from courses.meetings.models import AttendanceStatus
from lms.cohorts.models import Cohort
from tests.e2e.conftest import url_ending


@pytest.fixture
def cohort_with_a_struggler(
    db: Any, make_user: Any, make_cohort: Any, make_course: Any, attach: Any
) -> dict[str, Any]:
    mentor = make_user("mentor", name="Dr. Budi Santoso")
    steady = make_user("participant", name="Siti Rahmawati")
    struggling = make_user("participant", name="Agus Salim")
    admin = make_user("admin")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[steady, struggling])
    version = make_course(modules=3)
    attach(cohort, version)
    live = db.session.get(Cohort, cohort.id)
    meetings.generate_schedule(
        live,
        meetings.ScheduleInput(date(2026, 11, 2), time(9), 7, "", "", mentor.id),
        "Asia/Jakarta",
    )
    for meeting in meetings.meetings_of(cohort.id)[:2]:
        meetings.record_attendance(
            live,
            meeting,
            {steady.id: AttendanceStatus.PRESENT, struggling.id: AttendanceStatus.ABSENT},
            mentor.id,
            {},
        )
    db.session.commit()
    world = {
        "cohort": cohort.id,
        "mentor": mentor.email,
        "admin": admin.email,
        "steady": steady.name,
        "struggling": struggling.name,
    }
    db.session.rollback()
    return world


def test_a_mentor_sees_who_is_at_risk_and_why(
    open_as: Any, cohort_with_a_struggler: dict[str, Any]
) -> None:
    w = cohort_with_a_struggler
    page = open_as(w["mentor"])
    page.goto(f"/cohorts/{w['cohort']}/schedule")
    page.get_by_test_id("dashboard-link").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{w['cohort']}/dashboard"))
    flagged = page.get_by_test_id("at-risk-row")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(w["struggling"])
    expect(flagged).to_contain_text("2")  # the two missed meetings are the reason
    expect(page.get_by_test_id("at-risk")).not_to_contain_text(w["steady"])
    expect(page.get_by_test_id("dashboard-row")).to_have_count(2)


def test_an_admin_downloads_an_xlsx_export(
    open_as: Any, cohort_with_a_struggler: dict[str, Any]
) -> None:
    w = cohort_with_a_struggler
    page = open_as(w["admin"])
    page.get_by_test_id("admin-menu").locator("summary").click()  # the grouped admin menu
    page.get_by_test_id("national-link").click()
    expect(page.get_by_test_id("figures-row")).to_have_count(1)
    with page.expect_download() as info:
        page.get_by_test_id("national-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == 2  # one region, two enrolled
    page.goto(f"/cohorts/{w['cohort']}/dashboard")
    with page.expect_download() as info:
        page.get_by_test_id("export-progress-xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {w["steady"], w["struggling"]}
