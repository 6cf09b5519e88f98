"""Confirmation forms for the irreversible steps: the admin re-enters their password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired


class EraseForm(FlaskForm):
    email = StringField(
        _l("Type the person's e-mail address to confirm"), validators=[DataRequired()]
    )
    password = PasswordField(_l("Your own password"), validators=[DataRequired()])


class ExportForm(FlaskForm):
    """Only the CSRF token: the download is a POST so it is never prefetched or cached."""
