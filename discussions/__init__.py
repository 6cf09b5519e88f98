"""Learning together: a session's Q&A per cohort, the course's cross-region forum (*Ruang
Studi Tiru*) and each practice's discussion."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the discussion models, pages and the mentor's to-do count."""
    import discussions.models  # noqa: F401
    from discussions.views import bp
    from lms import todo

    app.register_blueprint(bp)
    todo.register(app, _unanswered)
    app.extensions.setdefault("lms.demo", []).append(_demo)

    @app.context_processor
    def _links() -> dict[str, Any]:
        # Pages of lower layers show a link to a discussion only when this package is on.
        return {"discussion_links": _discussion_links}


def _discussion_links(**where: Any) -> str:
    """The address of the discussion for a module of a cohort, a cohort's course forum or
    a practice: discussion_links(cohort_id=1, module_slug="01-x") and so on."""
    from flask import url_for

    if "module_slug" in where:
        return url_for(
            "discussions.module_space", cohort_id=where["cohort_id"], slug=where["module_slug"]
        )
    if "cohort_id" in where:
        return url_for("discussions.cohort_forum", cohort_id=where["cohort_id"])
    return url_for("discussions.practice_space", slug=where["practice_slug"])


def _demo() -> None:
    from discussions.demo import seed

    seed()


def _unanswered(user: Any) -> list[Any]:
    """Unanswered questions in the mentor's cohorts' session Q&A (one statement)."""
    from flask import url_for
    from flask_babel import gettext as _

    from discussions import services
    from lms.auth.models import Role
    from lms.todo import TodoItem

    if user.role != Role.MENTOR:
        return []
    return [
        TodoItem(
            "questions",
            _("Unanswered questions"),
            services.unanswered_count(user),
            url_for("discussions.unanswered"),
        )
    ]
