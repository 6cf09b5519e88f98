"""Browser end-to-end harness: a live server, Chromium through Playwright, a login helper.

Every test in this folder is marked `e2e`. Chromium is Debian's (/usr/bin/chromium); without
it the tests are skipped, unless LMS_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from lms.auth.models import User
from tests.conftest import PASSWORD

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "Chromium not found at /usr/bin/chromium: apt-get install chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test collected from this folder (this hook sees the whole session's items)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
            pytest.fail(CHROMIUM_MISSING, pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


class _QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request; errors are still logged."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def live_server(app: Flask, db: Any) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 for one test; yields the base URL.

    Depends on `db`, so whatever the test (or the browser) wrote is emptied afterwards. The
    session app has SERVER_NAME="lms.test" for the test client; here URLs (redirects, the
    one-time links) must name the real host, so SERVER_NAME is lifted while serving.
    """
    saved_server_name = app.config["SERVER_NAME"]
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # so that shutdown() returns quickly
        name="lms-live-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.config["SERVER_NAME"] = saved_server_name


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh context (Indonesian browser locale, no cookies) and page; relative URLs work."""
    context = browser.new_context(locale="id-ID", base_url=live_server)
    try:
        yield context.new_page()
    finally:
        context.close()


def _log_in(page: Page, user: User | str, password: str = PASSWORD) -> None:
    email = user if isinstance(user, str) else user.email
    page.goto("/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


@pytest.fixture
def log_in(page: Page) -> Callable[..., None]:
    """Log in through the real login form and wait for the home page."""

    def do(user: User | str, password: str = PASSWORD) -> None:
        _log_in(page, user, password)
        expect(page).to_have_url(url_ending("/home"))
        expect(page.get_by_test_id("account-link")).to_be_visible()

    return do


@pytest.fixture
def submit_login(page: Page) -> Callable[..., None]:
    """Fill in and send the login form without expecting success."""
    return lambda user, password=PASSWORD: _log_in(page, user, password)


def url_ending(path: str) -> re.Pattern[str]:
    """A URL pattern for `expect(page).to_have_url`: the path, then maybe a query string."""
    return re.compile(re.escape(path) + r"(\?.*)?$")


@pytest.fixture
def open_as(browser: Browser, live_server: str) -> Iterator[Callable[[str], Page]]:
    """open_as(email): log someone in in a browser context of their own (no shared
    cookies, Indonesian locale, downloads allowed); every context is closed after the test."""
    contexts: list[BrowserContext] = []

    def do(email: str) -> Page:
        context = browser.new_context(locale="id-ID", base_url=live_server, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        _log_in(page, email)
        expect(page).to_have_url(url_ending("/home"))
        expect(page.get_by_test_id("account-link")).to_be_visible()
        return page

    yield do
    for context in contexts:
        context.close()  # a no-op for a context the test closed itself


@pytest.fixture
def open_without_js(browser: Browser, live_server: str) -> Iterator[Callable[[str], Page]]:
    """open_without_js(email): as `open_as`, in a browser with JavaScript turned off, for the
    pages that must work without it (confirmation steps, the quiz summary)."""
    contexts: list[BrowserContext] = []

    def do(email: str) -> Page:
        context = browser.new_context(
            locale="id-ID", base_url=live_server, java_script_enabled=False
        )
        contexts.append(context)
        page = context.new_page()
        _log_in(page, email)
        expect(page).to_have_url(url_ending("/home"))
        return page

    yield do
    for context in contexts:
        context.close()
