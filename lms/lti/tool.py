"""PyLTI1p3 reads platforms from our database, and nonces are ours (one use each)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from pylti1p3.contrib.flask import FlaskSessionService
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select

from lms.extensions import db
from lms.lti import keys
from lms.lti.models import LtiNonce, LtiPlatform
from lms.models import utcnow

NONCE_LIFETIME = timedelta(minutes=10)


def registration_of(platform: LtiPlatform) -> Registration:
    key = keys.current(utcnow())
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(key.public_pem)
    )


class DatabaseToolConf(ToolConfAbstract):
    """Every issuer may have several client ids (one registration each)."""

    def __init__(self) -> None:
        self.issuers_relation_types = {}

    def _platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        stmt = select(LtiPlatform).where(LtiPlatform.issuer == iss)
        if client_id is not None:
            stmt = stmt.where(LtiPlatform.client_id == client_id)
        return db.session.scalars(stmt.order_by(LtiPlatform.id)).first()

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        platform = self._platform(iss, None)
        return registration_of(platform) if platform else None

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Any:
        platform = self._platform(iss, client_id)
        return registration_of(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        platform = self._platform(iss, None)
        return self._deployment(platform, deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        return self._deployment(self._platform(iss, client_id), deployment_id)

    @staticmethod
    def _deployment(platform: LtiPlatform | None, deployment_id: str) -> Deployment | None:
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


class NonceOnce(FlaskSessionService):
    """Nonces live in the database, not the cookie: a launch carrying a nonce we did not
    issue, an expired one or one already used (a replayed id_token) is refused."""

    def save_nonce(self, nonce: str) -> None:
        db.session.add(LtiNonce(nonce=nonce, expires_at=utcnow() + NONCE_LIFETIME))
        db.session.flush()

    def check_nonce(self, nonce: str) -> bool:
        now = utcnow()
        row = db.session.scalar(select(LtiNonce).where(LtiNonce.nonce == nonce).with_for_update())
        if row is None or row.used_at is not None or row.expires_at <= now:
            return False
        row.used_at = now
        db.session.flush()
        return True


def new_token() -> str:
    return secrets.token_urlsafe(32)
