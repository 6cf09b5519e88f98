"""LTI 1.3: the platforms an admin registered, our signing keys, and what launches left
behind (identities, used nonces, grade passback links, deep-linking requests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class LtiPlatform(db.Model):
    """A platform (Moodle, Canvas ...) allowed to launch us, and the cohort its users join."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(Text)
    """The deployment ids the platform may launch with, one per line."""
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def deployment_ids(self) -> list[str]:
        return [line for line in self.deployment_id.splitlines() if line]


class LtiKey(db.Model):
    """Our RSA key pair: the newest signs, the retired ones stay published a while."""

    __tablename__ = "lti_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LtiIdentity(db.Model):
    """A platform's user (its `sub`) is one of our accounts."""

    __tablename__ = "lti_identity"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))


class LtiNonce(db.Model):
    """Nonces we issued at login; each may be used by one launch only."""

    __tablename__ = "lti_nonce"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LtiGradeLink(db.Model):
    """Where a participant's course grade goes back (Assignment and Grade Services)."""

    __tablename__ = "lti_grade_link"
    __table_args__ = (UniqueConstraint("platform_id", "enrolment_id", "lineitem_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(String(500))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    last_score: Mapped[float | None]
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LtiDeepLinkRequest(db.Model):
    """A platform teacher choosing modules: kept until they answer."""

    __tablename__ = "lti_deep_link_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(255))
    """The platform's teacher (their `sub`): they need no account here."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
