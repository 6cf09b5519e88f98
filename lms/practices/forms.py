"""Practice curation, status and attachment forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms import spbe
from lms.practices.models import PracticeStatus


def domain_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(d.number), f"{d.number}. {d.name}") for d in spbe.DOMAINS
    ]


def aspect_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(
            str(a.number),
            f"{a.number}. {a.name}",
            optgroup=f"{a.domain}. {spbe.DOMAIN_BY_NUMBER[a.domain].name}",
        )
        for a in spbe.ASPECTS
    ]


class PracticeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Slug"),
        validators=[Optional(), Length(max=80)],
        description=_l(
            "The practice's address: lowercase letters, digits and hyphens. "
            "Made from the title when left empty."
        ),
    )
    region_code = StringField(
        _l("Region code"),
        validators=[Optional(), Length(max=5)],
        description=_l("Kemendagri code of the kabupaten/kota, e.g. 32.11 for Sumedang."),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("One or two sentences shown in the catalog."),
        render_kw={"rows": 3},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=50000)],
        description=_l("Markdown: headings, lists, links and tables."),
        render_kw={"rows": 14},
    )
    domain = SelectField(_l("Domain"), choices=domain_choices, validators=[Optional()])
    aspect = SelectField(
        _l("Aspect"),
        choices=aspect_choices,
        validators=[Optional()],
        description=_l("Must belong to the chosen domain."),
    )
    indicators = StringField(
        _l("Indicators"),
        validators=[Optional(), Length(max=300)],
        description=_l("Numbers from 1 to 47 separated by commas, e.g. 14, 16, 18."),
    )
    links = TextAreaField(
        _l("Links"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Sources and further reading, one a line: title | https://…"),
        render_kw={"rows": 5},
    )
    derived_from_id = SelectField(
        _l("Derived from"),
        validators=[Optional()],
        description=_l("The published practice this one adapted (studi tiru), if any."),
    )


class StatusForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice(PracticeStatus.PUBLISHED.value, _l("Publish")),
            SelectChoice(PracticeStatus.REJECTED.value, _l("Reject")),
        ],
        validators=[DataRequired()],
    )


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to attach."))],
        description=_l("PDF, PNG or JPEG, at most 10 MB."),
    )
