"""The e-mail preference form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from lms.notifications.models import EmailMode


class PreferenceForm(FlaskForm):
    email = RadioField(
        _l("E-mail me about notifications"),
        choices=[
            SelectChoice(EmailMode.IMMEDIATE.value, _l("At once, one e-mail each")),
            SelectChoice(EmailMode.DAILY.value, _l("Once a day, in one digest")),
            SelectChoice(EmailMode.OFF.value, _l("Never (only here in the app)")),
        ],
        validators=[InputRequired()],
    )
