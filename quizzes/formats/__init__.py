"""Question exchange formats: Moodle GIFT (`gift`) and Moodle XML (`moodle_xml`).

Each format module offers the same two functions::

    parse(text, types) -> (questions, problems)
    dump(questions) -> text

`parse` reads every question of a file and collects every problem it finds (syntax,
features we do not support, and whatever each type's `validate_config` says about the
configuration it produced), each named by where it is: ``line 12`` for GIFT,
``question "Name" (line 40)`` or ``question #3 (line 40)`` for Moodle XML. A caller
imports nothing when there is any problem, unless the importer chose "import the rest":
then a question of a Moodle type we do not support (cloze, calculated, drag-and-drop ...;
`FormatProblem.unsupported` names it) is skipped and reported, and the rest is imported
(`blocking` tells which problems still stop the import). The questions returned are those
that could be read at all (a question with a problem may be among them, one with a syntax
error is not). `types`
maps our type names to question-type objects (the registry's `question_types`); the
formats never import the type classes themselves.

`dump` writes questions back; `parse(dump(questions))` gives equal questions for every
type the format can express, as long as the configurations are in the *canonical form*
that `parse` itself produces:

* optional settings at their default value are left out: ``shuffle`` (true),
  ``penalty`` (false), ``case_sensitive`` (false), ``distractors`` ([]),
  ``min_words`` (0), ``rubric`` ([]), a numeric answer's ``tolerance`` (0), and empty
  ``feedback``/``feedback_true``/``feedback_false``;
* fractions are kept to 7 decimals, as Moodle stores them;
* texts have no surrounding white space.

Texts: question texts and feedback are Markdown; option, answer, prompt and item texts
are plain text (the types show them escaped). Moodle's own text formats are converted
conservatively (`to_markdown`, `to_plain`): Markdown is kept as it is, plain text is kept
as it is (with Markdown's marks and HTML escaped where it becomes Markdown), HTML (and
Moodle's auto-format when it holds tags) is reduced to text with a small tag-by-tag
conversion (paragraphs, line breaks, lists, emphasis, code, links with
http(s)/mailto addresses, image alt texts); nothing else of the HTML survives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "FormatProblem",
    "ImportedQuestion",
    "blocking",
    "category_tag",
    "check_config",
    "default_name",
    "number_text",
    "percent_text",
    "to_markdown",
    "to_plain",
]


@dataclass(frozen=True)
class ImportedQuestion:
    """One question read from (or to be written to) an exchange format."""

    name: str
    """Question name: GIFT ``::name::``, XML ``<name><text>``; made from the first words
    of the text when the file gives none."""
    type: str
    """One of our type names (single_choice, multiple_response, ...)."""
    text: str
    """The prompt, as Markdown."""
    points: float = 1.0
    """XML ``<defaultgrade>``; GIFT has none: 1 (0 for a description)."""
    config: dict[str, Any] = field(default_factory=dict)
    """The type's configuration, in canonical form (see the module documentation)."""
    feedback: str = ""
    """General feedback: GIFT ``####...``, XML ``<generalfeedback>``."""
    tags: tuple[str, ...] = ()
    """XML ``<tags>``; GIFT: the last ``$CATEGORY:`` seen before the question."""
    line: int | None = None
    """The line the question starts on (GIFT: its first line; XML: its <question>)."""
    idnumber: str = ""
    """Moodle's ID number: GIFT ``// [id:...]`` comment, XML ``<idnumber>``; our question
    key is made from it when it is a valid key."""


@dataclass(frozen=True)
class FormatProblem:
    """A problem in an imported file: `where` is ``line 12`` or ``question "Name"``."""

    where: str
    message: str
    unsupported: str = ""
    """The Moodle question type, when the problem is only that we do not support it (the
    question can be skipped when the importer chooses "import the rest")."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def blocking(problems: list[FormatProblem], *, import_rest: bool) -> list[FormatProblem]:
    """The problems that stop an import: all of them by default; with `import_rest`, all
    but the questions of an unsupported Moodle type (which are skipped)."""
    if not import_rest:
        return list(problems)
    return [p for p in problems if not p.unsupported]


_CONTEXT = re.compile(r"\$\w+\$/")


def category_tag(category: str) -> str:
    """A Moodle category path as a tag: ``$course$/top/Bab 1/SPBE`` -> ``Bab 1/SPBE``."""
    category = _CONTEXT.sub("", category.strip(), count=1)
    if category == "top" or category.startswith("top/"):
        category = category[4:]
    return "/".join(part.strip() for part in category.strip("/ ").split("/") if part.strip())


def check_config(
    question: ImportedQuestion, types: Mapping[str, Any], where: str
) -> list[FormatProblem]:
    """What the question's type says about its configuration, as format problems."""
    qtype = types.get(question.type)
    if qtype is None:
        return [FormatProblem(where, f"the question type {question.type!r} is not available")]
    problems = []
    for problem in qtype.validate_config(question.config):
        message = str(problem.message)
        problems.append(
            FormatProblem(where, f"{problem.key}: {message}" if problem.key else message)
        )
    return problems


# --- numbers -----------------------------------------------------------------------------

NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
"""A number as the formats write it: a dot for decimals, an optional exponent."""


def parse_number(text: str) -> float | None:
    """`text` as a finite number, or None."""
    text = text.strip()
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def number_text(value: float) -> str:
    """A number written exactly and briefly: 3, 3.5, 1e-07 (float(text) == value)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def fraction_from_percent(percent: float) -> float:
    """A fraction from a percentage, to 7 decimals as Moodle stores it."""
    return round(percent / 100, 7) + 0.0  # + 0.0 turns -0.0 into 0.0


def percent_text(fraction: float) -> str:
    """A fraction as a percentage with at most 5 decimals (Moodle's 33.33333)."""
    return number_text(round(float(fraction) * 100, 5) + 0.0)


# --- names -------------------------------------------------------------------------------

_NAME_NOISE = re.compile(r"[\\*_`#>\[\]]")
NAME_LENGTH = 60


def default_name(text: str, fallback: str) -> str:
    """A question name from the first words of its text (Markdown marks left out)."""
    words = _NAME_NOISE.sub("", text).split()
    name = ""
    for word in words:
        candidate = f"{name} {word}".strip()
        if len(candidate) > NAME_LENGTH:
            break
        name = candidate
    if not name and words:
        name = words[0][:NAME_LENGTH]
    return name or fallback


# --- text formats ------------------------------------------------------------------------

FORMATS = ("moodle", "html", "plain", "markdown")
"""Moodle's text formats by their GIFT names (XML: moodle_auto_format, html, plain_text,
markdown)."""

_TAG = re.compile(r"<[A-Za-z!/?]")


def to_markdown(text: str, fmt: str) -> str:
    """Text in one of Moodle's formats as Markdown (see the module documentation)."""
    return _convert(text, fmt, markdown=True)


def to_plain(text: str, fmt: str) -> str:
    """Text in one of Moodle's formats as plain text (option and answer texts)."""
    return _convert(text, fmt, markdown=False)


def _convert(text: str, fmt: str, *, markdown: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "plain" and markdown:
        # Moodle shows plain text as typed: Markdown's marks and HTML tags are escaped.
        lines = [" ".join(line.split()) for line in text.strip().split("\n")]
        return "\n".join(_escape_markdown(line, line_start=True) for line in lines)
    if fmt in ("markdown", "plain"):
        return text.strip()
    if fmt == "moodle":
        if not _TAG.search(text):
            return text.strip()
        text = text.replace("\n", "<br>")  # Moodle's auto-format: a newline is a break
    converter = _HtmlToText(markdown=markdown)
    converter.feed(text)
    converter.close()
    return converter.result()


_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "blockquote",
        "table",
        "figure",
        "figcaption",
        "address",
        "dl",
        "dt",
        "dd",
        "center",
    }
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "object"})
_STRONG = frozenset({"strong", "b"})
_EMPHASIS = frozenset({"em", "i"})
_SAFE_LINK = re.compile(r"(?:https?://|mailto:)[^\s()<>]+\Z", re.IGNORECASE)
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"(?:[#>+-]|\d+[.)](?=\s|\Z))")


class _HtmlToText(HTMLParser):
    """A small, tolerant HTML-to-text conversion; `markdown` adds Markdown marks and
    escapes the characters Markdown would read as marks."""

    def __init__(self, *, markdown: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.parts: list[str] = []
        self.newlines = 0
        """Newlines at the end of the output so far (0 when it ends in text)."""
        self.skip = 0
        self.pre = 0
        self.lists: list[list[Any]] = []
        self.links: list[str | None] = []

    # output helpers

    def _write(self, text: str) -> None:
        if not text:
            return
        self.parts.append(text)
        stripped = text.rstrip("\n")
        self.newlines = (self.newlines if not stripped else 0) + len(text) - len(stripped)

    def _at_line_start(self) -> bool:
        return not self.parts or self.newlines > 0

    def _block(self, count: int = 2) -> None:
        if self.parts and self.newlines < count:
            self._write("\n" * (count - self.newlines))

    def _mark(self, mark: str) -> None:
        if self.markdown and not self.skip:
            self._write(mark)

    # parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self._write("\n")
        elif tag in _BLOCKS or tag == "hr":
            self._block()
            if tag == "hr" and self.markdown:
                self._write("---")
                self._block()
        elif tag in _HEADINGS:
            self._block()
            self._mark("#" * _HEADINGS[tag] + " ")
        elif tag in ("ul", "ol"):
            self._block(1 if self.lists else 2)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._block(1)
            depth = max(len(self.lists), 1)
            marker = "- "
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}. "
            self._write("    " * (depth - 1) + marker)
        elif tag == "pre":
            self._block()
            self._mark("```\n")
            self.pre += 1
        elif tag == "tr":
            self._block(1)
        elif tag in ("td", "th"):
            if not self._at_line_start():
                self._write(" | " if self.markdown else " ")
        elif tag == "code" and not self.pre:
            self._mark("`")
        elif tag in _STRONG:
            self._mark("**")
        elif tag in _EMPHASIS:
            self._mark("*")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if self.markdown and _SAFE_LINK.match(href):
                self.links.append(href)
                self._write("[")
            else:
                self.links.append(None)
        elif tag == "img":
            alt = " ".join((dict(attrs).get("alt") or "").split())
            if alt:
                self.handle_data(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            return
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(self.skip - 1, 0)
            return
        if self.skip:
            return
        if tag in _BLOCKS or tag in _HEADINGS:
            self._block()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._block(1 if self.lists else 2)
        elif tag in ("li", "tr"):
            self._block(1)
        elif tag == "pre":
            if self.pre:
                self.pre -= 1
                if self.markdown:
                    self._block(1)
                    self._write("```")
            self._block()
        elif tag == "code" and not self.pre:
            self._mark("`")
        elif tag in _STRONG:
            self._mark("**")
        elif tag in _EMPHASIS:
            self._mark("*")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href is not None:
                self._write(f"]({href})")

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        if self.pre:
            self._write(data)
            return
        text = re.sub(r"\s+", " ", data)
        if self._at_line_start() or (self.parts and self.parts[-1].endswith(" ")):
            text = text.lstrip()
        if not text:
            return
        if self.markdown:
            text = _escape_markdown(text, line_start=self._at_line_start())
        self._write(text)

    def result(self) -> str:
        text = "".join(self.parts)
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def _escape_markdown(text: str, *, line_start: bool) -> str:
    """Text from HTML with Markdown's marks escaped, so that it shows as it did."""
    for char in "\\`*_[]":
        text = text.replace(char, "\\" + char)
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
    if line_start:
        match = _LINE_START.match(text)
        if match:
            mark = match.group()
            text = (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + text[0]) + text[
                len(mark) :
            ]
    return text
