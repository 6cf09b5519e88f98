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

from sqlalchemy import Float, case, cast, func, select

from courses.models import Activity, ActivityCompletion, Module
from courses.services import decode_settings
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.maturity.models import SelfAssessment
from lms.regions.models import Region
from quizzes.analysis import normalised_gain
from quizzes.models import AttemptStatus, QuizAttempt

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


def _quiz_kinds() -> tuple[list[int], list[int]]:
    """Ids of every pre-test and post-test activity (one query over the quiz activities)."""
    pre, post = [], []
    for activity_id, config in db.session.execute(
        select(Activity.id, Activity.config).where(Activity.type == "quiz")
    ):
        kind = decode_settings(config).get("kind")
        if kind == "pre":
            pre.append(activity_id)
        elif kind == "post":
            post.append(activity_id)
    return pre, post


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

    # Mean pre- and post-test scores over submitted attempts.
    pre_ids, post_ids = _quiz_kinds()
    if pre_ids or post_ids:
        pct = 100.0 * QuizAttempt.score / QuizAttempt.max_score
        for group, pre, post in db.session.execute(
            select(
                key,
                func.avg(case((QuizAttempt.activity_id.in_(pre_ids or [-1]), pct))),
                func.avg(case((QuizAttempt.activity_id.in_(post_ids or [-1]), pct))),
            )
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .join(QuizAttempt, QuizAttempt.enrolment_id == Enrolment.id)
            .where(
                *scope,
                QuizAttempt.status == AttemptStatus.SUBMITTED.value,
                QuizAttempt.score.is_not(None),
                QuizAttempt.max_score > 0,
            )
            .group_by(key)
        ):
            rows[group].pre = float(pre) if pre is not None else None
            rows[group].post = float(post) if post is not None else None

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
    participant's mean pre- and post-test scores give their gain, bucketed in SQL."""
    pre_ids, post_ids = _quiz_kinds()
    if not pre_ids or not post_ids:
        return [(label, 0) for label, _low, _high in GAIN_BINS]
    pct = 100.0 * QuizAttempt.score / QuizAttempt.max_score
    scope = [
        QuizAttempt.status == AttemptStatus.SUBMITTED.value,
        QuizAttempt.score.is_not(None),
        QuizAttempt.max_score > 0,
    ]
    if province:
        scope.append(Cohort.region_code.like(f"{province}.%"))
    per_person = (
        select(
            QuizAttempt.enrolment_id,
            func.avg(case((QuizAttempt.activity_id.in_(pre_ids), pct))).label("pre"),
            func.avg(case((QuizAttempt.activity_id.in_(post_ids), pct))).label("post"),
        )
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(*scope)
        .group_by(QuizAttempt.enrolment_id)
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
