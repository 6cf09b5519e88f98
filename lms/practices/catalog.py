"""The shipped practice catalogue (`data/practices.toml`), read without a database.

Course packages name practices by slug (an assignment's `practices`); `lms courses
validate` and the app's import check those names against this file, so that a package
never points at a practice the LMS does not ship.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "practices.toml"
CATALOGUE_NAME = "lms/practices/data/practices.toml"
"""How problems name the catalogue: by its place in the source tree, not on this machine."""


@functools.cache
def shipped_slugs(path: Path = DATA_FILE) -> frozenset[str]:
    """The slugs of every practice in the shipped catalogue (empty if it cannot be read)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return frozenset()
    entries = data.get("practice", [])
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        entry["slug"] for entry in entries if isinstance(entry, dict) and entry.get("slug")
    )


def unknown_practice(slug: str, known: frozenset[str] | None = None) -> str:
    """The problem message for a practice slug that is not in the catalogue, suggesting
    the closest shipped slug when there is one."""
    known = shipped_slugs() if known is None else known
    # Shared words first: reordered names (sumedang-simpati for simpati-stunting-sumedang)
    # are what authors get wrong; spelling slips are caught by difflib after that.
    words = set(slug.split("-"))
    scored = sorted((len(words & set(name.split("-"))), name) for name in known)
    close = [scored[-1][1]] if scored and scored[-1][0] >= 2 else []
    if not close:
        close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no practice {slug!r} in the practice catalogue ({CATALOGUE_NAME}){hint}"
