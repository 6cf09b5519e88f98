"""Tracking every region's cohort: gradebook, cohort, region and national dashboards,
at-risk rules and exports. Everything is aggregated in SQL; the region and national
dashboards read per-cohort statistics maintained as the data changes (`stats`)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    import lms.tracking.models  # noqa: F401
    from lms.auth.models import Role
    from lms.longjobs import services as longjobs
    from lms.tracking import stats
    from lms.tracking.cli import export_cli, stats_cli
    from lms.tracking.views import bp, national_export

    app.register_blueprint(bp)
    app.cli.add_command(stats_cli)
    app.cli.add_command(export_cli)
    stats.listen()
    longjobs.register(
        app,
        "national_export",
        national_export,
        _l("National table export"),
        lambda user, params: user.role == Role.ADMIN,
    )
