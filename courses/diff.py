"""Readable line diffs of authored text, drawn by our own template (`authoring/_diff.html`)
rather than difflib's HTML table: Jinja escapes every line, and the lines wrap on a phone."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "added", "removed", "gap"]


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    text: str
    old_number: int | None = None
    new_number: int | None = None


@dataclass(frozen=True)
class TextDiff:
    lines: tuple[DiffLine, ...]
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def line_diff(old: str, new: str, context: int = 2) -> TextDiff:
    """The lines that differ between `old` and `new`, with `context` unchanged lines around
    each change and a "gap" line where unchanged lines are left out."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    lines: list[DiffLine] = []
    added = removed = 0
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index or (group and (group[0][1] > 0 or group[0][3] > 0)):
            lines.append(DiffLine("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", a[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", a[i], old_number=i + 1) for i in range(i1, i2)]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", b[j], new_number=j + 1) for j in range(j1, j2)]
                added += j2 - j1
    if a == b:
        lines = []
    return TextDiff(tuple(lines), added, removed)
