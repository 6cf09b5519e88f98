"""Demo threads for `lms demo` (filled in below)."""

from __future__ import annotations


def seed() -> None:
    """Idempotent demo discussions."""
