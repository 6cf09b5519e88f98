"""A module's files in a real browser on a phone: upload an image into the draft, refer to
it from the material, see it in the live preview and in the view as a participant."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from courses import services as course_services
from courses.models import Course, Module
from tests.e2e.test_phone import PHONE, WIDTH, open_phone
from tests.web.test_module_assets import SCRIPT_SVG, png


def test_upload_an_image_refer_to_it_and_see_it(
    browser: Browser,
    live_server: str,
    db: Any,
    make_user: Any,
    make_course: Any,
    tmp_path: Path,
) -> None:
    version = make_course(material="## Arsitektur\n\nTeks pembuka.\n")
    draft = course_services.start_draft(db.session.get(Course, version.course_id))
    db.session.commit()
    module_id = db.session.scalar(
        select(Module.id).where(Module.version_id == draft.id, Module.position == 1)
    )
    course_id = version.course_id
    admin = make_user("admin")
    image = tmp_path / "Bagan SPBE.png"
    image.write_bytes(png(40, 20))
    evil = tmp_path / "bagan.svg"
    evil.write_bytes(SCRIPT_SVG)
    context, page = open_phone(browser, live_server, admin.email)
    try:
        page.goto(f"/admin/courses/{course_id}/modules/{module_id}/edit")
        # An SVG with a script is refused, said next to the field.
        page.locator("input[name=file]").set_input_files(str(evil))
        page.get_by_test_id("upload-asset").click()
        expect(page.get_by_test_id("error-file")).to_contain_text("script")
        assert page.evaluate(WIDTH) <= PHONE["width"]
        # A real image is kept under a plain name.
        page.locator("input[name=file]").set_input_files(str(image))
        page.get_by_test_id("upload-asset").click()
        expect(page.get_by_test_id("asset")).to_have_count(1)
        expect(page.get_by_test_id("asset")).to_contain_text("assets/bagan-spbe.png")
        assert page.evaluate(WIDTH) <= PHONE["width"]
        # Referred to from the material, it shows in the live preview...
        material = page.locator("textarea[name=material]")
        material.fill("## Arsitektur\n\n![Bagan arsitektur SPBE](assets/bagan-spbe.png)\n")
        preview = page.get_by_test_id("material-preview").get_by_role(
            "img", name="Bagan arsitektur SPBE"
        )
        expect(preview).to_be_visible()
        assert preview.evaluate("img => img.naturalWidth") == 40
        page.get_by_test_id("save-module").click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/{course_id}(#.*)?$"))
        # ...and as a participant will see it.
        page.goto(f"/admin/courses/{course_id}/versions/{draft.id}/view-as/modules/{module_id}")
        shown = page.get_by_role("img", name="Bagan arsitektur SPBE")
        expect(shown).to_be_visible()
        assert shown.evaluate("img => img.naturalWidth") == 40
        assert page.evaluate(WIDTH) <= PHONE["width"]
        page.screenshot(path=str(tmp_path / "view-as.png"), full_page=True)
    finally:
        context.close()
