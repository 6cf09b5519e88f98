"""Gradebooks, cohort dashboards and at-risk flags, aggregated in SQL.

One set of functions computes the numbers that the participant's gradebook, the cohort
dashboard and the exports show, so they always agree. Each function issues a fixed number
of statements whatever the number of participants, modules or attempts: results come from
GROUP BY queries (quiz results use window functions, see `quizzes.analysis.results`), and
Python only arranges those rows into a grid.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from assignments.activity import AssignmentSettings
from assignments.models import Review, ReviewState, Submission
from courses.meetings.models import Attendance, AttendanceStatus, Meeting
from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from courses.services import decode_settings
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db
from quizzes.activity import QuizSettings
from quizzes.analysis import normalised_gain, results

DEFAULT_GRADING = {"pass_percent": 60, "pre": 0, "practice": 0, "post": 40, "assignment": 60}
DEFAULT_AT_RISK = {
    "missed_meetings": 2,
    "overdue_days": 7,
    "failed_post_test": True,
    "inactive_days": 14,
}
KINDS = ("pre", "practice", "post", "assignment")


def grading_of(version: CourseVersion) -> dict[str, Any]:
    return {**DEFAULT_GRADING, **(version.grading or {})}


def at_risk_rules(version: CourseVersion) -> dict[str, Any]:
    return {**DEFAULT_AT_RISK, **(version.at_risk or {})}


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Item:
    """A graded activity of the course and its share of the course grade (percent)."""

    activity: Activity
    module: Module
    kind: str
    weight: float
    pass_percent: float
    settings: Any


def graded_items(version: CourseVersion) -> list[Item]:
    """The quizzes and assignments of a version with their weights (one query)."""
    rows = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version.id, Activity.type.in_(("quiz", "assignment")))
        .order_by(Module.position, Activity.position)
    ).all()
    found: list[tuple[Activity, Module, str, float, Any]] = []
    for activity, module in rows:
        config = decode_settings(activity.config)
        if activity.type == "quiz":
            settings = QuizSettings.from_config(config)
            found.append((activity, module, settings.kind, settings.pass_percent, settings))
        else:
            settings = AssignmentSettings.from_config(config)
            found.append((activity, module, "assignment", settings.pass_percent, settings))
    grading = grading_of(version)
    per_kind = defaultdict(int)
    for _a, _m, kind, _p, _s in found:
        per_kind[kind] += 1
    # A kind the course does not have passes its weight on to the others, so the weights of
    # the items always add up to 100.
    present = sum(grading.get(kind, 0) for kind in per_kind)

    def weight(kind: str) -> float:
        if not present:
            return 100.0 / len(found)
        return grading.get(kind, 0) * 100.0 / present / per_kind[kind]

    return [
        Item(
            activity=a,
            module=m,
            kind=kind,
            weight=weight(kind),
            pass_percent=float(p),
            settings=s,
        )
        for a, m, kind, p, s in found
    ]


def assignment_results(
    activity_ids: Iterable[int], enrolment_ids: Iterable[int]
) -> dict[tuple[int, int], tuple[str, float | None]]:
    """{(enrolment, assignment): (state of the latest submission, released percent)} in
    one query."""
    ids, enrolments = list(activity_ids), list(enrolment_ids)
    if not ids or not enrolments:
        return {}
    newest = (
        select(func.max(Submission.id).label("id"))
        .where(Submission.activity_id.in_(ids), Submission.enrolment_id.in_(enrolments))
        .group_by(Submission.activity_id, Submission.enrolment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Submission.enrolment_id,
            Submission.activity_id,
            Submission.status,
            Review.points,
            Review.max_points,
            Review.released,
            Review.state,
        )
        .join(newest, newest.c.id == Submission.id)
        .outerjoin(Review, Review.submission_id == Submission.id)
    ).all()
    found = {}
    for enrolment_id, activity_id, status, points, maximum, released, state in rows:
        percent = None
        if released and state == ReviewState.GRADED and maximum:
            percent = 100.0 * (points or 0) / maximum
        found[(enrolment_id, activity_id)] = (status, percent)
    return found


# --------------------------------------------------------------------------- gradebook


@dataclass
class GradeLine:
    item: Item
    result: float | None
    state: str | None = None
    """For assignments: the latest submission's state."""


@dataclass
class Gradebook:
    enrolment_id: int
    lines: list[GradeLine]
    pass_percent: float
    completed: int
    total: int

    @property
    def graded_weight(self) -> float:
        return sum(line.item.weight for line in self.lines if line.result is not None)

    @property
    def grade_so_far(self) -> float | None:
        """The weighted mean of what has been graded so far."""
        weight = self.graded_weight
        if not weight:
            return None
        done = [line for line in self.lines if line.result is not None]
        return sum(line.item.weight * line.result for line in done) / weight

    @property
    def final_grade(self) -> float:
        """The course grade counting what is not graded yet as 0."""
        return sum(line.item.weight * (line.result or 0) for line in self.lines) / 100.0

    @property
    def completion_percent(self) -> float:
        return 100.0 * self.completed / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.completed >= self.total

    @property
    def passed(self) -> bool:
        return self.complete and self.final_grade + 1e-9 >= self.pass_percent

    def remaining(self) -> list[GradeLine]:
        return [line for line in self.lines if line.item.weight and line.result is None]


def completion_counts(version_id: int, enrolment_ids: list[int]) -> dict[int, int]:
    """Completed activities of the version per enrolment (one GROUP BY)."""
    if not enrolment_ids:
        return {}
    return dict(
        db.session.execute(
            select(ActivityCompletion.enrolment_id, func.count(ActivityCompletion.id))
            .join(Activity, Activity.id == ActivityCompletion.activity_id)
            .join(Module, Module.id == Activity.module_id)
            .where(
                Module.version_id == version_id,
                ActivityCompletion.enrolment_id.in_(enrolment_ids),
            )
            .group_by(ActivityCompletion.enrolment_id)
        ).all()
    )


def activity_total(version_id: int) -> int:
    return db.session.scalar(
        select(func.count(Activity.id))
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version_id)
    )


def gradebooks(version: CourseVersion, enrolment_ids: list[int]) -> dict[int, Gradebook]:
    """Gradebooks of several enrolments on one version (six statements)."""
    items = graded_items(version)
    quiz_results = results(
        {i.activity.id: i.settings for i in items if i.kind != "assignment"}, enrolment_ids
    )
    assignment = assignment_results(
        [i.activity.id for i in items if i.kind == "assignment"], enrolment_ids
    )
    done = completion_counts(version.id, enrolment_ids)
    total = activity_total(version.id)
    pass_percent = float(grading_of(version)["pass_percent"])
    books = {}
    for enrolment_id in enrolment_ids:
        lines = []
        for item in items:
            if item.kind == "assignment":
                state, result = assignment.get((enrolment_id, item.activity.id), (None, None))
                lines.append(GradeLine(item, result, state))
            else:
                lines.append(GradeLine(item, quiz_results.get((enrolment_id, item.activity.id))))
        books[enrolment_id] = Gradebook(
            enrolment_id, lines, pass_percent, done.get(enrolment_id, 0), total
        )
    return books


# --------------------------------------------------------------------------- dashboard


@dataclass
class Cell:
    attendance: str | None = None
    pre: float | None = None
    post: float | None = None
    assignment_state: str | None = None
    assignment: float | None = None
    completed: int = 0
    activities: int = 0


@dataclass
class Row:
    enrolment: Enrolment
    user: User
    book: Gradebook
    cells: dict[int, Cell]
    gain: float | None
    last_active: datetime | None
    risks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ModuleSummary:
    module: Module
    pre: float | None
    post: float | None
    assignment: float | None
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

    @property
    def at_risk(self) -> list[Row]:
        return [r for r in self.rows if r.risks]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def last_activity(enrolment_ids: list[int]) -> dict[int, datetime]:
    """When each enrolment last did something (completion, quiz attempt, submission)."""
    from quizzes.models import QuizAttempt

    if not enrolment_ids:
        return {}
    found: dict[int, datetime] = {}
    for model, column in (
        (ActivityCompletion, ActivityCompletion.completed_at),
        (QuizAttempt, QuizAttempt.started_at),
        (Submission, Submission.submitted_at),
    ):
        for enrolment_id, moment in db.session.execute(
            select(model.enrolment_id, func.max(column))
            .where(model.enrolment_id.in_(enrolment_ids))
            .group_by(model.enrolment_id)
        ):
            if moment is not None:
                moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
                if enrolment_id not in found or moment > found[enrolment_id]:
                    found[enrolment_id] = moment
    return found


def cohort_dashboard(cohort: Cohort, now: datetime) -> Dashboard:
    """Participants × modules for one cohort, with averages and at-risk flags."""
    from assignments import services as assignments

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
    books = gradebooks(version, enrolment_ids)
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
            cell = cells[line.item.module.id]
            if line.item.kind == "pre":
                cell.pre = line.result
            elif line.item.kind == "post":
                cell.post = line.result
            elif line.item.kind == "assignment":
                cell.assignment, cell.assignment_state = line.result, line.state
        gain = normalised_gain(
            _mean(c.pre for c in cells.values() if c.post is not None),
            _mean(c.post for c in cells.values() if c.pre is not None),
        )
        rows.append(Row(enrolment, user, book, cells, gain, last.get(enrolment.id)))
    _flag(rows, cohort, version, rules, now, assignments)
    summaries = {
        m.id: ModuleSummary(
            module=m,
            pre=_mean(r.cells[m.id].pre for r in rows),
            post=_mean(r.cells[m.id].post for r in rows),
            assignment=_mean(r.cells[m.id].assignment for r in rows),
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
        for m in modules
    }
    return Dashboard(cohort, version, modules, rows, summaries, rules)


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
    rows: list[Row],
    cohort: Cohort,
    version: CourseVersion,
    rules: Mapping[str, Any],
    now: datetime,
    assignments: Any,
) -> None:
    """Attach the at-risk reasons (kind, params) the course's rules find for each row."""
    missed_limit = int(rules.get("missed_meetings") or 0)
    overdue_days = int(rules.get("overdue_days") or 0)
    inactive_days = int(rules.get("inactive_days") or 0)
    due: dict[int, datetime] = {}
    if overdue_days:
        for line in rows[0].book.lines if rows else []:
            if line.item.kind == "assignment":
                ctx = assignments.context(
                    cohort, line.item.module, line.item.activity, cohort.region.timezone
                )
                if ctx.due_at is not None:
                    due[line.item.activity.id] = ctx.due_at
    for row in rows:
        if missed_limit:
            missed = sum(1 for c in row.cells.values() if c.attendance == AttendanceStatus.ABSENT)
            if missed >= missed_limit:
                row.risks.append(("missed_meetings", {"count": missed}))
        for line in row.book.lines:
            if (
                overdue_days
                and line.item.kind == "assignment"
                and line.state is None
                and line.item.activity.id in due
                and now - due[line.item.activity.id] > timedelta(days=overdue_days)
            ):
                days = (now - due[line.item.activity.id]).days
                row.risks.append(
                    ("overdue", {"assignment": line.item.activity.title, "days": days})
                )
            if (
                rules.get("failed_post_test")
                and line.item.kind == "post"
                and line.result is not None
                and line.result + 1e-9 < line.item.pass_percent
            ):
                row.risks.append(
                    (
                        "failed_post_test",
                        {"quiz": line.item.activity.title, "percent": round(line.result)},
                    )
                )
        if inactive_days:
            since = row.last_active or row.enrolment.enrolled_at
            if since is not None and now - since > timedelta(days=inactive_days):
                row.risks.append(("inactive", {"days": (now - since).days}))
