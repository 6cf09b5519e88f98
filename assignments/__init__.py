"""Practical assignments (*tugas praktik*): submissions, mentor reviews with rubrics."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the assignment type's models and pages."""
    import assignments.models  # noqa: F401
    from assignments.views import bp

    app.register_blueprint(bp)
