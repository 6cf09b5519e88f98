"""Nothing irreversible happens by accident (issue 19): a file chosen in the assignment form
goes with the submit, and submitting work, publishing a course version, moving a cohort to
another version and deactivating an account each pass through a server-rendered page that
says what will happen, which works without JavaScript and can be left without a trace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from assignments.models import Submission, SubmissionFile
from courses.models import CourseVersion
from lms.auth.models import User
from lms.cohorts.models import Cohort
from tests.e2e.conftest import url_ending
from tests.e2e.test_assignments import PDF, _assignment_url, _open_assignment, assignment_class

__all__ = ["assignment_class"]  # the fixture, used below

TEXT = "Peta regulasi SPBE Kabupaten Sumedang."


def _confirmation(page: Page) -> Any:
    box = page.get_by_test_id("confirmation")
    expect(box).to_be_visible()
    expect(box.get_by_test_id("consequences").locator("li").first).to_be_visible()
    return box


# --------------------------------------------------------------------------- assignments


def test_a_file_chosen_but_not_attached_goes_with_the_confirmed_submit(
    open_as: Any, assignment_class: Any, db: Any, tmp_path: Path
) -> None:
    w = assignment_class()
    pdf = tmp_path / "peta-regulasi.pdf"
    pdf.write_bytes(PDF)

    learner = open_as(w["participant"])
    _open_assignment(learner, w)
    learner.locator("#text").fill(TEXT)
    learner.locator("#files").set_input_files(pdf)
    learner.get_by_test_id("submit-work").click()  # "Kumpulkan", not "Lampirkan"

    # First a confirmation that shows exactly what is about to go, file included.
    box = _confirmation(learner)
    expect(box.get_by_test_id("submission-preview")).to_contain_text(TEXT)
    expect(box.get_by_test_id("preview-files")).to_contain_text("peta-regulasi.pdf")
    assert db.session.scalar(select(Submission.id)) is None  # nothing submitted yet
    db.session.rollback()

    # Going back keeps the text and the uploaded file in the draft.
    box.get_by_test_id("cancel").click()
    expect(learner).to_have_url(url_ending(_assignment_url(w)))
    expect(learner.locator("#text")).to_have_value(TEXT)
    expect(learner.get_by_test_id("draft-files")).to_contain_text("peta-regulasi.pdf")
    expect(learner.get_by_test_id("submission")).to_have_count(0)

    learner.get_by_test_id("submit-work").click()
    _confirmation(learner).get_by_test_id("confirm").click()
    expect(learner).to_have_url(url_ending(_assignment_url(w)))
    submitted = learner.get_by_test_id("submission")
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text(TEXT)
    expect(submitted.locator("a", has_text="peta-regulasi.pdf")).to_have_count(1)
    names = db.session.scalars(
        select(SubmissionFile.original_name).where(SubmissionFile.submission_id.is_not(None))
    ).all()
    assert names == ["peta-regulasi.pdf"]


def test_assignment_submit_confirmation_works_without_javascript(
    open_without_js: Any, assignment_class: Any, tmp_path: Path
) -> None:
    w = assignment_class()
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(PDF)

    learner = open_without_js(w["participant"])
    learner.goto(_assignment_url(w))
    learner.locator("#text").fill(TEXT)
    learner.locator("#files").set_input_files(pdf)
    learner.get_by_test_id("submit-work").click()
    box = _confirmation(learner)
    expect(box.get_by_test_id("preview-files")).to_contain_text("laporan.pdf")
    box.get_by_test_id("confirm").click()
    submitted = learner.get_by_test_id("submission")
    expect(submitted).to_have_count(1)
    expect(submitted.locator("a", has_text="laporan.pdf")).to_have_count(1)


# --------------------------------------------------------------------------- publishing


def test_publishing_a_version_asks_first_and_says_cohorts_stay(
    page: Page, log_in: Any, db: Any, make_user: Any, make_cohort: Any, make_course: Any
) -> None:
    from courses import services

    admin = make_user("admin")
    version = make_course(slug="kursus-terbit", version="1.0.0")
    cohort = make_cohort("32.11", name="Angkatan Sumedang I")
    services.attach_cohort(db.session.merge(cohort), db.session.merge(version))
    db.session.commit()
    course_id = version.course_id
    db.session.rollback()

    log_in(admin.email)
    page.goto(f"/admin/courses/{course_id}")
    page.get_by_test_id("start-draft").click()
    expect(page.get_by_test_id("draft-badge")).to_be_visible()
    page.get_by_test_id("publish").click()

    box = _confirmation(page)
    expect(box.get_by_test_id("consequences")).to_contain_text("1.0.0")  # who stays where
    box.get_by_test_id("cancel").click()
    expect(page).to_have_url(url_ending(f"/admin/courses/{course_id}"))
    expect(page.get_by_test_id("draft-badge")).to_be_visible()  # still a draft
    published = db.session.scalars(
        select(CourseVersion.label).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "published"
        )
    ).all()
    assert published == ["1.0.0"]
    db.session.rollback()

    page.get_by_test_id("publish").click()
    _confirmation(page).get_by_test_id("confirm").click()
    expect(page).to_have_url(url_ending(f"/admin/courses/{course_id}"))
    expect(page.get_by_test_id("draft-badge")).to_have_count(0)
    assert (
        db.session.scalar(
            select(CourseVersion.id).where(
                CourseVersion.course_id == course_id, CourseVersion.status == "draft"
            )
        )
        is None
    )


# --------------------------------------------------------------------------- cohorts


def test_moving_a_cohort_to_another_version_asks_first(
    page: Page, log_in: Any, db: Any, make_user: Any, make_cohort: Any, make_course: Any
) -> None:
    from courses import services

    admin = make_user("admin")
    old = make_course(slug="kursus-pindah", version="1.0.0", title="Kursus Pindah")
    new = make_course(
        slug="kursus-pindah", version="1.1.0", title="Kursus Pindah", material="## Baru\n"
    )
    cohort = make_cohort("32.11", name="Angkatan Sumedang I")
    services.attach_cohort(db.session.merge(cohort), db.session.merge(old))
    db.session.commit()
    cohort_id, old_id, new_id = cohort.id, old.id, new.id
    db.session.rollback()

    log_in(admin.email)
    page.goto(f"/cohorts/{cohort_id}/course")
    page.locator("main select[name=version_id]").select_option(str(new_id))
    page.get_by_test_id("attach-course").click()

    box = _confirmation(page)
    consequences = box.get_by_test_id("consequences")
    expect(consequences).to_contain_text("1.0.0")
    expect(consequences).to_contain_text("1.1.0")
    box.get_by_test_id("cancel").click()
    assert db.session.get(Cohort, cohort_id).course_version_id == old_id  # nothing moved
    db.session.rollback()

    page.locator("main select[name=version_id]").select_option(str(new_id))
    page.get_by_test_id("attach-course").click()
    _confirmation(page).get_by_test_id("confirm").click()
    expect(page).to_have_url(url_ending(f"/cohorts/{cohort_id}/schedule"))
    assert db.session.get(Cohort, cohort_id).course_version_id == new_id
    db.session.rollback()


# --------------------------------------------------------------------------- users


def test_deactivating_an_account_asks_first_without_javascript(
    open_without_js: Any, make_user: Any, db: Any
) -> None:
    admin = make_user("admin")
    participant = make_user("participant", name="Siti Rahmawati")
    participant_id, email = participant.id, participant.email
    db.session.rollback()

    page = open_without_js(admin.email)
    page.goto(f"/users/?q={email}")
    page.get_by_test_id("user-row").filter(has_text=email).get_by_test_id("deactivate").click()

    box = _confirmation(page)
    expect(box).to_contain_text("Siti Rahmawati")
    expect(box.get_by_test_id("consequences")).to_contain_text(email)
    box.get_by_test_id("cancel").click()
    assert db.session.get(User, participant_id).active  # cancelled: still active
    db.session.rollback()

    page.goto(f"/users/?q={email}")
    page.get_by_test_id("user-row").filter(has_text=email).get_by_test_id("deactivate").click()
    _confirmation(page).get_by_test_id("confirm").click()
    expect(page).to_have_url(re.compile(r"/users/"))
    state = page.get_by_test_id("user-row").filter(has_text=email).get_by_test_id("user-state")
    expect(state).to_have_attribute("data-active", "no")
    assert not db.session.get(User, participant_id).active
    db.session.rollback()
