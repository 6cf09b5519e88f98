"""Who may see and curate practices.

Published practices are open to every logged-in user. Proposed and rejected ones are
seen only by curators (admins and mentors) and by the participant who proposed them;
anyone else gets 403, as for every object outside a user's scope (see `lms.policy`).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.extensions import db
from lms.practices.models import Practice, PracticeAttachment, PracticeStatus

CURATORS = (Role.ADMIN, Role.MENTOR)


def can_curate(user: User) -> bool:
    """Create, edit, publish, reject and attach files: admins and mentors."""
    return user.has_role(*CURATORS)


def can_view_practice(user: User, practice: Practice) -> bool:
    if practice.status == PracticeStatus.PUBLISHED:
        return True
    return can_curate(user) or (
        practice.created_by_id is not None and practice.created_by_id == user.id
    )


def get_practice_or_abort(slug: str) -> Practice:
    """The practice with `slug`: 404 when there is none, 403 when the user may not see it."""
    practice = db.session.scalar(select(Practice).where(Practice.slug == slug))
    if practice is None:
        abort(404)
    if not can_view_practice(current_user, practice):
        abort(403)
    return practice


def get_attachment_or_abort(attachment_id: int) -> PracticeAttachment:
    """An attachment, with the same visibility as its practice."""
    row = db.session.execute(
        select(PracticeAttachment, Practice)
        .join(Practice, Practice.id == PracticeAttachment.practice_id)
        .where(PracticeAttachment.id == attachment_id)
    ).first()
    if row is None:
        abort(404)
    attachment, practice = row
    if not can_view_practice(current_user, practice):
        abort(403)
    return attachment
