"""Authoring in a real browser, on a phone-sized screen: two people editing one module
(the later save shows both texts and keeps the typed one), and restoring from history."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from courses import services as course_services
from courses.models import Course, Module
from tests.e2e.test_phone import PHONE, WIDTH, open_phone


def _draft_module(db: Any, make_course: Any) -> tuple[int, int]:
    version = make_course(material="Paragraf pembuka.\nParagraf kedua.\n")
    draft = course_services.start_draft(db.session.get(Course, version.course_id))
    db.session.commit()
    module_id = db.session.scalar(
        select(Module.id).where(Module.version_id == draft.id, Module.position == 1)
    )
    return version.course_id, module_id


def test_the_second_save_of_one_module_shows_both_texts(
    browser: Browser, live_server: str, db: Any, make_user: Any, make_course: Any
) -> None:
    course_id, module_id = _draft_module(db, make_course)
    ani = make_user("admin", name="Ani Penulis")
    budi = make_user("admin", name="Budi Editor")
    edit = f"/admin/courses/{course_id}/modules/{module_id}/edit"
    contexts = []
    try:
        pages = {}
        for person in (ani, budi):
            context, page = open_phone(browser, live_server, person.email)
            contexts.append(context)
            page.goto(edit)
            pages[person.name] = page
        first, second = pages["Ani Penulis"], pages["Budi Editor"]
        first.locator("textarea[name=material]").fill("Paragraf pembuka.\nVersi Ani.\n")
        first.get_by_test_id("save-module").click()
        expect(first).to_have_url(re.compile(rf"/admin/courses/{course_id}$"))

        second.locator("textarea[name=material]").fill("Paragraf pembuka.\nVersi Budi.\n")
        second.get_by_test_id("save-module").click()
        conflict = second.get_by_test_id("conflict")
        expect(conflict).to_be_visible()
        expect(conflict).to_contain_text("Ani Penulis")
        diff = second.get_by_test_id("conflict-diff")
        expect(diff.locator(".removed")).to_contain_text("Versi Ani.")
        expect(diff.locator(".added")).to_contain_text("Versi Budi.")
        # Budi's text is still in his form; Ani's is there to copy from.
        expect(second.locator("textarea[name=material]")).to_have_value(
            "Paragraf pembuka.\nVersi Budi.\n"
        )
        expect(second.get_by_test_id("saved-material")).to_have_value(
            "Paragraf pembuka.\nVersi Ani.\n"
        )
        assert second.evaluate(WIDTH) <= PHONE["width"]
        db.session.expire_all()
        assert "Versi Ani." in db.session.get(Module, module_id).material

        # Having compared, Budi combines both and saves on purpose.
        second.locator("textarea[name=material]").fill("Versi Ani.\nVersi Budi.\n")
        second.get_by_test_id("save-module").click()
        expect(second).to_have_url(re.compile(rf"/admin/courses/{course_id}$"))
        db.session.expire_all()
        assert db.session.get(Module, module_id).material == "Versi Ani.\nVersi Budi.\n"

        # The history shows both saves; Ani restores her own text.
        first.goto(f"/admin/courses/{course_id}/modules/{module_id}/history")
        expect(first.get_by_test_id("revision")).to_have_count(3)
        assert first.evaluate(WIDTH) <= PHONE["width"]
        first.get_by_test_id("revision").nth(1).get_by_test_id("restore").click()
        expect(first.get_by_test_id("confirmation")).to_be_visible()
        expect(first.get_by_test_id("restore-diff").locator(".added")).to_contain_text(
            "Paragraf pembuka."
        )
        first.get_by_test_id("confirm").click()
        expect(first.get_by_test_id("revision")).to_have_count(4)
        db.session.expire_all()
        assert db.session.get(Module, module_id).material == "Paragraf pembuka.\nVersi Ani.\n"
    finally:
        for context in contexts:
            context.close()


def test_a_course_author_finds_and_edits_their_course_on_a_phone(
    browser: Browser, live_server: str, db: Any, make_user: Any, make_course: Any
) -> None:
    from lms.authors import CourseAuthor

    course_id, module_id = _draft_module(db, make_course)
    other = make_course(slug="kursus-lain", title="Kursus Lain")
    mentor = make_user("mentor", name="Dosen Penulis")
    db.session.add(CourseAuthor(course_id=course_id, user_id=mentor.id))
    db.session.commit()
    context, page = open_phone(browser, live_server, mentor.email)
    try:
        page.get_by_test_id("authoring-link").click()
        expect(page.get_by_test_id("course-row")).to_have_count(1)
        assert page.evaluate(WIDTH) <= PHONE["width"]
        page.get_by_test_id("course-row").get_by_role("link").click()
        expect(page.get_by_test_id("publish-by-admins")).to_be_visible()
        expect(page.get_by_test_id("publish")).to_have_count(0)
        assert page.evaluate(WIDTH) <= PHONE["width"]
        page.goto(f"/admin/courses/{course_id}/modules/{module_id}/edit")
        page.locator("textarea[name=material]").fill("Ditulis oleh dosen.\n")
        page.get_by_test_id("save-module").click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/{course_id}$"))
        db.session.expire_all()
        assert db.session.get(Module, module_id).material == "Ditulis oleh dosen.\n"
        response = page.goto(f"/admin/courses/{other.course_id}")
        assert response is not None and response.status == 403
    finally:
        context.close()


def test_publishing_shows_the_difference_on_a_phone(
    browser: Browser, live_server: str, db: Any, make_user: Any, make_course: Any
) -> None:
    course_id, module_id = _draft_module(db, make_course)
    admin = make_user("admin")
    context, page = open_phone(browser, live_server, admin.email)
    try:
        page.goto(f"/admin/courses/{course_id}/modules/{module_id}/edit")
        page.locator("textarea[name=material]").fill("Paragraf pembuka.\nParagraf baru.\n")
        page.get_by_test_id("save-module").click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/{course_id}$"))
        page.get_by_test_id("publish").click()
        changes = page.get_by_test_id("version-changes")
        expect(changes).to_be_visible()
        diff = changes.get_by_test_id("material-diff")
        expect(diff.locator(".removed")).to_contain_text("Paragraf kedua.")
        expect(diff.locator(".added")).to_contain_text("Paragraf baru.")
        assert page.evaluate(WIDTH) <= PHONE["width"]
        page.get_by_test_id("confirm").click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/{course_id}$"))
        expect(page.get_by_test_id("draft-badge")).to_have_count(0)
    finally:
        context.close()
