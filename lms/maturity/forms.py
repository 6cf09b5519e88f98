"""The self-assessment form (a level and a justification per indicator) and the review form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from lms import spbe
from lms.maturity.services import LEVELS, MAX_JUSTIFICATION


def level_field(number: int) -> str:
    return f"level-{number}"


def justification_field(number: int) -> str:
    return f"justification-{number}"


class AssessmentForm(FlaskForm):
    """Fields `level-<n>` and `justification-<n>` for the 47 indicators (added below), checked
    by the service so that every message lands next to its indicator."""

    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit for review"))


def _add_indicator_fields() -> None:
    choices = [SelectChoice("", _l("— none yet —"))]
    choices += [SelectChoice(str(level), f"{level} · {name}") for level, name in LEVELS]
    for indicator in spbe.INDICATORS:
        setattr(
            AssessmentForm,
            level_field(indicator.number),
            SelectField(
                _l("Level"), choices=choices, default="", validate_choice=False, coerce=str
            ),
        )
        setattr(
            AssessmentForm,
            justification_field(indicator.number),
            TextAreaField(
                _l("Justification"),
                default="",
                render_kw={"maxlength": MAX_JUSTIFICATION, "rows": 2, "cols": 48},
            ),
        )


_add_indicator_fields()


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment for the coordinator"),
        validators=[Length(max=MAX_JUSTIFICATION)],
        description=_l("Required when sending the self-assessment back."),
        render_kw={"rows": 3, "maxlength": MAX_JUSTIFICATION},
    )
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Send back to the coordinator"))
