"""User accounts and one-time password-reset tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import UTCDateTime, utcnow
from lms.regions.models import Region


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


ROLE_VALUES = tuple(r.value for r in Role)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    work_unit: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    institution: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    # An explicit choice; otherwise the region's time zone (or WIB) applies.
    timezone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change or deactivation: every other session logs out.
    session_version: Mapped[int] = mapped_column(default=1)
    # The secret in the user's personal calendar feed URL; None until they ask for one.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Two-factor sign-in (TOTP, RFC 6238): the shared secret once confirmed, and the
    # SHA-256 hashes of the unused recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_recovery: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region | None] = relationship(lazy="raise_on_sql")

    unread_notifications = 0
    """Filled in when the user is loaded for a request (one query with the user)."""
    authored_courses = 0
    """How many courses the user is a course author of (loaded with the user, like
    `unread_notifications`, so the menu offers authoring without a query of its own)."""

    __table_args__ = (
        CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "role NOT IN ('participant', 'coordinator') OR region_code IS NOT NULL",
            name="regional_roles_have_region",
        ),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users.
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    @property
    def effective_timezone(self) -> str:
        """The time zone dates are shown in: the user's choice, else their region's, else WIB."""
        if self.timezone:
            return self.timezone
        if self.region_code is not None and "region" in self.__dict__ and self.region:
            return self.region.timezone
        return "Asia/Jakarta"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class PasswordResetToken(db.Model):
    """A one-time link to set a password; only the token's hash is stored."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
