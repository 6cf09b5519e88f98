"""Multiple response: tick every right option.

Settings::

    options = [{text, correct, feedback?}]   2 to 50, `correct` true or false, at least
                                             one true
    penalty = false                          true: each wrong tick takes away
                                             1/(number of right options)
    shuffle = true                           false keeps the authored order

Grade: (right ticks)/(number of right options), less the penalty, never below 0. Without
the penalty, wrong ticks cost nothing. Feedback: that of every ticked option, in the
authored order.

Response: the sorted list of ticked option indices.
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
    choice_list,
    clamp,
    display_order,
    entries,
    is_int,
    join_feedback,
    path,
    str_or_empty,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext

KNOWN = ("options", "penalty", "shuffle")
OPTION_KEYS = ("text", "correct", "feedback")


def _ticked(response: Any, count: int) -> list[int]:
    if not isinstance(response, list):
        return []
    return sorted({i for i in response if is_int(i) and 0 <= i < count})


class MultipleResponse(QuestionTypeBase):
    name = "multiple_response"
    label = _l("Multiple response")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, KNOWN)
        texts = []
        correct = 0
        options = problems.tables(config, "options", minimum=2)
        for i, option in options:
            problems.unknown(option, OPTION_KEYS, "options", i)
            text = problems.text(option, "text", path("options", i, "text"))
            if text is not None:
                texts.append((path("options", i, "text"), text))
            if problems.boolean(option, "correct", path("options", i, "correct"), required=True):
                correct += 1
            problems.feedback(option, "feedback", path("options", i, "feedback"))
        problems.distinct(texts)
        if options and correct == 0:
            problems.add("options", _l("Mark at least one option correct = true."))
        problems.boolean(config, "penalty", "penalty")
        problems.boolean(config, "shuffle", "shuffle")
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        options = entries(config, "options")
        order = display_order(config, ctx, len(options))
        return choice_list(
            ctx,
            "checkbox",
            [(i, str_or_empty(options[i].get("text"))) for i in order],
            set(_ticked(ctx.response, len(options))),
        )

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        count = len(entries(config, "options"))
        ticked = {
            ctx.index(token, count) for token in form.getlist(ctx.name) if isinstance(token, str)
        }
        ticked.discard(None)
        return sorted(ticked) or None

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        options = entries(config, "options")
        ticked = _ticked(response, len(options))
        right_options = sum(1 for o in options if o.get("correct") is True)
        if not ticked or not right_options:
            return NO_GRADE
        right = sum(1 for i in ticked if options[i].get("correct") is True)
        wrong = len(ticked) - right
        fraction = right / right_options
        if config.get("penalty") is True:
            fraction -= wrong / right_options
        return Grade(
            clamp(fraction),
            join_feedback(str_or_empty(options[i].get("feedback")) for i in ticked),
        )

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return "; ".join(
            str_or_empty(o.get("text"))
            for o in entries(config, "options")
            if o.get("correct") is True
        )
