"""Cohort, mentor-assignment and enrolment forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class CohortForm(FlaskForm):
    region_code = StringField(
        _l("Region code"),
        validators=[DataRequired(), Length(max=5)],
        description=_l("Kemendagri code of the kabupaten/kota, e.g. 32.11 for Sumedang."),
    )
    name = StringField(
        _l("Cohort name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: Angkatan 1 2026."),
    )
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class MentorsForm(FlaskForm):
    mentors = SelectMultipleField(
        _l("Mentors"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class EnrolForm(FlaskForm):
    participants = SelectMultipleField(
        _l("Participants to enrol"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one participant."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
