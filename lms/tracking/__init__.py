"""Tracking every region's cohort: gradebook, cohort, region and national dashboards,
at-risk rules and exports. Everything is aggregated in SQL; the region and national
dashboards read per-cohort statistics maintained as the data changes (`stats`)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    import lms.tracking.models  # noqa: F401
    from lms.tracking import stats
    from lms.tracking.cli import stats_cli
    from lms.tracking.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(stats_cli)
    stats.listen()
