"""Courses, their immutable published versions, modules, activities and completions.

A Course is only an identity (its slug). What participants follow is a CourseVersion:
an admin edits the one *draft* version of a course, and publishing freezes it under a
number; a later edit starts a new draft copied from the latest published version. A
cohort points at the published version it follows, and every completion points at the
activity (of one version) it was earned on, so publishing again never changes what a
running cohort sees or what it has recorded.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    authors_may_publish: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether the course's authors (lms.authors.CourseAuthor) may publish its draft;
    otherwise publishing stays with admins."""

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseVersion(db.Model):
    """One version of a course: the draft (editable) or a published one (frozen)."""

    __tablename__ = "course_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.DRAFT.value)
    number: Mapped[int | None] = mapped_column()
    """1, 2, 3... in order of publication; None while a draft."""
    label: Mapped[str] = mapped_column(String(20))
    """The author's version string, like "1.2.0" (course.toml `version`)."""
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="id")
    content_hash: Mapped[str | None] = mapped_column(String(64))
    grading: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """course.toml [grading]: pass_percent and the weights of pre, practice, post and
    assignment (None: the defaults)."""
    at_risk: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """course.toml [at_risk]: the rules that flag a participant (None: the defaults)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    copied_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Where this was copied from (courses.reuse.origin): source course, version and key."""

    course: Mapped[Course] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint("(status = 'draft') = (number IS NULL)", name="published_have_a_number"),
        Index(
            "uq_course_version_one_draft",
            "course_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        Index(
            "uq_course_version_published_label",
            "course_id",
            "label",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} {self.label} {self.status}>"


class Module(db.Model):
    """One tutoring session (*sesi*) of a course version."""

    __tablename__ = "course_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int]
    indicators: Mapped[list[int]] = mapped_column(JSON, default=list)
    material: Mapped[str] = mapped_column(Text, default="")
    mentor_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Markdown for the cohort's mentors, coordinators and admins only (mentor.md)."""
    summary_page: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The session on one page (summary.md), downloadable as a PDF by its readers."""
    unlock_on: Mapped[date | None]
    unlock_after: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Slugs of earlier modules that must be complete before this one opens."""
    meeting_minutes: Mapped[int | None]
    meeting_agenda: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    """Raised by every saved edit; a save that names an older one is refused (see
    courses.services.update_module), so two authors never overwrite each other silently."""
    copied_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Where this was copied from (courses.reuse.origin): source course, version and key."""

    version: Mapped[CourseVersion] = relationship(lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("version_id", "slug"),)

    @property
    def has_meeting(self) -> bool:
        return self.meeting_minutes is not None

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class StoredFile:
    """What a file row holds, for module and course files alike: its path in the package
    (`assets/<name>`), the SHA-256 its bytes are stored under, size and sniffed type."""

    path: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(60))

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ModuleAsset(StoredFile, db.Model):
    """A file a module carries (`assets/<name>`): an image, PDF, audio or MP4 video.

    The bytes live in storage (kind `course-assets`) under their SHA-256, so a draft copied
    from a published version shares them, and a published version's files never change:
    a new upload is a new hash, a new row, a new URL.
    """

    __tablename__ = "course_module_asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_module.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("module_id", "path"),)


class CourseAsset(StoredFile, db.Model):
    """A file the course carries at its package root (`assets/<name>`), shared by every
    module: material refers to it as `../assets/<name>`. Stored like ModuleAsset (bytes by
    SHA-256 in storage kind `course-assets`), one row per version, so a published
    version's files never change."""

    __tablename__ = "course_version_asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("version_id", "path"),)


class ModuleRevision(db.Model):
    """A saved state of a module's text: who saved it, when, and what it said.

    Revision `number` matches `Module.revision` after that save; the history page diffs
    each revision against the one before it, and an author can restore an older text.
    """

    __tablename__ = "course_module_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_module.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    material: Mapped[str] = mapped_column(Text, default="")
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    restored_from: Mapped[int | None] = mapped_column()
    """The revision number whose text this one brought back, when it was a restore."""

    editor: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("module_id", "number"),)


class Activity(db.Model):
    """An activity of a module; `type` names an activity-type plugin."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_module.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    copied_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Where this was copied from (courses.reuse.origin): source course, version and key."""

    module: Mapped[Module] = relationship(lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("module_id", "key"),)

    def __repr__(self) -> str:
        return f"<Activity {self.key} ({self.type})>"


class ActivityCompletion(db.Model):
    """A participant (through their enrolment) completed an activity. Never typed in."""

    __tablename__ = "activity_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(40))
    """What completed it: view, attendance, action, carried (moved from an older version)."""

    __table_args__ = (UniqueConstraint("enrolment_id", "activity_id"),)


class ActivityRecord(db.Model):
    """A participant's result and state in one activity, kept by the engine for activity
    types that have no tables of their own (see courses.contract.report_result)."""

    __tablename__ = "activity_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    percent: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("enrolment_id", "activity_id"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    )


class Question(db.Model):
    """A question of a version's bank (questions.toml); its type is a question-type plugin."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    module_slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    feedback: Mapped[str] = mapped_column(Text, default="")
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    copied_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Where this was copied from (courses.reuse.origin): source course, version and key."""

    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )


# --------------------------------------------------------------------------- schedule
# A cohort's meetings and attendance (courses.meetings holds their services and pages).


class Meeting(db.Model):
    """The live session of one module for one cohort.

    Keyed by the module's slug, not its id, so the schedule survives moving the cohort
    to a newer version of its course.
    """

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int]
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    """Session notes in Markdown, written by a mentor, visible to the cohort."""
    notes_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cohort: Mapped[Cohort] = relationship(lazy="raise_on_sql")
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id], lazy="raise_on_sql")

    __table_args__ = (
        UniqueConstraint("cohort_id", "module_slug"),
        CheckConstraint("duration_minutes > 0", name="positive_duration"),
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED})
"""Statuses that complete a meeting activity: an excused absence does not hold a
participant back from the modules after it."""


class Attendance(db.Model):
    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("status IN ('present', 'late', 'excused', 'absent')", name="status_known"),
    )
