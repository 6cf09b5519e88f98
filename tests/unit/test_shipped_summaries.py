"""The shipped course's one-page summaries (summary.md in every session of spbe-dasar): each
one is there, follows the agreed outline, and really fits one A4 page as a participant
downloads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from courses import summaries
from courses.package import load_package

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"
OUTLINE = [
    "Inti sesi",
    "Istilah penting",
    "Yang perlu dilakukan di daerah",
    "Dasar hukum dan rujukan",
]
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _pages(pdf: bytes) -> int:
    return len(_PAGE.findall(pdf))


def _page(course, position: int, module, text: str | None = None) -> bytes:
    """The PDF as the download route builds it (heading, course line and footer included),
    with a long cohort name so that the footer and title take their full room."""
    return summaries.pdf(
        summaries.SummaryPage(
            course_title=f"{course.title} {course.version}",
            heading=f"Sesi {position}. {module.title}",
            text=module.summary_page if text is None else text,
            footer="Ringkasan satu halaman · Angkatan 2026 Kabupaten Contoh Provinsi Contoh",
        )
    )


@pytest.fixture(scope="module")
def course():
    course, problems = load_package(SHIPPED)
    assert problems == []
    assert course is not None
    return course


def test_every_shipped_session_has_a_summary_in_the_agreed_outline(course):
    for module in course.modules:
        text = module.summary_page
        assert text, module.slug
        headings = re.findall(r"^## (.+)$", text, re.M)
        assert headings == OUTLINE, module.slug
        assert 250 <= len(text.split()) <= 420, (module.slug, len(text.split()))


def test_every_shipped_summary_fits_one_a4_page(course):
    for position, module in enumerate(course.modules, start=1):
        pdf = _page(course, position, module)
        assert pdf.startswith(b"%PDF")
        assert _pages(pdf) == 1, (module.slug, _pages(pdf))


def test_the_page_count_notices_a_summary_too_long_for_one_page(course):
    """The check above can fail: the same summary with its key points written twice no longer
    fits, and the counter sees the second page."""
    module = course.modules[0]
    core = module.summary_page.split("## Istilah penting")[0]
    assert _pages(_page(course, 1, module, module.summary_page + "\n" + core)) >= 2


def test_a_short_summary_is_one_page_with_its_footer_on_it():
    """The footer lies in the bottom margin; it must not push itself onto a page of its own."""
    pdf = summaries.pdf(
        summaries.SummaryPage(
            course_title="Kursus 1.0.0",
            heading="Sesi 1. Pengantar",
            text="## Inti sesi\n\n- Satu gagasan.\n",
            footer="Ringkasan satu halaman · Angkatan Uji",
        )
    )
    assert _pages(pdf) == 1
