"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238, via pyotp) and
single-use recovery codes. Services only change the user object; the request commits."""

from __future__ import annotations

import hashlib
import secrets

import pyotp

from lms.auth.models import Role, User

ROLES = (Role.ADMIN, Role.COORDINATOR)
"""Who may turn it on: the accounts that can change other people's data."""
ISSUER = "Living Lab LMS"
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def code_ok(secret: str, code: str) -> bool:
    code = "".join(ch for ch in code if ch.isdigit())
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on if `code` matches `secret`; the recovery codes, shown once."""
    if not code_ok(secret, code):
        return None
    user.totp_secret = secret
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """A fresh set of recovery codes (shown once); every earlier one stops working."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    user.totp_recovery = [_hash(c) for c in codes]
    return codes


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_recovery = []


def second_factor_ok(user: User, code: str) -> bool:
    """A current code from the app, or an unused recovery code (used up here)."""
    if user.totp_secret and code_ok(user.totp_secret, code):
        return True
    hashed = _hash(code)
    if hashed in (user.totp_recovery or []):
        user.totp_recovery = [h for h in user.totp_recovery if h != hashed]
        return True
    return False
