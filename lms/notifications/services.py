"""Notify users in the app, and by e-mail when SMTP is configured. Services only flush."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from flask import has_request_context, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import utcnow
from lms.notifications.models import Notification

MESSAGES = {
    "submission_received": _l("New work to review: %(assignment)s (%(cohort)s)."),
    "work_returned": _l("Your mentor returned “%(assignment)s” for revision; see the feedback."),
    "feedback_released": _l("Feedback on “%(assignment)s” is ready."),
}
"""Kinds of notification and their wording; params fill the placeholders."""


def text(notification: Notification) -> str:
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(user_ids: Iterable[int], kind: str, params: dict[str, Any], link: str) -> None:
    """One notification per user; an e-mail too where SMTP is set up (in their language)."""
    from lms.auth.models import User
    from lms.mail import mail_enabled, send_mail

    ids = sorted(set(user_ids))
    for user_id in ids:
        db.session.add(Notification(user_id=user_id, kind=kind, params=params, link=link))
    db.session.flush()
    if not ids or not mail_enabled():
        return
    address = urljoin(request.host_url, link) if has_request_context() else link
    for user in db.session.scalars(select(User).where(User.id.in_(ids), User.active)):
        with force_locale(user.locale or "id"):
            body = str(MESSAGES[kind]) % params
        send_mail(user.email, "Living Lab LMS", f"{body}\n\n{address}")


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
