"""Moodle's GIFT format (https://docs.moodle.org/en/GIFT_format), read and written.

Reading follows Moodle's own importer (question/format/gift/format.php):

* questions are separated by blank lines; a line starting with ``//`` is a comment, in
  which ``[id:...]`` gives the question's ID number and each ``[tag:...]`` a tag;
  ``$CATEGORY: a/b`` switches the category (the last one becomes a tag of the questions
  after it, without Moodle's ``$course$/top/`` prefix);
* ``::name::`` names a question (else the name is made from the text's first words);
  ``[markdown]``, ``[html]``, ``[plain]`` or ``[moodle]`` before a text gives its format
  (answers and feedback default to the question text's format);
* ``\\~ \\= \\# \\{ \\} \\: \\\\`` are literal characters, ``\\n`` a new line;
* the answers are inside ``{...}``; text after the braces makes a "missing word"
  question (the braces become ``_____``); ``####`` inside starts the general feedback.

Answers and our types:

* ``{}`` essay; no braces at all: description (0 points);
* ``{T}``/``{TRUE}``/``{F}``/``{FALSE}``, optionally ``#wrong#right`` (Moodle shows the
  first feedback for a wrong answer, the second for a right one): true_false;
* ``{#...}`` numeric: ``3.14:0.01`` (value:tolerance), ``1..5`` (a range: value 3,
  tolerance 2), several as ``=3:0 =%50%3.5:0.5``; ``~#feedback`` after the answers is the
  feedback for any other answer (Moodle's catch-all ``*`` answer, worth 0);
* with a ``~`` answer: a choice. With an ``=`` answer it is single_choice (the ``=``
  answer is right; ``~%50%`` gives partial credit); without one it is multiple_response
  (Moodle's "multiple answers"): the answers with a positive percentage are correct,
  and any negative percentage turns the penalty on;
* every answer ``=prompt -> answer``: matching (an empty prompt is a distractor);
* otherwise ``=`` answers: short_answer (``=%50%`` partial credit).

Each answer may carry ``#feedback``. We report as problems what Moodle would refuse and
what we cannot carry: percentages that do not make sense, and so on.

Writing uses Moodle's exporter's layout; the ID number and tags go in a comment line
above the question, as Moodle writes them. GIFT has no syntax for points, shuffle,
case sensitivity, the essay's minimum words and rubric, or a description's feedback:
those are not written (a parsed GIFT file always has the defaults). Ordering questions
cannot be written at all, nor a short answer or matching prompt holding ``->`` (GIFT
has no escape for it and would read a matching pair): `dump` raises ValueError naming
the question.

Option, answer and prompt texts are plain text for us; when one holds characters Moodle
would read as Markdown under the question's ``[markdown]``, it is written ``[plain]``.

multiple_response is written with equal shares: each correct option ``~%100/n%``, each
wrong one ``~%-100/n%`` with the penalty (exactly our grading: a wrong tick takes away
1/n) or plain ``~`` without. A question with the penalty on and no wrong option has
nothing to carry it, so it comes back with the penalty off (which grades the same).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from quizzes.formats import (
    FormatProblem,
    ImportedQuestion,
    category_tag,
    check_config,
    default_name,
    fraction_from_percent,
    number_text,
    parse_number,
    percent_text,
    to_markdown,
    to_plain,
)

__all__ = ["dump", "parse"]

# Escaped characters become private-use placeholders while the question is taken apart,
# so that they never count as marks; they turn back into the characters at the end.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003"}
_ESCAPES |= {"{": "\ue004", "}": "\ue005", ":": "\ue006", "n": "\ue007"}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})

_FORMAT = re.compile(r"\[(moodle|html|plain|markdown)\]")
_PERCENT = re.compile(r"%([^%\n]{0,12})%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"
_BLANK = "_____"
_ID_NUMBER = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_COMMENT_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")


def _protect(line: str) -> str:
    out = []
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPES:
            out.append(_ESCAPES[line[i + 1]])
            i += 2
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _category_tag(category: str) -> str:
    """``$course$/top/Bab 1/SPBE`` -> ``Bab 1/SPBE``."""
    return category_tag(_restore(category))


def _comment_marks(comments: list[str]) -> tuple[str, tuple[str, ...]]:
    """The ``[id:...]`` and ``[tag:...]`` marks of a question's comment lines (Moodle
    takes the first ID number and every tag; ``\\]`` is a literal bracket)."""
    text = "\n".join(comments)
    match = _ID_NUMBER.search(text)
    idnumber = match.group(1).replace("\\]", "]").strip() if match else ""
    tags: list[str] = []
    for raw in _COMMENT_TAG.findall(text):
        tag = " ".join(raw.replace("\\]", "]").split())
        if tag and tag not in tags:
            tags.append(tag)
    return idnumber, tuple(tags)


# --- reading -----------------------------------------------------------------------------


def parse(
    text: str, types: Mapping[str, Any]
) -> tuple[list[ImportedQuestion], list[FormatProblem]]:
    """Every question of a GIFT file and every problem found (see the module docs)."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    questions: list[ImportedQuestion] = []
    problems: list[FormatProblem] = []
    tags: tuple[str, ...] = ()
    for first, block in _blocks(lines):
        contents: list[str] = []
        comments: list[str] = []
        for line in block:
            stripped = line.strip()
            if stripped.startswith("//"):
                contents.append("")
                comments.append(stripped)
            elif stripped.startswith(_CATEGORY) and not any(c.strip() for c in contents):
                tag = _category_tag(_protect(stripped[len(_CATEGORY) :]))
                tags = (tag,) if tag else ()
                contents.append("")
            else:
                contents.append(_protect(line))
        if not any(c.strip() for c in contents):
            continue
        source = "\n".join(contents)
        reader = _Reader(source, first, problems)
        idnumber, comment_tags = _comment_marks(comments)
        question = reader.question(tags + tuple(t for t in comment_tags if t not in tags))
        if question is None:
            continue
        if idnumber:
            question = replace(question, idnumber=idnumber)
        if not reader.failed:
            problems.extend(check_config(question, types, f"line {question.line}"))
        questions.append(question)
    return questions, problems


def _blocks(lines: list[str]) -> Iterable[tuple[int, list[str]]]:
    """Runs of non-blank lines with the number of their first line."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


class _Reader:
    """Takes one question's source apart (escapes already replaced by placeholders)."""

    def __init__(self, source: str, first_line: int, problems: list[FormatProblem]) -> None:
        self.source = source
        self.first_line = first_line
        self.problems = problems
        self.failed = False
        self.start = len(source) - len(source.lstrip())
        self.line = self.line_at(self.start)

    def line_at(self, position: int) -> int:
        return self.first_line + self.source.count("\n", 0, position)

    def problem(self, message: str, position: int | None = None) -> None:
        line = self.line if position is None else self.line_at(position)
        self.problems.append(FormatProblem(f"line {line}", message))
        self.failed = True

    # the question as a whole

    def question(self, tags: tuple[str, ...]) -> ImportedQuestion | None:
        source = self.source
        position = self.start
        name = ""
        if source.startswith("::", position):
            end = source.find("::", position + 2)
            if end < 0:
                self.problem("the question name has no closing '::'")
                return None
            name = " ".join(_restore(source[position + 2 : end]).split())
            position = end + 2

        opens = [m.start() for m in re.finditer(r"\{", source)]
        closes = [m.start() for m in re.finditer(r"\}", source)]
        if not opens and not closes:
            fmt, text = self.text_format(source[position:], "moodle")
            return self.build(name, "description", to_markdown(text, fmt), {}, "", tags, 0.0)
        if not self.braces_balanced(opens, closes):
            return None
        opening, closing = opens[0], closes[0]
        before, after = source[position:opening], source[closing + 1 :]
        raw_text = before + _BLANK + after if after.strip() else before
        fmt, text = self.text_format(raw_text, "moodle")
        text = to_markdown(text, fmt)

        answers = source[opening + 1 : closing]
        feedback = ""
        split = answers.rfind("####")
        if split >= 0:
            feedback = self.markdown(answers[split + 4 :], fmt)
            answers = answers[:split]
        offset = opening + 1
        body = answers.strip()
        if not body:
            return self.build(name, "essay", text, {}, feedback, tags)
        offset += len(answers) - len(answers.lstrip())
        head = body.split("#", 1)[0].strip()
        if body.startswith("#"):
            kind, config = "numeric", self.numeric(body[1:], offset + 1, fmt)
        elif _restore(head).upper() in _TRUE_FALSE:
            kind, config = "true_false", self.true_false(body, fmt)
        elif "~" in body:
            kind, config = self.choice(body, offset, fmt)
        else:
            kind, config = self.equals(body, offset, fmt)
        if config is None:
            return None
        return self.build(name, kind, text, config, feedback, tags)

    def braces_balanced(self, opens: list[int], closes: list[int]) -> bool:
        if len(opens) == 1 and len(closes) == 1 and opens[0] < closes[0]:
            return True
        if not closes:
            self.problem("unbalanced braces: '{' is never closed with '}'", opens[0])
        elif not opens:
            self.problem("unbalanced braces: '}' without an opening '{'", closes[0])
        elif closes[0] < opens[0]:
            self.problem("unbalanced braces: '}' comes before '{'", closes[0])
        elif len(opens) != len(closes):
            self.problem(
                "unbalanced braces: "
                f"{len(opens)} '{{' but {len(closes)} '}}' (write a literal brace as \\{{ or \\}})",
                opens[1] if len(opens) > 1 else closes[1],
            )
        else:
            self.problem(
                "more than one answer block {...}: separate questions with a blank line, "
                "and write a literal brace as \\{ or \\}",
                opens[1],
            )
        return False

    def build(
        self,
        name: str,
        kind: str,
        text: str,
        config: dict[str, Any],
        feedback: str,
        tags: tuple[str, ...],
        points: float = 1.0,
    ) -> ImportedQuestion:
        if not text:
            self.problem("the question has no text")
        return ImportedQuestion(
            name=name or default_name(text, f"Question at line {self.line}"),
            type=kind,
            text=text,
            points=points,
            config=config,
            feedback=feedback,
            tags=tags,
            line=self.line,
        )

    # texts

    @staticmethod
    def text_format(raw: str, default: str) -> tuple[str, str]:
        raw = raw.strip()
        match = _FORMAT.match(raw)
        if match:
            return match.group(1), _restore(raw[match.end() :])
        return default, _restore(raw)

    def markdown(self, raw: str, default: str) -> str:
        return to_markdown(*reversed(self.text_format(raw, default)))

    def plain(self, raw: str, default: str) -> str:
        return to_plain(*reversed(self.text_format(raw, default)))

    def weight(
        self, raw: str, default: float, position: int, low: float = -100
    ) -> tuple[float | None, str]:
        """An answer's ``%50%`` percentage as a fraction, and the rest of the answer."""
        stripped = raw.lstrip()
        match = _PERCENT.match(stripped)
        if not match:
            return default, stripped
        rest = stripped[match.end() :]
        number = parse_number(_restore(match.group(1)))
        if number is None or not low <= number <= 100:
            allowed = "-100 to 100" if low < 0 else "0 to 100"
            self.problem(
                f"bad percentage {match.group()!r}: write a number from {allowed}, like %50%",
                position,
            )
            return None, rest
        return fraction_from_percent(number), rest

    def split_feedback(self, raw: str, fmt: str) -> tuple[str, str]:
        text, _, feedback = raw.partition("#")
        return text, self.markdown(feedback, fmt)

    @staticmethod
    def items(body: str, marks: str, offset: int) -> tuple[str, list[tuple[str, str, int]]]:
        """The text before the first mark and each (mark, answer, position)."""
        found: list[tuple[str, str, int]] = []
        head_end = None
        start = 0
        mark = ""
        for i, char in enumerate(body):
            if char in marks:
                if head_end is None:
                    head_end = i
                else:
                    found.append((mark, body[start:i], offset + start))
                mark, start = char, i + 1
        if head_end is None:
            return body, []
        found.append((mark, body[start:], offset + start))
        return body[:head_end], found

    def no_leading_text(self, head: str, position: int, marks: str) -> bool:
        if head.strip():
            self.problem(
                f"text {_restore(head.strip())!r} before the first answer: start every "
                f"answer with {marks}",
                position,
            )
            return False
        return True

    # the kinds of answers

    def true_false(self, body: str, fmt: str) -> dict[str, Any]:
        answer, wrong, right = ([*body.split("#", 2), "", ""])[:3]
        value = _TRUE_FALSE[_restore(answer.strip()).upper()]
        right_feedback, wrong_feedback = self.markdown(right, fmt), self.markdown(wrong, fmt)
        config: dict[str, Any] = {"answer": value}
        feedback_true = right_feedback if value else wrong_feedback
        feedback_false = wrong_feedback if value else right_feedback
        if feedback_true:
            config["feedback_true"] = feedback_true
        if feedback_false:
            config["feedback_false"] = feedback_false
        return config

    def choice(self, body: str, offset: int, fmt: str) -> tuple[str, dict[str, Any] | None]:
        head, items = self.items(body, "~=", offset)
        ok = self.no_leading_text(head, offset, "= (right) or ~ (wrong)")
        single = any(mark == "=" for mark, _, _ in items)
        options: list[tuple[str, float, str]] = []
        for mark, raw, position in items:
            weight, rest = self.weight(raw, 1.0 if mark == "=" else 0.0, position)
            if weight is None:
                ok = False
                continue
            if mark == "=" and weight != 1.0:
                self.problem("'=' marks the right answer; give partial credit with ~%50%", position)
                ok = False
            if single and weight < 0:
                self.problem(
                    "negative percentages belong to multiple-answer questions (answers "
                    "without '='); a single-choice option scores from 0 to 100%",
                    position,
                )
                ok = False
            text, feedback = self.split_feedback(rest, fmt)
            text = self.plain(text, fmt)
            if not text:
                self.problem("an answer is empty", position)
                ok = False
            options.append((text, weight, feedback))
        if len(items) < 2:
            self.problem("a multiple-choice question needs at least two answers", offset)
            return "single_choice", None
        if not ok:
            return "single_choice", None
        if single:
            right = sum(1 for _, weight, _ in options if weight == 1.0)
            if right != 1:
                self.problem(f"exactly one answer must be right (marked '='); {right} are", offset)
                return "single_choice", None
            return "single_choice", {
                "options": [_with_feedback({"text": t, "fraction": w}, f) for t, w, f in options]
            }
        positive = sum(weight for _, weight, _ in options if weight > 0)
        if positive == 0:
            self.problem(
                "no answer is right: mark the right one with '=' (or give the right "
                "answers of a multiple-answer question positive percentages)",
                offset,
            )
            return "multiple_response", None
        if abs(positive - 1) > 0.01:
            self.problem(
                f"the positive percentages add up to {percent_text(positive)}%; in a "
                "multiple-answer question they must add up to 100%",
                offset,
            )
            return "multiple_response", None
        config: dict[str, Any] = {
            "options": [_with_feedback({"text": t, "correct": w > 0}, f) for t, w, f in options]
        }
        if any(weight < 0 for _, weight, _ in options):
            config["penalty"] = True
        return "multiple_response", config

    def equals(self, body: str, offset: int, fmt: str) -> tuple[str, dict[str, Any] | None]:
        head, items = self.items(body, "=", offset)
        if not items:
            self.problem(
                "cannot tell the question type: start answers with '=' or '~', write "
                "'#' for a number, or T or F for true/false",
                offset,
            )
            return "short_answer", None
        ok = self.no_leading_text(head, offset, "=")
        arrows = sum(1 for _, raw, _ in items if "->" in raw.partition("#")[0])
        if arrows:
            if arrows != len(items):
                self.problem("every answer of a matching question is '=prompt -> answer'", offset)
                return "matching", None
            config = self.matching(items, fmt)
            return "matching", config if ok else None
        config = self.short_answer(items, fmt)
        return "short_answer", config if ok else None

    def matching(self, items: list[tuple[str, str, int]], fmt: str) -> dict[str, Any] | None:
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        ok = True
        for _, raw, position in items:
            left, _, right = raw.partition("->")
            prompt = self.plain(left, fmt)
            answer = " ".join(_restore(right).split())
            if not answer:
                self.problem("a matching answer after '->' is empty", position)
                ok = False
            elif prompt:
                pairs.append({"prompt": prompt, "answer": answer})
            else:
                distractors.append(answer)
        if len(pairs) < 2:
            self.problem("a matching question needs at least two '=prompt -> answer' pairs")
            ok = False
        if not ok:
            return None
        config: dict[str, Any] = {"pairs": pairs}
        if distractors:
            config["distractors"] = distractors
        return config

    def short_answer(self, items: list[tuple[str, str, int]], fmt: str) -> dict[str, Any] | None:
        answers: list[dict[str, Any]] = []
        ok = True
        for _, raw, position in items:
            weight, rest = self.weight(raw, 1.0, position, low=0)
            if weight is None:
                ok = False
                continue
            text, feedback = self.split_feedback(rest, fmt)
            text = " ".join(self.text_format(text, fmt)[1].split())
            if not text:
                self.problem("an answer is empty", position)
                ok = False
            answers.append(_with_feedback({"text": text, "fraction": weight}, feedback))
        if ok and not any(a["fraction"] == 1.0 for a in answers):
            self.problem("no answer gets full marks: leave one without a percentage")
            ok = False
        return {"answers": answers} if ok else None

    def numeric(self, body: str, offset: int, fmt: str) -> dict[str, Any] | None:
        ok = True
        other_feedback = ""
        other = body.find("~")
        if other >= 0:
            # As Moodle: everything after '~' is the feedback of a catch-all answer worth 0.
            other_feedback = self.split_feedback(body[other + 1 :], fmt)[1]
            body = body[:other]
        head, items = self.items(body, "=", offset)
        if not items:
            items = [("=", head, offset)] if head.strip() else []
        elif not self.no_leading_text(head, offset, "="):
            ok = False
        if not items:
            self.problem("the numeric question has no answer", offset)
            return None
        answers: list[dict[str, Any]] = []
        for _, raw, position in items:
            weight, rest = self.weight(raw, 1.0, position, low=0)
            if weight is None:
                ok = False
                continue
            spec, feedback = self.split_feedback(rest, fmt)
            parsed = self.number_spec(_restore(spec).strip(), position)
            if parsed is None:
                ok = False
                continue
            value, tolerance = parsed
            answer: dict[str, Any] = {"value": value}
            if tolerance:
                answer["tolerance"] = tolerance
            answer["fraction"] = weight
            answers.append(_with_feedback(answer, feedback))
        if ok and not any(a["fraction"] == 1.0 for a in answers):
            self.problem("no answer gets full marks: leave one without a percentage")
            ok = False
        if not ok:
            return None
        config: dict[str, Any] = {"answers": answers}
        if other_feedback:
            config["other_feedback"] = other_feedback
        return config

    def number_spec(self, spec: str, position: int) -> tuple[float, float] | None:
        """``3.14:0.01``, ``1..5`` or ``3`` as (value, tolerance)."""
        if not spec:
            self.problem("an answer is empty", position)
            return None
        low_text, dots, high_text = spec.partition("..")
        if dots and low_text.strip():
            low, high = self.number(low_text, position), self.number(high_text, position)
            if low is None or high is None:
                return None
            if low > high:
                self.problem(
                    f"the range {spec!r} runs backwards: write the smaller first", position
                )
                return None
            middle = (low + high) / 2
            return middle, high - middle
        value_text, colon, tolerance_text = spec.partition(":")
        value = self.number(value_text, position)
        tolerance = self.number(tolerance_text, position) if colon else 0.0
        if value is None or tolerance is None:
            return None
        if tolerance < 0:
            self.problem(f"the tolerance in {spec!r} must not be negative", position)
            return None
        return value, tolerance

    def number(self, text: str, position: int) -> float | None:
        value = parse_number(text)
        if value is None:
            hint = " (write decimals with a dot)" if re.fullmatch(r"\s*-?\d+,\d+\s*", text) else ""
            self.problem(f"not a number: {text.strip()!r}{hint}", position)
        return value


def _with_feedback(entry: dict[str, Any], feedback: str) -> dict[str, Any]:
    if feedback:
        entry["feedback"] = feedback
    return entry


# --- writing -----------------------------------------------------------------------------

_RESERVED = str.maketrans(
    {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:"}
    | {"\n": "\\n", "\r": ""}
)
_MARKDOWN_MARKS = re.compile(r"[\\`*_\[\]<>&]|^\s*(?:[#>+-]|\d+[.)])")


def _escape(text: str) -> str:
    return text.translate(_RESERVED)


def _text(text: str, fmt: str, default: str) -> str:
    """A text in `fmt`, with a ``[fmt]`` prefix when it differs from the default format
    (or when the text itself starts like one)."""
    if fmt != default or _FORMAT.match(text):
        return f"[{fmt}]" + _escape(text)
    return _escape(text)


def _option(text: str) -> str:
    """A plain option text under a Markdown question: marked ``[plain]`` when Moodle
    would otherwise read Markdown marks in it."""
    fmt = "plain" if _MARKDOWN_MARKS.search(text) or text.startswith("%") else "markdown"
    return _text(text, fmt, "markdown")


def _feedback(feedback: Any) -> str:
    return "#" + _text(feedback, "markdown", "markdown") if feedback else ""


def dump(questions: Iterable[ImportedQuestion]) -> str:
    """The questions as GIFT text; ValueError for a question GIFT cannot express."""
    blocks = [_dump_question(q) for q in questions]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _dump_question(q: ImportedQuestion) -> str:
    writer = _WRITERS.get(q.type)
    if writer is None:
        if q.type == "ordering":
            raise ValueError(
                f'question "{q.name}": GIFT has no ordering questions; export it as Moodle XML'
            )
        raise ValueError(f'question "{q.name}": GIFT cannot express the type {q.type!r}')
    head = f"::{_escape(' '.join(q.name.split()))}::" + _text(q.text, "markdown", "moodle")
    marks = _marks(q)
    if marks:
        head = marks + "\n" + head
    if q.type == "description":
        return head
    try:
        lines = writer(q.config)
    except _Unwritable as exc:
        raise ValueError(f'question "{q.name}": {exc}') from None
    if q.feedback:
        lines.append("####" + _text(q.feedback, "markdown", "markdown"))
    if not lines:
        return head + "{}"
    opening = "{#\n" if q.type == "numeric" else "{\n"
    return head + opening + "".join(f"\t{line}\n" for line in lines) + "}"


def _marks(q: ImportedQuestion) -> str:
    """Moodle's comment line for the ID number and tags (``// [id:..] [tag:..]``)."""
    marks = []
    if q.idnumber:
        marks.append(f"[id:{_bracketed(q.idnumber)}]")
    marks.extend(f"[tag:{_bracketed(tag)}]" for tag in q.tags)
    return "// " + " ".join(marks) if marks else ""


def _bracketed(text: str) -> str:
    return " ".join(text.split()).replace("]", "\\]")


class _Unwritable(Exception):
    """Something GIFT has no way to write (the message says what)."""


def _no_arrow(text: str, what: str) -> str:
    if "->" in text:
        raise _Unwritable(f"GIFT cannot write '->' in {what}: {text!r}")
    return text


def _config_list(config: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = config.get(key)
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []


def _single_choice(config: Mapping[str, Any]) -> list[str]:
    lines = []
    for option in _config_list(config, "options"):
        fraction = float(option.get("fraction", 0))
        mark = "=" if fraction == 1 else "~" if fraction == 0 else f"~%{percent_text(fraction)}%"
        text = _option(str(option.get("text", "")))
        lines.append(mark + text + _feedback(option.get("feedback")))
    return lines


def _multiple_response(config: Mapping[str, Any]) -> list[str]:
    options = _config_list(config, "options")
    correct = sum(1 for o in options if o.get("correct") is True) or 1
    share = percent_text(1 / correct)
    wrong = f"~%-{share}%" if config.get("penalty") is True else "~"
    lines = []
    for option in options:
        mark = f"~%{share}%" if option.get("correct") is True else wrong
        text = _option(str(option.get("text", "")))
        lines.append(mark + text + _feedback(option.get("feedback")))
    return lines


def _true_false(config: Mapping[str, Any]) -> list[str]:
    answer = config.get("answer") is True
    right = config.get("feedback_true" if answer else "feedback_false") or ""
    wrong = config.get("feedback_false" if answer else "feedback_true") or ""
    line = "TRUE" if answer else "FALSE"
    if wrong or right:
        line += "#" + _text(wrong, "markdown", "markdown")
    if right:
        line += "#" + _text(right, "markdown", "markdown")
    return [line]


def _short_answer(config: Mapping[str, Any]) -> list[str]:
    lines = []
    for answer in _config_list(config, "answers"):
        fraction = float(answer.get("fraction", 0))
        mark = "=" if fraction == 1 else f"=%{percent_text(fraction)}%"
        text = _escape(_no_arrow(str(answer.get("text", "")), "a short answer"))
        if text.startswith("%") or _FORMAT.match(text):
            text = "[plain]" + text
        lines.append(mark + text + _feedback(answer.get("feedback")))
    return lines


def _numeric(config: Mapping[str, Any]) -> list[str]:
    lines = []
    for answer in _config_list(config, "answers"):
        fraction = float(answer.get("fraction", 0))
        mark = "=" if fraction == 1 else f"=%{percent_text(fraction)}%"
        value = number_text(answer.get("value", 0))
        tolerance = number_text(answer.get("tolerance", 0))
        lines.append(f"{mark}{value}:{tolerance}" + _feedback(answer.get("feedback")))
    other = config.get("other_feedback")
    if isinstance(other, str) and other:
        lines.append("~" + _feedback(other))
    return lines


def _matching(config: Mapping[str, Any]) -> list[str]:
    lines = []
    for pair in _config_list(config, "pairs"):
        prompt = _option(_no_arrow(str(pair.get("prompt", "")), "a matching prompt"))
        answer = _escape(str(pair.get("answer", "")))
        lines.append(f"={prompt} -> {answer}")
    distractors = config.get("distractors")
    for distractor in distractors if isinstance(distractors, list) else []:
        lines.append(f"= -> {_escape(str(distractor))}")
    return lines


def _essay(config: Mapping[str, Any]) -> list[str]:
    return []


_WRITERS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "single_choice": _single_choice,
    "multiple_response": _multiple_response,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "numeric": _numeric,
    "matching": _matching,
    "essay": _essay,
    "description": _essay,
}
