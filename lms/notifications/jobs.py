"""Jobs that e-mail notifications (run by `lms worker`, or inline without a queue)."""

from __future__ import annotations

from urllib.parse import urljoin

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.mail import send_mail
from lms.models import utcnow
from lms.notifications.models import EmailMode, Notification, NotificationPreference
from lms.notifications.services import text


def _recipients(user_ids: set[int]) -> dict[int, tuple[User, str]]:
    rows = db.session.execute(
        select(User, NotificationPreference.email)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.id.in_(user_ids), User.active)
    )
    return {user.id: (user, mode or EmailMode.IMMEDIATE.value) for user, mode in rows}


def send_immediate(notification_ids: list[int], base_url: str = "") -> int:
    """Mail each notification to its person if they want mail at once; returns how many went."""
    notifications = list(
        db.session.scalars(
            select(Notification).where(
                Notification.id.in_(notification_ids), Notification.emailed_at.is_(None)
            )
        )
    )
    people = _recipients({n.user_id for n in notifications})
    sent = 0
    for notification in notifications:
        user, mode = people.get(notification.user_id, (None, EmailMode.OFF.value))
        if user is None or mode != EmailMode.IMMEDIATE:
            continue
        with force_locale(user.locale or "id"):
            body = text(notification)
        if send_mail(
            user.email, "Living Lab LMS", f"{body}\n\n{urljoin(base_url, notification.link)}"
        ):
            notification.emailed_at = utcnow()
            sent += 1
    db.session.flush()
    return sent


def send_digest(user_id: int, base_url: str = "") -> bool:
    """One e-mail with every unread notification not mailed yet; True when it went."""
    people = _recipients({user_id})
    if user_id not in people or people[user_id][1] != EmailMode.DAILY:
        return False
    user = people[user_id][0]
    notifications = list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.emailed_at.is_(None),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.created_at, Notification.id)
        )
    )
    if not notifications:
        return False
    with force_locale(user.locale or "id"):
        subject = _("Living Lab LMS: %(count)d new notifications", count=len(notifications))
        lines = [f"- {text(n)}\n  {urljoin(base_url, n.link)}" for n in notifications]
    if not send_mail(user.email, subject, "\n".join(lines)):
        return False
    now = utcnow()
    for notification in notifications:
        notification.emailed_at = now
    db.session.flush()
    return True
