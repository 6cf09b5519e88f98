"""Practices (*praktik baik*): documented SPBE implementations by regions, tagged with the
indicators of PermenPANRB 59/2020, and the lineage of what was adapted from what."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow

practice_indicator = Table(
    "practice_indicator",
    db.metadata,
    Column("practice_id", ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator", db.Integer, primary_key=True),
    CheckConstraint("indicator BETWEEN 1 AND 47", name="indicator_known"),
)


class PracticeStatus(enum.StrEnum):
    PROPOSED = "proposed"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Practice(db.Model):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    """Markdown, rendered through the sanitizer."""
    domain: Mapped[int | None]
    aspect: Mapped[int | None]
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{"title": ..., "url": ...}]: sources and further reading."""
    status: Mapped[str] = mapped_column(String(20), default=PracticeStatus.PUBLISHED.value)
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="SET NULL"), index=True
    )
    """The practice this one adapted (studi tiru), if any."""
    source_submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the participant agreed that their work, with their region, is shown to every
    region (UU 27/2022: consent for publishing personal data); None for curated entries."""

    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'published', 'rejected')", name="status_known"),
    )


class PracticeAttachment(db.Model):
    __tablename__ = "practice_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
