"""The job page in a real browser on a phone: the bar and the count follow the job from its
JSON status without reloading the page, and once the job is done the page shows its outcome."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from lms.longjobs.models import JobRun
from tests.e2e.test_phone import WIDTH, open_phone


def test_the_job_page_follows_the_job_in_place_then_shows_the_download(
    db: Any, browser: Browser, live_server: str, make_user: Any
) -> None:
    admin = make_user("admin")
    job = JobRun(user_id=admin.id, kind="national_export", status="queued")
    db.session.add(job)
    db.session.commit()
    context, page = open_phone(browser, live_server, admin.email)
    page.goto(f"/jobs/{job.id}")
    marker = page.evaluate("() => { window.sameDocument = 'yes'; return window.sameDocument }")
    assert marker == "yes"
    section = page.get_by_test_id("job")
    expect(section).to_have_attribute("data-status", "queued")

    # The worker takes it and reports progress: the page follows without reloading.
    job.status, job.done, job.total = "running", 256, 512
    db.session.commit()
    expect(page.get_by_test_id("job-progress")).to_contain_text("256 dari 512 baris")
    expect(section.locator("progress")).to_have_attribute("value", "50")
    expect(section).to_have_attribute("data-status", "running")
    assert page.evaluate("() => window.sameDocument") == "yes"  # the same page, not reloaded
    assert page.evaluate(WIDTH) <= 390

    # Done: the page loads again once and offers the file.
    job.status, job.done, job.stored_name = "done", 512, "nothing-stored"
    job.download_name = "nasional.csv"
    db.session.commit()
    expect(page.get_by_test_id("job-download")).to_be_visible()
    expect(section).to_have_attribute("data-status", "done")
    assert page.evaluate("() => window.sameDocument") is None  # it was reloaded
    context.close()
