"""The platform registration form (new and edit) and the deep-linking choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length


def _url(label: str) -> URLField:
    return URLField(label, validators=[DataRequired(), URL(require_tld=False), Length(max=500)])


class PlatformForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    issuer = StringField(
        _l("Issuer"),
        validators=[DataRequired(), Length(max=255)],
        description=_l("The platform's iss, e.g. https://lms.sumedangkab.go.id"),
    )
    client_id = StringField(_l("Client id"), validators=[DataRequired(), Length(max=255)])
    deployment_id = TextAreaField(
        _l("Deployment ids"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("One per line: each deployment of this tool on the platform."),
        render_kw={"rows": 3},
    )
    auth_login_url = _url(_l("Authentication request URL"))
    auth_token_url = _url(_l("Access token URL"))
    key_set_url = _url(_l("Public keyset URL"))
    cohort_id = SelectField(_l("Cohort its users join"), coerce=int, validators=[DataRequired()])


class DeepLinkForm(FlaskForm):
    modules = SelectMultipleField(_l("Sessions to add"), coerce=int, validators=[DataRequired()])
