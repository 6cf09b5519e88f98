"""Participation in graded discussions: substantive posts per participant, completion that
follows them, and the mentor's rubric grade reported through the activity-type contract."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from courses import contract
from courses import services as course_services
from courses.models import Activity, Meeting, Module
from discussions.models import Post, Space, Thread, visible_post
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db

TYPE_NAME = "discussion"
SETTINGS = {"prompt", "min_posts", "min_words", "rubric", "pass_percent"}
COMPLETION_SOURCE = "discussion"
WORD = re.compile(r"\w+", re.UNICODE)


def min_posts(config: Mapping[str, Any]) -> int:
    return int(config.get("min_posts", 2))


def min_words(config: Mapping[str, Any]) -> int:
    return int(config.get("min_words", 20))


def pass_mark(config: Mapping[str, Any]) -> float:
    return float(config.get("pass_percent", 60))


def rubric_of(config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(config.get("rubric") or [])


def max_points(config: Mapping[str, Any]) -> float:
    return float(sum(max(c["points"]) for c in rubric_of(config)))


def words(text: str) -> int:
    return len(WORD.findall(text))


def activity_in_module(version_id: int, module_slug: str) -> list[Any]:
    """The discussion activities of one module of a course version."""
    return list(
        db.session.scalars(
            select(Activity)
            .join(Module, Module.id == Activity.module_id)
            .where(
                Module.version_id == version_id,
                Module.slug == module_slug,
                Activity.type == TYPE_NAME,
            )
        )
    )


def _space_key(cohort_id: int, module_slug: str) -> str:
    return f"module:{cohort_id}:{module_slug}"


def post_counts(cohort_id: int, module_slug: str, threshold: int) -> dict[int, int]:
    """{user id: visible posts of at least `threshold` words} in a cohort's session Q&A."""
    rows = db.session.execute(
        select(Post.author_id, Post.body)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Space, Space.id == Thread.space_id)
        .where(
            Space.key == _space_key(cohort_id, module_slug),
            Thread.hidden.is_(False),
            visible_post(),
            Post.author_id.is_not(None),
        )
    )
    counts: dict[int, int] = {}
    for author_id, body in rows:
        if words(body) >= threshold:
            counts[author_id] = counts.get(author_id, 0) + 1
    return counts


def short_of_posts_in(
    cohorts: Mapping[int, Sequence[int]],
    module_slug: str,
    config: Mapping[str, Any],
    now: datetime,
) -> dict[int, int]:
    """{enrolment id: substantive posts so far} of the participants with fewer posts than
    the activity asks for, once a day has passed since their cohort's meeting for the
    session (before that, or without a meeting, nobody is short yet), for several cohorts
    ({cohort id: its enrolment ids}) in three statements whatever their number."""
    if not any(cohorts.values()):
        return {}
    held = set(
        db.session.scalars(
            select(Meeting.cohort_id)
            .where(
                Meeting.cohort_id.in_(list(cohorts)),
                Meeting.module_slug == module_slug,
                Meeting.starts_at < now - timedelta(days=1),
            )
            .distinct()
        )
    )
    wanted = [e for cohort_id in held for e in cohorts.get(cohort_id, ())]
    if not wanted:
        return {}
    users = db.session.execute(
        select(Enrolment.id, Enrolment.user_id, Enrolment.cohort_id).where(Enrolment.id.in_(wanted))
    ).all()
    keys = {_space_key(cohort_id, module_slug): cohort_id for cohort_id in held}
    threshold = min_words(config)
    counts: dict[tuple[int, int], int] = {}
    for key, author_id, body in db.session.execute(
        select(Space.key, Post.author_id, Post.body)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Space, Space.id == Thread.space_id)
        .where(
            Space.key.in_(list(keys)),
            Thread.hidden.is_(False),
            visible_post(),
            Post.author_id.is_not(None),
        )
    ):
        if words(body) >= threshold:
            counts[(keys[key], author_id)] = counts.get((keys[key], author_id), 0) + 1
    needed = min_posts(config)
    return {
        enrolment_id: counts.get((cohort_id, user_id), 0)
        for enrolment_id, user_id, cohort_id in users
        if counts.get((cohort_id, user_id), 0) < needed
    }


def update(cohort_id: int, module_slug: str, user_ids: Iterable[int]) -> None:
    """Record or withdraw the completion of the module's graded discussions for these
    people after their posts changed (a post written, edited or hidden)."""
    version_id = db.session.scalar(select(Cohort.course_version_id).where(Cohort.id == cohort_id))
    if version_id is None:
        return
    activities = activity_in_module(version_id, module_slug)
    if not activities:
        return
    enrolments = dict(
        db.session.execute(
            select(Enrolment.user_id, Enrolment.id).where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.user_id.in_(set(user_ids)),
                Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
            )
        ).all()
    )
    if not enrolments:
        return
    for activity in activities:
        config = course_services.decode_settings(activity.config)
        counts = post_counts(cohort_id, module_slug, min_words(config))
        for user_id, enrolment_id in enrolments.items():
            if counts.get(user_id, 0) >= min_posts(config):
                course_services.record_completion(enrolment_id, activity.id, COMPLETION_SOURCE)
            else:
                course_services.withdraw_completion(
                    [enrolment_id], [activity.id], COMPLETION_SOURCE
                )


def overview(activity_ids: Sequence[int], enrolment_id: int | None) -> dict[int, Any]:
    """What the module page shows per discussion activity: the participant's substantive
    posts, the Q&A's address and the recorded grade."""
    from flask import url_for

    if enrolment_id is None or not activity_ids:
        return {}
    enrolment = db.session.get(Enrolment, enrolment_id)
    rows = db.session.execute(
        select(Activity, Module.slug)
        .join(Module, Module.id == Activity.module_id)
        .where(Activity.id.in_(list(activity_ids)))
    ).all()
    found: dict[int, Any] = {}
    for activity, slug in rows:
        config = course_services.decode_settings(activity.config)
        counts = post_counts(enrolment.cohort_id, slug, min_words(config))
        record = contract.load_record(enrolment_id, activity.id)
        found[activity.id] = {
            "count": counts.get(enrolment.user_id, 0),
            "url": url_for("discussions.module_space", cohort_id=enrolment.cohort_id, slug=slug),
            "percent": record.percent if record is not None else None,
            "levels": chosen_levels(config, (record.data or {}) if record is not None else {}),
        }
    return found


@dataclass(frozen=True)
class ChosenLevel:
    criterion: str
    level: str
    points: float
    best: float


def chosen_levels(config: Mapping[str, Any], data: Mapping[str, Any]) -> list[ChosenLevel]:
    """The rubric levels the mentor chose (saved with the grade), criterion by criterion;
    empty before grading or when the rubric changed since."""
    chosen = data.get("levels") or {}
    levels: list[ChosenLevel] = []
    for index, criterion in enumerate(rubric_of(config)):
        level = chosen.get(str(index))
        names = criterion.get("levels") or []
        points = criterion.get("points") or []
        if not isinstance(level, int) or not 0 <= level < min(len(names), len(points)):
            return []
        levels.append(
            ChosenLevel(criterion["criterion"], names[level], float(points[level]), max(points))
        )
    return levels


@dataclass(frozen=True)
class GradeRow:
    enrolment: Enrolment
    user: Any
    posts: int
    percent: float | None
    levels: Mapping[str, Any]


def grading_rows(cohort: Cohort, activity: Activity, slug: str) -> list[GradeRow]:
    """Every participant of the cohort with their substantive posts and recorded grade
    (three statements whatever the cohort's size)."""
    from courses.models import ActivityRecord
    from lms.auth.models import User

    config = course_services.decode_settings(activity.config)
    counts = post_counts(cohort.id, slug, min_words(config))
    people = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
        .order_by(User.name)
    ).all()
    records = {
        r.enrolment_id: r
        for r in db.session.scalars(
            select(ActivityRecord).where(
                ActivityRecord.activity_id == activity.id,
                ActivityRecord.enrolment_id.in_([e.id for e, _u in people]),
            )
        )
    }
    return [
        GradeRow(
            enrolment=enrolment,
            user=user,
            posts=counts.get(user.id, 0),
            percent=records[enrolment.id].percent if enrolment.id in records else None,
            levels=(records[enrolment.id].data or {}).get("levels", {})
            if enrolment.id in records
            else {},
        )
        for enrolment, user in people
    ]


def grade(activity: Activity, enrolment: Enrolment, levels: Mapping[str, int]) -> float:
    """Save the mentor's rubric grade (a level per criterion) as the participant's result."""
    config = course_services.decode_settings(activity.config)
    rubric = rubric_of(config)
    if not rubric:
        raise DomainError(_("This discussion is not graded."))
    total = 0.0
    chosen: dict[str, int] = {}
    for index, criterion in enumerate(rubric):
        level = levels.get(str(index))
        if level is None or not 0 <= level < len(criterion["points"]):
            raise DomainError(
                _("Choose a level for “%(criterion)s”.", criterion=criterion["criterion"])
            )
        chosen[str(index)] = level
        total += float(criterion["points"][level])
    percent = round(total / max_points(config) * 100, 2)
    contract.report_result(
        enrolment.id,
        activity.id,
        percent=percent,
        state="graded",
        data={"levels": chosen},
        complete_when="graded",
        pass_percent=pass_mark(config),
    )
    return percent
