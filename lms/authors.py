"""Course authors (*Penulis Materi*): accounts an admin named to write one course.

The table lives in the core, beside cohorts, so that `lms.policy` can answer "may this
account author that course?" without importing the course engine; the mapper resolves
the `course` table by name, as `Cohort.course_version_id` does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class CourseAuthor(db.Model):
    """`user` may edit the draft and the question bank of `course_id`."""

    __tablename__ = "course_author"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("course_id", "user_id"),)
