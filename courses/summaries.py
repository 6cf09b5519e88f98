"""The one-page summary of a session (a module's summary.md) as an A4 PDF to keep or print.

The Markdown is rendered and sanitized as everywhere else, then reduced to the few tags a
PDF page needs (headings, paragraphs, lists, emphasis); the core PDF fonts show Latin-1, so
typographic dashes and quotes become their plain equivalents and anything else a "?".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import nh3

from lms.markdown import render_markdown

PDF_TAGS = {"h1", "h2", "h3", "h4", "p", "b", "strong", "i", "em", "ul", "ol", "li", "br"}
_PLAIN = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "-",
        "\u2192": "->",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class SummaryPage:
    course_title: str
    heading: str
    """'Sesi 3. Kebijakan Internal …' in the reader's language."""
    text: str
    """summary.md (Markdown)."""
    footer: str


def latin(text: str) -> str:
    """What the core PDF fonts can show: plain dashes and quotes, '?' for the rest."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def pdf(page: SummaryPage) -> bytes:
    """One A4 portrait page: course, session heading, the summary, a footer line."""
    return bytes(_layout(page).output())


@functools.lru_cache(maxsize=256)
def page_count(text: str, heading: str) -> int:
    """How many A4 pages the summary takes, laid out exactly as the download is (with a
    full-width course line and the given heading): a word limit alone cannot promise one
    page, since short bullets take more lines than their words suggest."""
    return _layout(SummaryPage("M" * 60, heading, text, "")).pages_count


def _layout(page: SummaryPage) -> Any:
    from fpdf import FPDF

    body = nh3.clean(str(render_markdown(page.text)), tags=PDF_TAGS, attributes={})
    document = FPDF(format="A4")
    document.set_title(latin(page.heading))
    document.set_margins(18, 16, 18)
    document.set_auto_page_break(True, margin=16)
    document.add_page()
    document.set_font("helvetica", "", 9)
    document.set_text_color(90, 90, 90)
    document.cell(0, 5, latin(page.course_title), new_x="LMARGIN", new_y="NEXT")
    document.set_text_color(0, 0, 0)
    document.set_font("helvetica", "B", 16)
    document.multi_cell(0, 8, latin(page.heading), new_x="LMARGIN", new_y="NEXT")
    document.ln(2)
    document.set_font("helvetica", "", 10.5)
    document.write_html(latin(body))
    # The footer sits inside the bottom margin: drawn with the automatic page break on,
    # it would start a page of its own.
    document.set_auto_page_break(False)
    document.set_y(-14)
    document.set_font("helvetica", "", 8)
    document.set_text_color(90, 90, 90)
    document.cell(0, 5, latin(page.footer), align="C")
    return document
