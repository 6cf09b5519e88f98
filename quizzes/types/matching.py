"""Matching: pick the answer that goes with each prompt.

Settings::

    pairs = [{prompt, answer}]   2 to 50; prompts all different, answers may repeat
    distractors = []             extra wrong answers, different from every answer
    shuffle = true               false shows the prompts in the authored order

Each prompt gets a drop-down of all answers and distractors, always in a shuffled order
(showing them in the authored order would pair them up), each distinct text once.

Response: {prompt index (str): index of the chosen answer in the list of the pairs'
answers followed by the distractors}. Grade: the share of prompts matched with their
pair's answer (an answer text that repeats counts for every prompt it belongs to).
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
    display_order,
    entries,
    index_of,
    is_int,
    join,
    normalise_space,
    path,
    scrambled,
    select_field,
    str_or_empty,
    submitted_index,
    tag,
    texts,
)
from quizzes.types.base import ConfigProblem, Grade, RenderContext

KNOWN = ("pairs", "distractors", "shuffle")
PAIR_KEYS = ("prompt", "answer")


def choices(config: Mapping[str, Any]) -> list[str]:
    """Every answer a prompt may get: the pairs' answers, then the distractors."""
    return [str_or_empty(p.get("answer")) for p in entries(config, "pairs")] + texts(
        config, "distractors"
    )


def _chosen(response: Any, prompt: int) -> Any:
    if not isinstance(response, Mapping):
        return None
    return response.get(str(prompt), response.get(prompt))


class Matching(QuestionTypeBase):
    name = "matching"
    label = _l("Matching")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if not problems.config(config):
            return problems.items
        problems.unknown(config, KNOWN)
        prompts, answers = [], []
        for i, pair in problems.tables(config, "pairs", minimum=2):
            problems.unknown(pair, PAIR_KEYS, "pairs", i)
            prompt = problems.text(pair, "prompt", path("pairs", i, "prompt"))
            answer = problems.text(pair, "answer", path("pairs", i, "answer"))
            if prompt is not None:
                prompts.append((path("pairs", i, "prompt"), prompt))
            if answer is not None:
                answers.append((path("pairs", i, "answer"), answer))
        problems.distinct(prompts)
        distractors = problems.strings(config, "distractors", minimum=0, required=False)
        # A distractor may not repeat an answer or another distractor; answers may repeat.
        first_answers = {}
        for key, answer in answers:
            first_answers.setdefault(normalise_space(answer).casefold(), (key, answer))
        problems.distinct(
            [*first_answers.values(), *((path("distractors", i), t) for i, t in distractors)]
        )
        problems.boolean(config, "shuffle", "shuffle")
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        pairs = entries(config, "pairs")
        every = choices(config)
        first: dict[str, int] = {}
        for i, text in enumerate(every):
            first.setdefault(text, i)
        # Each distinct text once, standing for its first index, in a shuffled order.
        listed = list(dict.fromkeys(every[i] for i in scrambled(ctx, len(every), "answers")))
        fields = []
        for prompt in display_order(config, ctx, len(pairs)):
            chosen = index_of(_chosen(ctx.response, prompt), len(every))
            selected = first[every[chosen]] if chosen is not None else None
            fields.append(
                select_field(
                    ctx,
                    prompt,
                    str_or_empty(pairs[prompt].get("prompt")),
                    [(first[text], text) for text in listed],
                    selected,
                )
            )
        return tag("div", {"class": "question-matching"}, join(["", *fields, ""]))

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        count = len(choices(config))
        response = {}
        for prompt in range(len(entries(config, "pairs"))):
            index = submitted_index(form, f"{ctx.name}-{prompt}", ctx, count)
            if index is not None:
                response[str(prompt)] = index
        return response or None

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        pairs = entries(config, "pairs")
        every = choices(config)
        if not isinstance(response, Mapping) or not pairs:
            return NO_GRADE
        right = 0
        for prompt, pair in enumerate(pairs):
            chosen = _chosen(response, prompt)
            if (
                is_int(chosen)
                and 0 <= chosen < len(every)
                and every[chosen] == str_or_empty(pair.get("answer"))
            ):
                right += 1
        return Grade(right / len(pairs), "")

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return "; ".join(
            f"{str_or_empty(p.get('prompt'))} → {str_or_empty(p.get('answer'))}"
            for p in entries(config, "pairs")
        )
