"""Account and import forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from lms.auth.forms import password_length
from lms.auth.models import Role
from lms.labels import ROLE_LABELS
from lms.users.nip import nip_problem


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    region_code = StringField(
        _l("Region code"),
        validators=[Optional(), Length(max=5)],
        description=_l("Kemendagri code of the kabupaten/kota, e.g. 32.11 for Sumedang."),
    )
    nip = StringField(
        _l("NIP"),
        validators=[Optional(), Length(max=18)],
        description=_l("18 digits, for civil servants."),
    )
    work_unit = StringField(_l("Work unit (OPD)"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    institution = StringField(
        _l("Institution"),
        validators=[Optional(), Length(max=200)],
        description=_l("For mentors: their university."),
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), password_length()],
        description=_l("Leave empty to send a one-time link instead."),
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, roles: tuple[Role, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in roles]

    def validate_nip(self, field: StringField) -> None:
        if field.data and (problem := nip_problem(field.data.strip())):
            raise ValidationError(problem)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Participant file (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file.")),
        ],
    )
    cohort_id = SelectField(_l("Enrol into cohort (optional)"), coerce=str, validators=[Optional()])
