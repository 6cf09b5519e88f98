"""xAPI statements (completed, attended, passed, failed) queued as progress happens and
sent to a Learning Record Store by `lms xapi send`. Reports layer: it reads results only
through the course engine's activity-type contract."""

from __future__ import annotations

import os
from typing import Any


def init_app(app: Any) -> None:
    import lms.xapi.models  # noqa: F401
    from courses.signals import activity_completed
    from lms.xapi.cli import xapi_cli
    from lms.xapi.services import on_completion

    for key in ("LMS_XAPI_URL", "LMS_XAPI_USERNAME", "LMS_XAPI_PASSWORD"):
        app.config.setdefault(key, os.environ.get(key, ""))
    app.config.setdefault(
        "LMS_XAPI_ACTIVITY_BASE", os.environ.get("LMS_XAPI_ACTIVITY_BASE", "http://localhost:5000")
    )
    activity_completed.connect(on_completion)
    app.cli.add_command(xapi_cli)
