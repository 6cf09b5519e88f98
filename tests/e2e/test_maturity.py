"""The SPBE maturity self-assessment in a real browser: the region's coordinator fills in part
of the baseline, saves it and sees the SPBE index computed by the server; submitting the
partial assessment is refused with the errors next to the missing indicators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.maturity.models import IndicatorScore
from tests.e2e.conftest import url_ending

# Texts are not matched word for word (the Indonesian catalog moves): the data they carry are.
JUSTIFICATION_1 = "Perbup arsitektur SPBE sudah ditetapkan dan dievaluasi tiap tahun."
JUSTIFICATION_32 = "Perencanaan masih manual dengan lembar kerja."


@pytest.fixture
def region(db: Any, make_user: Any, make_cohort: Any) -> dict[str, Any]:
    mentor = make_user("mentor", name="Dr. Budi Santoso")
    coordinator = make_user("coordinator", region="32.11", name="Rina Kusuma")
    cohort = make_cohort("32.11", name="Angkatan Sumedang I", mentors=[mentor])
    world = {"coordinator": coordinator.email, "cohort_id": cohort.id}
    db.session.rollback()  # no read transaction left open while the server writes
    return world


def _row(page: Page, number: int) -> Any:
    return page.locator(f"[data-testid=indicator-row][data-indicator='{number}']")


def test_coordinator_fills_in_part_and_sees_the_computed_index(
    page: Page, log_in: Any, db: Any, region: dict[str, Any]
) -> None:
    cohort_id = region["cohort_id"]
    log_in(region["coordinator"])

    # From the cohort's schedule to the maturity overview, then the baseline form.
    page.goto(f"/cohorts/{cohort_id}/schedule")
    page.get_by_test_id("maturity-link").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{cohort_id}/maturity"))
    baseline = page.locator("[data-testid=phase-row][data-phase=baseline]")
    expect(baseline.get_by_test_id("phase-index")).to_have_text("—")
    page.get_by_test_id("open-baseline").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{cohort_id}/maturity/baseline"))
    expect(page.get_by_test_id("index-empty")).to_be_visible()
    expect(page.get_by_test_id("indicator-row")).to_have_count(47)

    # Two indicators: 1 (weight 1.3) at level 5, 32 (weight 2.75) at level 1.
    _row(page, 1).locator("select[name='level-1']").select_option("5")
    _row(page, 1).locator("textarea[name='justification-1']").fill(JUSTIFICATION_1)
    _row(page, 32).locator("select[name='level-32']").select_option("1")
    _row(page, 32).locator("textarea[name='justification-32']").fill(JUSTIFICATION_32)
    page.get_by_test_id("save-assessment").click()

    expect(page).to_have_url(url_ending(f"/cohorts/{cohort_id}/maturity/baseline"))
    expect(page.locator("main p.flash-success[role=status]")).to_contain_text("2,28")
    # (1.3 × 5 + 2.75 × 1) / (1.3 + 2.75) = 2.28, shown the Indonesian way.
    index = page.get_by_test_id("index-value")
    expect(index).to_have_text("2,28")
    expect(index).to_have_attribute("data-value", "2.28")
    expect(page.get_by_test_id("index-predicate")).to_have_text("Cukup")
    expect(page.get_by_test_id("given-count")).to_have_attribute("data-value", "2")
    expect(page.get_by_test_id("domain-index-1")).to_contain_text("5,00")
    expect(page.get_by_test_id("domain-index-4")).to_contain_text("1,00")
    expect(_row(page, 1).locator("select[name='level-1']")).to_have_value("5")
    expect(_row(page, 32).locator("textarea")).to_have_value(JUSTIFICATION_32)

    # Submitting a partial assessment is refused; the errors are next to what is missing.
    _row(page, 2).locator("select[name='level-2']").select_option("3")
    page.get_by_test_id("submit-assessment").click()
    expect(page.locator("main [role=alert]").first).to_be_visible()
    expect(_row(page, 3).get_by_test_id("error-level-3")).to_be_visible()
    expect(_row(page, 2).get_by_test_id("error-justification-2")).to_be_visible()
    expect(page.get_by_test_id("error-level-1")).to_have_count(0)
    expect(_row(page, 2).locator("select[name='level-2']")).to_have_value("3")  # kept
    expect(page.get_by_test_id("assessment-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("index-value")).to_have_text("2,28")  # still what is saved

    # The overview shows the index so far.
    page.get_by_test_id("maturity-overview-link").click()
    expect(baseline.get_by_test_id("phase-index")).to_contain_text("2,28")
    expect(baseline.get_by_test_id("phase-predicate")).to_have_text("Cukup")
    expect(page.locator("[data-testid=weak-indicator]")).to_have_count(2)
    expect(page.locator("[data-testid=weak-indicator]").first).to_have_attribute(
        "data-indicator", "32"
    )

    levels = dict(db.session.execute(select(IndicatorScore.indicator, IndicatorScore.level)).all())
    assert levels == {1: 5, 32: 1}
    db.session.rollback()
    assert re.search(r"/maturity$", page.url)


# --------------------------------------------------------------------------- autosave (issue 19)


def _saved(page: Page) -> None:
    """Wait for the autosave's "saved at hh.mm" (not an error)."""
    status = page.get_by_test_id("autosave-status")
    expect(status).to_have_text(re.compile(r"\d[:.]\d"), timeout=8000)
    expect(status).not_to_have_class(re.compile(r"field-error"))


def test_the_self_assessment_autosaves_what_is_typed(
    page: Page, log_in: Any, db: Any, region: dict[str, Any]
) -> None:
    url = f"/cohorts/{region['cohort_id']}/maturity/baseline"
    log_in(region["coordinator"])
    page.goto(url)
    _row(page, 1).locator("select[name='level-1']").select_option("4")
    _row(page, 1).locator("textarea[name='justification-1']").fill(JUSTIFICATION_1)
    _saved(page)

    page.reload()  # no Save button was pressed
    expect(_row(page, 1).locator("select[name='level-1']")).to_have_value("4")
    expect(_row(page, 1).locator("textarea[name='justification-1']")).to_have_value(JUSTIFICATION_1)
    scores = db.session.execute(select(IndicatorScore.level, IndicatorScore.justification)).all()
    assert [tuple(s) for s in scores] == [(4, JUSTIFICATION_1)]
    db.session.rollback()


def test_leaving_with_unsaved_text_asks_first(
    page: Page, log_in: Any, region: dict[str, Any]
) -> None:
    url = f"/cohorts/{region['cohort_id']}/maturity/baseline"
    log_in(region["coordinator"])
    page.goto(url)
    dialogs: list[str] = []

    def stay(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", stay)
    _row(page, 32).locator("select[name='level-32']").select_option("1")
    _row(page, 32).locator("textarea[name='justification-32']").fill(JUSTIFICATION_32)
    page.get_by_test_id("maturity-overview-link").click()  # before the autosave ran
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(url_ending(url))
    expect(_row(page, 32).locator("textarea[name='justification-32']")).to_have_value(
        JUSTIFICATION_32
    )

    # Once saved, leaving is quiet.
    _saved(page)
    page.get_by_test_id("maturity-overview-link").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{region['cohort_id']}/maturity"))
    assert dialogs == ["beforeunload"]


def test_a_stale_tab_is_refused_and_keeps_its_text(
    open_as: Any, db: Any, region: dict[str, Any]
) -> None:
    url = f"/cohorts/{region['cohort_id']}/maturity/baseline"
    first = open_as(region["coordinator"])
    first.goto(url)
    second = first.context.new_page()
    second.goto(url)

    _row(first, 1).locator("select[name='level-1']").select_option("5")
    _row(first, 1).locator("textarea[name='justification-1']").fill(JUSTIFICATION_1)
    _saved(first)

    # The second tab was opened before that save: its autosave is refused, text kept.
    other = "Teks dari tab kedua yang tidak boleh hilang."
    _row(second, 1).locator("select[name='level-1']").select_option("2")
    _row(second, 1).locator("textarea[name='justification-1']").fill(other)
    status = second.get_by_test_id("autosave-status")
    expect(status).to_have_class(re.compile(r"field-error"), timeout=8000)
    expect(status).to_have_text(re.compile(r"\w{4,}"))
    expect(_row(second, 1).locator("textarea[name='justification-1']")).to_have_value(other)

    # The Save button is refused too (without losing the text), the first tab's save stays.
    second.on("dialog", lambda dialog: dialog.accept())
    second.get_by_test_id("save-assessment").click()
    expect(second.locator("main p.flash-error[role=alert]")).to_be_visible()
    expect(_row(second, 1).locator("textarea[name='justification-1']")).to_have_value(other)
    scores = db.session.execute(select(IndicatorScore.level, IndicatorScore.justification)).all()
    assert [tuple(s) for s in scores] == [(5, JUSTIFICATION_1)]
    db.session.rollback()
