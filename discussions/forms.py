"""Discussion forms: a new thread, a reply, an edit, a report, a moderation reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

BODY_HELP = _l(
    "Markdown is allowed. Mention someone who can read this space with @[Full Name]. "
    "Files: PDF, images, office documents, text; up to 3 of 10 MB each."
)


class ThreadForm(FlaskForm):
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("question", _l("Question")),
            SelectChoice("discussion", _l("Discussion")),
        ],
        default="question",
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    body = TextAreaField(
        _l("Your question or opening"),
        validators=[DataRequired(), Length(max=20000)],
        description=BODY_HELP,
    )
    indicator = IntegerField(
        _l("SPBE indicator (1-47)"), validators=[Optional(), NumberRange(min=1, max=47)]
    )
    practice = SelectField(_l("Practice it cites"), choices=[], validate_choice=False)
    files = MultipleFileField(_l("Files"))


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply"), validators=[DataRequired(), Length(max=20000)], description=BODY_HELP
    )
    parent = HiddenField()
    files = MultipleFileField(_l("Files"))


class EditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(min=3, max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)])


class ReportForm(FlaskForm):
    reason = StringField(
        _l("What is wrong with this post?"), validators=[DataRequired(), Length(min=3, max=500)]
    )


class ModerationForm(FlaskForm):
    reason = StringField(_l("Reason (kept in the audit log)"), validators=[Length(max=500)])
