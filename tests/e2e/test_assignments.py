"""Practical assignments in a real browser: a participant writes and attaches a PDF, a mentor
grades with the rubric (the total adding up on the page), returns the work, sees what changed
in the resubmission, grades and releases; a disguised file is refused without losing the text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from courses.models import Activity, Module
from tests.e2e.conftest import url_ending

# The Indonesian catalog is still being written: texts are not matched word for word, the
# data they carry (points, names, comments, file names) and the page's structure are.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RUBRIC = [
    {"criterion": "Analisis", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 2, 4]},
    {"criterion": "Rencana", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 1, 3]},
    {"criterion": "Bukti", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 1, 3]},
]
BRIEF = "Petakan regulasi SPBE di daerah Anda."
FIRST_TEXT = "Regulasi SPBE kami: Perbup 12/2024."
SECOND_TEXT = "Regulasi SPBE kami: Perbup 12/2024.\nRencana aksi: membentuk tim koordinasi."
RETURN_COMMENT = "Tambahkan rencana aksinya."
GRADE_COMMENT = "Lengkap, terima kasih."


@pytest.fixture
def assignment_class(
    db: Any, make_user: Any, make_cohort: Any, make_course: Any, attach: Any
) -> Callable[..., dict[str, Any]]:
    """assignment_class(**settings): a participant and a mentor in a cohort on a one-module
    course whose assignment has the RUBRIC (10 points at most); returns emails and ids."""

    def make(**settings: Any) -> dict[str, Any]:
        participant = make_user("participant", name="Siti Rahmawati")
        mentor = make_user("mentor", name="Dr. Budi Santoso")
        cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
        config = {"brief": BRIEF, "rubric": RUBRIC, **settings}
        version = make_course(modules=1, activities=(("tugas", "assignment", config),))
        attach(cohort, version)
        activity_id, module_id = db.session.execute(
            select(Activity.id, Module.id)
            .join(Module, Module.id == Activity.module_id)
            .where(Activity.type == "assignment", Module.version_id == version.id)
        ).one()
        world = {
            "participant": participant.email,
            "mentor": mentor.email,
            "cohort_id": cohort.id,
            "module_id": module_id,
            "activity_id": activity_id,
        }
        db.session.rollback()  # no read transaction left open while the server writes
        return world

    return make


def _assignment_url(w: dict[str, Any]) -> str:
    return f"/learn/{w['cohort_id']}/assignments/{w['activity_id']}"


def _open_assignment(page: Page, w: dict[str, Any]) -> None:
    """From the module page to the assignment."""
    page.goto(f"/learn/{w['cohort_id']}/modules/{w['module_id']}")
    page.get_by_test_id("open-assignment").click()
    expect(page).to_have_url(url_ending(_assignment_url(w)))
    expect(page.get_by_test_id("brief")).to_contain_text(BRIEF)


def _submit_work(page: Page) -> None:
    """Press "Kumpulkan", then confirm on the page that shows what will be sent."""
    page.get_by_test_id("submit-work").click()
    page.get_by_test_id("confirmation").get_by_test_id("confirm").click()


def _pick(page: Page, levels: tuple[int, ...]) -> None:
    for criterion, level in enumerate(levels):
        page.locator(f"input[name='criterion-{criterion}'][value='{level}']").check()


def _open_from_queue(mentor: Page, status: str | None = None) -> None:
    """Through the nav link to the queue (or one of its state filters), then the one row."""
    mentor.get_by_role("banner").locator("a[href='/grading/']").click()
    expect(mentor).to_have_url(url_ending("/grading/"))
    if status is not None:
        mentor.get_by_test_id("queue-counts").locator(f"a[href*='status={status}']").click()
        expect(mentor).to_have_url(re.compile(rf"/grading/\?.*status={status}"))
    row = mentor.get_by_test_id("queue-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Siti Rahmawati")
    row.get_by_test_id("open-grading").click()
    expect(mentor).to_have_url(re.compile(r"/grading/submissions/\d+$"))


def _points(total: int, maximum: int) -> re.Pattern[str]:
    return re.compile(rf"\b{total}\b\D+\b{maximum}\b")


# --------------------------------------------------------------------------- the whole round


def test_submit_return_resubmit_grade_and_release(
    open_as: Any, assignment_class: Any, tmp_path: Path
) -> None:
    w = assignment_class(resubmissions=1)
    pdf = tmp_path / "peta-regulasi.pdf"
    pdf.write_bytes(PDF)

    # The participant writes, attaches a real PDF (the text is kept through the upload), submits.
    learner = open_as(w["participant"])
    _open_assignment(learner, w)
    draft = learner.get_by_test_id("draft")
    expect(draft).to_be_visible()
    expect(learner.get_by_test_id("submission")).to_have_count(0)
    learner.locator("#text").fill(FIRST_TEXT)
    learner.locator("#files").set_input_files(pdf)
    learner.get_by_test_id("upload-files").click()
    expect(learner).to_have_url(url_ending(_assignment_url(w)))
    expect(learner.get_by_test_id("draft-files")).to_contain_text("peta-regulasi.pdf")
    expect(learner.get_by_test_id("error-files")).to_have_count(0)
    expect(learner.locator("#text")).to_have_value(FIRST_TEXT)
    _submit_work(learner)
    expect(learner).to_have_url(url_ending(_assignment_url(w)))
    submitted = learner.get_by_test_id("submission")
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text("Regulasi SPBE kami")
    expect(submitted.locator("a", has_text="peta-regulasi.pdf")).to_have_count(1)
    expect(submitted.get_by_test_id("submission-state")).to_have_class(
        re.compile(r"\bbadge-submitted\b")
    )
    expect(learner.get_by_test_id("draft")).to_have_count(0)  # nothing to edit while waiting

    # The mentor finds it waiting, clicks rubric levels (the total adds up on the page),
    # and returns it with a comment.
    mentor = open_as(w["mentor"])
    _open_from_queue(mentor)
    first_grading_url = mentor.url
    expect(mentor.get_by_test_id("submission-text")).to_contain_text("Perbup 12/2024")
    expect(mentor.get_by_test_id("submission-files")).to_contain_text("peta-regulasi.pdf")
    expect(mentor.get_by_test_id("diff")).to_have_count(0)  # the first version
    total = mentor.get_by_test_id("rubric-total")
    expect(total).to_have_text("0")
    mentor.locator("input[name='criterion-0'][value='2']").check()
    expect(total).to_have_text("4")
    mentor.locator("input[name='criterion-1'][value='1']").check()
    expect(total).to_have_text("5")
    mentor.locator("input[name='criterion-0'][value='1']").check()  # changed its mind
    expect(total).to_have_text("3")
    mentor.locator("input[name='criterion-2'][value='0']").check()
    expect(total).to_have_text("3")
    mentor.locator("#comment").fill(RETURN_COMMENT)
    mentor.get_by_test_id("return-review").click()
    expect(mentor.get_by_test_id("audit")).to_have_count(1)  # the saved review's history
    expect(mentor).to_have_url(first_grading_url)
    expect(mentor.get_by_test_id("rubric-total")).to_have_text("3")  # as saved by the server
    expect(mentor.get_by_test_id("release")).to_have_count(0)  # returned, not graded

    # The participant sees the feedback and the state "returned", edits and resubmits.
    learner.reload()
    returned = learner.get_by_test_id("submission")
    expect(returned).to_have_count(1)
    expect(returned.get_by_test_id("submission-state")).to_have_class(
        re.compile(r"\bbadge-returned\b")
    )
    feedback = returned.get_by_test_id("feedback")
    expect(feedback).to_contain_text(RETURN_COMMENT)
    expect(feedback.get_by_test_id("grade")).to_have_count(0)  # returned work has no grade
    expect(learner.get_by_test_id("draft")).to_be_visible()
    expect(learner.locator("#text")).to_have_value(FIRST_TEXT)  # to be revised, not rewritten
    learner.locator("#text").fill(SECOND_TEXT)
    _submit_work(learner)
    expect(learner).to_have_url(url_ending(_assignment_url(w)))
    versions = learner.get_by_test_id("submission")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("membentuk tim koordinasi")  # newest first
    expect(versions.first.get_by_test_id("submission-state")).to_have_class(
        re.compile(r"\bbadge-submitted\b")
    )
    expect(learner.get_by_test_id("draft")).to_have_count(0)  # the one resubmission is used

    # The mentor sees what changed, grades with the rubric and releases.
    _open_from_queue(mentor)
    assert mentor.url != first_grading_url  # the new version, not the returned one
    diff = mentor.get_by_test_id("diff")
    expect(diff).to_be_visible()
    expect(diff).to_contain_text("membentuk tim koordinasi")
    total = mentor.get_by_test_id("rubric-total")
    expect(total).to_have_text("0")  # a fresh review for the new version
    _pick(mentor, (2, 2, 2))
    expect(total).to_have_text("10")
    mentor.locator("#comment").fill(GRADE_COMMENT)
    mentor.get_by_test_id("grade-review").click()
    expect(mentor).to_have_url(re.compile(r"/grading/submissions/\d+$"))
    release = mentor.get_by_test_id("release")
    expect(release).to_be_visible()

    # Graded but not released: the participant sees nothing of it yet.
    learner.reload()
    expect(learner.get_by_test_id("submission").first.get_by_test_id("feedback")).to_have_count(0)
    expect(learner.get_by_test_id("grade")).to_have_count(0)

    release.click()
    expect(mentor.get_by_test_id("release")).to_have_count(0)
    _open_from_queue(mentor, status="graded")  # the work left the waiting list

    learner.reload()
    versions = learner.get_by_test_id("submission")
    expect(versions).to_have_count(2)
    latest = versions.first
    expect(latest.get_by_test_id("submission-state")).to_have_class(re.compile(r"\bbadge-graded\b"))
    expect(latest.get_by_test_id("feedback")).to_contain_text(GRADE_COMMENT)
    expect(latest.get_by_test_id("grade")).to_contain_text(_points(10, 10))
    expect(learner.get_by_test_id("grade")).to_have_count(1)
    # The returned version keeps its own feedback.
    expect(versions.last.get_by_test_id("feedback")).to_contain_text(RETURN_COMMENT)


# --------------------------------------------------------------------------- refused files


def test_a_disguised_file_is_refused_and_the_typed_text_stays(
    open_as: Any, assignment_class: Any, tmp_path: Path
) -> None:
    w = assignment_class()
    fake = tmp_path / "laporan.pdf"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    typed = "Teks yang tidak boleh hilang."

    learner = open_as(w["participant"])
    _open_assignment(learner, w)
    learner.locator("#text").fill(typed)
    learner.locator("#files").set_input_files(fake)
    learner.get_by_test_id("upload-files").click()
    error = learner.get_by_test_id("error-files")
    expect(error).to_be_visible()
    expect(error).to_contain_text("laporan.pdf")
    expect(learner.locator("#text")).to_have_value(typed)
    expect(learner.get_by_test_id("draft-files")).to_have_count(0)
    expect(learner.get_by_test_id("submission")).to_have_count(0)


def test_after_a_refused_file_the_participant_carries_on_from_the_same_page(
    open_as: Any, assignment_class: Any, tmp_path: Path
) -> None:
    w = assignment_class()
    fake = tmp_path / "laporan.pdf"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    real = tmp_path / "laporan-asli.pdf"
    real.write_bytes(PDF)
    typed = "Teks yang tidak boleh hilang."

    learner = open_as(w["participant"])
    _open_assignment(learner, w)
    learner.locator("#text").fill(typed)
    learner.locator("#files").set_input_files(fake)
    learner.get_by_test_id("upload-files").click()
    expect(learner.get_by_test_id("error-files")).to_be_visible()

    # The right file, attached from the page with the error, with the text still in the form.
    learner.locator("#files").set_input_files(real)
    learner.get_by_test_id("upload-files").click()
    expect(learner.get_by_test_id("error-files")).to_have_count(0, timeout=2000)
    expect(learner.get_by_test_id("draft-files")).to_contain_text("laporan-asli.pdf")
    expect(learner.locator("#text")).to_have_value(typed)
    _submit_work(learner)
    submitted = learner.get_by_test_id("submission")
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text(typed)
    expect(submitted.locator("a")).to_have_text(["laporan-asli.pdf"])
