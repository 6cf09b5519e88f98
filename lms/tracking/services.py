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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from courses import contract
from courses import services as course_services
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
    results,
)
from courses.meetings.models import Attendance, AttendanceStatus, Meeting
from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from lms import plugins
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus, cohort_mentor
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

    @property
    def missed(self) -> int:
        """Meetings of the course's sessions marked absent."""
        return sum(1 for c in self.cells.values() if c.attendance == AttendanceStatus.ABSENT)


@dataclass
class RiskRow:
    """A participant of one of several cohorts, with what the at-risk rules look at."""

    enrolment: Enrolment
    user: User
    cohort: Cohort
    last_active: datetime | None
    missed: int
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
    modules, activities = course_services.structure_of(version)
    items = graded_items(version)
    per_module = _completions_per_module(version.id, enrolment_ids)
    done: dict[int, int] = defaultdict(int)
    for (enrolment_id, _module_id), count in per_module.items():
        done[enrolment_id] += count
    books = gradebooks(version, enrolment_ids, items, done)
    activities_per_module = {m.id: len(activities[m.id]) for m in modules}
    attendance = _attendance([cohort.id])
    last = last_activity(enrolment_ids)
    rules = at_risk_rules(version)
    rows = []
    sessions = [(m.id, m.slug, activities_per_module.get(m.id, 0)) for m in modules]
    for enrolment, user in roster:
        enrolment_id, user_id = enrolment.id, user.id
        book = books[enrolment_id]
        cells = {
            module_id: Cell(
                completed=per_module.get((enrolment_id, module_id), 0),
                activities=activities,
                attendance=attendance.get((cohort.id, user_id, slug)),
            )
            for module_id, slug, activities in sessions
        }
        for line in book.lines:
            cells[line.item.graded.module_id].lines.append(line)
        befores = [c.gain_result("before") for c in cells.values()]
        afters = [c.gain_result("after") for c in cells.values()]
        gain = normalised_gain(
            _mean(b for b, a in zip(befores, afters, strict=True) if a is not None),
            _mean(a for b, a in zip(befores, afters, strict=True) if b is not None),
        )
        rows.append(Row(enrolment, user, book, cells, gain, last.get(enrolment.id)))
    found = {
        (row.enrolment.id, line.item.graded.id): contract.Result(line.result, line.state)
        for row in rows
        for line in row.book.lines
        if not line.unavailable and (line.result is not None or line.state is not None)
    }
    _flag(rows, {row.enrolment.id: cohort for row in rows}, rules, now, items, found)
    results_of: dict[int, list[float | None]] = defaultdict(list)
    for r in rows:
        for line in r.book.lines:
            results_of[line.item.graded.id].append(line.result)
    summaries = {}
    for m in modules:
        own = [item for item in items if item.graded.module_id == m.id]
        summaries[m.id] = ModuleSummary(
            module=m,
            means=[(item, _mean(results_of[item.graded.id])) for item in own],
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


def _attendance(cohort_ids: Sequence[int]) -> dict[tuple[int, int, str], str]:
    """{(cohort id, user id, module slug): attendance status} in one statement."""
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        select(Meeting.cohort_id, Attendance.user_id, Meeting.module_slug, Attendance.status)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.cohort_id.in_(list(cohort_ids)))
        .order_by(Attendance.id)
    ).all()
    return {(c, u, slug): status for c, u, slug, status in rows}


class _Flagged(Protocol):
    enrolment: Enrolment
    last_active: datetime | None
    risks: list[contract.Risk]

    @property
    def missed(self) -> int: ...


_NONE = contract.Result(None)


def _flag(
    rows: Sequence[_Flagged],
    cohort_of: Mapping[int, Cohort],
    rules: dict[str, Any],
    now: datetime,
    items: list[Item],
    found: Mapping[tuple[int, int], contract.Result],
) -> None:
    """Attach the at-risk reasons to each row: the engine's own rules (missed meetings,
    inactivity) and what each graded activity type's `risks` reports, from the rows'
    results `found` ({(enrolment id, activity id): result}, as `results` gives them). The
    rows may come from several cohorts of one course version (`cohort_of`: enrolment id →
    cohort): a type that sets `risks_many_cohorts` is asked once for all of them, any other
    once per cohort."""
    missed_limit = int(rules.get("missed_meetings") or 0)
    inactive_days = int(rules.get("inactive_days") or 0)
    by_id = {row.enrolment.id: row for row in rows}
    for row in rows:
        if missed_limit and row.missed >= missed_limit:
            row.risks.append(
                contract.Risk(
                    "missed_meetings",
                    _("missed %(count)d meetings", count=row.missed),
                )
            )
    groups: dict[int, list[int]] = {}
    for enrolment_id in by_id:
        groups.setdefault(cohort_of[enrolment_id].id, []).append(enrolment_id)
    registry = plugins.registry()
    by_type: dict[str, list[Item]] = {}
    for item in items:
        by_type.setdefault(item.type_name, []).append(item)
    # Each type sees a result for each of its activities and each row: none yet is
    # Result(None), the same whether nothing was recorded or the type failed to answer.
    results_of: dict[str, dict[tuple[int, int], contract.Result]] = {t: {} for t in by_type}
    for item in items:
        own = results_of[item.type_name]
        activity_id = item.graded.id
        for enrolment_id in by_id:
            own[(enrolment_id, activity_id)] = found.get((enrolment_id, activity_id), _NONE)
    for type_name, own in by_type.items():
        activity_type = registry.activity_type(type_name)
        hook = getattr(activity_type, "risks", None)
        if hook is None or not by_id:
            continue
        given = results_of[type_name]
        if getattr(activity_type, "risks_many_cohorts", False) or len(groups) == 1:
            calls = [(list(by_id), cohort_of if len(groups) > 1 else {})]
        else:
            calls = [(ids, {}) for ids in groups.values()]
        for enrolment_ids, cohorts in calls:
            context = contract.RiskContext(
                None if cohorts else cohort_of[enrolment_ids[0]],
                now,
                rules,
                enrolment_ids,
                given,
                cohorts,
            )
            flagged = contract.call_type(
                type_name,
                "risks",
                lambda h=hook, o=own, c=context: h([i.graded for i in o], c),
                {},
            )
            for enrolment_id, risks in flagged.items():
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


# --------------------------------------------------------------------------- many cohorts


def running_cohorts_of_mentor(user_id: int, today: date) -> list[Cohort]:
    """The cohorts assigned to this mentor that have not ended yet, by start date and name,
    with their regions (one statement)."""
    return list(
        db.session.scalars(
            select(Cohort)
            .options(joinedload(Cohort.region))
            .join(cohort_mentor, cohort_mentor.c.cohort_id == Cohort.id)
            .where(cohort_mentor.c.user_id == user_id, Cohort.end_date >= today)
            .order_by(Cohort.start_date, Cohort.name, Cohort.id)
        )
    )


def cohort_risks(cohorts: Sequence[Cohort], now: datetime) -> dict[int, list[RiskRow]]:
    """{cohort id: its participants at risk, by name} for several cohorts at once, by the
    same rules and code as each cohort's dashboard (withdrawn participants are not
    counted). The cohorts' regions must be loaded. A fixed number of statements whatever
    the number of cohorts and participants: the versions, their sessions, the roster, the
    attendance and the last activity, then per distinct course version its graded items,
    their results (one per graded type) and each type's `risks` (a type without
    `risks_many_cohorts` is asked once per cohort)."""
    found: dict[int, list[RiskRow]] = {c.id: [] for c in cohorts}
    cohorts = [c for c in cohorts if c.course_version_id is not None]
    if not cohorts:
        return found
    by_id = {c.id: c for c in cohorts}
    versions = {
        v.id: v
        for v in db.session.scalars(
            select(CourseVersion).where(
                CourseVersion.id.in_({c.course_version_id for c in cohorts})
            )
        )
    }
    slugs: dict[int, set[str]] = {}
    for version_id, slug in db.session.execute(
        select(Module.version_id, Module.slug).where(Module.version_id.in_(list(versions)))
    ):
        slugs.setdefault(version_id, set()).add(slug)
    roster = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.cohort_id.in_(list(by_id)),
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
        .order_by(User.name, User.id)
    ).all()
    if not roster:
        return found
    absent: dict[tuple[int, int], int] = {}
    for (cohort_id, user_id, slug), status in _attendance(list(by_id)).items():
        version_id = by_id[cohort_id].course_version_id
        if status == AttendanceStatus.ABSENT and slug in slugs.get(version_id, ()):
            absent[(cohort_id, user_id)] = absent.get((cohort_id, user_id), 0) + 1
    last = last_activity([e.id for e, _u in roster])
    per_version: dict[int, list[tuple[Enrolment, User]]] = {}
    for enrolment, user in roster:
        per_version.setdefault(by_id[enrolment.cohort_id].course_version_id, []).append(
            (enrolment, user)
        )
    for version_id, members in per_version.items():
        version = versions[version_id]
        items = graded_items(version)
        results_found, _failed = results(items, [e.id for e, _u in members])
        rows = [
            RiskRow(
                enrolment=e,
                user=u,
                cohort=by_id[e.cohort_id],
                last_active=last.get(e.id),
                missed=absent.get((e.cohort_id, u.id), 0),
            )
            for e, u in members
        ]
        cohort_of = {r.enrolment.id: r.cohort for r in rows}
        _flag(rows, cohort_of, at_risk_rules(version), now, items, results_found)
        for row in rows:
            if row.risks:
                found[row.cohort.id].append(row)
    return found
