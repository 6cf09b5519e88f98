"""Certificates issued on course completion, with a public verification page."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Certificates' pages, and issuing one when a completion finishes a course."""
    import lms.certificates.models  # noqa: F401
    from courses.signals import activity_completed
    from lms.certificates.services import on_completion
    from lms.certificates.views import bp

    app.register_blueprint(bp)
    activity_completed.connect(on_completion)
