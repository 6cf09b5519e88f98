"""Passwords, authentication and one-time reset links. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from lms.auth.models import PasswordResetToken, User
from lms.extensions import db
from lms.models import utcnow

MIN_PASSWORD_LENGTH = 12
# Checked against when the email is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def set_password(user: User, password: str) -> None:
    """Hash and store a new password; every other session of the user is logged out."""
    user.password_hash = generate_password_hash(password)
    user.session_version = (user.session_version or 0) + 1


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = db.session.scalar(
        select(User).where(User.email == normalise_email(email)).options(joinedload(User.region))
    )
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def active_user(user_id: int | None) -> User | None:
    """The active account with this id (between the two steps of a two-factor sign-in)."""
    if not user_id:
        return None
    user = db.session.get(User, user_id, options=[joinedload(User.region)])
    return user if user is not None and user.active else None


def check_password(user: User, password: str) -> bool:
    return user.password_hash is not None and check_password_hash(user.password_hash, password)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedResetLink:
    token: str
    expires_at: datetime


def issue_reset_token(user: User, *, created_by: User | None, valid_hours: int) -> IssuedResetLink:
    """Create a one-time token; earlier unused tokens of the user stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    raw = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=valid_hours)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_hash_token(raw),
            expires_at=expires,
            created_by_id=created_by.id if created_by else None,
        )
    )
    db.session.flush()
    return IssuedResetLink(token=raw, expires_at=expires)


def find_valid_reset_token(raw: str, *, lock: bool = False) -> PasswordResetToken | None:
    stmt = select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(raw))
    if lock:
        stmt = stmt.with_for_update()
    token = db.session.scalar(stmt)
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def consume_reset_token(raw: str, new_password: str) -> User | None:
    """Set the password through a one-time token; None if it is unknown, used or expired."""
    token = find_valid_reset_token(raw, lock=True)
    if token is None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    token.used_at = utcnow()
    set_password(user, new_password)
    db.session.flush()
    return user
