"""A notification for one user: a kind and its parameters, worded when shown (so it
appears in the reader's language), with a link to what it is about; and each person's
choice of e-mail: at once, a daily digest, or none."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When it went out by e-mail (at once or in a digest); None while it has not."""

    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)


class EmailMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"


class NotificationPreference(db.Model):
    """A person's e-mail choice; no row means the default, at once."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(20), default=EmailMode.IMMEDIATE.value)

    __table_args__ = (
        CheckConstraint("email IN ('immediate', 'daily', 'off')", name="email_known"),
    )
