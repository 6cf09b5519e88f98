"""True or false.

Settings::

    answer = true | false       the right answer
    feedback_true = ""          feedback for a participant who answered true
    feedback_false = ""         feedback for a participant who answered false

Response: a bool.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from quizzes.types._common import (
    NO_GRADE,
    Problems,
    QuestionTypeBase,
    join,
    str_or_empty,
    tag,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext

KNOWN = ("answer", "feedback_true", "feedback_false")
VALUES = {"true": True, "false": False}


def _word(value: bool) -> Any:
    return _l("True") if value else _l("False")


class TrueFalse(QuestionTypeBase):
    name = "true_false"
    label = _l("True or false")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, KNOWN)
        problems.boolean(config, "answer", "answer", required=True)
        problems.feedback(config, "feedback_true", "feedback_true")
        problems.feedback(config, "feedback_false", "feedback_false")
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        items = []
        for value, truth in VALUES.items():
            radio = tag(
                "input",
                {
                    "type": "radio",
                    "name": ctx.name,
                    "value": value,
                    "checked": ctx.response is truth,
                    "disabled": ctx.disabled,
                },
            )
            items.append(tag("li", {}, tag("label", {}, radio + Markup(" ") + _word(truth))))
        return tag("ul", {"class": "question-choices question-radio"}, join(["", *items, ""]))

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        return VALUES.get(form.get(ctx.name))

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        if not isinstance(response, bool):
            return NO_GRADE
        feedback = config.get("feedback_true" if response else "feedback_false")
        right = config.get("answer")
        return Grade(1.0 if response is right else 0.0, str_or_empty(feedback))

    def right_answer(self, config: Mapping[str, Any]) -> str:
        answer = config.get("answer")
        return str(_word(answer)) if isinstance(answer, bool) else ""
