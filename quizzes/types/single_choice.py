"""Single choice: pick one option; each option is worth a fraction of the points.

Settings::

    options = [{text, fraction, feedback?}]   2 to 50; exactly one at fraction 1.0, the
                                              others from 0 to below 1 (partial credit)
    shuffle = true                            false keeps the authored order

Response: the int index of the chosen option.
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
    index_of,
    is_number,
    path,
    str_or_empty,
    submitted_index,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext

KNOWN = ("options", "shuffle")
OPTION_KEYS = ("text", "fraction", "feedback")


def check_options(problems: Problems, config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Check the ``options`` of a single-choice question; the (key, text) of usable ones."""
    found = []
    for i, option in problems.tables(config, "options", minimum=2):
        problems.unknown(option, OPTION_KEYS, "options", i)
        text = problems.text(option, "text", path("options", i, "text"))
        problems.fraction(option, "fraction", path("options", i, "fraction"))
        problems.feedback(option, "feedback", path("options", i, "feedback"))
        if text is not None:
            found.append((path("options", i, "text"), text))
    return found


class SingleChoice(QuestionTypeBase):
    name = "single_choice"
    label = _l("Single choice")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, KNOWN)
        problems.distinct(check_options(problems, config))
        problems.boolean(config, "shuffle", "shuffle")
        options = config.get("options")
        if isinstance(options, list) and len(options) >= 2:
            best = sum(
                1
                for o in options
                if isinstance(o, Mapping) and is_number(o.get("fraction")) and o["fraction"] == 1
            )
            if best != 1:
                problems.add(
                    "options",
                    _l(
                        "Exactly one option must have fraction 1.0 (the right answer); "
                        "%(count)d do.",
                        count=best,
                    ),
                )
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        options = entries(config, "options")
        order = display_order(config, ctx, len(options))
        chosen = index_of(ctx.response, len(options))
        return choice_list(
            ctx,
            "radio",
            [(i, str_or_empty(options[i].get("text"))) for i in order],
            {chosen} if chosen is not None else set(),
        )

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        return submitted_index(form, ctx.name, ctx, len(entries(config, "options")))

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        options = entries(config, "options")
        chosen = index_of(response, len(options))
        if chosen is None:
            return NO_GRADE
        option = options[chosen]
        fraction = option.get("fraction", 0)
        return Grade(
            clamp(fraction if is_number(fraction) else 0),
            str_or_empty(option.get("feedback")),
        )

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return "; ".join(
            str_or_empty(o.get("text"))
            for o in entries(config, "options")
            if is_number(o.get("fraction")) and o["fraction"] == 1
        )
