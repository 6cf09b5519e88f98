"""Schedule, meeting, attendance and session-notes forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError


def _web_address(form: FlaskForm, field: StringField) -> None:
    value = (field.data or "").strip()
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(_l("Give a web address starting with https://."))


class ScheduleForm(FlaskForm):
    first_day = DateField(_l("Date of the first meeting"), validators=[DataRequired()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()], default=None)
    every_days = IntegerField(
        _l("Days between meetings"),
        validators=[DataRequired(), NumberRange(min=1, max=60)],
        default=7,
    )
    mentor_id = SelectField(_l("Mentor"), coerce=str, validators=[Optional()])
    online_url = StringField(
        _l("Online meeting link"), validators=[Optional(), Length(max=500), _web_address]
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])


class MeetingForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration_minutes = IntegerField(
        _l("Length (minutes)"), validators=[DataRequired(), NumberRange(min=1, max=1440)]
    )
    mentor_id = SelectField(_l("Mentor"), coerce=str, validators=[Optional()])
    online_url = StringField(
        _l("Online meeting link"), validators=[Optional(), Length(max=500), _web_address]
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])


class NotesForm(FlaskForm):
    notes = TextAreaField(
        _l("Session notes (Markdown)"),
        validators=[Length(max=50000)],
        description=_l("Visible to the cohort's participants on the module page."),
        render_kw={"rows": 12, "data-preview": "notes-preview"},
    )


class AttendanceForm(FlaskForm):
    """Only CSRF: the statuses come as `status-<user id>` fields, checked in the view."""


class CohortCourseForm(FlaskForm):
    version_id = SelectField(_l("Course version"), coerce=str, validators=[DataRequired()])
