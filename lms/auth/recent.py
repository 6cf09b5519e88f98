"""Re-authentication before sensitive actions (changing someone's role, issuing a password
link): the password must have been entered within the last few minutes."""

from __future__ import annotations

import time

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

MAX_AGE_SECONDS = 10 * 60
_KEY = "auth_at"


def mark() -> None:
    """The password was just entered (at login or on the confirmation page)."""
    session[_KEY] = int(time.time())


def recent() -> bool:
    return time.time() - session.get(_KEY, 0) <= MAX_AGE_SECONDS


def ask(next_url: str | None = None) -> Response:
    """Send the user to confirm their password, then back to `next_url`."""
    flash(_("For this change, confirm your password first, then do it again."), "info")
    target = next_url or request.referrer or request.path
    return redirect(url_for("auth.confirm_password", next=target))
