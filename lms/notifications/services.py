"""Notify users in the app at once, and by e-mail (through the job queue) at once or in a
daily digest, as each person chose. Services only flush."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from lms import jobs
from lms.extensions import db
from lms.models import utcnow
from lms.notifications.models import EmailMode, Notification, NotificationPreference

MESSAGES = {
    "submission_received": _l("New work to review: %(assignment)s (%(cohort)s)."),
    "work_returned": _l("Your mentor returned “%(assignment)s” for revision; see the feedback."),
    "feedback_released": _l("Feedback on “%(assignment)s” is ready."),
    "discussion_mention": _l("%(author)s mentioned you in “%(thread)s”."),
    "discussion_answer": _l("%(author)s answered your question “%(thread)s”."),
    "discussion_reply": _l("%(author)s replied in “%(thread)s”, which you follow."),
    "discussion_question": _l("New question in %(space)s: “%(thread)s”."),
    "discussion_endorsed": _l("A mentor endorsed an answer in “%(thread)s”."),
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


def base_url() -> str:
    """Where links in mail point: LMS_BASE_URL, else the current request's host."""
    configured = current_app.config.get("LMS_BASE_URL")
    if configured:
        return str(configured)
    return request.host_url if has_request_context() else ""


def notify(user_ids: Iterable[int], kind: str, params: dict[str, Any], link: str) -> None:
    """One in-app notification per user now; the e-mail of those who want it at once goes
    through the job queue after the transaction commits (inline without a queue)."""
    from lms.mail import mail_enabled

    ids = sorted(set(user_ids))
    rows = [Notification(user_id=user_id, kind=kind, params=params, link=link) for user_id in ids]
    db.session.add_all(rows)
    db.session.flush()
    if rows and mail_enabled():
        jobs.enqueue_after_commit(
            "lms.notifications.jobs.send_immediate", [n.id for n in rows], base_url()
        )


def withdraw(link_prefix: str) -> int:
    """Delete the notifications pointing at `link_prefix` (e.g. a post that was hidden)."""
    result = db.session.execute(
        delete(Notification).where(
            or_(Notification.link == link_prefix, Notification.link.startswith(link_prefix + "#"))
        )
    )
    return result.rowcount or 0


def email_mode(user_id: int) -> EmailMode:
    value = db.session.scalar(
        select(NotificationPreference.email).where(NotificationPreference.user_id == user_id)
    )
    return EmailMode(value or EmailMode.IMMEDIATE)


def set_email_mode(user_id: int, mode: EmailMode) -> None:
    preference = db.session.get(NotificationPreference, user_id)
    if preference is None:
        db.session.add(NotificationPreference(user_id=user_id, email=mode.value))
    else:
        preference.email = mode.value
    db.session.flush()


def queue_digests() -> int:
    """Queue one digest job per person who chose the daily digest and has unsent news."""
    user_ids = list(
        db.session.scalars(
            select(Notification.user_id)
            .join(NotificationPreference, NotificationPreference.user_id == Notification.user_id)
            .where(
                NotificationPreference.email == EmailMode.DAILY.value,
                Notification.emailed_at.is_(None),
                Notification.read_at.is_(None),
                Notification.created_at >= utcnow() - timedelta(days=7),
            )
            .distinct()
        )
    )
    url = base_url()
    for user_id in user_ids:
        jobs.enqueue("lms.notifications.jobs.send_digest", user_id, url)
    return len(user_ids)


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
