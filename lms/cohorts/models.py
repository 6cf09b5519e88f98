"""Cohort, its mentors and its enrolments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.extensions import db
from lms.models import UTCDateTime, utcnow
from lms.regions.models import Region

cohort_mentor = Table(
    "cohort_mentor",
    db.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


if TYPE_CHECKING:  # the course engine sits above the core; the mapper resolves the name
    from courses.models import CourseVersion


class Cohort(db.Model):
    """One region's participants taking one course run (an *angkatan*)."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    course_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_version.id"), index=True
    )
    """The published course version the cohort follows (None until an admin attaches one)."""

    region: Mapped[Region] = relationship(lazy="raise_on_sql")
    course_version: Mapped[CourseVersion | None] = relationship(
        "CourseVersion", lazy="raise_on_sql"
    )
    mentors: Mapped[list[User]] = relationship(
        secondary=cohort_mentor, lazy="raise_on_sql", order_by=User.name
    )

    __table_args__ = (
        UniqueConstraint("region_code", "name"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name}>"


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class Enrolment(db.Model):
    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.ACTIVE.value)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship(lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        CheckConstraint("status IN ('active', 'withdrawn', 'completed')", name="status_known"),
    )
