"""Personal access tokens for the REST API: only a hash of the secret is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class ApiToken(db.Model):
    """A token acts as the account that created it, within its scopes (read, write)."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("scopes IN ('read', 'read write')", name="scopes_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the secret, hex: the secret itself is shown once and never stored."""
    prefix: Mapped[str] = mapped_column(String(12))
    """The secret's first characters, so that its owner can tell tokens apart."""
    scopes: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def can_write(self) -> bool:
        return "write" in self.scopes.split()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
