"""Tracking every region's cohort: gradebook, cohort, region and national dashboards,
at-risk rules and exports. Everything is aggregated in SQL; the region and national
dashboards read per-cohort statistics maintained as the data changes (`stats`)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    import lms.tracking.models  # noqa: F401
    from lms import todo
    from lms.auth.models import Role
    from lms.longjobs import services as longjobs
    from lms.tracking import stats
    from lms.tracking.cli import export_cli, stats_cli
    from lms.tracking.views import bp, national_export

    app.register_blueprint(bp)
    app.cli.add_command(stats_cli)
    app.cli.add_command(export_cli)
    stats.listen()
    todo.register(app, _at_risk)
    longjobs.register(
        app,
        "national_export",
        national_export,
        _l("National table export"),
        lambda user, params: user.role == Role.ADMIN,
    )
    longjobs.register(
        app,
        "stats_rebuild",
        stats.rebuild_job,
        _l("Recalculate statistics"),
        lambda user, params: user.role == Role.ADMIN,
        single=True,
        progress_text=_l("Working: %(done)d of %(total)d cohorts."),
        done_text=_l("The statistics of %(done)d cohorts were recalculated."),
    )


def _at_risk(user: Any) -> list[Any]:
    """Participants at risk in the mentor's running cohorts, in total and per cohort, by
    the dashboard's own rules (a fixed number of statements, see `cohort_risks`)."""
    from flask import url_for
    from flask_babel import gettext as _

    from lms.auth.models import Role
    from lms.models import utcnow
    from lms.todo import TodoItem
    from lms.tracking import services

    if user.role != Role.MENTOR:
        return []
    now = utcnow()
    cohorts = services.running_cohorts_of_mentor(user.id, now.date())
    found = services.cohort_risks(cohorts, now)
    details = tuple(
        TodoItem(
            f"at-risk-{cohort.id}",
            cohort.name,
            len(found[cohort.id]),
            url_for("tracking.dashboard", cohort_id=cohort.id, show="risk"),
        )
        for cohort in cohorts
        if found[cohort.id]
    )
    return [
        TodoItem(
            "at-risk",
            _("Participants at risk"),
            sum(d.count for d in details),
            details[0].url if len(details) == 1 else "",
            details if len(details) > 1 else (),
        )
    ]
