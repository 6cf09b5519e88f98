"""Question bank, question correction, quiz window and question-import forms."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from courses.forms import _slug


def parse_toml(text: str | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text or "")
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(_l("This is not valid TOML: %(error)s", error=str(error))) from error


class QuestionForm(FlaskForm):
    module_slug = SelectField(_l("Session"), validators=[DataRequired()])
    type = SelectField(_l("Question type"), validators=[DataRequired()])
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(max=64), _slug],
        description=_l("Unique in the course, e.g. m01-q13-prinsip."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("Question (Markdown)"),
        validators=[DataRequired(), Length(max=20000)],
        render_kw={"rows": 5, "data-preview": "question-preview"},
    )
    points = DecimalField(
        _l("Points"),
        default=1,
        places=None,
        validators=[DataRequired(), NumberRange(min=0.01, max=100)],
    )
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separated by commas, e.g. indikator-1, latihan."),
    )
    feedback = TextAreaField(_l("General feedback"), validators=[Length(max=5000)])
    config = TextAreaField(
        _l("Answers and settings (TOML)"),
        validators=[Length(max=50000)],
        description=_l(
            "As in questions.toml, e.g. shuffle = true and [[options]] tables with text, "
            "fraction and feedback."
        ),
        render_kw={"rows": 14, "spellcheck": "false"},
    )

    def validate_config(self, field: TextAreaField) -> None:
        parse_toml(field.data)

    def tag_list(self) -> list[str]:
        return [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]


class FixQuestionForm(FlaskForm):
    config = TextAreaField(
        _l("Corrected answers and settings (TOML)"),
        validators=[DataRequired(), Length(max=50000)],
        render_kw={"rows": 14, "spellcheck": "false"},
    )
    reason = StringField(
        _l("Why is it corrected?"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("Kept in the audit log with the old and new answers."),
    )

    def validate_config(self, field: TextAreaField) -> None:
        parse_toml(field.data)


class WindowForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


class QuestionImportForm(FlaskForm):
    module_slug = SelectField(_l("Into session"), validators=[DataRequired()])
    file = FileField(
        _l("GIFT (.txt, .gift) or Moodle XML (.xml) file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["txt", "gift", "xml"], _l("Upload a .gift, .txt or .xml file.")),
        ],
    )
    import_rest = BooleanField(
        _l("Import the rest"),
        description=_l(
            "Skip the questions of a Moodle type this site does not support (cloze, "
            "calculated, drag and drop) and import the others; they are listed after the import."
        ),
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def config_toml(config: dict[str, Any]) -> str:
    """A question's configuration as the TOML an author edits (inverse of `parse_toml`)."""
    tables = {
        k: v for k, v in config.items() if isinstance(v, list) and v and isinstance(v[0], dict)
    }
    lines = [f"{key} = {_toml_value(config[key])}" for key in sorted(config) if key not in tables]
    for key in sorted(tables):
        for row in tables[key]:
            lines.append("")
            lines.append(f"[[{key}]]")
            lines.extend(f"{k} = {_toml_value(row[k])}" for k in sorted(row))
    return "\n".join(lines).strip() + "\n"
