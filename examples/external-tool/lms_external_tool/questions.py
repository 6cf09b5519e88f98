"""`fill_blank`: one blank in a sentence; any of several answers, case and spaces ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from quizzes.types.base import ConfigProblem, Grade, RenderContext


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class FillBlank:
    name = "fill_blank"
    label = "Isian singkat (rumpang)"
    manual = False
    scored = True

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = [
            ConfigProblem(k, f"unknown setting {k!r}") for k in sorted(set(config) - {"answers"})
        ]
        answers = config.get("answers")
        if (
            not isinstance(answers, (list, tuple))
            or not answers
            or not all(isinstance(a, str) and a.strip() for a in answers)
        ):
            problems.append(ConfigProblem("answers", "answers must be a list of texts"))
        return problems

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        return Markup('<input type="text" name="{}" value="{}" autocomplete="off">').format(
            ctx.name, ctx.response or ""
        )

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        value = str(form.get(ctx.name, "")).strip()
        return value[:200] or None

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade:
        right = {_norm(a) for a in config["answers"]}
        return Grade(1.0 if response and _norm(response) in right else 0.0, "")

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return " / ".join(config["answers"])
