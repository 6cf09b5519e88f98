"""Essay: a written answer a mentor grades.

Settings::

    min_words = 0    0 to 10000; the participant is told, the mentor sees the count
    rubric = []     optional criteria for the mentor: [{criterion, points}], points a
                    number above 0

Response: the text as written (without surrounding blank space). `grade` gives None: the
mentor grades it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from quizzes.types._common import (
    Problems,
    QuestionTypeBase,
    field_id,
    is_int,
    join,
    path,
    submitted_text,
    tag,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext

KNOWN = ("min_words", "rubric")
CRITERION_KEYS = ("criterion", "points")
MAX_WORDS = 10_000
MAX_ESSAY = 100_000
"""Longest essay kept, in characters."""
MAX_POINTS = 1000


def word_count(text: Any) -> int:
    return len(text.split()) if isinstance(text, str) else 0


class Essay(QuestionTypeBase):
    name = "essay"
    label = _l("Essay")
    manual = True

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, KNOWN)
        problems.whole_number(config, "min_words", "min_words", low=0, high=MAX_WORDS)
        criteria = []
        for i, row in problems.tables(config, "rubric", minimum=0, maximum=20, required=False):
            problems.unknown(row, CRITERION_KEYS, "rubric", i)
            text = problems.text(row, "criterion", path("rubric", i, "criterion"))
            if text is not None:
                criteria.append((path("rubric", i, "criterion"), text))
            points = problems.number(row, "points", path("rubric", i, "points"))
            if points is not None and not 0 < points <= MAX_POINTS:
                problems.add(
                    path("rubric", i, "points"),
                    _l("Points must be above 0 and at most %(high)d.", high=MAX_POINTS),
                )
        problems.distinct(criteria)
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        ident = field_id(ctx, "answer")
        min_words = config.get("min_words", 0)
        hint = None
        if is_int(min_words) and min_words > 0:
            hint = tag(
                "small",
                {"id": field_id(ctx, "hint")},
                _l("Write at least %(count)d words.", count=min_words),
            )
        text = ctx.response if isinstance(ctx.response, str) else ""
        # A newline right after <textarea> is dropped by browsers; one keeps a leading one.
        area = tag(
            "textarea",
            {
                "id": ident,
                "name": ctx.name,
                "rows": 10,
                "maxlength": MAX_ESSAY,
                "aria-describedby": field_id(ctx, "hint") if hint else None,
                "disabled": ctx.disabled,
            },
            Markup("\n") + text,
        )
        label = tag("label", {"for": ident}, _l("Your answer"))
        return join([label, area, hint] if hint else [label, area])

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        return submitted_text(form, ctx.name, MAX_ESSAY)

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        return None

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return ""
