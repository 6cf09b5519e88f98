"""Cohort dashboards and at-risk flags, aggregated in SQL through the activity-type contract.

The gradebook itself (graded items, weights, results, course grade) is the engine's
(`courses.grades`): the participant's gradebook, this dashboard, the exports and the
certificates read the same functions, so they always agree. Each function issues a fixed
number of statements whatever the number of participants: one per graded activity type for
results, GROUP BY queries for the rest, and Python only arranges rows into a grid. No
activity type is named here: cells hold whatever graded items a session has.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from courses import contract
from courses.grades import (
    Gradebook,
    GradeLine,
    Item,
    activity_total,
    completion_counts,
    gradebooks,
    graded_items,
    grading_of,
    last_activity,
    normalised_gain,
)
from courses.meetings.models import Attendance, AttendanceStatus, Meeting
from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from lms import plugins
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db

__all__ = [
    "Gradebook",
    "GradeLine",
    "Item",
    "activity_total",
    "completion_counts",
    "gradebooks",
    "grading_of",
    "graded_items",
    "last_activity",
]

DEFAULT_AT_RISK = {
    "missed_meetings": 2,
    "overdue_days": 7,
    "failed_post_test": True,
    "inactive_days": 14,
}


def at_risk_rules(version: CourseVersion) -> dict[str, Any]:
    return {**DEFAULT_AT_RISK, **(version.at_risk or {})}


# --------------------------------------------------------------------------- dashboard


@dataclass
class Cell:
    """One participant in one session: attendance, completions, and a line per graded item."""

    attendance: str | None = None
    completed: int = 0
    activities: int = 0
    lines: list[GradeLine] = field(default_factory=list)

    def gain_result(self, role: str) -> float | None:
        """The result of the session's first graded item with this gain role."""
        for line in self.lines:
            if line.item.gain == role:
                return line.result
        return None


@dataclass
class Row:
    enrolment: Enrolment
    user: User
    book: Gradebook
    cells: dict[int, Cell]
    gain: float | None
    last_active: datetime | None
    risks: list[contract.Risk] = field(default_factory=list)


@dataclass
class ModuleSummary:
    module: Module
    means: list[tuple[Item, float | None]]
    """(graded item, mean result) for each graded item of the session."""
    completion: float
    attendance: float | None


@dataclass
class Dashboard:
    cohort: Cohort
    version: CourseVersion
    modules: list[Module]
    rows: list[Row]
    summaries: dict[int, ModuleSummary]
    rules: dict[str, Any]
    items: list[Item] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    """Activity types that failed to answer (their cells say so; the error is logged)."""

    @property
    def at_risk(self) -> list[Row]:
        return [r for r in self.rows if r.risks]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def cohort_dashboard(cohort: Cohort, now: datetime) -> Dashboard:
    """Participants × modules for one cohort, with averages and at-risk flags."""
    version = db.session.get(CourseVersion, cohort.course_version_id)
    roster = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
        .order_by(User.name, User.id)
    ).all()
    enrolment_ids = [e.id for e, _u in roster]
    modules = list(
        db.session.scalars(
            select(Module).where(Module.version_id == version.id).order_by(Module.position)
        )
    )
    items = graded_items(version)
    books = gradebooks(version, enrolment_ids, items)
    per_module = _completions_per_module(version.id, enrolment_ids)
    activities_per_module = dict(
        db.session.execute(
            select(Activity.module_id, func.count(Activity.id))
            .join(Module, Module.id == Activity.module_id)
            .where(Module.version_id == version.id)
            .group_by(Activity.module_id)
        ).all()
    )
    attendance = _attendance(cohort.id)
    last = last_activity(enrolment_ids)
    rules = at_risk_rules(version)
    rows = []
    for enrolment, user in roster:
        book = books[enrolment.id]
        cells = {
            m.id: Cell(
                completed=per_module.get((enrolment.id, m.id), 0),
                activities=activities_per_module.get(m.id, 0),
                attendance=attendance.get((user.id, m.slug)),
            )
            for m in modules
        }
        for line in book.lines:
            cells[line.item.module.id].lines.append(line)
        befores = [c.gain_result("before") for c in cells.values()]
        afters = [c.gain_result("after") for c in cells.values()]
        gain = normalised_gain(
            _mean(b for b, a in zip(befores, afters, strict=True) if a is not None),
            _mean(a for b, a in zip(befores, afters, strict=True) if b is not None),
        )
        rows.append(Row(enrolment, user, book, cells, gain, last.get(enrolment.id)))
    _flag(rows, cohort, rules, now, items)
    summaries = {}
    for m in modules:
        own = [item for item in items if item.module.id == m.id]
        summaries[m.id] = ModuleSummary(
            module=m,
            means=[
                (
                    item,
                    _mean(
                        line.result
                        for r in rows
                        for line in r.cells[m.id].lines
                        if line.item.activity.id == item.activity.id
                    ),
                )
                for item in own
            ],
            completion=_mean(
                100.0 * r.cells[m.id].completed / r.cells[m.id].activities
                for r in rows
                if r.cells[m.id].activities
            )
            or 0.0,
            attendance=_mean(
                100.0 if r.cells[m.id].attendance in ("present", "late") else 0.0
                for r in rows
                if r.cells[m.id].attendance is not None
            ),
        )
    unavailable = sorted(
        {line.item.type_name for r in rows for line in r.book.lines if line.unavailable}
    )
    return Dashboard(cohort, version, modules, rows, summaries, rules, items, unavailable)


def _completions_per_module(
    version_id: int, enrolment_ids: list[int]
) -> dict[tuple[int, int], int]:
    if not enrolment_ids:
        return {}
    rows = db.session.execute(
        select(ActivityCompletion.enrolment_id, Activity.module_id, func.count())
        .join(Activity, Activity.id == ActivityCompletion.activity_id)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version_id, ActivityCompletion.enrolment_id.in_(enrolment_ids))
        .group_by(ActivityCompletion.enrolment_id, Activity.module_id)
    ).all()
    return {(e, m): n for e, m, n in rows}


def _attendance(cohort_id: int) -> dict[tuple[int, str], str]:
    rows = db.session.execute(
        select(Attendance.user_id, Meeting.module_slug, Attendance.status)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.cohort_id == cohort_id)
    ).all()
    return {(u, slug): status for u, slug, status in rows}


def _flag(
    rows: list[Row], cohort: Cohort, rules: dict[str, Any], now: datetime, items: list[Item]
) -> None:
    """Attach the at-risk reasons to each row: the engine's own rules (missed meetings,
    inactivity) and what each graded activity type's `risks` reports."""
    missed_limit = int(rules.get("missed_meetings") or 0)
    inactive_days = int(rules.get("inactive_days") or 0)
    by_id = {row.enrolment.id: row for row in rows}
    for row in rows:
        if missed_limit:
            missed = sum(1 for c in row.cells.values() if c.attendance == AttendanceStatus.ABSENT)
            if missed >= missed_limit:
                row.risks.append(
                    contract.Risk(
                        "missed_meetings",
                        _("missed %(count)d meetings", count=missed),
                    )
                )
    registry = plugins.registry()
    by_type: dict[str, list[Item]] = {}
    for item in items:
        by_type.setdefault(item.type_name, []).append(item)
    for type_name, own in by_type.items():
        activity_type = registry.activity_type(type_name)
        hook = getattr(activity_type, "risks", None)
        if hook is None:
            continue
        results = {
            (row.enrolment.id, line.item.activity.id): contract.Result(line.result, line.state)
            for row in rows
            for line in row.book.lines
            if line.item.type_name == type_name
        }
        context = contract.RiskContext(cohort, now, rules, list(by_id), results)
        found = contract.call_type(
            type_name, "risks", lambda h=hook, o=own, c=context: h([i.graded for i in o], c), {}
        )
        for enrolment_id, risks in found.items():
            if enrolment_id in by_id:
                by_id[enrolment_id].risks.extend(risks)
    for row in rows:
        if inactive_days:
            since = row.last_active or row.enrolment.enrolled_at
            if since is not None and now - since > timedelta(days=inactive_days):
                days = (now - since).days
                row.risks.append(
                    contract.Risk(
                        "inactive",
                        _("no activity for %(days)d days", days=days),
                    )
                )
