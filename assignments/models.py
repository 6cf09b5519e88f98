"""Submissions (each version kept), their files, drafts, mentor reviews and their audit.

A participant writes a *draft* (one per assignment, autosaved, with its files); submitting
turns it into the next numbered *submission*, which never changes again. A mentor's
*review* of a submission carries a version number: two mentors saving the same review at
once cannot silently overwrite each other. Every change of a review is kept in the audit.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    """Returned for revision: the participant may resubmit."""
    GRADED = "graded"


class Submission(db.Model):
    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=SubmissionStatus.SUBMITTED.value)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    late_days: Mapped[int] = mapped_column(default=0)
    """Whole days (started) after the due time; 0 when on time."""

    __table_args__ = (
        UniqueConstraint("activity_id", "enrolment_id", "number"),
        CheckConstraint(
            "status IN ('submitted', 'in_review', 'returned', 'graded')", name="status_known"
        ),
    )


class SubmissionDraft(db.Model):
    __tablename__ = "submission_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)
    """Bumped on every save; a form made from an older revision cannot overwrite a newer one."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("activity_id", "enrolment_id"),)


class SubmissionFile(db.Model):
    """A file of a draft (draft_id) or of a submission (submission_id), stored under the
    upload folder with a random name; the original name is only ever shown, never used."""

    __tablename__ = "submission_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_draft.id", ondelete="SET NULL"), index=True
    )
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    RETURNED = "returned"
    GRADED = "graded"


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), unique=True
    )
    grader_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(20), default=ReviewState.DRAFT.value)
    levels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """{criterion index (str): chosen level index} for a rubric."""
    raw_points: Mapped[float | None] = mapped_column(Float)
    penalty_points: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[float | None] = mapped_column(Float)
    """After the late penalty."""
    max_points: Mapped[float] = mapped_column(Float, default=0.0)
    comment: Mapped[str] = mapped_column(Text, default="")
    released: Mapped[bool] = mapped_column(default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'returned', 'graded')", name="state_known"),
    )


class ReviewAudit(db.Model):
    __tablename__ = "review_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AssignmentWindow(db.Model):
    """A cohort's own open, due and cut-off times for one assignment."""

    __tablename__ = "assignment_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(64))
    activity_key: Mapped[str] = mapped_column(String(64))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cutoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("cohort_id", "module_slug", "activity_key"),)
