"""Writing and reading the audit log. Services here only add and query; nothing here ever
changes or removes an entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.extensions import db

ACTIONS = {
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.reset_link": _l("Password link issued"),
    "user.two_factor_reset": _l("Two-factor sign-in reset"),
    "user.import": _l("Participants imported"),
    "cohort.create": _l("Cohort created"),
    "cohort.update": _l("Cohort changed"),
    "cohort.mentors": _l("Mentors changed"),
    "cohort.enrol": _l("Participants enrolled"),
    "cohort.withdraw": _l("Participant withdrawn"),
    "cohort.course": _l("Cohort moved to a course version"),
    "course.publish": _l("Course version published"),
    "course.authors": _l("Course authors or their publishing rights changed"),
    "course.module_restore": _l("Module text restored from its history"),
    "course.copy": _l("Copied into a draft from another course"),
    "course.copy_course": _l("Course started from an existing one"),
    "question.fix": _l("Answer key corrected"),
    "personal_data.export": _l("Personal data exported"),
    "personal_data.erase": _l("Personal data erased"),
    "certificate.revoke": _l("Certificate revoked"),
    "lti_platform.create": _l("LTI platform registered"),
    "lti_platform.update": _l("LTI platform registration changed"),
    "settings.video_embed": _l("Outside video players changed"),
}
"""Every action the log records, with its label for the page."""


@dataclass(frozen=True)
class Change:
    """What changed: `action` (a key of ACTIONS), the object, its region, and the fields
    before and after (only those that differ are kept)."""

    action: str
    object_type: str
    object_id: Any
    label: str = ""
    region_code: str | None = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of `obj` as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(actor: User | None, ip: str, change: Change) -> AuditEvent:
    """Add an entry (committed with the change by the request boundary)."""
    if change.action not in ACTIONS:
        raise ValueError(f"unknown audit action {change.action!r}")
    before = {k: _plain(v) for k, v in change.before.items()}
    after = {k: _plain(v) for k, v in change.after.items()}
    if before and after:
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_role=str(_plain(actor.role)) if actor else "",
        ip=(ip or "")[:45],
        action=change.action,
        object_type=change.object_type,
        object_id=str(change.object_id if change.object_id is not None else "")[:64],
        object_label=(change.label or "")[:200],
        region_code=change.region_code,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    """Part of the actor's name or e-mail."""
    object_type: str = ""
    object_id: str = ""
    region_code: str = ""
    since: date | None = None
    until: date | None = None


def events_query(scope: Any, filters: AuditFilter) -> Select:
    """Entries within `scope` (a WHERE clause from lms.policy) matching `filters`, newest
    first."""
    stmt = (
        select(AuditEvent)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(scope)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.object_type:
        stmt = stmt.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        stmt = stmt.where(AuditEvent.object_id == filters.object_id)
    if filters.region_code:
        stmt = stmt.where(AuditEvent.region_code == filters.region_code)
    if filters.actor:
        like = f"%{filters.actor.lower()}%"
        stmt = stmt.where(User.name.ilike(like) | User.email.ilike(like))
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        stmt = stmt.where(
            AuditEvent.at
            < datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC)
        )
    return stmt


def actors_of(events: list[AuditEvent]) -> dict[int, User]:
    """The accounts that made `events`, by id (one query)."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
