"""The activity-type contract: what an activity type provides, and what the engine gives it.

An activity type is registered under the `lms.activity_types` entry-point group (see
`lms.plugins`); the built-in reading, meeting, quiz and assignment types register exactly
like an outside package. Every part of the engine and the reports (gradebook, course grade,
cohort dashboard, at-risk flags, exports, region and national dashboards, certificates,
learning gain) knows activities only through this module: none of them imports a concrete
type. `examples/external-tool` is a complete outside plugin.

Every type (`ActivityTypeProtocol`)
    ``name``, ``label``, ``completion_events`` (drawn from view, attendance, action),
    ``validate_config(settings) -> [ConfigProblem]`` and ``render(ActivityView) -> Markup``
    (see `courses.activities` for those and the optional ``prepare``, ``check_package``,
    ``requires_meeting`` and ``action_label``).

A graded type (`GradedActivityType`) also declares
    ``grade_categories``: the `GradeCategory`s its activities count in. `[grading]` in
    course.toml weighs categories (the quiz type declares pre, practice and post, the
    assignment type assignment, an outside type its own); a category whose `gain` is
    "before" or "after" takes part in learning gain as the pre- or post-measure.
    ``category(config) -> str | None``: which of them an activity with these settings
    counts in (None: this one is not graded).
    ``pass_percent(config) -> float``: the activity's own pass mark.
    ``result_query(activities, enrolments) -> Select`` with the columns of `RESULT_COLUMNS`:
    one statement answering for every enrolment × activity at once, whatever their number.
    `enrolments` is a list of ids or a SQL selectable of ids (the national dashboard passes a
    subquery over the whole country); `activities` are `GradedActivity`s, whose `ids` hold
    the same activity in other versions of the course, so that results stay when a cohort
    moves to a new version: the query may return any of those ids.

Optional, for graded types
    ``last_activity_query(enrolments) -> Select`` with (enrolment_id, at): when each
    participant last did something in activities of this type (inactive rule).
    ``risks(activities, context: RiskContext) -> {enrolment id: [Risk]}``: at-risk signals
    with translated reasons, from the results the engine already holds and at most a fixed
    number of statements. The course's `[at_risk]` rules arrive in `context.rules`.
    A type that sets ``risks_many_cohorts = True`` is called once for the enrolments of
    several cohorts on one course version (the mentor's to-do counts every cohort at once):
    `context.cohort` is then None and `context.cohort_of(enrolment id)` /
    `context.by_cohort()` say whose they are, and its statements must not grow with the
    number of cohorts. A type without it is called once per cohort.
    ``state_label(state) -> str``: what a result's `state` reads as in the gradebook.

Routes and state
    A type may carry a Flask ``blueprint``: the engine mounts it under
    ``/activities/<type name>/``. Its views load what they act on with
    `participant_activity` (the same checks as the module page: enrolled, not withdrawn,
    the activity's module open) and store results with `report_result`, which keeps
    per-participant state in the engine's `activity_record` table (carried when a cohort
    moves version, as results are looked up through `GradedActivity.ids`) and records
    completion "when graded" or "when passed". An external tool posts a score back to a
    signed endpoint: `score_token` gives it a token naming the enrolment and activity;
    `read_score_token` checks it. A type whose state does not fit a JSON record keeps its
    own tables, created by migrations of its own distribution. The reports keep statistics
    of results (the region and national dashboards): `report_result`, `record_completion`
    and `withdraw_completion` tell them that a participant's results changed; a type whose
    result changes without any of them calls `courses.services.results_changed`.

Containment
    A type's code runs inside the engine's pages; `call_type` runs one of its hooks and,
    when it raises, logs the error with the type and activity and answers a default, so a
    broken type shows "cannot be shown now" in its place and never takes down a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from flask import abort, current_app
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, select

from lms.extensions import db

log = logging.getLogger("lms.plugins")

RESULT_COLUMNS = ("enrolment_id", "activity_id", "percent", "state")
"""The columns of a graded type's `result_query`: percent is None while not graded yet."""

COMPLETE_WHEN = ("graded", "passed")


@dataclass(frozen=True)
class GradeCategory:
    """A kind of graded work that `[grading]` weighs, declared by one activity type."""

    name: str
    label: Any
    gain: str | None = None
    """"before" or "after" when the category measures learning gain (pre-/post-test)."""


@dataclass(frozen=True)
class GradedActivity:
    """A graded activity as the engine hands it to its type."""

    id: int
    key: str
    title: str
    module_id: int
    module_slug: str
    config: Mapping[str, Any]
    ids: tuple[int, ...] = ()
    """This activity and the same activity (module slug + key) in the course's other
    versions; results recorded on any of them count."""

    @property
    def all_ids(self) -> tuple[int, ...]:
        return self.ids or (self.id,)


@dataclass(frozen=True)
class Result:
    percent: float | None
    state: str | None = None


@dataclass(frozen=True)
class Risk:
    kind: str
    text: str


@dataclass(frozen=True)
class RiskContext:
    cohort: Any
    """The cohort of every enrolment when the call is about one cohort; None when it
    covers several (only for a type that sets ``risks_many_cohorts = True``)."""
    now: datetime
    rules: Mapping[str, Any]
    enrolment_ids: Sequence[int]
    results: Mapping[tuple[int, int], Result] = field(default_factory=dict)
    """{(enrolment id, activity id): result} for the activities passed along."""
    cohorts: Mapping[int, Any] = field(default_factory=dict)
    """{enrolment id: cohort} for every enrolment passed along."""

    def cohort_of(self, enrolment_id: int) -> Any:
        return self.cohorts.get(enrolment_id, self.cohort)

    def by_cohort(self) -> dict[int, tuple[Any, list[int]]]:
        """{cohort id: (cohort, its enrolment ids)}, in the order of `enrolment_ids`."""
        groups: dict[int, tuple[Any, list[int]]] = {}
        for enrolment_id in self.enrolment_ids:
            cohort = self.cohort_of(enrolment_id)
            groups.setdefault(cohort.id, (cohort, []))[1].append(enrolment_id)
        return groups


@runtime_checkable
class ActivityTypeProtocol(Protocol):
    name: str
    label: Any
    completion_events: frozenset[Any]

    def validate_config(self, config: Mapping[str, Any]) -> list[Any]: ...

    def render(self, view: Any) -> Any: ...


@runtime_checkable
class GradedActivityType(ActivityTypeProtocol, Protocol):
    grade_categories: tuple[GradeCategory, ...]

    def category(self, config: Mapping[str, Any]) -> str | None: ...

    def pass_percent(self, config: Mapping[str, Any]) -> float: ...

    def result_query(
        self, activities: Sequence[GradedActivity], enrolments: Any
    ) -> Select[Any]: ...


# --------------------------------------------------------------------------- containment

T = TypeVar("T")


def call_type(
    type_name: str, hook: str, call: Callable[[], T], default: T, *, activity: Any = None
) -> T:
    """Run one hook of an activity type; log and answer `default` if it raises."""
    try:
        return call()
    except Exception:  # a plugin's fault must never take down an engine page
        db_session_ok = _rollback_to_savepoint_if_needed()
        log.exception(
            "activity type %r failed in %s%s%s",
            type_name,
            hook,
            f" for activity {activity}" if activity is not None else "",
            "" if db_session_ok else " (database session reset)",
        )
        return default


def _rollback_to_savepoint_if_needed() -> bool:
    """A failed statement leaves a PostgreSQL transaction aborted: say whether it is usable."""
    try:
        db.session.execute(select(1))
        return True
    except Exception:
        db.session.rollback()
        return False


# --------------------------------------------------------------------------- results


def run_result_query(
    activity_type: Any, activities: Sequence[GradedActivity], enrolments: Any
) -> dict[tuple[int, int], Result]:
    """{(enrolment id, activity id): Result} for activities of one type, with results recorded
    on an earlier version of an activity credited to the activity asked about (the newest
    such result when there are several)."""
    if not activities:
        return {}
    alias: dict[int, int] = {}
    for activity in activities:
        for other in sorted(activity.all_ids):
            alias[other] = activity.id
    query = activity_type.result_query(activities, enrolments)
    found: dict[tuple[int, int], tuple[int, Result]] = {}
    for enrolment_id, activity_id, percent, state in db.session.execute(query):
        own = alias.get(activity_id)
        if own is None:
            continue
        # Prefer the activity itself, then the newest version (highest id) that has one.
        rank = 1 << 62 if activity_id == own else activity_id
        previous = found.get((enrolment_id, own))
        if previous is None or rank > previous[0]:
            found[(enrolment_id, own)] = (
                rank,
                Result(float(percent) if percent is not None else None, state),
            )
    return {key: result for key, (_rank, result) in found.items()}


def state_label(activity_type: Any, state: str | None) -> str | None:
    if state is None:
        return None
    label = getattr(activity_type, "state_label", None)
    if label is None:
        return state
    return call_type(activity_type.name, "state_label", lambda: str(label(state)), state)


# --------------------------------------------------------------------------- records


def record_query(activities: Sequence[GradedActivity], enrolments: Any) -> Select[Any]:
    """A `result_query` for types that keep their results in the engine's records."""
    from courses.models import ActivityRecord

    ids = [i for a in activities for i in a.all_ids]
    return select(
        ActivityRecord.enrolment_id,
        ActivityRecord.activity_id,
        ActivityRecord.percent,
        ActivityRecord.state,
    ).where(ActivityRecord.activity_id.in_(ids), ActivityRecord.enrolment_id.in_(enrolments))


def record_activity_query(type_name: str, enrolments: Any) -> Select[Any]:
    """A `last_activity_query` over the engine's records of one type."""
    from sqlalchemy import func

    from courses.models import Activity, ActivityRecord

    return (
        select(ActivityRecord.enrolment_id, func.max(ActivityRecord.updated_at))
        .join(Activity, Activity.id == ActivityRecord.activity_id)
        .where(Activity.type == type_name, ActivityRecord.enrolment_id.in_(enrolments))
        .group_by(ActivityRecord.enrolment_id)
    )


def load_record(enrolment_id: int, activity_id: int) -> Any:
    """The engine's record of one participant in one activity (None before the first)."""
    from courses.models import ActivityRecord

    return db.session.scalar(
        select(ActivityRecord).where(
            ActivityRecord.enrolment_id == enrolment_id,
            ActivityRecord.activity_id == activity_id,
        )
    )


def report_result(
    enrolment_id: int,
    activity_id: int,
    *,
    percent: float | None,
    state: str | None = None,
    data: Mapping[str, Any] | None = None,
    complete_when: str = "graded",
    pass_percent: float = 0.0,
) -> Any:
    """Store a participant's result and state for an activity and update its completion:
    complete once graded (`complete_when="graded"`) or once at or above `pass_percent`
    ("passed"); a later result below the mark withdraws a "passed" completion."""
    from courses.models import ActivityRecord
    from courses.services import record_completion, withdraw_completion
    from courses.signals import result_recorded
    from lms.models import utcnow

    if complete_when not in COMPLETE_WHEN:
        raise ValueError(f"complete_when must be one of {COMPLETE_WHEN}")
    if percent is not None and not 0.0 <= percent <= 100.0:
        raise ValueError("percent must be from 0 to 100")
    record = db.session.scalar(
        select(ActivityRecord)
        .where(
            ActivityRecord.enrolment_id == enrolment_id,
            ActivityRecord.activity_id == activity_id,
        )
        .with_for_update()
    )
    if record is None:
        record = ActivityRecord(enrolment_id=enrolment_id, activity_id=activity_id, data={})
        db.session.add(record)
    record.percent = percent
    record.state = state
    if data is not None:
        record.data = dict(data)
    record.updated_at = utcnow()
    db.session.flush()
    done = percent is not None and (
        complete_when == "graded" or percent + 1e-9 >= float(pass_percent)
    )
    source = f"result:{complete_when}"
    if done:
        record_completion(enrolment_id, activity_id, source)
    else:
        withdraw_completion([enrolment_id], [activity_id], source)
    # record/withdraw_completion above already told the reports that results changed.
    result_recorded.send(None, enrolment_id=enrolment_id, activity_id=activity_id)
    return record


# --------------------------------------------------------------------------- routes


def participant_activity(activity_id: int, type_name: str) -> tuple[Any, Any, Any]:
    """(enrolment, activity, module) for the signed-in participant, with the module page's
    checks: the activity exists and has this type, the participant follows (not withdrawn)
    a cohort on its version, and its module is open to them. 404 or 403 otherwise."""
    from courses.models import Activity, Module
    from courses.services import module_open
    from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus

    if not current_user.is_authenticated:
        abort(401)
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.type != type_name:
        abort(404)
    module = db.session.get(Module, activity.module_id)
    from sqlalchemy.orm import contains_eager

    enrolment = db.session.scalar(
        select(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .options(contains_eager(Enrolment.cohort))
        .where(
            Enrolment.user_id == current_user.id,
            Cohort.course_version_id == module.version_id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
    )
    if enrolment is None:
        abort(403)
    if not module_open(enrolment, module):
        abort(403)
    return enrolment, activity, module


_SCORE_SALT = "lms.activity-score"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SCORE_SALT)


def score_token(enrolment_id: int, activity_id: int) -> str:
    """A signed token an external tool sends back with a score for this participant."""
    return _serializer().dumps({"e": enrolment_id, "a": activity_id})


def read_score_token(token: str, max_age: int = 7 * 24 * 3600) -> tuple[int, int] | None:
    """(enrolment id, activity id) from a token of `score_token`; None if forged or expired."""
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not {"e", "a"} <= set(data):
        return None
    return int(data["e"]), int(data["a"])


def mount_blueprints(app: Any, activity_types: Mapping[str, Any]) -> None:
    """Mount each type's blueprint (if it has one) under /activities/<type name>/."""
    for name, activity_type in activity_types.items():
        blueprint = getattr(activity_type, "blueprint", None)
        if blueprint is not None:
            app.register_blueprint(blueprint, url_prefix=f"/activities/{name}")


def graded(activity_types: Mapping[str, Any]) -> dict[str, Any]:
    return {n: t for n, t in activity_types.items() if getattr(t, "grade_categories", ())}


def ids_of(activities: Iterable[GradedActivity]) -> list[int]:
    return [i for a in activities for i in a.all_ids]
