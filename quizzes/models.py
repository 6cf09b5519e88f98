"""Questions (a course version's bank), per-cohort quiz windows, attempts and responses.

Questions belong to a course version like its modules do, so an attempt always points at
the exact questions it was made against, whatever is published later. An admin may still
correct a question in place (a wrong answer key): that is recorded in the audit log and
every attempt on it is regraded.
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
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from courses.models import Question  # noqa: F401  (the bank is the engine's; kept importable here)
from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class QuizWindow(db.Model):
    """A cohort's own open and close times for one quiz (overriding the quiz's dates)."""

    __tablename__ = "quiz_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(64))
    activity_key: Mapped[str] = mapped_column(String(64))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("cohort_id", "module_slug", "activity_key"),)


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DISCARDED = "discarded"
    """Not submitted in time under `on_timeout = "discard"` (or after the grace period)."""


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.IN_PROGRESS.value)
    seed: Mapped[str] = mapped_column(String(32))
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When answers stop being accepted (time limit or quiz close), None if never."""
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    needs_grading: Mapped[bool] = mapped_column(default=False)
    flagged: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    """The slots the participant flagged to come back to (shown on the summary page)."""
    revision: Mapped[int] = mapped_column(default=1)
    """Bumped on every save; a form carries the revision it was made from, so a stale form
    (back button, a second tab) is recognised instead of overwriting newer answers."""

    __table_args__ = (
        UniqueConstraint("activity_id", "enrolment_id", "number"),
        Index(
            "uq_quiz_attempt_one_open",
            "activity_id",
            "enrolment_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        CheckConstraint("status IN ('in_progress', 'submitted', 'discarded')", name="status_known"),
    )

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100.0 * self.score / self.max_score


class QuizResponse(db.Model):
    """The answer to one question (slot) of an attempt, and its grade."""

    __tablename__ = "quiz_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    response: Mapped[Any | None] = mapped_column(JSON)
    fraction: Mapped[float | None] = mapped_column(Float)
    """None until graded (essays wait for a mentor)."""
    feedback: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    """A mentor's comment on a manually graded answer."""
    graded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)


class QuizAudit(db.Model):
    """Who changed what that affects grades: question corrections and regrades."""

    __tablename__ = "quiz_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
