"""A third-party-style question type: answer yes or no. Installed only by the test that
shows a question type plugs into the quiz engine without touching core code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from quizzes.types.base import ConfigProblem, Grade, RenderContext

CHOICES = ("ya", "tidak")


class YesNo:
    name = "yes_no"
    label = "Ya atau tidak"
    manual = False
    scored = True

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = [ConfigProblem(k, "unknown setting") for k in sorted(set(config) - {"answer"})]
        if config.get("answer") not in CHOICES:
            problems.append(ConfigProblem("answer", "answer must be ya or tidak"))
        return problems

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        return Markup("").join(
            Markup('<label><input type="radio" name="{}" value="{}"{}> {}</label>').format(
                ctx.name,
                ctx.token(i),
                Markup(" checked") if ctx.response == choice else "",
                choice,
            )
            for i, choice in enumerate(CHOICES)
        )

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        index = ctx.index(form.get(ctx.name, ""), len(CHOICES))
        return None if index is None else CHOICES[index]

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade:
        return Grade(1.0 if response == config["answer"] else 0.0, "")

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return str(config["answer"])
