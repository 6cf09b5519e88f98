"""The interface language: Indonesian by default, switchable, remembered."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import url_ending

# Until the Indonesian catalog lands, Indonesian pages still show the English source text, so
# the Indonesian label is matched in both languages; html[lang] and the switch's own label
# ("English" / "Bahasa Indonesia", not translated) carry the language either way.
LOGIN_BUTTON_ID = re.compile(r"^\s*(Masuk|Log in)\s*$")


def test_language_switch_is_remembered(page: Page, make_user: Any, log_in: Any) -> None:
    user = make_user("participant", name="Siti Rahmawati")
    email, name = user.email, user.name
    html = page.locator("html")
    switch = page.get_by_test_id("lang-switch")
    login_button = page.locator("main form button[type=submit]")

    page.goto("/login")
    expect(html).to_have_attribute("lang", "id")
    expect(switch).to_have_text("English")
    expect(login_button).to_have_text(LOGIN_BUTTON_ID)

    switch.click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(url_ending("/login"))
    expect(login_button).to_have_text("Log in")
    expect(switch).to_have_text("Bahasa Indonesia")

    page.reload()
    expect(html).to_have_attribute("lang", "en")
    expect(login_button).to_have_text("Log in")

    # Another page, after logging in: still English.
    log_in(email)
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    expect(switch).to_have_text("Bahasa Indonesia")

    # Back to Indonesian, on the page the switch was clicked on.
    switch.click()
    expect(page).to_have_url(url_ending("/home"))
    expect(html).to_have_attribute("lang", "id")
    expect(switch).to_have_text("English")
    page.goto("/account")
    expect(html).to_have_attribute("lang", "id")

    # Still Indonesian once logged out.
    page.locator("header form[action$='/logout'] button").click()
    expect(page).to_have_url(url_ending("/login"))
    expect(html).to_have_attribute("lang", "id")
    expect(login_button).to_have_text(LOGIN_BUTTON_ID)
