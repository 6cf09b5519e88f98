"""The cells of the cohort dashboard's grid and the rows of the figures tables, drawn in
Python.

A cohort of 40 participants on an 11-session course has 440 cells and some 1,800 graded
lines; drawn by the template they cost more than computing the dashboard itself (each
`{{ }}` is a lookup, a conversion and an escape). Here the parts that repeat (a session's
title, an item's label and title, the translated words) are escaped once per page and each
cell is one string join. The markup is the same as the template's would be. The national
table's rows (50 regions a page) are drawn the same way, so the page costs about the same
whether a page holds 20 regions or 50 (issue 14, target 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from courses.grades import GradeLine
from lms.tracking.services import Cell, Dashboard, Row
from lms.web import decimal_in, percent_in


class Grid:
    """`cells(row)`: the `<td>` of each session for one row of the dashboard."""

    def __init__(self, board: Dashboard) -> None:
        self._locale = get_locale()
        self._modules = [(m.id, str(escape(m.title))) for m in board.modules]
        absent = escape(_("absent"))  # outside the f-string, where extraction finds it
        self._absent = f' <span aria-label="{absent}">✗</span>'
        self._lines: dict[int, str] = {}
        """{activity id: the line's opening tag and label, up to the result}"""
        for item in board.items:
            self._lines[item.graded.id] = (
                f'<small class="grade" title="{escape(item.activity.title)}" '
                f'data-category="{escape(item.category)}">{escape(item.category_label)}: '
            )

    def cells(self, row: Row) -> Markup:
        parts: list[str] = []
        for module_id, title in self._modules:
            cell = row.cells[module_id]
            heat = _heat(cell)
            parts.append(
                f'<td class="cell heat-{heat}" title="{title}" data-heat="{heat}">'
                f"<strong>{cell.completed}/{cell.activities}</strong>"
            )
            if cell.attendance == "absent":
                parts.append(self._absent)
            for line in cell.lines:
                parts.append(self._line(line))
            parts.append("</td>")
        return Markup("".join(parts))  # noqa: S704 - every value above is escaped or a number

    def _line(self, line: GradeLine) -> str:
        start = self._lines[line.item.graded.id]
        if line.unavailable:
            value = "?"
        elif line.result is not None:
            value = str(escape(percent_in(self._locale, line.result)))
        elif line.state_label:
            value = f'<span data-testid="work-state">{escape(line.state_label)}</span>'
        else:
            value = "–"
        return f"{start}{value}</small>"


def _heat(cell: Cell) -> str:
    """How much of the session is done: none, low (under half), mid (half or more), full."""
    if cell.completed == 0 and cell.attendance is None:
        return "none"
    share = cell.completed / cell.activities if cell.activities else 0
    if share >= 1:
        return "full"
    return "mid" if share >= 0.5 else "low"


def figures_rows(items: Sequence[Any], categories: Sequence[str], link_regions: bool) -> Markup:
    """The `<tr>` of each row of a figures table (`tracking/_figures.html`): a region's or
    a cohort's name linked to its dashboard, then its figures ("—" where there is none)."""
    locale = get_locale()

    def number(value: float | None, digits: int, suffix: str = "") -> str:
        return "—" if value is None else decimal_in(locale, value, digits) + suffix

    if link_regions:
        marker = "0" * 9
        pattern = url_for("tracking.region_dashboard", code=marker)
    else:
        marker = "999999999"
        pattern = url_for("tracking.dashboard", cohort_id=int(marker))
    parts = []
    for f in items:
        key = str(escape(f.key if link_regions else int(f.key)))
        href = escape(pattern.replace(marker, key, 1))
        shares = f.extra.get("categories") or {}
        parts.append(
            f'<tr data-testid="figures-row"><th scope="row"><a href="{href}">{escape(f.label)}'
            f"</a></th><td>{escape(f.cohorts)}</td><td>{escape(f.enrolled)}</td>"
            f"<td>{escape(f.active)}</td>"
            f"<td>{number(f.completion, 0, '%')}</td><td>{number(f.post, 0, '%')}</td>"
            f"<td>{number(f.gain, 2)}</td><td>{escape(f.certificates)}</td>"
            f"<td>{number(f.maturity_change, 2)}</td>"
            + "".join(f"<td>{escape(number(shares.get(c), 0, '%'))}</td>" for c in categories)
            + "</tr>"
        )
    return Markup("".join(parts))  # noqa: S704 - names and keys escaped, the rest numbers
