"""The one call views make after a change: `log(Change(...))` with the current user and
the request's address."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from lms.audit.services import Change, record


def log(change: Change) -> None:
    """Record `change` as done by the logged-in user from this request's address."""
    actor = current_user if current_user.is_authenticated else None
    record(actor, request.remote_addr or "", change)
