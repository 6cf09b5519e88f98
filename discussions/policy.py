"""Who may see, write in and moderate which discussion space.

- A session's Q&A (module space): the cohort's participants (not withdrawn), its mentors,
  its region's coordinator, admins.
- A course's cross-region forum: everyone enrolled (not withdrawn) in any cohort on the
  course, those cohorts' mentors and coordinators, admins.
- A practice's discussion: everyone signed in, while the practice is published.

Moderators (hide, lock, pin, read reports): admins; the cohort's mentors and coordinator
for a module space; the mentors and coordinators of the course's cohorts for a forum;
mentors (the catalogue's curators) and the practice region's coordinator for a practice.

Every list, count, search and notification is narrowed by `space_scope` and
`visible_user_ids`, so hidden content and other cohorts' threads never leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, literal, or_, select, true

from courses.models import CourseVersion
from discussions.models import Space, SpaceKind
from lms.auth.models import Role, User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus, cohort_mentor
from lms.extensions import db
from lms.practices.models import Practice, PracticeStatus


@dataclass(frozen=True)
class SpaceRef:
    """A space as the pages know it, whether or not its row exists yet."""

    kind: SpaceKind
    key: str
    title: str
    cohort_id: int | None = None
    module_slug: str | None = None
    course_id: int | None = None
    practice_id: int | None = None
    region_code: str | None = None
    """The cohort's region (module space) or the practice's region."""
    space_id: int | None = None


def _my_cohorts(user: User) -> Any:
    """A SELECT of the cohort ids whose spaces `user` belongs to (not for admins)."""
    if user.role == Role.PARTICIPANT:
        return select(Enrolment.cohort_id).where(
            Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN.value
        )
    if user.role == Role.MENTOR:
        return select(cohort_mentor.c.cohort_id).where(cohort_mentor.c.user_id == user.id)
    if user.role == Role.COORDINATOR:
        return select(Cohort.id).where(Cohort.region_code == user.region_code)
    return select(Cohort.id).where(false())


def _my_courses(user: User) -> Any:
    return (
        select(CourseVersion.course_id)
        .join(Cohort, Cohort.course_version_id == CourseVersion.id)
        .where(Cohort.id.in_(_my_cohorts(user)))
    )


def _published_practices() -> Any:
    return select(Practice.id).where(Practice.status == PracticeStatus.PUBLISHED.value)


def space_scope(user: User) -> Any:
    """A WHERE clause on `Space` selecting the spaces `user` may read."""
    if user.role == Role.ADMIN:
        return true()
    return or_(
        and_(Space.kind == SpaceKind.MODULE.value, Space.cohort_id.in_(_my_cohorts(user))),
        and_(Space.kind == SpaceKind.COURSE.value, Space.course_id.in_(_my_courses(user))),
        and_(Space.kind == SpaceKind.PRACTICE.value, Space.practice_id.in_(_published_practices())),
    )


def can_view(user: User, ref: SpaceRef) -> bool:
    if user.role == Role.ADMIN:
        return True
    if ref.kind == SpaceKind.MODULE:
        condition = literal(ref.cohort_id).in_(_my_cohorts(user))
    elif ref.kind == SpaceKind.COURSE:
        condition = literal(ref.course_id).in_(_my_courses(user))
    else:
        condition = literal(ref.practice_id).in_(_published_practices())
    return bool(db.session.scalar(select(condition)))


def can_moderate(user: User, ref: SpaceRef) -> bool:
    """Hide and show posts, lock and pin threads, see the reports."""
    if user.role == Role.ADMIN:
        return True
    if ref.kind == SpaceKind.PRACTICE:
        if user.role == Role.MENTOR:
            return True
        return user.role == Role.COORDINATOR and user.region_code == ref.region_code
    if user.role not in (Role.MENTOR, Role.COORDINATOR):
        return False
    return can_view(user, ref)


def can_endorse(user: User, ref: SpaceRef) -> bool:
    """Mark an answer as endorsed: the space's mentors and admins."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MENTOR and can_moderate(user, ref)


def visible_user_ids(ref: SpaceRef, candidate_ids: set[int]) -> set[int]:
    """Those of `candidate_ids` who may read the space (one statement)."""
    if not candidate_ids:
        return set()
    if ref.kind == SpaceKind.PRACTICE:
        rule = true()
    elif ref.kind == SpaceKind.MODULE:
        cohorts = select(literal(ref.cohort_id))
        rule = _members_of(cohorts)
    else:
        cohorts = (
            select(Cohort.id)
            .join(CourseVersion, CourseVersion.id == Cohort.course_version_id)
            .where(CourseVersion.course_id == ref.course_id)
        )
        rule = _members_of(cohorts)
    return set(
        db.session.scalars(
            select(User.id).where(User.id.in_(candidate_ids), User.active, or_(rule))
        )
    )


def _members_of(cohorts: Any) -> Any:
    return or_(
        User.role == Role.ADMIN.value,
        and_(
            User.role == Role.PARTICIPANT.value,
            User.id.in_(
                select(Enrolment.user_id).where(
                    Enrolment.cohort_id.in_(cohorts),
                    Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
                )
            ),
        ),
        and_(
            User.role == Role.MENTOR.value,
            User.id.in_(
                select(cohort_mentor.c.user_id).where(cohort_mentor.c.cohort_id.in_(cohorts))
            ),
        ),
        and_(
            User.role == Role.COORDINATOR.value,
            User.region_code.in_(select(Cohort.region_code).where(Cohort.id.in_(cohorts))),
        ),
    )
