"""Our LTI key pair: generated on first use, rotated by `lms lti rotate-key`, published at
/lti/jwks.json (retired keys stay there for a day so platforms' caches catch up)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration
from sqlalchemy import or_, select

from lms.extensions import db
from lms.lti.models import LtiKey

RETIRED_KEYS_PUBLISHED = timedelta(days=1)


def _new_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def rotate(now: datetime) -> LtiKey:
    """A new signing key; the current one is retired (still published for a day)."""
    for key in db.session.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None))):
        key.retired_at = now
    private_pem, public_pem = _new_pair()
    kid = Registration.get_jwk(public_pem)["kid"]
    key = LtiKey(kid=kid, private_pem=private_pem, public_pem=public_pem, created_at=now)
    db.session.add(key)
    db.session.flush()
    return key


def current(now: datetime) -> LtiKey:
    """The signing key (made on first use)."""
    key = db.session.scalar(
        select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc()).limit(1)
    )
    return key if key is not None else rotate(now)


def jwks(now: datetime) -> dict[str, Any]:
    """The public keys platforms verify our messages with."""
    current(now)
    keys = db.session.scalars(
        select(LtiKey)
        .where(or_(LtiKey.retired_at.is_(None), LtiKey.retired_at > now - RETIRED_KEYS_PUBLISHED))
        .order_by(LtiKey.id.desc())
    )
    return {"keys": [Registration.get_jwk(key.public_pem) for key in keys]}
