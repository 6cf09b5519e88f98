"""Ordering: put the items in the right order.

Settings::

    items = [str]   2 to 50 different texts, in the right order

Each position gets a drop-down of every item, always in a shuffled order.

Response: the list of item indices the participant put at each position (null for a
position left empty); an item chosen for two positions is refused. Grade: the share of
positions holding the right item.
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
    index_of,
    is_int,
    join,
    path,
    scrambled,
    select_field,
    submitted_index,
    tag,
    texts,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext, ResponseRefused


class Ordering(QuestionTypeBase):
    name = "ordering"
    label = _l("Ordering")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, ("items",))
        items = problems.strings(config, "items", minimum=2)
        problems.distinct([(path("items", i), text) for i, text in items])
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        items = texts(config, "items")
        listed = [(i, items[i]) for i in scrambled(ctx, len(items), "items")]
        given = ctx.response if isinstance(ctx.response, list) else []
        fields = []
        for position in range(len(items)):
            chosen = index_of(given[position], len(items)) if position < len(given) else None
            label = _l("Position %(number)d", number=position + 1)
            fields.append(select_field(ctx, position, label, listed, chosen))
        return tag("div", {"class": "question-ordering"}, join(["", *fields, ""]))

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        count = len(texts(config, "items"))
        response = [
            submitted_index(form, f"{ctx.name}-{position}", ctx, count) for position in range(count)
        ]
        items = texts(config, "items")
        for item in sorted({i for i in response if i is not None}):
            positions = [p + 1 for p, chosen in enumerate(response) if chosen == item]
            if len(positions) > 1:
                raise ResponseRefused(
                    str(
                        _l(
                            "Each item goes in one position only: “%(item)s” is in "
                            "positions %(positions)s.",
                            item=items[item],
                            positions=", ".join(str(p) for p in positions),
                        )
                    )
                )
        return response if any(i is not None for i in response) else None

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        count = len(texts(config, "items"))
        if not isinstance(response, list) or not count:
            return NO_GRADE
        right = sum(
            1 for position, item in enumerate(response[:count]) if is_int(item) and item == position
        )
        return Grade(right / count, "")

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return " → ".join(texts(config, "items"))
