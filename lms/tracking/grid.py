"""The cells of the cohort dashboard's grid, drawn in Python.

A cohort of 40 participants on an 11-session course has 440 cells and some 1,800 graded
lines; drawn by the template they cost more than computing the dashboard itself (each
`{{ }}` is a lookup, a conversion and an escape). Here the parts that repeat (a session's
title, an item's label and title, the translated words) are escaped once per page and each
cell is one string join. The markup is the same as the template's would be.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from courses.grades import GradeLine
from lms.tracking.services import Cell, Dashboard, Row
from lms.web import percent_in


class Grid:
    """`cells(row)`: the `<td>` of each session for one row of the dashboard."""

    def __init__(self, board: Dashboard) -> None:
        self._locale = get_locale()
        self._modules = [(m.id, str(escape(m.title))) for m in board.modules]
        self._absent = f' <span aria-label="{escape(_("absent"))}">✗</span>'
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
