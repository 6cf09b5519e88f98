"""A region's SPBE maturity self-assessment for one cohort: a baseline at the start and a
follow-up at the end, each a level 1-5 with a justification per indicator, filled in by the
region's coordinator and reviewed by the cohort's mentor."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class Phase(enum.StrEnum):
    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


class SelfAssessment(db.Model):
    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=AssessmentStatus.DRAFT.value)
    index_value: Mapped[float | None]
    """The computed SPBE index (0-5) once every indicator has a level."""
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    """Bumped on every save; a form (or autosave) carries the revision it was made from, so a
    stale tab is refused instead of overwriting newer levels and justifications."""

    __table_args__ = (
        UniqueConstraint("cohort_id", "phase"),
        CheckConstraint("phase IN ('baseline', 'follow_up')", name="phase_known"),
        CheckConstraint("status IN ('draft', 'submitted', 'reviewed')", name="status_known"),
    )


class IndicatorScore(db.Model):
    __tablename__ = "indicator_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[int]
    level: Mapped[int]
    justification: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator"),
        CheckConstraint("indicator BETWEEN 1 AND 47", name="indicator_known"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_known"),
    )
