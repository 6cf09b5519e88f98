"""Figures per region (national dashboard) or per cohort (region view), all in SQL.

Every figure is one GROUP BY over the whole country, so the page costs the same number of
statements for 3 regions or 514: enrolled and active participants, completion rate, mean
post-test score, learning gain (from the mean pre- and post-test scores), certificates and
the change of the SPBE maturity index between baseline and follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, select, union_all

from courses import contract
from courses.grades import normalised_gain
from courses.models import Activity, ActivityCompletion, Module
from courses.services import decode_settings
from lms import plugins
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.maturity.models import SelfAssessment
from lms.regions.models import Region

GAIN_BINS = (
    ("< 0", None, 0.0),
    ("0–0.3", 0.0, 0.3),
    ("0.3–0.7", 0.3, 0.7),
    ("≥ 0.7", 0.7, None),
)
"""Hake's bands of normalised gain (low, medium, high), with losses apart."""


@dataclass
class Figures:
    key: str
    label: str
    province: str = ""
    cohorts: int = 0
    enrolled: int = 0
    active: int = 0
    completion: float | None = None
    post: float | None = None
    pre: float | None = None
    certificates: int = 0
    maturity_change: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gain(self) -> float | None:
        return normalised_gain(self.pre, self.post)


@dataclass
class _Graded:
    """Every graded activity of the country by type, with its category and gain role."""

    by_type: dict[str, list[contract.GradedActivity]]
    category: dict[int, str]
    role: dict[int, str]
    labels: dict[str, str]


def _graded_activities() -> _Graded:
    """One query over the activities of graded types; categories come from their types."""
    registry = plugins.registry()
    graded_types = contract.graded(registry.activity_types)
    declared = registry.grade_categories()
    found = _Graded({}, {}, {}, {name: str(c.label) for name, (_t, c) in declared.items()})
    if not graded_types:
        return found
    for activity, module_slug in db.session.execute(
        select(Activity, Module.slug)
        .join(Module, Module.id == Activity.module_id)
        .where(Activity.type.in_(sorted(graded_types)))
    ):
        activity_type = graded_types[activity.type]
        config = decode_settings(activity.config)
        category = contract.call_type(
            activity.type, "category", lambda t=activity_type, c=config: t.category(c), None
        )
        if category not in declared:
            continue
        found.by_type.setdefault(activity.type, []).append(
            contract.GradedActivity(
                activity.id, activity.key, activity.title, activity.module_id, module_slug, config
            )
        )
        found.category[activity.id] = category
        if declared[category][1].gain in ("before", "after"):
            found.role[activity.id] = declared[category][1].gain
    return found


def _results(graded: _Graded, enrolments: Any, *, roles_only: bool = False) -> Any:
    """Every graded type's results for `enrolments` (a selectable of ids) as one subquery
    with a category and a gain-role column: the country is aggregated in SQL."""
    registry = plugins.registry()
    parts = []
    for type_name, activities in graded.by_type.items():
        if roles_only:
            activities = [a for a in activities if a.id in graded.role]
        if not activities:
            continue
        query = contract.call_type(
            type_name,
            "result_query",
            lambda n=type_name, a=activities: registry.activity_type(n).result_query(a, enrolments),
            None,
        )
        if query is not None:
            parts.append(query.subquery())
    if not parts:
        return None
    union = union_all(
        *[select(p.c.enrolment_id, p.c.activity_id, p.c.percent) for p in parts]
    ).subquery()

    def column(mapping: dict[int, str], name: str) -> Any:
        groups: dict[str, list[int]] = {}
        for activity_id, value in mapping.items():
            groups.setdefault(value, []).append(activity_id)
        if not groups:
            return literal(None).label(name)
        return case(
            *[(union.c.activity_id.in_(ids), literal(value)) for value, ids in groups.items()],
            else_=None,
        ).label(name)

    return select(
        union.c.enrolment_id,
        union.c.percent,
        column(graded.category, "category"),
        column(graded.role, "role"),
    ).subquery()


def figures(
    *, by: str, region_code: str | None = None, province: str | None = None, now: datetime
) -> list[Figures]:
    """Figures grouped `by` "region" (national) or "cohort" (one region's cohorts)."""
    key = Cohort.region_code if by == "region" else Cohort.id
    scope = [Cohort.course_version_id.is_not(None)]
    if region_code:
        scope.append(Cohort.region_code == region_code)
    if province:
        scope.append(Cohort.region_code.like(f"{province}.%"))
    active_enrolment = Enrolment.status != EnrolmentStatus.WITHDRAWN.value

    rows: dict[Any, Figures] = {}
    if by == "region":
        for region, count in db.session.execute(
            select(Region, func.count(Cohort.id))
            .join(Cohort, Cohort.region_code == Region.code)
            .where(*scope)
            .group_by(Region.code)
        ):
            rows[region.code] = Figures(
                region.code, region.display_name, province=region.province_code, cohorts=count
            )
    else:
        for cohort_id, name in db.session.execute(
            select(Cohort.id, Cohort.name).where(*scope).order_by(Cohort.start_date)
        ):
            rows[cohort_id] = Figures(str(cohort_id), name, cohorts=1)
    if not rows:
        return []

    # Enrolled, and active in the last 14 days (a completion in that time).
    recent = (
        select(ActivityCompletion.enrolment_id)
        .where(ActivityCompletion.completed_at >= now - timedelta(days=14))
        .distinct()
        .subquery()
    )
    for group, enrolled, active in db.session.execute(
        select(key, func.count(Enrolment.id), func.count(recent.c.enrolment_id))
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .outerjoin(recent, recent.c.enrolment_id == Enrolment.id)
        .where(*scope, active_enrolment)
        .group_by(key)
    ):
        rows[group].enrolled, rows[group].active = enrolled, active

    # Completion rate: completed / all activities of the cohort's version, per participant.
    totals = (
        select(Module.version_id, func.count(Activity.id).label("total"))
        .join(Activity, Activity.module_id == Module.id)
        .group_by(Module.version_id)
        .subquery()
    )
    done = (
        select(ActivityCompletion.enrolment_id, func.count().label("done"))
        .group_by(ActivityCompletion.enrolment_id)
        .subquery()
    )
    rate = 100.0 * cast(func.coalesce(done.c.done, 0), Float) / totals.c.total
    for group, value in db.session.execute(
        select(key, func.avg(rate))
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(totals, totals.c.version_id == Cohort.course_version_id)
        .outerjoin(done, done.c.enrolment_id == Enrolment.id)
        .where(*scope, active_enrolment, totals.c.total > 0)
        .group_by(key)
    ):
        rows[group].completion = float(value) if value is not None else None

    # Mean result per grade category, and the gain roles' (pre-/post-test) means, over
    # each participant's results as their activity types report them.
    graded = _graded_activities()
    enrolments = select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id).where(*scope)
    found = _results(graded, enrolments)
    if found is not None:
        sums: dict[Any, dict[str, list[float]]] = {}
        for group, category, role, mean, count in db.session.execute(
            select(
                key,
                found.c.category,
                found.c.role,
                func.avg(found.c.percent),
                func.count(found.c.percent),
            )
            .join(Enrolment, Enrolment.id == found.c.enrolment_id)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(found.c.percent.is_not(None))
            .group_by(key, found.c.category, found.c.role)
        ):
            if group not in rows or mean is None:
                continue
            rows[group].extra.setdefault("categories", {})[graded.labels[category]] = float(mean)
            if role:
                pair = sums.setdefault(group, {}).setdefault(role, [0.0, 0.0])
                pair[0] += float(mean) * count
                pair[1] += count
        for group, by_role in sums.items():
            for role, (total, count) in by_role.items():
                value = total / count if count else None
                if role == "before":
                    rows[group].pre = value
                else:
                    rows[group].post = value

    for group, count in db.session.execute(
        select(key, func.count(Certificate.id))
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(Certificate, Certificate.enrolment_id == Enrolment.id)
        .where(*scope)
        .group_by(key)
    ):
        rows[group].certificates = count

    baseline = func.avg(case((SelfAssessment.phase == "baseline", SelfAssessment.index_value)))
    follow = func.avg(case((SelfAssessment.phase == "follow_up", SelfAssessment.index_value)))
    for group, before, after in db.session.execute(
        select(key, baseline, follow)
        .join(SelfAssessment, SelfAssessment.cohort_id == Cohort.id)
        .where(*scope, SelfAssessment.index_value.is_not(None))
        .group_by(key)
    ):
        if before is not None and after is not None:
            rows[group].maturity_change = float(after) - float(before)
        rows[group].extra["maturity"] = after if after is not None else before
    return list(rows.values())


def gain_distribution(*, province: str | None = None) -> list[tuple[str, int]]:
    """How many participants fall in each band of normalised gain (one statement): each
    participant's mean pre- and post-measure (gain-role categories) gives their gain,
    bucketed in SQL."""
    graded = _graded_activities()
    scope = [Cohort.course_version_id.is_not(None)]
    if province:
        scope.append(Cohort.region_code.like(f"{province}.%"))
    enrolments = select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id).where(*scope)
    found = _results(graded, enrolments, roles_only=True)
    if found is None or not {"before", "after"} <= set(graded.role.values()):
        return [(label, 0) for label, _low, _high in GAIN_BINS]
    per_person = (
        select(
            found.c.enrolment_id,
            func.avg(case((found.c.role == "before", found.c.percent))).label("pre"),
            func.avg(case((found.c.role == "after", found.c.percent))).label("post"),
        )
        .where(found.c.percent.is_not(None))
        .group_by(found.c.enrolment_id)
        .subquery()
    )
    gain = (per_person.c.post - per_person.c.pre) / (100.0 - per_person.c.pre)
    bucket = case(
        *[
            (
                gain < high if low is None else (gain >= low) if high is None else (gain < high),
                label,
            )
            for label, low, high in GAIN_BINS
        ],
        else_="?",
    )
    counts = dict(
        db.session.execute(
            select(bucket, func.count())
            .where(
                per_person.c.pre.is_not(None),
                per_person.c.post.is_not(None),
                per_person.c.pre < 100,
            )
            .group_by(bucket)
        ).all()
    )
    return [(label, counts.get(label, 0)) for label, _low, _high in GAIN_BINS]
