"""Cohort rules: creation, mentors, enrolment and withdrawal; scoped listings. Services flush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.auth.models import Role, User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus, cohort_mentor
from lms.errors import DomainError
from lms.extensions import db
from lms.models import utcnow
from lms.regions.models import Region


class CohortError(DomainError):
    """A cohort rule was broken."""


@dataclass(frozen=True)
class CohortInput:
    region_code: str
    name: str
    start_date: date
    end_date: date


def _check_name_free(region_code: str, name: str, exclude_id: int | None = None) -> None:
    from flask_babel import gettext as _

    stmt = select(Cohort.id).where(
        Cohort.region_code == region_code, func.lower(Cohort.name) == name.lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(Cohort.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise CohortError(_("This region already has a cohort with this name."), "name")


def create_cohort(data: CohortInput) -> Cohort:
    _check_name_free(data.region_code, data.name.strip())
    cohort = Cohort(
        region_code=data.region_code,
        name=data.name.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def update_cohort(cohort: Cohort, data: CohortInput) -> None:
    _check_name_free(cohort.region_code, data.name.strip(), exclude_id=cohort.id)
    cohort.name = data.name.strip()
    cohort.start_date = data.start_date
    cohort.end_date = data.end_date
    db.session.flush()


def set_mentors(cohort: Cohort, mentor_ids: list[int]) -> None:
    """Replace the cohort's mentors; only active mentor accounts are accepted."""
    from flask_babel import gettext as _

    mentors = list(
        db.session.scalars(
            select(User).where(
                User.id.in_(mentor_ids), User.role == Role.MENTOR.value, User.active.is_(True)
            )
        )
    )
    if len(mentors) != len(set(mentor_ids)):
        raise CohortError(_("Choose only active mentors."), "mentors")
    db.session.execute(cohort_mentor.delete().where(cohort_mentor.c.cohort_id == cohort.id))
    if mentors:
        db.session.execute(
            cohort_mentor.insert(), [{"cohort_id": cohort.id, "user_id": m.id} for m in mentors]
        )
    db.session.flush()
    db.session.expire(cohort, ["mentors"])


def enrol(cohort: Cohort, participant: User) -> Enrolment:
    """Enrol a participant of the cohort's region; re-enrols a withdrawn one."""
    from flask_babel import gettext as _

    if participant.role != Role.PARTICIPANT:
        raise CohortError(_("Only participants can be enrolled."), "participant")
    if not participant.active:
        raise CohortError(_("This account is deactivated."), "participant")
    if participant.region_code != cohort.region_code:
        raise CohortError(_("The participant belongs to another region."), "participant")
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == participant.id)
        .with_for_update()
    )
    if enrolment is not None:
        if enrolment.status == EnrolmentStatus.ACTIVE:
            raise CohortError(_("This participant is already enrolled."), "participant")
        enrolment.status = EnrolmentStatus.ACTIVE.value
        enrolment.withdrawn_at = None
    else:
        enrolment = Enrolment(cohort_id=cohort.id, user_id=participant.id)
        try:
            # A concurrent enrolment of the same person hits the unique constraint here.
            with db.session.begin_nested():
                db.session.add(enrolment)
                db.session.flush()
        except IntegrityError as exc:
            raise CohortError(_("This participant is already enrolled."), "participant") from exc
    db.session.flush()
    return enrolment


def withdraw(enrolment: Enrolment) -> None:
    enrolment.status = EnrolmentStatus.WITHDRAWN.value
    enrolment.withdrawn_at = utcnow()
    db.session.flush()


# Queries -------------------------------------------------------------------


def cohort_list_query(scope: Any, *, q: str = "", region_code: str = "") -> Select[Any]:
    """Cohorts in `scope` with their region, newest first."""
    stmt = (
        select(Cohort)
        .join(Cohort.region)
        .options(joinedload(Cohort.region))
        .where(scope)
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(Cohort.name).like(like) | func.lower(Region.name).like(like))
    if region_code:
        stmt = stmt.where(Cohort.region_code == region_code)
    return stmt


def participant_counts(cohorts: list[Cohort]) -> dict[int, int]:
    """Active enrolments per cohort, in one GROUP BY query."""
    if not cohorts:
        return {}
    counts = dict.fromkeys((c.id for c in cohorts), 0)
    counts.update(
        db.session.execute(
            select(Enrolment.cohort_id, func.count(Enrolment.id))
            .where(
                Enrolment.cohort_id.in_(counts),
                Enrolment.status == EnrolmentStatus.ACTIVE.value,
            )
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    return counts


def with_mentors(cohorts: list[Cohort]) -> dict[int, list[User]]:
    """Mentors of many cohorts in one query, keyed by cohort id."""
    if not cohorts:
        return {}
    rows = db.session.execute(
        select(cohort_mentor.c.cohort_id, User)
        .join(User, User.id == cohort_mentor.c.user_id)
        .where(cohort_mentor.c.cohort_id.in_([c.id for c in cohorts]))
        .order_by(User.name)
    )
    result: dict[int, list[User]] = {c.id: [] for c in cohorts}
    for cohort_id, user in rows:
        result[cohort_id].append(user)
    return result


def roster_query(cohort: Cohort, *, status: str = "") -> Select[Any]:
    stmt = (
        select(Enrolment)
        .join(Enrolment.user)
        .options(joinedload(Enrolment.user))
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(User.name)
    )
    if status:
        stmt = stmt.where(Enrolment.status == status)
    return stmt


def participant_enrolments(user: User) -> list[Enrolment]:
    """The participant's enrolments with cohort, region and mentors (two queries)."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user.id)
            .options(
                joinedload(Enrolment.cohort).joinedload(Cohort.region),
                joinedload(Enrolment.cohort).selectinload(Cohort.mentors),
            )
            .join(Enrolment.cohort)
            .order_by(Cohort.start_date.desc())
        )
    )


def enrollable_participants(cohort: Cohort, q: str = "", limit: int = 50) -> list[User]:
    """Active participants of the cohort's region not actively enrolled in it."""
    enrolled = select(Enrolment.user_id).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status == EnrolmentStatus.ACTIVE.value
    )
    stmt = (
        select(User)
        .where(
            User.role == Role.PARTICIPANT.value,
            User.region_code == cohort.region_code,
            User.active.is_(True),
            User.id.not_in(enrolled),
        )
        .order_by(User.name)
        .limit(limit)
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(User.name).like(like) | User.email.like(like) | User.nip.like(like)
        )
    return list(db.session.scalars(stmt))
