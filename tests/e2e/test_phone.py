"""Phone first: every page of the access table, opened by every role allowed to see it in a
390 × 844 viewport, is no wider than the screen (nothing scrolls sideways).

The pages and the world they are opened in are the access table's own (tests/web/test_access.py),
so a page added there is checked here too. Downloads (PDF, ICS, XLSX, CSV, ZIP) are not pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.conftest import PASSWORD
from tests.web import test_access
from tests.web.test_access import PAGES, ROLES

cast = test_access.cast  # the access table's world, as a fixture of this module
PHONE = {"width": 390, "height": 844}


def pages_for(role: str) -> list[str]:
    """The access table's pages this role may open (status 200)."""
    return [path for path, statuses in PAGES.items() if statuses[ROLES.index(role)] == 200]


def open_phone(browser: Browser, live_server: str, email: str | None, **options: Any) -> Any:
    """A phone-sized browser context, logged in as `email` unless anonymous."""
    context = browser.new_context(
        locale="id-ID",
        base_url=live_server,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        **options,
    )
    page = context.new_page()
    if email:
        page.goto("/login")
        form = page.locator("main form")
        form.locator("input[name=email]").fill(email)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/home")
    return context, page


WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, live_server: str, cast: dict[str, Any], role: str
) -> None:
    person = cast["people"].get(role)
    context, page = open_phone(browser, live_server, person.email if person else None)
    try:
        too_wide: list[str] = []
        checked = 0
        for template in pages_for(role):
            url = template.format(**cast["ids"])
            head = page.request.get(url)
            if not head.headers.get("content-type", "").startswith("text/html"):
                continue  # a download, not a page
            response = page.goto(url)
            assert response is not None and response.status == 200, (url, role)
            checked += 1
            width = page.evaluate(WIDTH)
            if width > PHONE["width"]:
                too_wide.append(f"{template}: {width}px")
        assert checked >= 1
        assert not too_wide, f"{role}: pages wider than {PHONE['width']}px: {too_wide}"
    finally:
        context.close()
