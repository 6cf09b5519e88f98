"""Certificates issued on course completion, with a public verification page."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Certificates' pages, and issuing one when a completion finishes a course."""
    import lms.certificates.models  # noqa: F401
    from courses.signals import activity_completed, result_recorded
    from lms.certificates.services import certificate_of, on_completion
    from lms.certificates.views import bp

    app.register_blueprint(bp)
    app.add_template_global(certificate_of, "certificate_of")
    activity_completed.connect(on_completion)
    result_recorded.connect(on_completion)
