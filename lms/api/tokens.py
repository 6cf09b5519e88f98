"""Personal access tokens: create (the secret is returned once), authenticate, revoke.
Services flush; the request boundary commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.api.models import ApiToken
from lms.auth.models import Role, User
from lms.errors import DomainError
from lms.extensions import db

PREFIX = "lla_"
LIFETIMES_DAYS = (30, 90, 365)
MAX_ACTIVE_TOKENS = 20
LAST_USED_PRECISION = timedelta(minutes=1)
"""last_used_at is written at most once a minute per token (no write per request)."""


class TokenError(DomainError):
    """A token rule was broken."""


@dataclass(frozen=True)
class TokenInput:
    name: str
    write: bool
    days: int


def may_hold_tokens(user: User) -> bool:
    """Admins and regional coordinators create tokens, each for their own scope."""
    return user.active and user.role in (Role.ADMIN.value, Role.COORDINATOR.value)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(owner: User, data: TokenInput, now: datetime) -> tuple[ApiToken, str]:
    """A new token and its secret (shown to the owner once, never stored)."""
    if not may_hold_tokens(owner):
        raise TokenError(_("Only admins and regional coordinators can create API tokens."))
    if data.days not in LIFETIMES_DAYS:
        raise TokenError(_("Choose how long the token is valid."), "days")
    name = " ".join(data.name.split())
    if not name:
        raise TokenError(_("Give the token a name."), "name")
    active = db.session.scalars(
        select(ApiToken.id).where(
            ApiToken.user_id == owner.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    ).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise TokenError(_("You have %(count)d valid tokens; revoke one first.", count=len(active)))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        name=name[:100],
        token_hash=digest(secret),
        prefix=secret[: len(PREFIX) + 4],
        scopes="read write" if data.write else "read",
        created_at=now,
        expires_at=now + timedelta(days=data.days),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def authenticate(secret: str, now: datetime) -> ApiToken | None:
    """The usable token with this secret (its owner loaded and active), noting its use."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.region))
        .where(ApiToken.token_hash == digest(secret))
    )
    if token is None or not token.usable(now) or not may_hold_tokens(token.user):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token


def tokens_of(owner: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        )
    )


def revoke(owner: User, token_id: int, now: datetime) -> ApiToken | None:
    """Revoke one of the owner's tokens; None when the owner has no such token."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == owner.id)
    )
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.flush()
    return token
