"""Who may do what to which object: the one place every view asks.

Each `can_*` function answers for one object; each `*_scope` function narrows a
query to what a user may list; each `get_*_or_abort` loader is what views call,
answering 404 for a missing object and 403 for one outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import exists, false, select, true
from sqlalchemy.orm import joinedload

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.authors import CourseAuthor
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus, cohort_mentor
from lms.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Decorate a view: log in first, then 403 unless the user has one of `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


STAFF = (Role.ADMIN, Role.COORDINATOR, Role.MENTOR)


# Cohorts -------------------------------------------------------------------


def cohort_scope(user: User) -> Any:
    """A WHERE clause selecting the cohorts `user` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.COORDINATOR:
        return Cohort.region_code == user.region_code
    if user.role == Role.MENTOR:
        return exists().where(
            cohort_mentor.c.cohort_id == Cohort.id, cohort_mentor.c.user_id == user.id
        )
    if user.role == Role.PARTICIPANT:
        return exists().where(Enrolment.cohort_id == Cohort.id, Enrolment.user_id == user.id)
    return false()


def can_view_cohort_roster(user: User, cohort: Cohort) -> bool:
    """Staff pages of a cohort: its mentor, its region's coordinator, an admin."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.COORDINATOR:
        return cohort.region_code == user.region_code
    if user.role == Role.MENTOR:
        return db.session.scalar(
            select(
                exists().where(
                    cohort_mentor.c.cohort_id == cohort.id, cohort_mentor.c.user_id == user.id
                )
            )
        )
    return False


def can_manage_cohort(user: User, cohort: Cohort) -> bool:
    """Edit, enrol and withdraw: an admin, or the coordinator of the cohort's region."""
    return user.role == Role.ADMIN or (
        user.role == Role.COORDINATOR and cohort.region_code == user.region_code
    )


def can_create_cohort_in(user: User, region_code: str) -> bool:
    return user.role == Role.ADMIN or (
        user.role == Role.COORDINATOR and user.region_code == region_code
    )


def can_assign_mentors(user: User) -> bool:
    return user.role == Role.ADMIN


def get_cohort_or_abort(cohort_id: int, *, manage: bool = False) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id, options=[joinedload(Cohort.region)])
    if cohort is None:
        abort(404)
    allowed = (
        can_manage_cohort(current_user, cohort)
        if manage
        else can_view_cohort_roster(current_user, cohort)
    )
    if not allowed:
        abort(403)
    return cohort


# Users ---------------------------------------------------------------------


def user_scope(actor: User) -> Any:
    """A WHERE clause selecting the accounts `actor` may list and manage."""
    if actor.role == Role.ADMIN:
        return true()
    if actor.role == Role.COORDINATOR:
        return (User.role == Role.PARTICIPANT.value) & (User.region_code == actor.region_code)
    return false()


def can_manage_user(actor: User, target: User) -> bool:
    if actor.role == Role.ADMIN:
        return True
    return (
        actor.role == Role.COORDINATOR
        and target.role == Role.PARTICIPANT
        and target.region_code == actor.region_code
    )


def assignable_roles(actor: User) -> tuple[Role, ...]:
    if actor.role == Role.ADMIN:
        return tuple(Role)
    if actor.role == Role.COORDINATOR:
        return (Role.PARTICIPANT,)
    return ()


def import_region_codes(actor: User) -> set[str] | None:
    """Regions an import by `actor` may write to; None means any."""
    if actor.role == Role.ADMIN:
        return None
    if actor.role == Role.COORDINATOR and actor.region_code:
        return {actor.region_code}
    return set()


def get_user_or_abort(user_id: int) -> User:
    target = db.session.get(User, user_id, options=[joinedload(User.region)])
    if target is None:
        abort(404)
    if not can_manage_user(current_user, target):
        abort(403)
    return target


# Courses and meetings -------------------------------------------------------


def learner_enrolment(user: User, cohort_id: int) -> Enrolment | None:
    """The user's enrolment in the cohort, unless withdrawn."""
    if user.role != Role.PARTICIPANT:
        return None
    return db.session.scalar(
        select(Enrolment)
        .options(joinedload(Enrolment.cohort).joinedload(Cohort.region))
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.user_id == user.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
    )


def get_learning_cohort_or_abort(cohort_id: int) -> tuple[Cohort, Enrolment | None]:
    """A cohort's course pages: its enrolled participants (with their enrolment), its
    mentors, its region's coordinator and admins. 404 until the cohort has a course."""
    if current_user.role == Role.PARTICIPANT:
        enrolment = learner_enrolment(current_user, cohort_id)
        if enrolment is None:
            if db.session.get(Cohort, cohort_id) is None:
                abort(404)
            abort(403)
        cohort = enrolment.cohort
    else:
        cohort = get_cohort_or_abort(cohort_id)
        enrolment = None
    if cohort.course_version_id is None:
        abort(404)
    return cohort, enrolment


def can_take_attendance(user: User, cohort: Cohort) -> bool:
    """Attendance and session notes: the cohort's mentors and admins."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MENTOR and can_view_cohort_roster(user, cohort)


def can_attach_course(user: User) -> bool:
    return user.role == Role.ADMIN


# Course authoring --------------------------------------------------------------
# Admins author every course; a course author (*Penulis Materi*) edits the draft and the
# question bank of the courses an admin named them for, and nothing else.


def is_course_author(user: User, course_id: int) -> bool:
    """Whether an admin named `user` an author of the course (one query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(CourseAuthor.course_id == course_id, CourseAuthor.user_id == user.id)
            )
        )
    )


def authored_course_ids(user: User) -> set[int]:
    """The courses `user` is an author of (one query)."""
    return set(
        db.session.scalars(select(CourseAuthor.course_id).where(CourseAuthor.user_id == user.id))
    )


def can_author_course(user: User, course_id: int) -> bool:
    """Edit the course's draft (modules, activities, history) and its question bank, start
    or discard a draft, download it: an admin or one of the course's authors."""
    return user.role == Role.ADMIN or is_course_author(user, course_id)


def can_author_any_course(user: User) -> bool:
    """Open the authoring pages at all (the course list, the Markdown preview)."""
    return user.role == Role.ADMIN or bool(authored_course_ids(user))


def can_publish_course(user: User, course_id: int, authors_may_publish: bool) -> bool:
    """Publish the draft: admins, and the course's authors only when the course says so."""
    if user.role == Role.ADMIN:
        return True
    return authors_may_publish and is_course_author(user, course_id)


def can_see_course_version(user: User, course_id: int, version_id: int) -> bool:
    """See a version's material and files: the course's admins and authors (every version,
    the draft too), and whoever may see a cohort that follows this version (its
    participants, mentors and region's coordinator). One query at most."""
    if not user.is_authenticated or not user.is_active:
        return False
    if can_author_course(user, course_id):
        return True
    return bool(
        db.session.scalar(
            select(exists().where(Cohort.course_version_id == version_id, cohort_scope(user)))
        )
    )


def can_manage_course(user: User) -> bool:
    """Create courses, import packages, name authors, change publishing rights, correct a
    published answer key or read item analysis: admins only."""
    return user.role == Role.ADMIN


# Audit log -------------------------------------------------------------------


def audit_scope(user: User) -> Any:
    """A WHERE clause selecting the audit entries `user` may read: every one for an admin,
    their region's for a coordinator, none for anyone else."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.COORDINATOR and user.region_code:
        return AuditEvent.region_code == user.region_code
    return false()
