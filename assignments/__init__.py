"""Practical assignments (*tugas praktik*): submissions, mentor reviews with rubrics."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the assignment type's models, pages and the mentor's to-do count."""
    import assignments.models  # noqa: F401
    from assignments.views import bp
    from lms import todo

    app.register_blueprint(bp)
    todo.register(app, _submissions_waiting)


def _submissions_waiting(user: Any) -> list[Any]:
    """Submissions waiting for review in the mentor's cohorts (one statement)."""
    from flask import url_for
    from flask_babel import gettext as _
    from sqlalchemy import select

    from assignments import services
    from assignments.models import SubmissionStatus
    from lms.auth.models import Role
    from lms.cohorts.models import cohort_mentor
    from lms.todo import TodoItem

    if user.role != Role.MENTOR:
        return []
    scope = select(cohort_mentor.c.cohort_id).where(cohort_mentor.c.user_id == user.id)
    counts = services.queue_counts(scope)
    waiting = counts[SubmissionStatus.SUBMITTED.value] + counts[SubmissionStatus.IN_REVIEW.value]
    return [
        TodoItem(
            "submissions",
            _("Submissions waiting for review"),
            waiting,
            url_for("assignments.queue"),
        )
    ]
