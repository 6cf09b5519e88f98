"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format), read and written.

Reading is done with `defusedxml` only: a file that declares a DTD or entities (an "XML
bomb", an external entity) is refused, as is a file over 5 MB. Moodle XML never needs
either. Each ``<question type="...">`` of the ``<quiz>`` maps to one of our types:

============================  ==============================================================
Moodle                        ours
============================  ==============================================================
multichoice, single=true      single_choice: fraction 100 right, 0 < f < 100 partial credit
multichoice, single=false     multiple_response: correct = fraction > 0, penalty = any < 0
truefalse                     true_false (each answer's feedback to feedback_true/_false)
shortanswer                   short_answer (``<usecase>1`` = case_sensitive)
numerical                     numeric (``<tolerance>`` per answer)
matching                      matching (a ``<subquestion>`` with empty text is a distractor)
ordering (qtype_ordering)     ordering (``<answer>`` items in the right order)
essay                         essay (``<minwordlimit>``; the rubric travels as grader info)
description                   description
category                      not a question: its path (without ``$course$/top/``) becomes
                              a tag of the questions after it
anything else                 a problem naming the type: cloze (multianswer), calculated,
                              ddwtos, ... are not supported; `FormatProblem.unsupported` lets
                              an importer who chose "import the rest" skip them
============================  ==============================================================

Common parts: ``<name><text>``, ``<questiontext format="...">``, ``<generalfeedback>``,
``<defaultgrade>`` (points), ``<idnumber>``, ``<tags><tag><text>``. Problems name the
question and the line its ``<question>`` starts on. Texts in ``html``,
``moodle_auto_format``, ``plain_text`` and ``markdown`` are converted as the package
documentation says; files embedded in a question (``<file>``) are not imported (an image
keeps only its alt text). Settings we have no place for (hints, combined feedback, the
retry penalty, answer numbering ...) are left out, except units of measurement and a
numeric catch-all answer ``*`` worth more than 0, which change grading and so are reported
as problems; a catch-all worth 0 carries the feedback for any other answer.

Writing gives a file Moodle imports: question texts and feedback with
``format="markdown"``, option and answer texts with ``format="plain_text"``, XML escaping
done by ElementTree. multiple_response is written with equal shares, each correct option
100/n and, with the penalty, each wrong one -100/n (Moodle then grades it exactly as we
do). An essay's rubric is written as grader information, one ``- criterion (N points)``
line per criterion, and read back from there.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - only to build XML; parsing uses defusedxml
from collections.abc import Iterable, Mapping
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

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

__all__ = ["MAX_BYTES", "dump", "parse"]

MAX_BYTES = 5 * 1024 * 1024
"""Largest file read."""

_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
    "wiki_like": "moodle",
}
_RUBRIC_LINE = re.compile(r"-\s+(.+?)\s+\((\d+(?:\.\d+)?) points?\)")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- reading -----------------------------------------------------------------------------


def parse(
    text: str | bytes, types: Mapping[str, Any]
) -> tuple[list[ImportedQuestion], list[FormatProblem]]:
    """Every question of a Moodle XML file and every problem found (see the module docs).

    `text` may also be the file's bytes, read with the encoding its declaration names.
    """
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > MAX_BYTES:
        return [], [FormatProblem("file", f"the file is larger than 5 MB ({size} bytes); refused")]
    if isinstance(text, str):
        text = text.lstrip("\ufeff")
    try:
        root, lines = _parse_with_lines(text)
    except defusedxml.DefusedXmlException:
        return [], [
            FormatProblem(
                "file",
                "the file declares a DTD or entities, which Moodle XML never needs; refused",
            )
        ]
    except SafeET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        return [], [
            FormatProblem(f"line {line}" if line else "file", f"not well-formed XML ({exc})")
        ]
    if root.tag != "quiz":
        return [], [
            FormatProblem(
                "file", f"not a Moodle XML file: the root element is <{root.tag}>, not <quiz>"
            )
        ]

    questions: list[ImportedQuestion] = []
    problems: list[FormatProblem] = []
    category: tuple[str, ...] = ()
    for number, (element, line) in enumerate(zip(root.findall("question"), lines, strict=True), 1):
        kind = (element.get("type") or "").strip()
        if kind == "category":
            tag = category_tag(_raw(element.find("category")))
            category = (tag,) if tag else ()
            continue
        reader = _Reader(element, number, line, problems)
        question = reader.question(kind, category)
        if question is None:
            continue
        if not reader.failed:
            problems.extend(check_config(question, types, reader.where))
        questions.append(question)
    return questions, problems


class _QuestionLines:
    """A parser target that builds the tree and notes the line of each ``<question>``
    directly under the root (ElementTree itself keeps no line numbers)."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.expat: Any = None
        self.depth = 0
        self.lines: list[int] = []

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        if self.depth == 1 and tag == "question":
            self.lines.append(self.expat.CurrentLineNumber)
        self.depth += 1
        return self.builder.start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _parse_with_lines(text: str | bytes) -> tuple[ET.Element, list[int]]:
    target = _QuestionLines()
    parser = SafeET.DefusedXMLParser(target=target, forbid_dtd=True)
    target.expat = parser.parser
    parser.feed(text)
    return parser.close(), target.lines


def _raw(element: ET.Element | None) -> str:
    """The content of an element's ``<text>`` child ("" when there is none)."""
    if element is None:
        return ""
    text = element.find("text")
    return "".join(text.itertext()) if text is not None else ""


def _flag(value: str | None, default: bool) -> bool:
    """Moodle's reading of a yes/no setting: "false", "0" or empty is no."""
    if value is None:
        return default
    return value.strip().lower() not in ("", "0", "false")


class _Reader:
    def __init__(
        self, element: ET.Element, number: int, line: int, problems: list[FormatProblem]
    ) -> None:
        self.element = element
        self.problems = problems
        self.failed = False
        self.name = " ".join(_raw(element.find("name")).split())
        label = f'question "{self.name}"' if self.name else f"question #{number}"
        self.where = f"{label} (line {line})"
        self.number = number
        self.line = line
        text = element.find("questiontext")
        self.fmt = self.format_of(text, "html")

    def problem(self, message: str) -> None:
        self.problems.append(FormatProblem(self.where, message))
        self.failed = True

    @staticmethod
    def format_of(element: ET.Element | None, default: str) -> str:
        if element is None or element.get("format") is None:
            return default
        return _FORMATS.get((element.get("format") or "").strip(), "html")

    def markdown(self, element: ET.Element | None) -> str:
        return to_markdown(_raw(element), self.format_of(element, self.fmt))

    def plain(self, element: ET.Element | None) -> str:
        return to_plain(_raw(element), self.format_of(element, self.fmt))

    def fraction(self, answer: ET.Element, low: float = -100) -> float | None:
        """An answer's fraction attribute (a percentage) as a fraction."""
        raw = answer.get("fraction", "0")
        value = parse_number(raw)
        if value is None or not low <= value <= 100:
            allowed = "-100 to 100" if low < 0 else "0 to 100"
            self.problem(f"bad fraction {raw!r} of an answer: a percentage from {allowed}")
            return None
        return fraction_from_percent(value)

    def answers(self) -> list[ET.Element]:
        return self.element.findall("answer")

    # the question as a whole

    def question(self, kind: str, category: tuple[str, ...]) -> ImportedQuestion | None:
        handler = _HANDLERS.get(kind)
        if handler is None:
            label = kind or "(none)"
            name = _UNSUPPORTED.get(kind, label)
            name = "" if name == label else name
            message = (
                f"the Moodle question type {label!r}{f' ({name})' if name else ''} is not supported"
            )
            self.problems.append(FormatProblem(self.where, message, unsupported=label))
            self.failed = True
            return None
        ours, config = handler(self)
        text = self.markdown(self.element.find("questiontext"))
        if not text:
            self.problem("the question has no text")
        points = self.points(0.0 if ours == "description" else 1.0)
        if config is None or points is None:
            return None
        tags: list[str] = list(category)
        for tag in self.element.findall("tags/tag"):
            value = " ".join(_raw(tag).split())
            if value and value not in tags:
                tags.append(value)
        return ImportedQuestion(
            name=self.name or default_name(text, f"Question {self.number}"),
            type=ours,
            text=text,
            points=points,
            config=config,
            feedback=self.markdown(self.element.find("generalfeedback")),
            tags=tuple(tags),
            line=self.line,
            idnumber=" ".join((self.element.findtext("idnumber") or "").split()),
        )

    def points(self, default: float) -> float | None:
        raw = self.element.findtext("defaultgrade")
        if raw is None or not raw.strip():
            return default
        value = parse_number(raw)
        if value is None or value < 0:
            self.problem(f"bad <defaultgrade> {raw.strip()!r}: a number of points, 0 or more")
            return None
        return value

    # the types

    def multichoice(self) -> tuple[str, dict[str, Any] | None]:
        single = _flag(self.element.findtext("single"), True)
        kind = "single_choice" if single else "multiple_response"
        shuffle = _flag(self.element.findtext("shuffleanswers"), False)
        options: list[tuple[str, float, str]] = []
        ok = True
        for answer in self.answers():
            text = self.plain(answer)
            if not text:
                continue  # Moodle skips blank answers too
            fraction = self.fraction(answer)
            if fraction is None:
                ok = False
                continue
            options.append((text, fraction, self.markdown(answer.find("feedback"))))
        if len(options) < 2 and ok:
            self.problem("a multiple-choice question needs at least two answers")
            return kind, None
        if not ok:
            return kind, None
        config: dict[str, Any]
        if single:
            if any(fraction < 0 for _, fraction, _ in options):
                self.problem(
                    "a single-answer question cannot have negative fractions; only a "
                    "multiple-answer one (<single>false</single>) can"
                )
                return kind, None
            right = sum(1 for _, fraction, _ in options if fraction == 1.0)
            if right != 1:
                self.problem(f"exactly one answer must have fraction 100; {right} do")
                return kind, None
            config = {
                "options": [_with_feedback({"text": t, "fraction": f}, fb) for t, f, fb in options]
            }
        else:
            positive = sum(fraction for _, fraction, _ in options if fraction > 0)
            if positive == 0:
                self.problem("no answer has a positive fraction, so none is correct")
                return kind, None
            if abs(positive - 1) > 0.01:
                self.problem(f"the positive fractions add up to {percent_text(positive)}, not 100")
                return kind, None
            config = {
                "options": [
                    _with_feedback({"text": t, "correct": f > 0}, fb) for t, f, fb in options
                ]
            }
            if any(fraction < 0 for _, fraction, _ in options):
                config["penalty"] = True
        if not shuffle:
            config["shuffle"] = False
        return kind, config

    def truefalse(self) -> tuple[str, dict[str, Any] | None]:
        answers = self.answers()
        feedback = {True: "", False: ""}
        right: list[bool] = []
        ok = True
        for position, answer in enumerate(answers):
            word = _raw(answer).strip().lower()
            # Old files hold translated words: Moodle then takes them as true, false.
            value = word == "true" if word in ("true", "false") else position == 0
            feedback[value] = self.markdown(answer.find("feedback"))
            fraction = self.fraction(answer, low=0)
            if fraction is None:
                ok = False
            elif fraction == 1.0:
                right.append(value)
        if not ok:
            return "true_false", None
        if len(answers) != 2 or len(right) != 1:
            self.problem(
                "a true/false question has the answers true and false, one of them with "
                "fraction 100"
            )
            return "true_false", None
        config: dict[str, Any] = {"answer": right[0]}
        if feedback[True]:
            config["feedback_true"] = feedback[True]
        if feedback[False]:
            config["feedback_false"] = feedback[False]
        return "true_false", config

    def shortanswer(self) -> tuple[str, dict[str, Any] | None]:
        answers: list[dict[str, Any]] = []
        ok = True
        for answer in self.answers():
            text = " ".join(_raw(answer).split())
            if not text:
                continue
            fraction = self.fraction(answer, low=0)
            if fraction is None:
                ok = False
                continue
            entry = {"text": text, "fraction": fraction}
            answers.append(_with_feedback(entry, self.markdown(answer.find("feedback"))))
        if ok and not any(a["fraction"] == 1.0 for a in answers):
            self.problem("no answer has fraction 100")
            ok = False
        if not ok:
            return "short_answer", None
        config: dict[str, Any] = {"answers": answers}
        if _flag(self.element.findtext("usecase"), False):
            config["case_sensitive"] = True
        return "short_answer", config

    def numerical(self) -> tuple[str, dict[str, Any] | None]:
        answers: list[dict[str, Any]] = []
        ok = True
        if self.element.findall("units/unit"):
            self.problem("units of measurement are not supported; remove the units")
            ok = False
        other_feedback = ""
        for answer in self.answers():
            raw = _raw(answer).strip()
            if raw == "*":
                if parse_number(answer.get("fraction", "0")) != 0:
                    self.problem(
                        "a catch-all answer '*' that gives credit is not supported in numeric "
                        "questions; give it fraction 0 (it then carries the feedback for any "
                        "other answer)"
                    )
                    ok = False
                other_feedback = self.markdown(answer.find("feedback"))
                continue
            value = parse_number(raw)
            tolerance_text = answer.findtext("tolerance") or "0"
            tolerance = parse_number(tolerance_text)
            fraction = self.fraction(answer, low=0)
            if value is None:
                self.problem(f"not a number: {raw!r}")
            if tolerance is None or tolerance < 0:
                self.problem(f"bad tolerance {tolerance_text.strip()!r}: a number, 0 or more")
            if value is None or tolerance is None or tolerance < 0 or fraction is None:
                ok = False
                continue
            entry: dict[str, Any] = {"value": value}
            if tolerance:
                entry["tolerance"] = tolerance
            entry["fraction"] = fraction
            answers.append(_with_feedback(entry, self.markdown(answer.find("feedback"))))
        if ok and not any(a["fraction"] == 1.0 for a in answers):
            self.problem("no answer has fraction 100")
            ok = False
        if not ok:
            return "numeric", None
        config: dict[str, Any] = {"answers": answers}
        if other_feedback:
            config["other_feedback"] = other_feedback
        return "numeric", config

    def matching(self) -> tuple[str, dict[str, Any] | None]:
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        ok = True
        for sub in self.element.findall("subquestion"):
            prompt = self.plain(sub)
            answer = " ".join(_raw(sub.find("answer")).split())
            if not answer:
                if prompt:
                    self.problem(f"the prompt {prompt!r} has no answer")
                    ok = False
                continue
            if prompt:
                pairs.append({"prompt": prompt, "answer": answer})
            else:
                distractors.append(answer)
        if len(pairs) < 2:
            self.problem("a matching question needs at least two prompts with answers")
            ok = False
        if not ok:
            return "matching", None
        config: dict[str, Any] = {"pairs": pairs}
        if distractors:
            config["distractors"] = distractors
        if not _flag(self.element.findtext("shuffleanswers"), True):
            config["shuffle"] = False
        return "matching", config

    def ordering(self) -> tuple[str, dict[str, Any] | None]:
        found: list[tuple[float | None, str]] = []
        for answer in self.answers():
            text = self.plain(answer)
            if text:  # Moodle drops blank items
                found.append((parse_number(answer.get("fraction", "")), text))
        positions = [p for p, _ in found]
        if all(p is not None for p in positions) and len(set(positions)) == len(positions):
            found.sort(key=lambda entry: entry[0] or 0.0)
        items = [text for _, text in found]
        if len(items) < 2:
            self.problem("an ordering question needs at least two items")
            return "ordering", None
        return "ordering", {"items": items}

    def essay(self) -> tuple[str, dict[str, Any] | None]:
        config: dict[str, Any] = {}
        raw = (self.element.findtext("minwordlimit") or "").strip()
        if raw:
            if not raw.isdigit():
                self.problem(f"bad <minwordlimit> {raw!r}: a whole number")
                return "essay", None
            if int(raw) > 0:
                config["min_words"] = int(raw)
        rubric = _rubric(self.element.find("graderinfo"))
        if rubric:
            config["rubric"] = rubric
        return "essay", config

    def description(self) -> tuple[str, dict[str, Any] | None]:
        return "description", {}


def _rubric(info: ET.Element | None) -> list[dict[str, Any]]:
    """The rubric written as grader information; [] when it is anything else."""
    if info is None or info.get("format") != "markdown":
        return []
    rubric = []
    for line in _raw(info).splitlines():
        if not line.strip():
            continue
        match = _RUBRIC_LINE.fullmatch(line.strip())
        if not match:
            return []
        rubric.append({"criterion": match.group(1), "points": float(match.group(2))})
    return rubric


def _with_feedback(entry: dict[str, Any], feedback: str) -> dict[str, Any]:
    if feedback:
        entry["feedback"] = feedback
    return entry


_UNSUPPORTED = {
    "multianswer": "cloze",
    "calculated": "calculated",
    "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice",
    "ddwtos": "drag and drop into text",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "gapselect": "select missing words",
    "randomsamatch": "random short-answer matching",
    "random": "random question",
}
"""Moodle's types we do not support, with the name Moodle's interface gives them."""

_HANDLERS = {
    "multichoice": _Reader.multichoice,
    "truefalse": _Reader.truefalse,
    "shortanswer": _Reader.shortanswer,
    "numerical": _Reader.numerical,
    "matching": _Reader.matching,
    "match": _Reader.matching,
    "ordering": _Reader.ordering,
    "essay": _Reader.essay,
    "description": _Reader.description,
}


# --- writing -----------------------------------------------------------------------------

_MOODLE_TYPES = {
    "single_choice": "multichoice",
    "multiple_response": "multichoice",
    "true_false": "truefalse",
    "short_answer": "shortanswer",
    "numeric": "numerical",
    "matching": "matching",
    "ordering": "ordering",
    "essay": "essay",
    "description": "description",
}


def dump(questions: Iterable[ImportedQuestion]) -> str:
    """The questions as a Moodle XML file; ValueError for a type it cannot express."""
    root = ET.Element("quiz")
    for question in questions:
        root.append(_question(question))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _clean(text: Any) -> str:
    """Text XML can hold (control characters other than tab and newline are dropped)."""
    return _INVALID_XML.sub("", str(text)).replace("\r\n", "\n")


def _add(parent: ET.Element, tag: str, value: Any, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    child.text = _clean(value)
    return child


def _text(parent: ET.Element, tag: str, text: Any, fmt: str | None = None) -> ET.Element:
    """``<tag format="fmt"><text>text</text></tag>``."""
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    _add(element, "text", text or "")
    return element


def _answer(
    parent: ET.Element, fraction: Any, text: Any, fmt: str, feedback: Any = ""
) -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": str(fraction), "format": fmt})
    _add(answer, "text", text)
    _text(answer, "feedback", feedback or "", "markdown")
    return answer


def _entries(config: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = config.get(key)
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []


def _question(q: ImportedQuestion) -> ET.Element:
    kind = _MOODLE_TYPES.get(q.type)
    if kind is None:
        raise ValueError(f'question "{q.name}": Moodle XML cannot express the type {q.type!r}')
    element = ET.Element("question", {"type": kind})
    _text(element, "name", q.name)
    _text(element, "questiontext", q.text, "markdown")
    _text(element, "generalfeedback", q.feedback, "markdown")
    _add(element, "defaultgrade", number_text(q.points))
    if q.idnumber:
        _add(element, "idnumber", q.idnumber)
    penalty = {"truefalse": "1", "description": "0"}.get(kind, "0.3333333")
    _add(element, "penalty", penalty)
    _add(element, "hidden", "0")
    config = q.config
    getattr(_Writer, q.type)(element, config)
    if q.tags:
        tags = ET.SubElement(element, "tags")
        for tag in q.tags:
            _text(tags, "tag", tag)
    return element


class _Writer:
    """One static method per type: the type's own elements."""

    @staticmethod
    def single_choice(element: ET.Element, config: Mapping[str, Any]) -> None:
        _add(element, "single", "true")
        _add(element, "shuffleanswers", "false" if config.get("shuffle") is False else "true")
        _add(element, "answernumbering", "abc")
        for option in _entries(config, "options"):
            fraction = percent_text(float(option.get("fraction", 0)))
            _answer(element, fraction, option.get("text", ""), "plain_text", option.get("feedback"))

    @staticmethod
    def multiple_response(element: ET.Element, config: Mapping[str, Any]) -> None:
        options = _entries(config, "options")
        correct = sum(1 for o in options if o.get("correct") is True) or 1
        share = percent_text(1 / correct)
        wrong = f"-{share}" if config.get("penalty") is True else "0"
        _add(element, "single", "false")
        _add(element, "shuffleanswers", "false" if config.get("shuffle") is False else "true")
        _add(element, "answernumbering", "abc")
        for option in options:
            fraction = share if option.get("correct") is True else wrong
            _answer(element, fraction, option.get("text", ""), "plain_text", option.get("feedback"))

    @staticmethod
    def true_false(element: ET.Element, config: Mapping[str, Any]) -> None:
        answer = config.get("answer") is True
        true, false = ("100", "0") if answer else ("0", "100")
        _answer(element, true, "true", "moodle_auto_format", config.get("feedback_true"))
        _answer(element, false, "false", "moodle_auto_format", config.get("feedback_false"))

    @staticmethod
    def short_answer(element: ET.Element, config: Mapping[str, Any]) -> None:
        _add(element, "usecase", "1" if config.get("case_sensitive") is True else "0")
        for answer in _entries(config, "answers"):
            fraction = percent_text(float(answer.get("fraction", 0)))
            text = answer.get("text", "")
            _answer(element, fraction, text, "moodle_auto_format", answer.get("feedback"))

    @staticmethod
    def numeric(element: ET.Element, config: Mapping[str, Any]) -> None:
        for answer in _entries(config, "answers"):
            fraction = percent_text(float(answer.get("fraction", 0)))
            node = ET.SubElement(
                element, "answer", {"fraction": fraction, "format": "moodle_auto_format"}
            )
            _add(node, "text", number_text(answer.get("value", 0)))
            _add(node, "tolerance", number_text(answer.get("tolerance", 0)))
            _text(node, "feedback", answer.get("feedback") or "", "markdown")
        other = config.get("other_feedback")
        if isinstance(other, str) and other:
            node = ET.SubElement(
                element, "answer", {"fraction": "0", "format": "moodle_auto_format"}
            )
            _add(node, "text", "*")
            _add(node, "tolerance", "0")
            _text(node, "feedback", other, "markdown")
        _add(element, "showunits", "3")  # Moodle: no units
        _add(element, "unitsleft", "0")

    @staticmethod
    def matching(element: ET.Element, config: Mapping[str, Any]) -> None:
        _add(element, "shuffleanswers", "false" if config.get("shuffle") is False else "true")
        distractors = config.get("distractors")
        subquestions = [
            (p.get("prompt", ""), p.get("answer", "")) for p in _entries(config, "pairs")
        ] + [("", d) for d in (distractors if isinstance(distractors, list) else [])]
        for prompt, answer in subquestions:
            sub = _text(element, "subquestion", prompt, "plain_text")
            _text(sub, "answer", answer)

    @staticmethod
    def ordering(element: ET.Element, config: Mapping[str, Any]) -> None:
        for tag, value in (
            ("layouttype", "VERTICAL"),
            ("selecttype", "ALL"),
            ("selectcount", "0"),
            ("gradingtype", "ABSOLUTE_POSITION"),
            ("showgrading", "SHOW"),
            ("numberingstyle", "none"),
        ):
            _add(element, tag, value)
        items = config.get("items")
        for position, item in enumerate(items if isinstance(items, list) else [], start=1):
            node = ET.SubElement(
                element, "answer", {"fraction": str(position), "format": "plain_text"}
            )
            _add(node, "text", item)

    @staticmethod
    def essay(element: ET.Element, config: Mapping[str, Any]) -> None:
        _add(element, "responseformat", "editor")
        _add(element, "responserequired", "1")
        _add(element, "responsefieldlines", "15")
        min_words = config.get("min_words", 0)
        if isinstance(min_words, int) and min_words > 0:
            _add(element, "minwordlimit", str(min_words))
        _add(element, "attachments", "0")
        _add(element, "attachmentsrequired", "0")
        lines = [
            f"- {' '.join(str(row.get('criterion', '')).split())} "
            f"({number_text(row.get('points', 0))} points)"
            for row in _entries(config, "rubric")
        ]
        _text(element, "graderinfo", "\n".join(lines), "markdown")
        _text(element, "responsetemplate", "", "markdown")

    @staticmethod
    def description(element: ET.Element, config: Mapping[str, Any]) -> None:
        return None
