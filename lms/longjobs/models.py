"""One long task started by a person: what it is, how far it got, and its result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow

STATUSES = ("queued", "running", "done", "failed")
UNFINISHED_SINGLE = "single_run AND status IN ('queued', 'running')"


class JobRun(db.Model):
    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    stored_name: Mapped[str | None] = mapped_column(String(64))
    download_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    single_run: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A kind that runs one at a time (`register(..., single=True)`): the database keeps a
    second queued or running job of the kind out (`UNFINISHED_SINGLE`)."""

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        Index("ix_job_run_user_created", "user_id", "created_at"),
        Index(
            "uq_job_run_single_kind",
            "kind",
            unique=True,
            sqlite_where=text(UNFINISHED_SINGLE),
            postgresql_where=text(UNFINISHED_SINGLE),
        ),
    )

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
