"""Reuse in a real browser, on a phone-sized screen: an author copies a module of another
course into their draft and sees it there, saying where it came from."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from courses import services as course_services
from courses.models import Course, Module
from lms.authors import CourseAuthor
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_phone import PHONE, WIDTH, open_phone


def test_an_author_copies_a_module_into_the_draft_on_a_phone(
    browser: Browser, live_server: str, db: Any, make_user: Any, make_course: Any
) -> None:
    source = make_course(slug="sumber", title="Kursus Sumber", modules=2)
    target = make_course(slug="tujuan", title="Kursus Tujuan", modules=1)
    course_services.start_draft(db.session.get(Course, target.course_id))
    author = make_user("mentor", name="Dosen Penulis")
    for course_id in (source.course_id, target.course_id):
        db.session.add(CourseAuthor(course_id=course_id, user_id=author.id))
    db.session.commit()
    # bypass_csp: the page's CSP would refuse the injected axe-core script
    context, page = open_phone(browser, live_server, author.email, bypass_csp=True)
    try:
        page.goto(f"/admin/courses/{target.course_id}")
        page.get_by_test_id("reuse-link").click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/{target.course_id}/reuse$"))
        page.locator("select#from").select_option(str(source.id))
        page.get_by_test_id("source-form").get_by_role("button").click()
        modules = page.get_by_test_id("source-module")
        expect(modules).to_have_count(2)
        assert page.evaluate(WIDTH) <= PHONE["width"]
        assert axe_violations(page) == []
        modules.nth(1).get_by_test_id("copy-module").click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/{target.course_id}#module-\d+$"))
        draft_modules = page.get_by_test_id("authoring-module")
        expect(draft_modules).to_have_count(2)
        copied = draft_modules.nth(1)
        expect(copied).to_contain_text("Sesi 2")
        expect(copied.get_by_test_id("copied-from")).to_contain_text("sumber")
        expect(copied.get_by_test_id("copied-from")).to_contain_text("02-sesi")
        assert page.evaluate(WIDTH) <= PHONE["width"]
        db.session.expire_all()
        slugs = db.session.scalars(
            select(Module.slug).join(Module.version).where(Module.copied_from.is_not(None))
        ).all()
        assert slugs == ["02-sesi"]
    finally:
        context.close()
