"""What a published course version holds, kept by each process (issue 14, target 3).

A published version never changes (`services._check_draft` refuses every edit), yet every
participant page used to read its sessions, activities and graded items again. Here they
are read once per process and kept, keyed by the version's id, publication time and content
hash, in the app's own store (each app has its own plugins). A draft is never kept.

Kept rows are copies that belong to no database session: a kept object outlives the request
that read it, and that request's commit would otherwise expire it. They carry the columns
only; their relationships are not loaded (the engine never reads them lazily anyway).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import inspect

T = TypeVar("T")

VERSIONS = 64
"""About how many versions an app keeps (four entries each at most: sessions, and graded
items per language); the least recently used entry goes first."""

_STORE = "courses.kept"
_LOCK = threading.Lock()
"""The store is shared by a worker's threads (gunicorn gthread): every look and change
holds this lock; building a missing value does not (two threads may both build it)."""


def key_of(version: Any) -> tuple[Any, ...] | None:
    """The key a published version is kept under; None for a draft (still being changed).
    `version`: a CourseVersion, or any row with its id, published_at and content_hash."""
    if version.published_at is None:
        return None
    return (version.id, version.published_at, version.content_hash)


def kept(
    kind: str, key: tuple[Any, ...], build: Callable[[], T], *, seconds: float | None = None
) -> T:
    """The value kept for (`kind`, `key`), built by `build` when absent or older than
    `seconds` (None: kept until pushed out)."""
    full: Hashable = (kind, *key)
    now = time.monotonic()
    with _LOCK:
        found = _store().get(full)
        if found is not None and (found[0] is None or found[0] > now):
            _store().move_to_end(full)
            return found[1]
    value = build()
    _put(full, None if seconds is None else now + seconds, value)
    return value


def peek(kind: str, key: tuple[Any, ...]) -> Any | None:
    """The value kept for (`kind`, `key`) if it is there (and never expires), else None."""
    full: Hashable = (kind, *key)
    with _LOCK:
        found = _store().get(full)
        if found is None or found[0] is not None:
            return None
        _store().move_to_end(full)
        return found[1]


def put(kind: str, key: tuple[Any, ...], value: Any) -> None:
    """Keep `value` for (`kind`, `key`) until it is pushed out."""
    _put((kind, *key), None, value)


def _put(full: Hashable, until: float | None, value: Any) -> None:
    with _LOCK:
        store = _store()
        store[full] = (until, value)
        store.move_to_end(full)
        while len(store) > VERSIONS * 4:
            store.popitem(last=False)


def forget() -> None:
    """Drop everything kept (the tests empty the database between tests, so ids come back
    with other content; a restored backup does the same, and the servers are restarted)."""
    current_app.extensions.pop(_STORE, None)


def detached(row: T) -> T:
    """A copy of an ORM row with its column values, belonging to no session."""
    mapper = inspect(type(row))
    return type(row)(**{c.key: getattr(row, c.key) for c in mapper.column_attrs})


def _store() -> OrderedDict[Hashable, tuple[float | None, Any]]:
    return current_app.extensions.setdefault(_STORE, OrderedDict())
