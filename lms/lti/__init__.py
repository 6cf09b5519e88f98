"""LTI 1.3 tool (PyLTI1p3): regions' own LMSs launch our modules, pick them by deep
linking, get the course grade back (AGS) and show us their roster (NRPS). Reports layer:
it reads grades through lms.tracking's public function."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    import lms.lti.models  # noqa: F401
    from lms.lti.cli import lti_cli
    from lms.lti.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(lti_cli)
