"""The personal access token form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from lms.api.tokens import LIFETIMES_DAYS


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What uses it, e.g. “SIMPEG Kabupaten Sumedang”."),
    )
    write = BooleanField(
        _l("Allow changes (write scope)"),
        description=_l("Without it the token can only read."),
    )
    days = SelectField(
        _l("Valid for"),
        coerce=int,
        choices=[SelectChoice(d, _l("%(num)d days", num=d)) for d in LIFETIMES_DAYS],
        default=90,
    )
