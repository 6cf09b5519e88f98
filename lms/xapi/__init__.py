"""xAPI statements (attempted, answered, completed, passed, failed, commented, attended)
stored as progress happens and sent to a Learning Record Store by a job on the queue (or
`lms xapi send` without one). Reports layer: it hears the course engine's signals and reads
results only through the activity-type contract."""

from __future__ import annotations

import os
from typing import Any


def init_app(app: Any) -> None:
    import lms.xapi.models  # noqa: F401
    from courses.signals import activity_completed, learning_event
    from lms.xapi.cli import xapi_cli
    from lms.xapi.services import on_completion, on_event

    for key in ("LMS_XAPI_URL", "LMS_XAPI_USERNAME", "LMS_XAPI_PASSWORD", "LMS_XAPI_RETRY"):
        app.config.setdefault(key, os.environ.get(key, ""))
    app.config.setdefault(
        "LMS_XAPI_ACTIVITY_BASE", os.environ.get("LMS_XAPI_ACTIVITY_BASE", "http://localhost:5000")
    )
    activity_completed.connect(on_completion)
    learning_event.connect(on_event)
    app.cli.add_command(xapi_cli)
