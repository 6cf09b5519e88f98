"""LTI 1.3 tool (PyLTI1p3): regions' own LMSs launch our modules, pick them by deep
linking, get the course grade back (AGS: a job after each result, or `lms lti send-grades`)
and show us their roster (NRPS). Reports layer:
it reads grades through lms.tracking's public function."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    import lms.lti.models  # noqa: F401
    from courses.signals import activity_completed, result_recorded
    from lms.lti.cli import lti_cli
    from lms.lti.services import on_result
    from lms.lti.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(lti_cli)
    # Grade passback follows every result and completion (a job per changed grade).
    result_recorded.connect(on_result)
    activity_completed.connect(on_result)
