"""Short answer: type a word or phrase.

Settings::

    answers = [{text, fraction, feedback?}]   1 to 50, at least one at fraction 1.0;
                                              `*` in text matches any run of characters
                                              (`\\*` is a plain star)
    case_sensitive = false                    true: "Perpres" is not "perpres"

Spacing never matters (runs of spaces count as one, ends are ignored). The best fraction
among the answers that match counts, with that answer's feedback.

Response: the text as typed (without surrounding spaces).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from quizzes.types._common import (
    MAX_TEXT,
    NO_GRADE,
    Problems,
    QuestionTypeBase,
    clamp,
    entries,
    is_number,
    normalise_answer,
    path,
    str_or_empty,
    submitted_text,
    text_field,
    wildcard_pattern,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext

KNOWN = ("answers", "case_sensitive")
ANSWER_KEYS = ("text", "fraction", "feedback")


def check_answers(problems: Problems, config: Mapping[str, Any], fields: dict[str, Any]) -> None:
    """The ``answers`` list shared by short-answer and numeric questions: the fields besides
    fraction and feedback are checked by the `fields` callables (table, key) -> value."""
    answers = problems.tables(config, "answers", minimum=1)
    full = 0
    for i, answer in answers:
        problems.unknown(answer, (*fields, "fraction", "feedback"), "answers", i)
        for field, check in fields.items():
            check(answer, field, path("answers", i, field))
        if problems.fraction(answer, "fraction", path("answers", i, "fraction")) == 1:
            full += 1
        problems.feedback(answer, "feedback", path("answers", i, "feedback"))
    if answers and not full:
        problems.add("answers", _l("At least one answer must have fraction 1.0."))


def best(candidates: list[Mapping[str, Any]]) -> Grade:
    """The grade of the best-scoring matching answer (the first of equals)."""
    top: Mapping[str, Any] | None = None
    for answer in candidates:
        fraction = answer.get("fraction")
        if not is_number(fraction):
            continue
        if top is None or fraction > top["fraction"]:
            top = answer
    if top is None:
        return NO_GRADE
    return Grade(clamp(top["fraction"]), str_or_empty(top.get("feedback")))


class ShortAnswer(QuestionTypeBase):
    name = "short_answer"
    label = _l("Short answer")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, KNOWN)
        check_answers(problems, config, {"text": problems.text})
        problems.boolean(config, "case_sensitive", "case_sensitive")
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        value = ctx.response if isinstance(ctx.response, str) else None
        return text_field(
            ctx,
            _l("Your answer"),
            {
                "value": value,
                "maxlength": MAX_TEXT,
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "disabled": ctx.disabled,
            },
        )

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        return submitted_text(form, ctx.name, MAX_TEXT)

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        if not isinstance(response, str) or not response.strip():
            return NO_GRADE
        case_sensitive = config.get("case_sensitive") is True
        given = normalise_answer(response, case_sensitive=case_sensitive)
        matching = [
            answer
            for answer in entries(config, "answers")
            if isinstance(answer.get("text"), str)
            and wildcard_pattern(answer["text"], case_sensitive=case_sensitive).fullmatch(given)
        ]
        return best(matching)

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return " / ".join(
            str_or_empty(a.get("text"))
            for a in entries(config, "answers")
            if is_number(a.get("fraction")) and a["fraction"] == 1
        )
