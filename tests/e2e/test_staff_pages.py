"""Staff pages speak the user's language (issue 19): list pages' search buttons render whole
on a phone and a desktop, work states and grading history come from the catalog (no
"— (returned)", "ret" or "grade 12.0"), the noun "Nilai" is not the verb "Beri nilai", and
numbers follow the locale (a decimal comma in Indonesian)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import _log_in, url_ending
from tests.e2e.test_assignments import (
    PDF,
    _open_assignment,
    _open_from_queue,
    _pick,
    assignment_class,
)

__all__ = ["assignment_class"]  # the fixture, used below

RAW_CODES = re.compile(r"\b(ret|sub|gra|returned|graded|submitted|in_review|return|grade|save)\b")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["/users/", "/cohorts/", "/admin/regions/"])
def test_the_search_button_on_list_pages_renders_whole(
    browser: Browser, live_server: str, make_user: Any, db: Any, width: int, path: str
) -> None:
    admin = make_user("admin").email
    db.session.rollback()
    context = browser.new_context(
        locale="id-ID", base_url=live_server, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        _log_in(page, admin)
        expect(page).to_have_url(url_ending("/home"))
        page.goto(path)
        field = page.locator("main form:has(input[type=search]) input[type=search]")
        button = page.locator("main form:has(input[type=search]) button[type=submit]")
        expect(button).to_be_visible()
        box, field_box = button.bounding_box(), field.bounding_box()
        assert box is not None and field_box is not None
        # One line of text, as tall as the field next to it, inside the page.
        assert box["height"] <= field_box["height"] + 4, (box, field_box)
        assert box["width"] >= 40 and box["x"] + box["width"] <= width
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth")
    finally:
        context.close()


def test_grading_history_states_and_numbers_come_from_the_catalog(
    open_as: Any, assignment_class: Any, tmp_path: Path
) -> None:
    w = assignment_class(resubmissions=1)
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(PDF)

    learner = open_as(w["participant"])
    _open_assignment(learner, w)
    learner.locator("#text").fill("Versi pertama.")
    learner.get_by_test_id("submit-work").click()
    learner.get_by_test_id("confirmation").get_by_test_id("confirm").click()
    expect(learner.get_by_test_id("submission")).to_have_count(1)

    mentor = open_as(w["mentor"])
    _open_from_queue(mentor)
    _pick(mentor, (1, 1, 0))  # 2 + 1 + 0 = 3 points
    mentor.locator("#comment").fill("Perbaiki.")
    mentor.get_by_test_id("return-review").click()
    audit = mentor.get_by_test_id("audit-row")
    expect(audit).to_have_count(1)
    expect(audit).to_contain_text("Dikembalikan untuk revisi")
    expect(audit).to_contain_text(re.compile(r"\b3 poin"))
    expect(audit).not_to_contain_text(RAW_CODES)

    # The cohort dashboard (staff): the state in words, "Nilai" as a column, numbers the
    # Indonesian way.
    mentor.goto(f"/cohorts/{w['cohort_id']}/dashboard")
    state = mentor.get_by_test_id("dashboard-row").get_by_test_id("work-state")
    expect(state).to_have_text("dikembalikan")
    grid_head = mentor.get_by_test_id("dashboard-grid").locator("thead th")
    expect(grid_head.nth(2)).to_have_text("Nilai")

    # The participant's gradebook: no "— (returned)", the weight with a decimal comma.
    learner.goto(f"/learn/{w['cohort_id']}/gradebook")
    line = learner.get_by_test_id("grade-line")
    expect(line.get_by_test_id("work-state")).to_have_text("(dikembalikan)")
    expect(line.locator("td").nth(2)).to_have_text("100,0%")

    # Resubmitted and graded: the history says so in words, points without "12.0".
    _open_assignment(learner, w)
    learner.locator("#text").fill("Versi kedua, lengkap.")
    learner.get_by_test_id("submit-work").click()
    learner.get_by_test_id("confirmation").get_by_test_id("confirm").click()
    _open_from_queue(mentor)
    expect(mentor.get_by_test_id("grade-review")).to_have_text("Beri nilai")
    _pick(mentor, (2, 2, 1))  # 4 + 3 + 1 = 8 points
    mentor.get_by_test_id("grade-review").click()
    audit = mentor.get_by_test_id("audit-row")
    expect(audit).to_have_count(1)
    expect(audit.locator("td").nth(1)).to_have_text("Sudah dinilai")  # the action
    expect(audit.locator("td").nth(3)).to_have_text("Sudah dinilai · 8 poin")  # not "12.0"
    expect(audit).not_to_contain_text(RAW_CODES)
