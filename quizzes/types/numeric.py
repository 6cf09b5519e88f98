"""Numeric: type a number; it is right within a tolerance.

Settings::

    answers = [{value, tolerance = 0, fraction, feedback?}]   1 to 50, at least one at
                                                              fraction 1.0
    other_feedback = ""                                       feedback for a number no
                                                              answer matches (Moodle's
                                                              catch-all answer "*")

A response is right for an answer when |response − value| ≤ tolerance (with a hair of
room for rounding in binary floating point). Both "3,5" and "3.5" are read as three and a
half; a response with both a comma and a dot, or anything else that is not a plain number
(like "1.000,5", "3 1/2", "ten"), scores 0. The best fraction among the answers that
match counts, with that answer's feedback.

Response: the text as typed (without surrounding spaces).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from quizzes.types._common import (
    NO_GRADE,
    Problems,
    QuestionTypeBase,
    entries,
    is_number,
    number_text,
    submitted_text,
    text_field,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext
from quizzes.types.short_answer import best, check_answers

MAX_INPUT = 100
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_MINUS = {"\u2212": "-", "\u2013": "-"}


def parse_number(text: Any) -> float | None:
    """A number typed by a person, with a comma or a dot for decimals; None if it is not
    one (or not finite)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    for sign, minus in _MINUS.items():
        text = text.replace(sign, minus)
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def within(value: float, answer: Mapping[str, Any]) -> bool:
    target, tolerance = answer.get("value"), answer.get("tolerance", 0)
    if not is_number(target) or not is_number(tolerance):
        return False
    slack = 1e-9 * max(1.0, abs(target))
    return abs(value - target) <= abs(tolerance) + slack


class Numeric(QuestionTypeBase):
    name = "numeric"
    label = _l("Numeric")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, ("answers", "other_feedback"))
        problems.feedback(config, "other_feedback", "other_feedback")

        def tolerance(table: Mapping[str, Any], field: str, key: str) -> None:
            problems.number(table, field, key, required=False, minimum=0)

        check_answers(problems, config, {"value": problems.number, "tolerance": tolerance})
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        value = ctx.response if isinstance(ctx.response, str) else None
        return text_field(
            ctx,
            _l("Your answer"),
            {
                "inputmode": "decimal",
                "value": value,
                "maxlength": MAX_INPUT,
                "autocomplete": "off",
                "disabled": ctx.disabled,
            },
        )

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        return submitted_text(form, ctx.name, MAX_INPUT)

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        value = parse_number(response)
        if value is None:
            return NO_GRADE
        matching = [a for a in entries(config, "answers") if within(value, a)]
        if not matching:
            other = config.get("other_feedback")
            return Grade(0.0, other) if isinstance(other, str) and other else NO_GRADE
        return best(matching)

    def right_answer(self, config: Mapping[str, Any]) -> str:
        shown = []
        for answer in entries(config, "answers"):
            if not (is_number(answer.get("fraction")) and answer["fraction"] == 1):
                continue
            text = number_text(answer.get("value"))
            tolerance = answer.get("tolerance", 0)
            if is_number(tolerance) and tolerance:
                text += f" ± {number_text(tolerance)}"
            shown.append(text)
        return " / ".join(shown)
