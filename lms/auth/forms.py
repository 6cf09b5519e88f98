"""Login, password and profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.auth.services import MIN_PASSWORD_LENGTH

TIMEZONE_CHOICES = [
    SelectChoice("", _l("My region's time zone")),
    SelectChoice("Asia/Jakarta", _l("WIB (Western Indonesia, UTC+7)")),
    SelectChoice("Asia/Makassar", _l("WITA (Central Indonesia, UTC+8)")),
    SelectChoice("Asia/Jayapura", _l("WIT (Eastern Indonesia, UTC+9)")),
]
LANGUAGE_CHOICES = [SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")]


def password_length() -> Length:
    """The password policy every form that sets a password applies."""
    return Length(
        min=MIN_PASSWORD_LENGTH,
        max=128,
        message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
    )


def new_password_field(label: str | None = None) -> PasswordField:
    return PasswordField(
        label or _l("New password"),
        validators=[DataRequired(), password_length()],
        render_kw={"autocomplete": "new-password"},
    )


def confirm_password_field() -> PasswordField:
    return PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field()
    confirm = confirm_password_field()

    def validate_new_password(self, field: PasswordField) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))


class OneTimeCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the authenticator app (or a recovery code)"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ResetPasswordForm(FlaskForm):
    new_password = new_password_field()
    confirm = confirm_password_field()


class PreferencesForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=TIMEZONE_CHOICES)
