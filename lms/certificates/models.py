"""A certificate: issued once per enrolment when the course is complete. The names are
copied at issue time so a certificate keeps saying what it said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(20), unique=True)
    """The public verification code (unguessable, no personal data)."""
    participant_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    cohort_name: Mapped[str] = mapped_column(String(200))
    region_name: Mapped[str] = mapped_column(String(200))
    grade_percent: Mapped[float | None]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set when the holder's personal data was erased: verification then answers "revoked"."""
