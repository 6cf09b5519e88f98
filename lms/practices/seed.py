"""The shipped good practices (`data/practices.toml`), loaded idempotently by slug.

A practice whose slug exists already is left as curators last saved it; only missing
ones are created, published, with their `derived_from` slug resolved after all are in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.practices import services
from lms.practices.catalog import DATA_FILE
from lms.practices.models import Practice


class SeedError(ValueError):
    """The seed file is malformed."""


@dataclass(frozen=True)
class SeedResult:
    created: int
    kept: int


def _entries(path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SeedError(f"{path}: {error}") from error
    entries = data.get("practice", [])
    if not isinstance(entries, list):
        raise SeedError(f"{path}: expected [[practice]] tables")
    for number, entry in enumerate(entries, start=1):
        for key in ("slug", "title", "summary"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise SeedError(f"{path}: practice {number} has no {key}")
    return entries


def seed_practices(path: Path = DATA_FILE) -> SeedResult:
    """Create the practices of `path` that are missing (by slug); flush, do not commit."""
    entries = _entries(path)
    slugs = [entry["slug"] for entry in entries]
    existing = dict(
        db.session.execute(select(Practice.slug, Practice.id).where(Practice.slug.in_(slugs))).all()
    )
    created: list[tuple[Practice, str]] = []
    for entry in entries:
        if entry["slug"] in existing:
            continue
        data = services.PracticeInput(
            slug=entry["slug"],
            title=entry["title"],
            region_code=entry.get("region"),
            summary=entry["summary"],
            description=entry.get("description", ""),
            domain=entry.get("domain"),
            aspect=entry.get("aspect"),
            indicators=tuple(entry.get("indicators", ())),
            links=tuple(
                services.Link(title=link["title"], url=link["url"])
                for link in entry.get("links", ())
            ),
        )
        try:
            practice = services.create_practice(data, creator_id=None)
        except services.PracticeError as error:
            raise SeedError(f"{path}: {entry['slug']}: {error.field}: {error}") from error
        existing[practice.slug] = practice.id
        created.append((practice, entry.get("derived_from", "")))
    for practice, origin in created:
        if not origin:
            continue
        if origin not in existing:
            raise SeedError(f"{path}: {practice.slug}: derived_from {origin} is unknown")
        practice.derived_from_id = existing[origin]
    db.session.flush()
    return SeedResult(created=len(created), kept=len(entries) - len(created))
