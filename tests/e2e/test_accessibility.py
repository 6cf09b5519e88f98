"""Accessibility in a real browser: axe-core finds no critical or serious violation (WCAG 2.1
A/AA, AA contrast included) on the key pages of every role, at phone and desktop width; a quiz
attempt and its grading are done with the keyboard alone, and the focus is always visible.

axe-core is vendored in tests/e2e/vendor/axe-core (MPL 2.0, licence beside it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e import test_quizzes
from tests.e2e.conftest import url_ending
from tests.e2e.test_phone import PHONE, open_phone
from tests.e2e.test_quizzes import _choice
from tests.web import test_access
from tests.web.test_access import PAGES, ROLES

# fixtures of this module: the access table's world, a quiz class
cast = test_access.cast
quiz_class = test_quizzes.quiz_class
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
DESKTOP = {"width": 1280, "height": 800}

# The key pages of each role (paths of the access table, so they stay in step with it).
KEY_PAGES = {
    "anonymous": ["/login", "/verify/{certificate}"],
    "participant_a": [
        "/home",
        "/learn/{x}",
        "/learn/{x}/modules/{module}",
        "/learn/{x}/quizzes/{quiz}",
        "/learn/{x}/attempts/{attempt}",
        "/learn/{x}/assignments/{task}",
        "/learn/{x}/gradebook",
        "/certificates/{certificate}",
        "/practices/",
        "/notifications/",
    ],
    "mentor_x": [
        "/home",
        "/cohorts/{x}/dashboard",
        "/cohorts/{x}/schedule",
        "/cohorts/{x}/meetings/{meeting}/attendance",
        "/grading/",
        "/grading/submissions/{submission}",
        "/cohorts/{x}/learning-gain",
    ],
    "coordinator_a": [
        "/home",
        "/cohorts/{x}",
        "/users/",
        "/users/import",
        "/cohorts/{x}/maturity",
        "/regions/32.11/dashboard",
    ],
    "admin": [
        "/home",
        "/admin/dashboard",
        "/admin/courses/",
        "/admin/courses/{course}",
        "/admin/regions/",
        "/cohorts/{x}/edit",
        "/practices/{practice}",
    ],
}

RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter(v => v.impact === "critical" || v.impact === "serious")
    .map(v => v.id + " (" + v.impact + "): "
      + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


def axe_violations(page: Page) -> list[str]:
    """Critical and serious axe-core violations on the page as it is now."""
    page.add_script_tag(content=AXE)
    return page.evaluate(RUN_AXE)


def test_the_key_pages_are_in_the_access_table() -> None:
    pages = [path for paths in KEY_PAGES.values() for path in paths]
    assert len(set(pages)) >= 15
    for role, paths in KEY_PAGES.items():
        for path in paths:
            assert PAGES[path][ROLES.index(role)] == 200, (role, path)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("role", list(KEY_PAGES))
def test_no_serious_accessibility_violation_on_the_key_pages(
    browser: Browser, live_server: str, cast: dict[str, Any], role: str, viewport: dict[str, int]
) -> None:
    person = cast["people"].get(role)
    # the page's CSP (script-src 'self') would refuse the injected axe-core script
    context, page = open_phone(
        browser, live_server, person.email if person else None, bypass_csp=True
    )
    try:
        page.set_viewport_size(viewport)
        found: dict[str, list[str]] = {}
        for path in KEY_PAGES[role]:
            response = page.goto(path.format(**cast["ids"]))
            assert response is not None and response.status == 200, path
            violations = axe_violations(page)
            if violations:
                found[path] = violations
        if role != "anonymous":  # the menu, opened
            page.goto("/home")
            if viewport == PHONE:
                page.get_by_test_id("menu").locator("summary").first.click()
            if role == "admin":
                page.get_by_test_id("admin-menu").locator("summary").click()
            violations = axe_violations(page)
            if violations:
                found["/home (menu open)"] = violations
        assert not found, found
    finally:
        context.close()


# --------------------------------------------------------------------------- keyboard only


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, and check the focus can be seen there."""
    handle = target.element_handle()
    assert handle is not None
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            style = page.evaluate(
                "el => { const s = getComputedStyle(el);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }",
                handle,
            )
            outline_style, outline_width, box_shadow = style
            visible = (outline_style != "none" and outline_width != "0px") or box_shadow != "none"
            assert visible, f"no visible focus on {target}: {style}"
            return
    raise AssertionError(f"{target} was not reached with Tab in {limit} presses")


def test_a_quiz_is_taken_and_graded_with_the_keyboard_alone(open_as: Any, quiz_class: Any) -> None:
    essay = {"key": "esai", "type": "essay", "points": 4, "config": {}}
    w = quiz_class([_choice("satu"), essay])
    cohort_id = w["cohort_id"]

    learner = open_as(w["participant"])
    learner.goto(f"/learn/{cohort_id}/modules/{w['module_id']}")
    tab_to(learner, learner.get_by_test_id("open-quiz"))
    learner.keyboard.press("Enter")
    expect(learner).to_have_url(url_ending(f"/learn/{cohort_id}/quizzes/{w['activity_id']}"))
    tab_to(learner, learner.get_by_test_id("start-attempt"))
    learner.keyboard.press("Enter")
    expect(learner).to_have_url(re.compile(rf"/learn/{cohort_id}/attempts/\d+$"))
    first = learner.get_by_test_id("question").nth(0)
    tab_to(learner, first.get_by_label("Benar", exact=True))
    learner.keyboard.press("Space")
    expect(first.get_by_label("Benar", exact=True)).to_be_checked()
    tab_to(learner, learner.locator("textarea[name=q2]"))
    learner.keyboard.type("Tim koordinasi SPBE dibentuk.")
    tab_to(learner, learner.get_by_test_id("submit-attempt"))
    learner.keyboard.press("Enter")
    expect(learner).to_have_url(re.compile(rf"/learn/{cohort_id}/attempts/\d+/summary$"))
    tab_to(learner, learner.get_by_test_id("confirmation").get_by_test_id("confirm"))
    learner.keyboard.press("Enter")
    expect(learner).to_have_url(re.compile(rf"/learn/{cohort_id}/attempts/\d+/review$"))

    mentor = open_as(w["mentor"])
    mentor.goto(f"/cohorts/{cohort_id}/quiz-grading")
    tab_to(mentor, mentor.get_by_test_id("grade-link"))
    mentor.keyboard.press("Enter")
    expect(mentor).to_have_url(re.compile(rf"/cohorts/{cohort_id}/attempts/\d+/grade$"))
    points = mentor.locator("input[name^='points-']")
    tab_to(mentor, points)
    mentor.keyboard.press("ControlOrMeta+a")
    mentor.keyboard.type("3")
    tab_to(mentor, mentor.locator("textarea[name^='comment-']"))
    mentor.keyboard.type("Bagus.")
    tab_to(mentor, mentor.get_by_test_id("save-grades"))
    mentor.keyboard.press("Enter")
    expect(mentor).to_have_url(url_ending(f"/cohorts/{cohort_id}/quiz-grading"))
    expect(mentor.get_by_test_id("grading-row")).to_have_count(0)

    learner.reload()
    expect(learner.get_by_test_id("attempt-score")).to_contain_text(re.compile(r"\b4\b\D+\b5\b"))
