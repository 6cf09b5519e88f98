"""Authoring forms: course, module, activity, package upload, cohort course."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from courses import package as pkg

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


def _slug(form: Any, field: StringField) -> None:
    if field.data and not _SLUG.fullmatch(field.data):
        raise ValidationError(
            _l("Use lowercase letters, digits and single hyphens, e.g. 02-evaluasi-spbe.")
        )


def settings_toml(config: dict[str, Any]) -> str:
    """Activity settings as the TOML an author edits (the inverse of `ActivityForm.settings`)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(item) for item in v) + "]"
        if isinstance(v, date):
            return v.isoformat()
        return json.dumps(str(v), ensure_ascii=False)

    def is_tables(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(item, dict) for item in v)

    text = "".join(
        f"{key} = {value(config[key])}\n" for key in sorted(config) if not is_tables(config[key])
    )
    # Arrays of tables (an assignment's rubric) as [[key]] sections, as in module.toml.
    for key in sorted(k for k in config if is_tables(config[k])):
        for table in config[key]:
            text += f"\n[[{key}]]\n" + "".join(f"{k} = {value(table[k])}\n" for k in sorted(table))
    return text


def _plain(value: Any) -> bool:
    """A scalar, or a list of scalars."""
    if isinstance(value, list):
        return not any(isinstance(v, (dict, list)) for v in value)
    return not isinstance(value, dict)


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    label = StringField(
        _l("Version"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("Three numbers, like 1.0.0. Each published version needs a new one."),
    )
    language = SelectField(
        _l("Language of the content"),
        choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
        default="id",
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])

    def validate_label(self, field: StringField) -> None:
        if field.data and not _LABEL.fullmatch(field.data.strip()):
            raise ValidationError(_l("Write the version as three numbers, like 1.0.0."))


class NewCourseForm(CourseForm):
    slug = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=pkg.MAX_SLUG_LENGTH), _slug],
        description=_l("Used in addresses and package folders, e.g. spbe-dasar. Cannot change."),
    )


class ModuleForm(FlaskForm):
    slug = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=pkg.MAX_SLUG_LENGTH), _slug],
        description=_l("The module's folder name in the package, e.g. 02-evaluasi-spbe."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=2000)])
    objectives = TextAreaField(
        _l("Learning objectives"),
        validators=[DataRequired()],
        description=_l("One objective per line."),
    )
    duration_minutes = IntegerField(
        _l("Estimated duration (minutes)"),
        validators=[DataRequired(), NumberRange(min=1, max=pkg.MAX_DURATION_MINUTES)],
    )
    indicators = StringField(
        _l("SPBE indicators"),
        validators=[Optional(), Length(max=200)],
        description=_l("Indicator numbers 1 to 47 this module addresses, separated by commas."),
    )
    material = TextAreaField(
        _l("Material (Markdown)"),
        validators=[Length(max=pkg.MAX_MATERIAL_BYTES)],
        render_kw={"rows": 18, "data-preview": "material-preview"},
    )
    unlock_on = DateField(
        _l("Opens on"),
        validators=[Optional()],
        description=_l("Leave empty to open the module without waiting for a date."),
    )
    unlock_after = SelectMultipleField(
        _l("Opens after these modules are complete"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    meeting_minutes = IntegerField(
        _l("Live meeting length (minutes)"),
        validators=[Optional(), NumberRange(min=1, max=pkg.MAX_DURATION_MINUTES)],
        description=_l("Leave empty for a module without a live meeting."),
    )
    meeting_agenda = TextAreaField(
        _l("Meeting agenda"), description=_l("One agenda item per line.")
    )

    def validate_objectives(self, field: TextAreaField) -> None:
        if not lines(field.data):
            raise ValidationError(_l("Write at least one learning objective."))

    def validate_indicators(self, field: StringField) -> None:
        self.indicator_numbers()

    def validate_meeting_agenda(self, field: TextAreaField) -> None:
        if self.meeting_minutes.data and not lines(field.data):
            raise ValidationError(_l("A live meeting needs an agenda."))

    def indicator_numbers(self) -> list[int]:
        numbers = []
        for part in (self.indicators.data or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= pkg.INDICATOR_COUNT:
                raise ValidationError(
                    _l("“%(value)s” is not an indicator number from 1 to 47.", value=part)
                )
            numbers.append(int(part))
        return numbers


class ModuleEditForm(ModuleForm):
    """Editing a saved module: the form carries the revision it was opened on, so a save
    made after someone else's is refused instead of overwriting it."""

    revision = IntegerField(
        widget=HiddenInput(),
        validators=[
            InputRequired(_l("This form is out of date; open the module again to edit it."))
        ],
    )


class RestoreForm(FlaskForm):
    """Restore an earlier revision: the revision the author saw as current."""

    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AuthorForm(FlaskForm):
    """Name an account a course author (*Penulis Materi*)."""

    email = EmailField(
        _l("E-mail of the account"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("A mentor or any other account; admins already author every course."),
    )


class PublishRightsForm(FlaskForm):
    authors_may_publish = BooleanField(
        _l("The course's authors may publish its draft"),
        description=_l("Otherwise only admins publish; authors prepare the draft."),
    )


class ActivityForm(FlaskForm):
    type = SelectField(_l("Type"), validators=[DataRequired()])
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(max=pkg.MAX_SLUG_LENGTH), _slug],
        description=_l("A short name unique in the module, e.g. bacaan."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    config = TextAreaField(
        _l("Settings (TOML)"),
        validators=[Length(max=20000)],
        description=_l(
            "Settings of this activity type as TOML keys, as in module.toml. "
            "Leave empty for types without settings."
        ),
        render_kw={"rows": 6, "spellcheck": "false"},
    )

    def validate_config(self, field: TextAreaField) -> None:
        self.settings()

    def settings(self) -> dict[str, Any]:
        try:
            data = tomllib.loads(self.config.data or "")
        except tomllib.TOMLDecodeError as error:
            raise ValidationError(
                _l("These settings are not valid TOML: %(error)s", error=str(error))
            ) from error
        for key, value in data.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                # An array of tables ([[rubric]]): each table holds plain values or lists.
                if all(_plain(v) for table in value for v in table.values()):
                    continue
            elif _plain(value):
                continue
            raise ValidationError(
                _l(
                    "Setting “%(key)s” must be a plain value, a list of values or [[%(key)s]] "
                    "tables of plain values.",
                    key=key,
                )
            )
        return data


class PackageUploadForm(FlaskForm):
    archive = FileField(
        _l("Course package (.zip)"),
        validators=[
            FileRequired(_l("Choose a zip file.")),
            FileAllowed(["zip"], _l("Upload the package as a .zip file.")),
        ],
    )


class CopyModuleForm(FlaskForm):
    """Copy a module of another version into the draft; `token` makes a resubmit harmless."""

    module = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    token = StringField(widget=HiddenInput(), validators=[DataRequired(), Length(max=64)])


class CopyActivityForm(FlaskForm):
    """Copy one activity into a module of the draft."""

    activity = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    token = StringField(widget=HiddenInput(), validators=[DataRequired(), Length(max=64)])
    target = SelectField(
        _l("Into module"), coerce=int, validators=[InputRequired(_l("Choose a module."))]
    )


class CopyQuestionsForm(FlaskForm):
    """Copy ticked questions of a version's bank into the draft's bank."""

    questions = SelectMultipleField(
        _l("Questions"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Tick at least one question."))],
    )
    module_slug = SelectField(_l("Into module"), validators=[DataRequired(_l("Choose a module."))])
    token = StringField(widget=HiddenInput(), validators=[DataRequired(), Length(max=64)])


class CopyCourseForm(NewCourseForm):
    """A new course whose first draft copies the chosen version."""


class AssetUploadForm(FlaskForm):
    """A file for a module's assets/ folder; its type is judged by content in the service."""

    file = FileField(
        _l("File (image, PDF, audio or MP4 video)"),
        validators=[FileRequired(_l("Choose a file."))],
    )
