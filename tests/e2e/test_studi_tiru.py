"""The studi tiru journey on a phone, with the shipped course and the shipped practice catalogue:
the participant sees the practices the last session names, submits an adaptation, the mentor
grades it, the participant proposes it to the catalogue, a curator publishes it, and the
published practice shows what it was derived from (and the original, who adapted it since).
No page on the way scrolls sideways at 390 px."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from courses import package as pkg
from courses import services as course_services
from courses.models import Activity, Module
from lms.practices.catalog import shipped_slugs
from lms.practices.models import Practice
from lms.practices.seed import seed_practices
from tests.conftest import PASSWORD
from tests.e2e.conftest import url_ending

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"
STUDI_TIRU = "11-studi-tiru-praktik-baik"
PHONE = {"width": 390, "height": 844}
WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
# The practices the shipped studi tiru assignment names, as the shipped catalogue calls them.
NAMED = ("command-center-sumedang", "smart-kampung-banyuwangi", "simpati-stunting-sumedang")
ORIGIN = "command-center-sumedang"
WORK = (
    "Masalah: laporan warga tersebar di banyak kanal. Kami mengadaptasi Command Center "
    "Sumedang menjadi dasbor pengaduan sederhana di Diskominfo, uji coba tiga bulan."
)
TITLE = "Dasbor Pengaduan Terpadu Kabupaten"


@pytest.fixture
def studi_tiru(db: Any, make_user: Any, make_cohort: Any, attach: Any) -> dict[str, Any]:
    """The shipped catalogue seeded and the shipped course imported, as `lms practices seed`
    and `lms courses import spbe-dasar` do; a cohort on it with a participant and a mentor."""
    seed_practices()
    package, problems = pkg.load_package(SHIPPED)
    assert package is not None and problems == []
    version = course_services.import_package(package).version
    db.session.commit()
    participant = make_user("participant", name="Siti Rahmawati")
    mentor = make_user("mentor", name="Dr. Budi Santoso")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    attach(cohort, version)
    module_id, activity_id = db.session.execute(
        select(Module.id, Activity.id)
        .join(Activity, Activity.module_id == Module.id)
        .where(
            Module.version_id == version.id,
            Module.slug == STUDI_TIRU,
            Activity.key == "tugas",
        )
    ).one()
    titles = dict(
        db.session.execute(
            select(Practice.slug, Practice.title).where(Practice.slug.in_(NAMED))
        ).all()
    )
    world = {
        "participant": participant.email,
        "mentor": mentor.email,
        "cohort_id": cohort.id,
        "module_id": module_id,
        "activity_id": activity_id,
        "titles": titles,
    }
    db.session.rollback()  # no read transaction left open while the server writes
    return world


@pytest.fixture
def open_phone(browser: Browser, live_server: str) -> Iterator[Callable[[str], Page]]:
    """open_phone(email): someone logged in on a 390 × 844 page of their own."""
    contexts: list[BrowserContext] = []

    def do(email: str) -> Page:
        context = browser.new_context(locale="id-ID", base_url=live_server, viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        form = page.locator("main form")
        form.locator("input[name=email]").fill(email)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(url_ending("/home"))
        return page

    yield do
    for context in contexts:
        context.close()


class Widths:
    """Records every page that is wider than the phone, to assert once at the end."""

    def __init__(self) -> None:
        self.too_wide: list[str] = []
        self.checked = 0

    def check(self, page: Page) -> None:
        self.checked += 1
        width = page.evaluate(WIDTH)
        if width > PHONE["width"]:
            self.too_wide.append(f"{page.url}: {width}px")


def test_shipped_studi_tiru_from_catalogue_to_published_adaptation_on_a_phone(
    studi_tiru: dict[str, Any], open_phone: Callable[[str], Page]
) -> None:
    w = studi_tiru
    assert set(NAMED) <= shipped_slugs()  # the shipped catalogue has what the package names
    assert len(w["titles"]) == len(NAMED)  # and `lms practices seed` published them all
    widths = Widths()
    assignment_url = f"/learn/{w['cohort_id']}/assignments/{w['activity_id']}"

    # The participant opens the last session and its studi tiru assignment.
    learner = open_phone(w["participant"])
    learner.goto(f"/learn/{w['cohort_id']}/modules/{w['module_id']}")
    widths.check(learner)
    learner.locator(f"a[data-testid=open-assignment][href$='{assignment_url}']").click()
    expect(learner).to_have_url(url_ending(assignment_url))
    widths.check(learner)
    # Every shipped practice the assignment names is listed, linked, none reported missing.
    for slug in NAMED:
        link = learner.locator(f"main article a[href='/practices/{slug}']")
        expect(link).to_have_count(1)
        expect(link).to_have_text(w["titles"][slug])
    expect(learner.get_by_test_id("missing-practices")).to_have_count(0)

    # It can read the original practice before adapting it.
    learner.locator(f"main article a[href='/practices/{ORIGIN}']").click()
    expect(learner).to_have_url(url_ending(f"/practices/{ORIGIN}"))
    expect(learner.locator("h1")).to_have_text(w["titles"][ORIGIN])
    widths.check(learner)
    learner.go_back()

    # It writes the adaptation and submits it.
    expect(learner).to_have_url(url_ending(assignment_url))
    learner.locator("#text").fill(WORK)
    learner.get_by_test_id("submit-work").click()
    learner.get_by_test_id("confirmation").get_by_test_id("confirm").click()
    expect(learner).to_have_url(url_ending(assignment_url))
    expect(learner.get_by_test_id("submission")).to_contain_text("dasbor pengaduan")
    expect(learner.get_by_test_id("propose")).to_have_count(0)  # not before it passed

    # The mentor grades it with the rubric (the top level on every criterion) and releases it.
    mentor = open_phone(w["mentor"])
    mentor.goto("/grading/")
    row = mentor.get_by_test_id("queue-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Siti Rahmawati")
    widths.check(mentor)
    row.get_by_test_id("open-grading").click()
    expect(mentor).to_have_url(re.compile(r"/grading/submissions/\d+$"))
    for criterion in range(4):
        mentor.locator(f"input[name='criterion-{criterion}'][value='3']").check()
    expect(mentor.get_by_test_id("rubric-total")).to_have_text("16")
    widths.check(mentor)
    mentor.get_by_test_id("grade-review").click()
    mentor.get_by_test_id("release").click()
    expect(mentor.get_by_test_id("release")).to_have_count(0)

    # The participant proposes the passed work to the catalogue, naming what it adapted.
    learner.reload()
    propose = learner.get_by_test_id("propose")
    expect(propose).to_have_count(1)
    propose.locator("summary").click()
    propose.locator("input[name=title]").fill(TITLE)
    propose.locator("textarea[name=summary]").fill("Adaptasi Command Center untuk pengaduan warga.")
    origin = propose.locator("select[name=origin]")
    expect(origin.locator("option")).to_have_count(len(NAMED) + 1)  # the three, and "none"
    origin.select_option(ORIGIN)
    propose.locator("input[name=consent]").check()
    widths.check(learner)
    propose.get_by_test_id("propose-practice").click()
    expect(learner).to_have_url(re.compile(r"/practices/[\w-]+$"))
    proposed_url = learner.url
    expect(learner.locator("h1")).to_have_text(TITLE)
    expect(learner.get_by_test_id("practice-status")).to_be_visible()  # proposed, not public
    expect(learner.get_by_test_id("publish")).to_have_count(0)  # a participant cannot curate
    widths.check(learner)

    # A curator (mentors curate the catalogue) finds the proposal and publishes it.
    mentor.goto("/practices/?status=proposed")
    mentor.locator("main a", has_text=TITLE).click()
    expect(mentor).to_have_url(proposed_url)
    widths.check(mentor)
    mentor.get_by_test_id("publish").click()
    expect(mentor.get_by_test_id("practice-status")).to_have_count(0)  # published

    # The published practice shows its lineage, both ways, to the participant.
    learner.goto(proposed_url)
    expect(learner.get_by_test_id("practice-status")).to_have_count(0)
    derived = learner.get_by_test_id("derived-from")
    expect(derived).to_contain_text(w["titles"][ORIGIN])
    expect(derived.locator(f"a[href='/practices/{ORIGIN}']")).to_have_count(1)
    widths.check(learner)
    derived.locator("a").click()
    expect(learner).to_have_url(url_ending(f"/practices/{ORIGIN}"))
    adapted = learner.get_by_test_id("adapted-by")
    expect(adapted).to_contain_text(TITLE)
    widths.check(learner)

    assert widths.checked >= 10
    assert not widths.too_wide, f"pages wider than {PHONE['width']}px: {widths.too_wide}"
