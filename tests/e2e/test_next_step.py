"""The participant's "Next" (issue 19): the next thing they can actually do, never a
meeting that is already over."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from courses import services
from courses.meetings.models import Meeting
from courses.models import Activity, Module
from lms.cohorts.models import Enrolment
from lms.models import utcnow


def test_next_skips_a_session_whose_only_gap_is_a_meeting_already_over(
    page: Page, log_in: Any, db: Any, make_user: Any, make_cohort: Any, make_course: Any
) -> None:
    participant = make_user("participant", name="Siti Rahmawati")
    cohort = make_cohort("32.11", participants=[participant])
    version = make_course(modules=3)  # each: a reading and a meeting
    services.attach_cohort(db.session.merge(cohort), db.session.merge(version))
    modules = list(
        db.session.scalars(
            select(Module).where(Module.version_id == version.id).order_by(Module.position)
        )
    )
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    reading_1 = db.session.scalar(
        select(Activity).where(Activity.module_id == modules[0].id, Activity.type == "reading")
    )
    services.record_completion(enrolment.id, reading_1.id, "view")
    now = utcnow()
    # Session 1's meeting was a month ago (missed); session 2's is next week.
    db.session.add(
        Meeting(
            cohort_id=cohort.id,
            module_slug=modules[0].slug,
            starts_at=now - timedelta(days=30),
            duration_minutes=90,
        )
    )
    db.session.add(
        Meeting(
            cohort_id=cohort.id,
            module_slug=modules[1].slug,
            starts_at=now + timedelta(days=7),
            duration_minutes=90,
        )
    )
    db.session.commit()
    db.session.rollback()

    log_in(participant.email)
    next_step = page.get_by_test_id("next-module")
    expect(next_step).to_be_visible()
    expect(next_step.locator("a")).to_have_text(re.compile(r"^2\. Sesi 2$"))
    expect(next_step).to_contain_text(re.compile(r"\d"))  # the coming meeting's date
    # Session 1 is not complete (the meeting was missed) but offers nothing to do now.
    rows = page.get_by_test_id("plan-row")
    expect(rows.nth(0).get_by_test_id("module-state")).to_have_class(
        re.compile(r"\bbadge-in_progress\b")
    )
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-next\b"))
