"""Tracking every region's cohort: gradebook, cohort, region and national dashboards,
at-risk rules and exports. Everything is aggregated in SQL."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from lms.tracking.views import bp

    app.register_blueprint(bp)
