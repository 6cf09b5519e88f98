"""Helpers the built-in question types share: checking settings, drawing inputs, grading.

Checking: `Problems` collects `ConfigProblem`s with keys that point at the setting, such
as ``options`` or ``options[2].fraction`` (list positions count from 0, as in the data).
Settings come from TOML or JSON, so a value is an int, float, bool, str, list or dict.

Drawing: `tag` builds one HTML element with every attribute value and text escaped;
nothing a type draws carries an option index, a fraction or feedback, only `ctx.token(i)`.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from quizzes.types.base import ConfigProblem, Grade, RenderContext

COMMON_FIELDS = frozenset({"key", "type", "name", "text", "points", "tags", "feedback"})
"""The fields every question has; they belong to the engine, not to a type's settings,
and are passed over if a caller hands a type the whole question."""

MAX_TEXT = 1000
"""Longest option, answer, prompt or item text."""
MAX_FEEDBACK = 10_000
"""Longest feedback (plain text or Markdown)."""
MAX_OPTIONS = 50
"""Most options, answers, pairs or items a question may list."""

NO_GRADE = Grade(0.0, "")


# --- checking settings -------------------------------------------------------------------


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An int or a finite float, never a bool (TOML and JSON give all three)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def path(list_key: str, index: int, field: str | None = None) -> str:
    """The key of an entry of a list setting: ``options[2]`` or ``options[2].fraction``."""
    key = f"{list_key}[{index}]"
    return f"{key}.{field}" if field else key


def comparable(text: str) -> str:
    """Text as two options are compared for being the same: spacing and case ignored."""
    return normalise_space(text).casefold()


class Problems:
    """Collects the problems of one configuration."""

    def __init__(self) -> None:
        self.items: list[ConfigProblem] = []

    def add(self, key: str | None, message: Any) -> None:
        self.items.append(ConfigProblem(key, str(message)))

    def config(self, config: Any) -> bool:
        """Whether the configuration is a table at all (reports it if not)."""
        if isinstance(config, Mapping):
            return True
        self.add(None, _l("The settings of a question must be a table of keys and values."))
        return False

    def unknown(
        self,
        table: Mapping[str, Any],
        known: Iterable[str],
        list_key: str | None = None,
        index: int = 0,
    ) -> None:
        """Refuse keys a table does not know (the question's common fields pass at the top)."""
        allowed = set(known) | (COMMON_FIELDS if list_key is None else set())
        for key in sorted(set(table) - allowed, key=str):
            where = path(list_key, index, str(key)) if list_key is not None else str(key)
            self.add(where, _l("There is no setting called “%(key)s” here.", key=key))

    def text(
        self,
        table: Mapping[str, Any],
        field: str,
        key: str,
        *,
        required: bool = True,
        max_length: int = MAX_TEXT,
        blank_ok: bool = False,
    ) -> str | None:
        """A text setting: a string, not blank (unless `blank_ok`), at most `max_length`."""
        if field not in table:
            if required:
                self.add(key, _l("Write the text; it is missing."))
            return None
        value = table[field]
        if not isinstance(value, str):
            self.add(key, _l("Write text in quotes here."))
            return None
        if not blank_ok and not value.strip():
            self.add(key, _l("The text must not be empty."))
            return None
        if len(value) > max_length:
            self.add(
                key,
                _l("Keep the text to at most %(count)d characters.", count=max_length),
            )
            return None
        return value

    def feedback(self, table: Mapping[str, Any], field: str, key: str) -> None:
        """Optional feedback: text (empty is the same as none)."""
        self.text(table, field, key, required=False, max_length=MAX_FEEDBACK, blank_ok=True)

    def fraction(self, table: Mapping[str, Any], field: str, key: str) -> float | None:
        """A required share of the points: a number from 0 to 1."""
        if field not in table:
            self.add(key, _l("Give the fraction of the points, a number from 0 to 1."))
            return None
        value = table[field]
        if not is_number(value) or not 0 <= value <= 1:
            self.add(key, _l("The fraction must be a number from 0 to 1, like 0.5."))
            return None
        return float(value)

    def boolean(
        self, table: Mapping[str, Any], field: str, key: str, *, required: bool = False
    ) -> bool | None:
        if field not in table:
            if required:
                self.add(key, _l("Write true or false; it is missing."))
            return None
        value = table[field]
        if not isinstance(value, bool):
            self.add(key, _l("Write true or false."))
            return None
        return value

    def number(
        self,
        table: Mapping[str, Any],
        field: str,
        key: str,
        *,
        required: bool = True,
        minimum: float | None = None,
    ) -> float | None:
        if field not in table:
            if required:
                self.add(key, _l("Give a number; it is missing."))
            return None
        value = table[field]
        if not is_number(value):
            self.add(key, _l("Write a number, like 3.5."))
            return None
        if minimum is not None and value < minimum:
            self.add(key, _l("The number must not be below %(low)s.", low=minimum))
            return None
        return float(value)

    def whole_number(
        self, table: Mapping[str, Any], field: str, key: str, *, low: int, high: int
    ) -> int | None:
        if field not in table:
            return None
        value = table[field]
        if not is_int(value) or not low <= value <= high:
            self.add(key, _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high))
            return None
        return value

    def tables(
        self,
        config: Mapping[str, Any],
        key: str,
        *,
        minimum: int,
        maximum: int = MAX_OPTIONS,
        required: bool = True,
    ) -> list[tuple[int, Mapping[str, Any]]]:
        """A list of tables (``[[options]]`` in TOML): the entries that are tables."""
        if key not in config:
            if required:
                self.add(key, _l("This question needs a list “%(key)s”.", key=key))
            return []
        value = config[key]
        if not isinstance(value, list):
            self.add(key, _l("“%(key)s” must be a list of tables.", key=key))
            return []
        if not minimum <= len(value) <= maximum:
            self.add(key, _count_message(minimum, maximum))
        found = []
        for i, entry in enumerate(value):
            if isinstance(entry, Mapping):
                found.append((i, entry))
            else:
                self.add(path(key, i), _l("Each entry must be a table of keys and values."))
        return found

    def strings(
        self,
        config: Mapping[str, Any],
        key: str,
        *,
        minimum: int,
        maximum: int = MAX_OPTIONS,
        required: bool = True,
    ) -> list[tuple[int, str]]:
        """A list of texts: the entries that are usable."""
        if key not in config:
            if required:
                self.add(key, _l("This question needs a list “%(key)s”.", key=key))
            return []
        value = config[key]
        if not isinstance(value, list):
            self.add(key, _l("“%(key)s” must be a list of texts.", key=key))
            return []
        if not minimum <= len(value) <= maximum:
            self.add(key, _count_message(minimum, maximum))
        found = []
        for i, entry in enumerate(value):
            text = self.text({"entry": entry}, "entry", path(key, i))
            if text is not None:
                found.append((i, text))
        return found

    def distinct(self, texts: Iterable[tuple[str, str]]) -> None:
        """Refuse a text that repeats an earlier one: pairs of (key, text)."""
        seen: dict[str, str] = {}
        for key, text in texts:
            same = comparable(text)
            if same in seen:
                self.add(key, _l("This repeats the text of %(other)s.", other=seen[same]))
            else:
                seen[same] = key


def _count_message(minimum: int, maximum: int) -> Any:
    return _l("List from %(low)d to %(high)d entries.", low=minimum, high=maximum)


# --- drawing inputs ----------------------------------------------------------------------


def tag(name: str, attrs: Mapping[str, Any] | None = None, content: Any = None) -> Markup:
    """One element with escaped attributes; `content` (escaped unless Markup) closes it.

    An attribute whose value is True is written bare (``disabled``); None or False leaves
    it out.
    """
    parts = []
    for key, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(Markup(" {}").format(key))
        else:
            parts.append(Markup(' {}="{}"').format(key, value))
    opening = Markup("<{}{}>").format(name, Markup("").join(parts))
    if content is None:
        return opening
    return opening + Markup("{}</{}>").format(content, name)


def join(parts: Iterable[Any]) -> Markup:
    """Markup joined on newlines (plain strings among the parts are escaped)."""
    return Markup("\n").join(parts)


def field_id(ctx: RenderContext, *parts: Any) -> str:
    """An element id derived from the question's field prefix: ``q3-answer``, ``q3-2``."""
    return "-".join([ctx.name, *(str(p) for p in parts)])


def display_order(config: Mapping[str, Any], ctx: RenderContext, count: int) -> list[int]:
    """Options in the attempt's order when both the quiz and the question allow shuffling
    (a question's ``shuffle = false`` keeps the authored order)."""
    if config.get("shuffle", True) is False:
        return list(range(count))
    return ctx.order(count)


def scrambled(ctx: RenderContext, count: int, salt: str) -> list[int]:
    """An order that is always shuffled, whatever the shuffle settings, for lists whose
    authored order is the answer (the answers of a matching question, the items to put in
    order). Deterministic per attempt; never the authored order when count > 1."""
    items = list(range(count))
    random.Random(f"{ctx.seed}:{salt}").shuffle(items)
    if count > 1 and items == sorted(items):
        items = items[1:] + items[:1]
    return items


def choice_list(
    ctx: RenderContext,
    kind: str,
    entries: Iterable[tuple[int, str]],
    checked: set[int],
) -> Markup:
    """Radio buttons or checkboxes, one per (option index, text), each inside its label."""
    items = []
    for index, text in entries:
        box = tag(
            "input",
            {
                "type": kind,
                "name": ctx.name,
                "value": ctx.token(index),
                "checked": index in checked,
                "disabled": ctx.disabled,
            },
        )
        items.append(tag("li", {}, tag("label", {}, box + Markup(" ") + text)))
    return tag("ul", {"class": f"question-choices question-{kind}"}, join(["", *items, ""]))


def text_field(ctx: RenderContext, label: Any, attrs: Mapping[str, Any]) -> Markup:
    """A labelled one-line text input named `ctx.name`."""
    ident = field_id(ctx, "answer")
    return join(
        [
            tag("label", {"for": ident}, label),
            tag("input", {"type": "text", "id": ident, "name": ctx.name, **attrs}),
        ]
    )


def select_field(
    ctx: RenderContext,
    part: int,
    label: Any,
    entries: Iterable[tuple[int, str]],
    selected: int | None,
) -> Markup:
    """A labelled drop-down named ``{ctx.name}-{part}``: an empty first choice, then one
    option per (index, text) with the index's token as its value."""
    ident = field_id(ctx, part)
    options = [tag("option", {"value": ""}, "—")]
    for index, text in entries:
        options.append(
            tag("option", {"value": ctx.token(index), "selected": index == selected}, text)
        )
    return tag(
        "div",
        {"class": "question-select"},
        join(
            [
                "",
                tag("label", {"for": ident}, label),
                tag(
                    "select",
                    {"id": ident, "name": ident, "disabled": ctx.disabled},
                    join(["", *options, ""]),
                ),
                "",
            ]
        ),
    )


# --- reading answers ---------------------------------------------------------------------


def submitted_index(form: Any, field: str, ctx: RenderContext, count: int) -> int | None:
    """The option index behind the token submitted in `field`, or None."""
    token = form.get(field)
    if not isinstance(token, str) or not token:
        return None
    return ctx.index(token, count)


def submitted_text(form: Any, field: str, max_length: int) -> str | None:
    """The text submitted in `field` without surrounding spaces (cut at `max_length`), or
    None when blank."""
    value = form.get(field)
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").strip()
    return value[:max_length] or None


def index_of(response: Any, count: int) -> int | None:
    """A stored option index if it is one (ints only, never bools), else None."""
    if is_int(response) and 0 <= response < count:
        return response
    return None


# --- grading -----------------------------------------------------------------------------


def clamp(fraction: float) -> float:
    return min(1.0, max(0.0, float(fraction)))


def normalise_space(text: str) -> str:
    """Unicode NFC, runs of whitespace collapsed to one space, ends stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def join_feedback(parts: Iterable[str]) -> str:
    """Several pieces of feedback as Markdown paragraphs (empty pieces dropped)."""
    return "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def normalise_answer(text: str, *, case_sensitive: bool) -> str:
    """Text as short answers are compared: spacing normalised, case folded unless
    `case_sensitive`."""
    text = normalise_space(text)
    return text if case_sensitive else text.casefold()


def wildcard_pattern(text: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """A compiled pattern for an accepted answer, to `fullmatch` against a response passed
    through `normalise_answer`: `*` matches any run of characters (also none), ``\\*`` is
    a literal star, everything else is literal."""
    text = normalise_answer(text, case_sensitive=case_sensitive)
    pieces = []
    i = 0
    while i < len(text):
        if text.startswith("\\*", i):
            pieces.append(re.escape("*"))
            i += 2
        elif text[i] == "*":
            pieces.append(".*")
            i += 1
        else:
            pieces.append(re.escape(text[i]))
            i += 1
    return re.compile("".join(pieces), re.DOTALL)


def number_text(value: Any) -> str:
    """A number as people write it: 3, 3.5, 0.001 (no trailing .0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def str_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""


def entries(config: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """A list-of-tables setting, assuming validation passed (anything odd is skipped)."""
    value = config.get(key)
    if not isinstance(value, list):
        return []
    return [e if isinstance(e, Mapping) else {} for e in value]


def texts(config: Mapping[str, Any], key: str) -> list[str]:
    """A list-of-texts setting, assuming validation passed."""
    value = config.get(key)
    if not isinstance(value, list):
        return []
    return [str_or_empty(v) for v in value]


class QuestionTypeBase:
    """Defaults for a question type: automatic, scored, no settings."""

    name: str = ""
    label: Any = ""
    manual: bool = False
    scored: bool = True

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = Problems()
        if problems.config(config):
            problems.unknown(config, ())
        return problems.items

    def render(self, config: Mapping[str, Any], ctx: RenderContext) -> Markup:
        return Markup("")

    def parse_response(self, config: Mapping[str, Any], form: Any, ctx: RenderContext) -> Any:
        return None

    def grade(self, config: Mapping[str, Any], response: Any) -> Grade | None:
        return NO_GRADE

    def right_answer(self, config: Mapping[str, Any]) -> str:
        return ""
