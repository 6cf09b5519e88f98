"""Notices mailed to a person when their password or e-mail address changes, so a change
they did not make does not go unnoticed (sent only when SMTP is configured)."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from lms.mail import send_mail
from lms.models import utcnow


def password_changed(email: str) -> bool:
    return send_mail(
        email,
        _("Your Living Lab LMS password was changed"),
        _(
            "The password of your Living Lab LMS account %(email)s was changed on %(when)s. "
            "If this was not you, contact your admin or regional coordinator at once.",
            email=email,
            when=format_datetime(utcnow(), "medium"),
        ),
    )


def two_factor_reset(email: str) -> bool:
    return send_mail(
        email,
        _("Two-factor sign-in of your Living Lab LMS account was reset"),
        _(
            "An admin turned off two-factor sign-in of your Living Lab LMS account %(email)s "
            "on %(when)s; you sign in with your password alone until you turn it on again "
            "(Account, Two-factor sign-in). If you did not ask for this, contact your admin "
            "at once.",
            email=email,
            when=format_datetime(utcnow(), "medium"),
        ),
    )


def email_changed(old: str, new: str) -> bool:
    """Told at the old address: the account now answers to `new`."""
    return send_mail(
        old,
        _("The e-mail address of your Living Lab LMS account was changed"),
        _(
            "Your Living Lab LMS account now uses %(new)s instead of %(old)s (changed on "
            "%(when)s). If this was not you, contact your admin or regional coordinator at "
            "once.",
            new=new,
            old=old,
            when=format_datetime(utcnow(), "medium"),
        ),
    )
