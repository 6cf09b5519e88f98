"""Schedule rules: generate and edit a cohort's meetings, record attendance (which
completes meeting activities), session notes, and iCalendar files. Services only flush.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses import services as course_services
from courses.activities import CompletionEvent
from courses.meetings.models import ATTENDED, Attendance, AttendanceStatus, Meeting
from courses.models import Activity, Module
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus, cohort_mentor
from lms.errors import DomainError
from lms.extensions import db
from lms.models import utcnow


class MeetingError(DomainError):
    """A schedule rule was broken."""


def local_to_utc(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def meetings_of(cohort_id: int) -> list[Meeting]:
    """The cohort's meetings in time order, with their mentor loaded (one query)."""
    return list(
        db.session.scalars(
            select(Meeting)
            .options(joinedload(Meeting.mentor))
            .where(Meeting.cohort_id == cohort_id)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def _check_mentor(cohort: Cohort, mentor_id: int | None) -> None:
    if mentor_id is None:
        return
    assigned = db.session.scalar(
        select(cohort_mentor.c.user_id).where(
            cohort_mentor.c.cohort_id == cohort.id, cohort_mentor.c.user_id == mentor_id
        )
    )
    if assigned is None:
        raise MeetingError(_("Choose one of the cohort's mentors."), "mentor_id")


@dataclass(frozen=True)
class ScheduleInput:
    first_day: date
    start_time: time
    every_days: int
    place: str
    online_url: str
    mentor_id: int | None


def generate_schedule(cohort: Cohort, data: ScheduleInput, timezone: str) -> int:
    """One meeting per module with a meeting plan; modules already scheduled are kept.

    Meetings are spaced `every_days` apart starting on `first_day` at `start_time` in
    `timezone` (the cohort's region). Returns how many meetings were created.
    """
    if cohort.course_version_id is None:
        raise MeetingError(_("Give the cohort a course first."))
    _check_mentor(cohort, data.mentor_id)
    existing = {m.module_slug for m in meetings_of(cohort.id)}
    modules = [m for m in course_services.modules_of(cohort.course_version_id) if m.has_meeting]
    created = 0
    for index, module in enumerate(modules):
        if module.slug in existing:
            continue
        day = data.first_day + timedelta(days=index * data.every_days)
        db.session.add(
            Meeting(
                cohort_id=cohort.id,
                module_slug=module.slug,
                starts_at=local_to_utc(day, data.start_time, timezone),
                duration_minutes=module.meeting_minutes or 60,
                place=data.place.strip(),
                online_url=data.online_url.strip(),
                mentor_id=data.mentor_id,
            )
        )
        created += 1
    db.session.flush()
    return created


@dataclass(frozen=True)
class MeetingInput:
    starts_at: datetime
    duration_minutes: int
    place: str
    online_url: str
    mentor_id: int | None


def update_meeting(cohort: Cohort, meeting: Meeting, data: MeetingInput) -> None:
    _check_mentor(cohort, data.mentor_id)
    meeting.starts_at = data.starts_at
    meeting.duration_minutes = data.duration_minutes
    meeting.place = data.place.strip()
    meeting.online_url = data.online_url.strip()
    meeting.mentor_id = data.mentor_id
    db.session.flush()


def save_notes(meeting: Meeting, notes: str, author_id: int) -> None:
    meeting.notes = notes.strip()
    meeting.notes_updated_at = utcnow()
    meeting.notes_by_id = author_id
    db.session.flush()


# --------------------------------------------------------------------------- attendance


def roster(cohort_id: int) -> list[tuple[Enrolment, User]]:
    """Active and completed enrolments of the cohort with their users (one query)."""
    rows = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
        .order_by(User.name, User.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def attendance_of(meeting_id: int) -> dict[int, Attendance]:
    return {
        a.user_id: a
        for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))
    }


def record_attendance(
    cohort: Cohort,
    meeting: Meeting,
    statuses: Mapping[int, AttendanceStatus],
    recorder_id: int,
    types: Mapping[str, Any],
) -> None:
    """Save one status per participant and complete (or un-complete) meeting activities.

    `statuses` maps user ids to statuses; ids not on the cohort's roster are refused.
    """
    # Serialise two mentors saving the same meeting at once (a row lock on PostgreSQL).
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    members = {user.id: enrolment for enrolment, user in roster(cohort.id)}
    strangers = set(statuses) - set(members)
    if strangers:
        raise MeetingError(_("Attendance can only be taken for the cohort's participants."))
    current = attendance_of(meeting.id)
    now = utcnow()
    for user_id, status in statuses.items():
        row = current.get(user_id)
        if row is None:
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    user_id=user_id,
                    status=status.value,
                    recorded_by_id=recorder_id,
                    recorded_at=now,
                )
            )
        elif row.status != status.value:
            row.status = status.value
            row.recorded_by_id = recorder_id
            row.recorded_at = now
    db.session.flush()
    _sync_meeting_completions(cohort, meeting, statuses, members, types)


def _sync_meeting_completions(
    cohort: Cohort,
    meeting: Meeting,
    statuses: Mapping[int, AttendanceStatus],
    members: Mapping[int, Enrolment],
    types: Mapping[str, Any],
) -> None:
    if cohort.course_version_id is None:
        return
    type_names = course_services.event_types(types, CompletionEvent.ATTENDANCE)
    activity_ids = list(
        db.session.scalars(
            select(Activity.id)
            .join(Module, Module.id == Activity.module_id)
            .where(
                Module.version_id == cohort.course_version_id,
                Module.slug == meeting.module_slug,
                Activity.type.in_(type_names),
            )
        )
    )
    if not activity_ids:
        return
    attended = [members[u].id for u, s in statuses.items() if s in ATTENDED]
    absent = [members[u].id for u, s in statuses.items() if s not in ATTENDED]
    if absent:
        course_services.withdraw_completion(absent, activity_ids, CompletionEvent.ATTENDANCE)
    for enrolment_id in attended:
        for activity_id in activity_ids:
            course_services.record_completion(
                enrolment_id, activity_id, CompletionEvent.ATTENDANCE.value
            )


# --------------------------------------------------------------------------- calendar


def participant_meetings(user_id: int) -> list[tuple[Meeting, Module | None]]:
    """Every meeting of the user's current cohorts, with its module (one query)."""
    rows = db.session.execute(
        select(Meeting, Module)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .outerjoin(
            Module,
            (Module.version_id == Cohort.course_version_id) & (Module.slug == Meeting.module_slug),
        )
        .where(
            Enrolment.user_id == user_id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN.value,
        )
        .order_by(Meeting.starts_at)
    ).all()
    return [(row[0], row[1]) for row in rows]


def staff_meetings(
    user_id: int, *, since: datetime | None = None, limit: int | None = None
) -> list[tuple[Meeting, Module | None]]:
    """Meetings of the cohorts a mentor is assigned to (from `since`, at most `limit`)."""
    stmt = (
        select(Meeting, Module)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .join(cohort_mentor, cohort_mentor.c.cohort_id == Cohort.id)
        .outerjoin(
            Module,
            (Module.version_id == Cohort.course_version_id) & (Module.slug == Meeting.module_slug),
        )
        .where(cohort_mentor.c.user_id == user_id)
        .order_by(Meeting.starts_at)
    )
    if since is not None:
        stmt = stmt.where(Meeting.starts_at >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(row[0], row[1]) for row in db.session.execute(stmt).all()]


def icalendar_bytes(
    items: Iterable[tuple[Meeting, Module | None]], *, calendar_name: str, host: str
) -> bytes:
    """An iCalendar (RFC 5545) file with one event per meeting; times in UTC."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Living Lab LMS//id")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name)
    for meeting, module in items:
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", meeting.created_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", module.title if module is not None else meeting.module_slug)
        location = meeting.online_url or meeting.place
        if location:
            event.add("location", location)
        details = [module.summary] if module is not None and module.summary else []
        if meeting.online_url:
            details.append(meeting.online_url)
            event.add("url", meeting.online_url)
        if meeting.place and meeting.online_url:
            details.append(meeting.place)
        if details:
            event.add("description", "\n\n".join(details))
        calendar.add_component(event)
    return calendar.to_ical()
