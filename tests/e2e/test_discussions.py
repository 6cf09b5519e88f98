"""Discussions in a real browser, on a desktop and on a phone-sized screen: a participant
asks in a session's Q&A, the mentor is notified, answers and endorses, the participant sees
it and accepts; a participant from another region replies in the Studi Tiru room; a
reported post is hidden by the mentor and disappears for everyone else."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from courses.models import Module
from tests.e2e.conftest import _log_in, url_ending

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS))
def open_on(request, browser: Browser, live_server: str) -> Iterator[Callable[[str], Page]]:
    """open_on(email): a logged-in page of its own at the test's viewport size."""
    contexts: list[BrowserContext] = []

    def do(email: str) -> Page:
        context = browser.new_context(
            locale="id-ID", base_url=live_server, viewport=VIEWPORTS[request.param]
        )
        contexts.append(context)
        page = context.new_page()
        _log_in(page, email)
        expect(page).to_have_url(url_ending("/home"))
        return page

    do.viewport = request.param  # type: ignore[attr-defined]
    yield do
    for context in contexts:
        context.close()


@pytest.fixture
def classroom(db: Any, make_user: Any, make_cohort: Any, make_course: Any, attach: Any) -> dict:
    asker = make_user("participant", region="32.11", name="Rina Marlina")
    peer = make_user("participant", region="32.11", name="Asep Saepudin")
    other = make_user("participant", region="35.10", name="Dewi Lestari")
    mentor = make_user("mentor", name="Dr. Budi Santoso")
    x = make_cohort("32.11", mentors=[mentor], participants=[asker, peer])
    y = make_cohort("35.10", mentors=[make_user("mentor")], participants=[other])
    version = make_course(modules=2)
    attach(x, version)
    attach(y, version)
    module_id = db.session.scalar(
        select(Module.id).where(Module.version_id == version.id, Module.position == 1)
    )
    world = {
        "asker": asker.email,
        "peer": peer.email,
        "other": other.email,
        "mentor": mentor.email,
        "x": x.id,
        "module_id": module_id,
        "course": version.course_id,
    }
    db.session.rollback()
    return world


def _ask(page: Page, title: str, body: str) -> None:
    page.get_by_test_id("new-thread").click()
    page.get_by_test_id("title").fill(title)
    page.get_by_test_id("body").fill(body)
    page.get_by_test_id("post-thread").click()
    expect(page.get_by_test_id("thread-title")).to_have_text(title)


def _shot(page: Page, open_on: Any, name: str) -> None:
    folder = os.environ.get("LMS_SCREENSHOTS")
    if folder and open_on.viewport == "phone":
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_ask_answer_endorse_forum_and_report(open_on, classroom):
    asker = open_on(classroom["asker"])
    asker.goto(f"/learn/{classroom['x']}/modules/{classroom['module_id']}")
    asker.get_by_test_id("qa-link").click()
    _ask(asker, "Apa beda Perpres 95/2018 dan 132/2022?", "Mohon penjelasan singkat.")

    mentor = open_on(classroom["mentor"])
    _shot(mentor, open_on, "mentor-home")
    todo = mentor.get_by_test_id("todo-questions")
    expect(todo.get_by_test_id("todo-count")).to_have_text("1")
    mentor.get_by_test_id("notifications-link").click()
    mentor.get_by_test_id("notification").first.get_by_role("link").click()
    expect(mentor.get_by_test_id("thread-title")).to_have_text(
        "Apa beda Perpres 95/2018 dan 132/2022?"
    )
    mentor.get_by_test_id("reply-body").fill("Perpres 132/2022 mengatur **Arsitektur SPBE**.")
    mentor.get_by_test_id("reply-send").click()
    answer = mentor.get_by_test_id("response").first
    expect(answer.get_by_test_id("post-body")).to_contain_text("Arsitektur SPBE")
    answer.get_by_test_id("endorse").click()
    expect(mentor.get_by_test_id("response").first.get_by_test_id("endorsed")).to_be_visible()
    _shot(mentor, open_on, "thread-mentor")

    asker.reload()
    response = asker.get_by_test_id("response").first
    expect(response.get_by_test_id("endorsed")).to_be_visible()
    expect(response.get_by_test_id("new-post")).to_be_visible()
    response.get_by_test_id("accept").click()
    expect(asker.get_by_test_id("response").first.get_by_test_id("accepted")).to_be_visible()
    expect(asker.get_by_test_id("resolved")).to_be_visible()

    # The Studi Tiru room: another region answers, and each post shows its region.
    asker.goto(f"/learn/{classroom['x']}")
    asker.get_by_test_id("forum-link").click()
    _ask(asker, "Command center: mulai dari data apa?", "Sumedang mulai dari pengaduan warga.")
    other = open_on(classroom["other"])
    other.goto(f"/discussions/courses/{classroom['course']}")
    expect(other.get_by_test_id("unread")).to_be_visible()
    other.get_by_test_id("thread-link").first.click()
    other.get_by_test_id("reply-body").fill("Banyuwangi mulai dari data kependudukan.")
    other.get_by_test_id("reply-send").click()
    regions = other.get_by_test_id("post-region")
    expect(regions.first).to_have_text("Kabupaten Sumedang")
    expect(regions.nth(1)).to_have_text("Kabupaten Banyuwangi")
    _shot(other, open_on, "forum-thread")

    # A report leads to a hidden post.
    peer = open_on(classroom["peer"])
    peer.goto(f"/learn/{classroom['x']}/modules/{classroom['module_id']}")
    peer.get_by_test_id("qa-link").click()
    peer.get_by_test_id("thread-link").first.click()
    peer.get_by_test_id("reply-body").fill("Promo pinjaman online bunga rendah!")
    peer.get_by_test_id("reply-send").click()
    asker.goto(f"/learn/{classroom['x']}/modules/{classroom['module_id']}")
    asker.get_by_test_id("qa-link").click()
    asker.get_by_test_id("thread-link").first.click()
    spam = asker.get_by_test_id("response").filter(has_text="pinjaman online")
    spam.get_by_test_id("report-open").click()
    spam.get_by_test_id("report-reason").fill("Iklan, bukan diskusi")
    spam.get_by_test_id("report-send").click()
    expect(asker.locator(".flash-success")).to_be_visible()

    mentor.goto(f"/learn/{classroom['x']}/modules/{classroom['module_id']}")
    mentor.get_by_test_id("qa-link").click()
    expect(mentor.get_by_test_id("report-count")).to_have_text("1")
    _shot(mentor, open_on, "space-list")
    mentor.get_by_test_id("moderation-link").click()
    report = mentor.get_by_test_id("report")
    expect(report).to_contain_text("Iklan, bukan diskusi")
    _shot(mentor, open_on, "moderation")
    report.get_by_test_id("hide-reported").click()
    expect(mentor.locator(".flash-success")).to_be_visible()

    asker.reload()
    expect(asker.get_by_test_id("thread-title")).to_be_visible()
    expect(asker.get_by_text("pinjaman online")).to_have_count(0)
    mentor.goto(f"/discussions/cohorts/{classroom['x']}/modules/01-sesi")
    mentor.get_by_test_id("moderation-link").click()
    expect(mentor.get_by_test_id("no-reports")).to_be_visible()
    expect(mentor.get_by_test_id("audit-row")).to_have_count(1)
