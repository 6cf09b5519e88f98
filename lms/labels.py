"""Translatable display names of the domain's enumerations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.auth.models import Role
from lms.cohorts.models import EnrolmentStatus

ROLE_LABELS = {
    Role.PARTICIPANT: _l("Participant"),
    Role.MENTOR: _l("Mentor"),
    Role.COORDINATOR: _l("Regional coordinator"),
    Role.ADMIN: _l("Admin"),
}
STATUS_LABELS = {
    EnrolmentStatus.ACTIVE: _l("Active"),
    EnrolmentStatus.WITHDRAWN: _l("Withdrawn"),
    EnrolmentStatus.COMPLETED: _l("Completed"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(Role(role), role))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(EnrolmentStatus(status), status))
