"""The question-type contract: what a plugin in the `lms.question_types` group provides.

A question type is a small object (a class the registry instantiates) with:

``name``
    the registry key, also `type = "..."` in a package's questions.toml.
``label``
    what authors read (a lazily translated string).
``manual``
    True when a mentor grades the answer (essay); `grade` then returns `None`.
``scored``
    False for items worth no points (description); default True.
``validate_config(config) -> list[ConfigProblem]``
    checks the type's own configuration (everything of a question besides its common
    fields: key, type, name, text, points, tags, feedback). Used by authoring and by every
    import (package, GIFT, Moodle XML). An empty list means valid.
``render(config, ctx) -> Markup``
    the participant's answer inputs. It must never reveal which answer is right, how
    options score or their feedback: option values are `ctx.token(i)`, opaque per attempt,
    and the order is `ctx.order(n)`. Field names start with `ctx.name`.
``parse_response(config, form, ctx) -> JSON value | None``
    turns the submitted form (`form.getlist(name)` / `form.get(name)`) into the canonical
    response stored with the attempt (see each type), or None when unanswered. It raises
    `ResponseRefused(message)` for an answer that cannot stand (ordering: one item in two
    positions); the earlier answer is then kept and the message shown next to the question.
``grade(config, response) -> Grade | None``
    pure and deterministic: the fraction of the question's points (0 to 1) and feedback.
``right_answer(config) -> str``
    the right answer in words, for reviews that may show it.

Canonical responses are plain JSON: option *indices into the config's lists* (never
tokens), strings or numbers, so that grading never depends on display order.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from markupsafe import Markup


class ResponseRefused(ValueError):
    """An answer the question type refuses, with the message for the participant."""


@dataclass(frozen=True)
class ConfigProblem:
    """A problem with one setting (`key` None when it concerns the configuration as a whole)."""

    key: str | None
    message: str


@dataclass(frozen=True)
class Grade:
    fraction: float
    """0.0 to 1.0 of the question's points; never below zero."""
    feedback: str = ""
    """Feedback specific to this response (plain text or Markdown), shown when the review
    policy allows feedback."""


class FormData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class RenderContext:
    """What the engine gives a type to draw one question of one attempt."""

    name: str
    """Prefix for every form field of this question, e.g. "q3"."""
    seed: str
    """Per attempt and question; decides tokens and shuffled order."""
    shuffle: bool = True
    response: Any = None
    """The saved canonical response, to show it again (autosave, back from review)."""
    disabled: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def token(self, index: int) -> str:
        """An opaque value for option `index`: stable within the attempt, meaningless outside."""
        digest = hashlib.sha256(f"{self.seed}:{index}".encode()).hexdigest()
        return digest[:12]

    def index(self, token: str, count: int) -> int | None:
        """The option index a submitted token stands for, or None if it is not one."""
        for i in range(count):
            if self.token(i) == token:
                return i
        return None

    def order(self, count: int) -> list[int]:
        """Display order of `count` items: shuffled per attempt when allowed."""
        items = list(range(count))
        if self.shuffle:
            random.Random(self.seed).shuffle(items)
        return items


class QuestionType(Protocol):
    name: str
    label: Any
    manual: bool
    scored: bool

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]: ...

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup: ...

    def parse_response(
        self, config: Mapping[str, Any], form: FormData, ctx: RenderContext
    ) -> Any: ...

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None: ...

    def right_answer(self, config: Mapping[str, Any]) -> str: ...


GradeFunction = Callable[[Mapping[str, Any], Any], Grade | None]
