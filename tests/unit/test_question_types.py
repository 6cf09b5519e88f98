"""The built-in question types: settings checks, grading, the answer inputs they draw (which
must never give away the right answer) and reading a submitted form back."""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from lms.plugins import QUESTION_TYPES, build_registry
from quizzes.types.base import ConfigProblem, Grade, RenderContext
from quizzes.types.description import Description
from quizzes.types.essay import Essay
from quizzes.types.matching import Matching
from quizzes.types.multiple_response import MultipleResponse
from quizzes.types.numeric import Numeric, parse_number
from quizzes.types.ordering import Ordering
from quizzes.types.short_answer import ShortAnswer
from quizzes.types.single_choice import SingleChoice
from quizzes.types.true_false import TrueFalse

ROOT = Path(__file__).resolve().parents[2]
TYPES = {
    t.name: t
    for t in (
        SingleChoice(),
        MultipleResponse(),
        TrueFalse(),
        ShortAnswer(),
        Numeric(),
        Matching(),
        Ordering(),
        Essay(),
        Description(),
    )
}
TOKEN = re.compile(r"[0-9a-f]{12}")

GOOD: dict[str, dict[str, Any]] = {
    "single_choice": {
        "options": [
            {"text": "Perpres 95/2018", "fraction": 1.0, "feedback": "Right: the SPBE decree."},
            {"text": "Perpres 39/2019", "fraction": 0.5, "feedback": "That is Satu Data."},
            {"text": "UU 11/2008", "fraction": 0},
        ],
        "shuffle": True,
    },
    "multiple_response": {
        "options": [
            {"text": "Kebijakan", "correct": True, "feedback": "Yes, policy."},
            {"text": "Tata kelola", "correct": True},
            {"text": "Manajemen", "correct": True},
            {"text": "Hiburan", "correct": False, "feedback": "Not a domain."},
        ],
        "penalty": False,
    },
    "true_false": {"answer": True, "feedback_true": "Indeed.", "feedback_false": "It is."},
    "short_answer": {
        "answers": [
            {"text": "Perpres 95/2018", "fraction": 1, "feedback": "Exactly."},
            {"text": "Perpres *", "fraction": 0.5, "feedback": "Which one?"},
        ],
        "case_sensitive": False,
    },
    "numeric": {
        "answers": [
            {"value": 3.5, "tolerance": 0.1, "fraction": 1.0, "feedback": "Close enough."},
            {"value": 4, "fraction": 0.25, "feedback": "Rounded up."},
        ]
    },
    "matching": {
        "pairs": [
            {"prompt": "SPBE", "answer": "Perpres 95/2018"},
            {"prompt": "Satu Data", "answer": "Perpres 39/2019"},
            {"prompt": "ITE", "answer": "UU 11/2008"},
        ],
        "distractors": ["UU 23/2014"],
        "shuffle": True,
    },
    "ordering": {"items": ["Plan", "Build", "Test", "Release"]},
    "essay": {"min_words": 50, "rubric": [{"criterion": "Cites the decree", "points": 2}]},
    "description": {},
}


def ctx(seed: str = "attempt-1:1", **kwargs: Any) -> RenderContext:
    return RenderContext(name=kwargs.pop("name", "q3"), seed=seed, **kwargs)


def keys(problems: list[ConfigProblem]) -> list[str | None]:
    return [p.key for p in problems]


# --- reading the drawn HTML like a browser -----------------------------------------------


class Form(HTMLParser):
    """The form controls of a fragment: inputs, selects with their options, textareas, and
    which labels point at what."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[dict[str, Any]] = []
        self.label_for: set[str] = set()
        self._labels = 0
        self._label_text: list[str] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None
        self._last_select_label = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: ("" if v is None else v) for k, v in attrs}
        if tag == "label":
            self._labels += 1
            self._label_text = []
            if "for" in a:
                self.label_for.add(a["for"])
        elif tag in ("input", "textarea"):
            self.controls.append({"tag": tag, "attrs": a, "wrapped": self._labels > 0})
            if tag == "textarea":
                self._textarea = self.controls[-1]
                self._textarea["content"] = ""
        elif tag == "select":
            self._select = {
                "tag": "select",
                "attrs": a,
                "wrapped": self._labels > 0,
                "label": self._last_select_label,
                "options": [],
            }
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"attrs": a, "text": ""}
            self._select["options"].append(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels -= 1
            text = "".join(self._label_text).strip()
            self._last_select_label = text
            for control in reversed(self.controls):
                if control.get("wrapped") and "text" not in control:
                    control["text"] = text
                    break
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._labels:
            self._label_text.append(data)
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["content"] += data

    # what a participant can do with the form

    def choice(self, text: str) -> tuple[str, str]:
        """(name, value) of the radio or checkbox labelled `text`."""
        for c in self.controls:
            if c["attrs"].get("type") in ("radio", "checkbox") and c.get("text") == text:
                return c["attrs"]["name"], c["attrs"]["value"]
        raise AssertionError(f"no choice labelled {text!r}")

    def pick(self, label: str, text: str) -> tuple[str, str]:
        """(name, value) of choosing `text` in the drop-down labelled `label`."""
        for c in self.controls:
            if c["tag"] == "select" and c["label"] == label:
                for option in c["options"]:
                    if option["text"] == text:
                        return c["attrs"]["name"], option["attrs"]["value"]
        raise AssertionError(f"no {text!r} in a drop-down labelled {label!r}")

    def filled(self) -> MultiDict:
        """What the browser would submit as the form stands (checked, selected, values)."""
        data = MultiDict()
        for c in self.controls:
            a = c["attrs"]
            if c["tag"] == "select":
                for option in c["options"]:
                    if "selected" in option["attrs"]:
                        data.add(a["name"], option["attrs"]["value"])
            elif a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    data.add(a["name"], a["value"])
            elif c["tag"] == "textarea":
                # browsers drop one newline right after <textarea>
                content = c["content"].removeprefix("\n")
                if content:
                    data.add(a["name"], content)
            elif "value" in a:
                data.add(a["name"], a["value"])
        return data

    def values(self) -> list[str]:
        found = []
        for c in self.controls:
            if "value" in c["attrs"]:
                found.append(c["attrs"]["value"])
            for option in c.get("options", ()):
                found.append(option["attrs"].get("value", ""))
        return found


def labels_in_order(html: str) -> list[str]:
    return [c["text"] for c in Form(html).controls if "text" in c]


# --- the registry ------------------------------------------------------------------------


def test_every_type_registered_in_pyproject_loads_and_meets_the_plugin_contract():
    with (ROOT / "pyproject.toml").open("rb") as fh:
        declared = tomllib.load(fh)["project"]["entry-points"][QUESTION_TYPES]
    eps = [EntryPoint(name=n, value=v, group=QUESTION_TYPES) for n, v in declared.items()]
    registry = build_registry(eps, discover=lambda group: [], builtin_packages=None)
    assert set(registry.question_types) == set(TYPES)
    for name, qtype in registry.question_types.items():
        assert qtype.name == name
        assert str(qtype.label)
        assert qtype.manual is (name == "essay")
        assert qtype.scored is (name != "description")
        assert callable(qtype.right_answer)


# --- checking settings -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_good_configuration_passes(name):
    assert TYPES[name].validate_config(GOOD[name]) == []


@pytest.mark.parametrize(
    "name, config",
    [
        (
            "single_choice",
            {"options": [{"text": "A", "fraction": 1}, {"text": "B", "fraction": 0}]},
        ),
        (
            "multiple_response",
            {"options": [{"text": "A", "correct": True}, {"text": "B", "correct": False}]},
        ),
        ("true_false", {"answer": False}),
        ("short_answer", {"answers": [{"text": "x", "fraction": 1}]}),
        ("numeric", {"answers": [{"value": -2, "fraction": 1}]}),
        ("matching", {"pairs": [{"prompt": "a", "answer": "x"}, {"prompt": "b", "answer": "x"}]}),
        ("ordering", {"items": ["a", "b"]}),
        ("essay", {}),
        ("description", {}),
    ],
)
def test_the_smallest_configuration_passes(name, config):
    assert TYPES[name].validate_config(config) == []


def _with(name: str, **changes: Any) -> dict[str, Any]:
    config = {**GOOD[name], **changes}
    return {k: v for k, v in config.items() if v is not None}


def _option(name: str, index: int, **changes: Any) -> dict[str, Any]:
    field = "answers" if name in ("short_answer", "numeric") else "options"
    entries = [dict(e) for e in GOOD[name][field]]
    entries[index].update(changes)
    entries[index] = {k: v for k, v in entries[index].items() if v is not None}
    return _with(name, **{field: entries})


LONG = "x" * 1001

BAD = [
    # whole configuration
    ("single_choice", ["not", "a", "table"], None),
    ("single_choice", _with("single_choice", colour="red"), "colour"),
    ("single_choice", _with("single_choice", options=None), "options"),
    ("single_choice", _with("single_choice", options="A, B"), "options"),
    ("single_choice", _with("single_choice", options=[{"text": "A", "fraction": 1}]), "options"),
    (
        "single_choice",
        _with("single_choice", options=[{"text": "A", "fraction": 1}] * 51),
        "options",
    ),
    ("single_choice", _with("single_choice", shuffle="yes"), "shuffle"),
    # each option
    (
        "single_choice",
        _with("single_choice", options=[*GOOD["single_choice"]["options"], "D"]),
        "options[3]",
    ),
    ("single_choice", _option("single_choice", 1, text=None), "options[1].text"),
    ("single_choice", _option("single_choice", 1, text="   "), "options[1].text"),
    ("single_choice", _option("single_choice", 1, text=42), "options[1].text"),
    ("single_choice", _option("single_choice", 1, text=LONG), "options[1].text"),
    ("single_choice", _option("single_choice", 1, text="perpres  95/2018"), "options[1].text"),
    ("single_choice", _option("single_choice", 1, fraction=None), "options[1].fraction"),
    ("single_choice", _option("single_choice", 1, fraction=50), "options[1].fraction"),
    ("single_choice", _option("single_choice", 1, fraction=-0.5), "options[1].fraction"),
    ("single_choice", _option("single_choice", 1, fraction="0.5"), "options[1].fraction"),
    ("single_choice", _option("single_choice", 1, fraction=True), "options[1].fraction"),
    ("single_choice", _option("single_choice", 1, fraction=float("nan")), "options[1].fraction"),
    ("single_choice", _option("single_choice", 1, feedback=["no"]), "options[1].feedback"),
    ("single_choice", _option("single_choice", 1, feedback="x" * 10_001), "options[1].feedback"),
    ("single_choice", _option("single_choice", 1, correct=True), "options[1].correct"),
    ("single_choice", _option("single_choice", 1, fraction=1), "options"),
    ("single_choice", _option("single_choice", 0, fraction=0.9), "options"),
    # multiple response
    ("multiple_response", _option("multiple_response", 3, correct="no"), "options[3].correct"),
    ("multiple_response", _option("multiple_response", 3, correct=None), "options[3].correct"),
    ("multiple_response", _option("multiple_response", 0, fraction=1), "options[0].fraction"),
    ("multiple_response", _option("multiple_response", 2, text="KEBIJAKAN"), "options[2].text"),
    (
        "multiple_response",
        _with(
            "multiple_response",
            options=[{"text": "A", "correct": False}, {"text": "B", "correct": False}],
        ),
        "options",
    ),
    ("multiple_response", _with("multiple_response", penalty=1), "penalty"),
    # true/false
    ("true_false", {}, "answer"),
    ("true_false", {"answer": "true"}, "answer"),
    ("true_false", {"answer": 1}, "answer"),
    ("true_false", {"answer": True, "feedback_true": 3}, "feedback_true"),
    ("true_false", {"answer": True, "feedback": "x", "shuffle": True}, "shuffle"),
    # short answer
    ("short_answer", _with("short_answer", answers=[]), "answers"),
    ("short_answer", _option("short_answer", 0, fraction=0.9), "answers"),
    ("short_answer", _option("short_answer", 1, text=""), "answers[1].text"),
    ("short_answer", _option("short_answer", 1, text=LONG), "answers[1].text"),
    ("short_answer", _option("short_answer", 1, fraction=2), "answers[1].fraction"),
    ("short_answer", _option("short_answer", 1, value=3), "answers[1].value"),
    ("short_answer", _with("short_answer", case_sensitive="no"), "case_sensitive"),
    # numeric
    ("numeric", _option("numeric", 0, value=None), "answers[0].value"),
    ("numeric", _option("numeric", 0, value="3.5"), "answers[0].value"),
    ("numeric", _option("numeric", 0, value=float("inf")), "answers[0].value"),
    ("numeric", _option("numeric", 0, tolerance=-0.1), "answers[0].tolerance"),
    ("numeric", _option("numeric", 0, tolerance="0.1"), "answers[0].tolerance"),
    ("numeric", _option("numeric", 0, text="3.5"), "answers[0].text"),
    ("numeric", _option("numeric", 0, fraction=None), "answers[0].fraction"),
    ("numeric", _option("numeric", 0, fraction=0.5), "answers"),
    # matching
    ("matching", _with("matching", pairs=[{"prompt": "a", "answer": "b"}]), "pairs"),
    ("matching", _with("matching", pairs=[{"prompt": "a", "answer": "b"}, "c"]), "pairs[1]"),
    (
        "matching",
        _with("matching", pairs=[{"prompt": "a", "answer": "b"}, {"prompt": "c"}]),
        "pairs[1].answer",
    ),
    (
        "matching",
        _with("matching", pairs=[{"prompt": "a", "answer": "b"}, {"prompt": " ", "answer": "d"}]),
        "pairs[1].prompt",
    ),
    (
        "matching",
        _with("matching", pairs=[{"prompt": "a", "answer": "b"}, {"prompt": "A", "answer": "d"}]),
        "pairs[1].prompt",
    ),
    (
        "matching",
        _with(
            "matching",
            pairs=[{"prompt": "a", "answer": "b"}, {"prompt": "c", "answer": "d", "fraction": 1}],
        ),
        "pairs[1].fraction",
    ),
    ("matching", _with("matching", distractors="UU 23/2014"), "distractors"),
    ("matching", _with("matching", distractors=["UU 23/2014", 7]), "distractors[1]"),
    ("matching", _with("matching", distractors=["perpres 95/2018"]), "distractors[0]"),
    ("matching", _with("matching", distractors=["x", "x"]), "distractors[1]"),
    ("matching", _with("matching", distractors=[LONG]), "distractors[0]"),
    # ordering
    ("ordering", {}, "items"),
    ("ordering", {"items": ["only one"]}, "items"),
    ("ordering", {"items": "Plan, Build"}, "items"),
    ("ordering", {"items": ["Plan", ""]}, "items[1]"),
    ("ordering", {"items": ["Plan", {"text": "Build"}]}, "items[1]"),
    ("ordering", {"items": ["Plan", "Build", "plan"]}, "items[2]"),
    ("ordering", {"items": ["a", "b"], "shuffle": False}, "shuffle"),
    # essay
    ("essay", {"min_words": -1}, "min_words"),
    ("essay", {"min_words": 2.5}, "min_words"),
    ("essay", {"min_words": True}, "min_words"),
    ("essay", {"rubric": {"criterion": "x", "points": 1}}, "rubric"),
    ("essay", {"rubric": [{"criterion": "x"}]}, "rubric[0].points"),
    ("essay", {"rubric": [{"criterion": "x", "points": 0}]}, "rubric[0].points"),
    ("essay", {"rubric": [{"criterion": "", "points": 1}]}, "rubric[0].criterion"),
    ("essay", {"rubric": [{"criterion": "x", "points": 1, "weight": 2}]}, "rubric[0].weight"),
    ("essay", {"max_words": 10}, "max_words"),
    # description
    ("description", {"options": []}, "options"),
]


@pytest.mark.parametrize(
    "name, config, key", BAD, ids=[f"{n}-{k}-{i}" for i, (n, _c, k) in enumerate(BAD)]
)
def test_a_bad_configuration_is_refused_naming_the_setting(name, config, key):
    problems = TYPES[name].validate_config(config)
    assert key in keys(problems), problems
    for problem in problems:
        assert isinstance(problem.message, str)
        assert problem.message.strip()


def test_an_unknown_setting_is_named_in_the_message():
    (problem,) = TYPES["ordering"].validate_config({"items": ["a", "b"], "itmes": ["c"]})
    assert problem.key == "itmes"
    assert "itmes" in problem.message


@pytest.mark.parametrize("name", sorted(GOOD))
def test_the_common_question_fields_are_not_taken_for_unknown_settings(name):
    whole = {**GOOD[name], "key": "q1", "type": name, "text": "Which?", "points": 2, "tags": []}
    assert TYPES[name].validate_config(whole) == []


# --- grading -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in sorted(GOOD) if n != "essay"])
def test_no_response_scores_nothing(name):
    assert TYPES[name].grade(GOOD[name], None) == Grade(0.0, "")


def test_an_essay_is_left_to_the_mentor():
    assert TYPES["essay"].grade(GOOD["essay"], "A long answer.") is None
    assert TYPES["essay"].right_answer(GOOD["essay"]) == ""


def test_a_description_is_worth_nothing():
    assert TYPES["description"].grade({}, "anything") == Grade(0.0, "")
    assert TYPES["description"].render({}, ctx()) == Markup("")
    assert TYPES["description"].parse_response({}, MultiDict({"q3": "x"}), ctx()) is None


@pytest.mark.parametrize(
    "response, fraction, feedback",
    [
        (0, 1.0, "Right: the SPBE decree."),
        (1, 0.5, "That is Satu Data."),
        (2, 0.0, ""),
        (3, 0.0, ""),
        (-1, 0.0, ""),
        (True, 0.0, ""),
        ("0", 0.0, ""),
    ],
)
def test_single_choice_scores_the_chosen_option(response, fraction, feedback):
    assert TYPES["single_choice"].grade(GOOD["single_choice"], response) == Grade(
        fraction, feedback
    )


@pytest.mark.parametrize(
    "penalty, response, fraction",
    [
        (False, [0, 1, 2], 1.0),
        (False, [0], 1 / 3),
        (False, [0, 1], 2 / 3),
        (False, [0, 1, 2, 3], 1.0),
        (False, [3], 0.0),
        (False, [], 0.0),
        (True, [0, 1, 2], 1.0),
        (True, [0, 1, 2, 3], 2 / 3),
        (True, [0, 3], 0.0),
        (True, [3], 0.0),
        (True, [0, 1, 3], 1 / 3),
        (False, [0, 0, 0], 1 / 3),
        (False, [0, 9, -1, "1"], 1 / 3),
    ],
)
def test_multiple_response_scores_right_ticks_less_the_penalty(penalty, response, fraction):
    config = _with("multiple_response", penalty=penalty)
    assert TYPES["multiple_response"].grade(config, response).fraction == pytest.approx(fraction)


def test_multiple_response_penalty_never_goes_below_zero():
    config = {
        "options": [
            {"text": "A", "correct": True},
            {"text": "B", "correct": False},
            {"text": "C", "correct": False},
            {"text": "D", "correct": False},
        ],
        "penalty": True,
    }
    assert TYPES["multiple_response"].grade(config, [0, 1, 2, 3]) == Grade(0.0, "")


def test_multiple_response_feedback_joins_the_ticked_options():
    grade = TYPES["multiple_response"].grade(GOOD["multiple_response"], [3, 1, 0])
    assert grade.feedback == "Yes, policy.\n\nNot a domain."


@pytest.mark.parametrize(
    "response, fraction, feedback",
    [(True, 1.0, "Indeed."), (False, 0.0, "It is."), ("true", 0.0, ""), (1, 0.0, "")],
)
def test_true_false(response, fraction, feedback):
    assert TYPES["true_false"].grade(GOOD["true_false"], response) == Grade(fraction, feedback)


@pytest.mark.parametrize(
    "response, fraction",
    [
        ("Perpres 95/2018", 1.0),
        ("  perpres   95/2018 ", 1.0),
        ("PERPRES\t95/2018\n", 1.0),
        ("Perpres 39/2019", 0.5),
        ("perpres 1", 0.5),
        ("Perpres ", 0.0),
        ("Perpres", 0.0),
        ("Perpres95/2018", 0.0),
        ("Keppres 95/2018", 0.0),
        ("", 0.0),
        ("   ", 0.0),
        (5, 0.0),
    ],
)
def test_short_answer_ignores_case_and_spacing_and_takes_the_best_match(response, fraction):
    assert TYPES["short_answer"].grade(GOOD["short_answer"], response).fraction == fraction


def test_short_answer_gives_the_feedback_of_the_best_match():
    config = GOOD["short_answer"]
    assert TYPES["short_answer"].grade(config, "perpres 95/2018").feedback == "Exactly."
    assert TYPES["short_answer"].grade(config, "Perpres 1").feedback == "Which one?"


@pytest.mark.parametrize(
    "pattern, response, case_sensitive, right",
    [
        ("Perpres", "perpres", False, True),
        ("Perpres", "perpres", True, False),
        ("Perpres", "Perpres", True, True),
        ("Straße", "STRASSE", False, True),
        ("*data", "Satu Data", False, True),
        ("*data", "Satu Data", True, False),
        ("s*a", "Satu Data", False, True),
        ("a*b*c", "a-x-b-y-c", False, True),
        ("a*b*c", "a-x-c", False, False),
        ("*", "anything at all", False, True),
        ("a.b", "axb", False, False),
        ("(x)+", "(x)+", False, True),
        ("[ab]", "a", False, False),
        ("5 \\* 3", "5 * 3", False, True),
        ("5 \\* 3", "5 x 3", False, False),
        ("a  b", "a b", True, True),
    ],
)
def test_short_answer_wildcards_and_literal_characters(pattern, response, case_sensitive, right):
    config = {"answers": [{"text": pattern, "fraction": 1}], "case_sensitive": case_sensitive}
    assert TYPES["short_answer"].grade(config, response).fraction == (1.0 if right else 0.0)


@pytest.mark.parametrize(
    "response, fraction, feedback",
    [
        ("3.5", 1.0, "Close enough."),
        ("3,5", 1.0, "Close enough."),
        (" 3,45 ", 1.0, "Close enough."),
        ("3.6", 1.0, "Close enough."),
        ("3,4", 1.0, "Close enough."),
        ("3.61", 0.0, ""),
        ("3.39", 0.0, ""),
        ("4", 0.25, "Rounded up."),
        ("4,0", 0.25, "Rounded up."),
        ("4.0001", 0.0, ""),
        ("35e-1", 1.0, "Close enough."),
        ("−3.5", 0.0, ""),
        ("three and a half", 0.0, ""),
        ("3.5.1", 0.0, ""),
        ("1.000,5", 0.0, ""),
        ("3 .5", 0.0, ""),
        ("nan", 0.0, ""),
        ("inf", 0.0, ""),
        ("1e999", 0.0, ""),
        ("", 0.0, ""),
        (3.5, 0.0, ""),
    ],
)
def test_numeric_within_tolerance_with_comma_or_dot(response, fraction, feedback):
    assert TYPES["numeric"].grade(GOOD["numeric"], response) == Grade(fraction, feedback)


def test_numeric_tolerance_survives_binary_rounding():
    config = {"answers": [{"value": 0.3, "tolerance": 0.1, "fraction": 1}]}
    assert TYPES["numeric"].grade(config, "0,4").fraction == 1.0
    assert TYPES["numeric"].grade(config, "0.2").fraction == 1.0
    assert TYPES["numeric"].grade(config, "0.4001").fraction == 0.0


@pytest.mark.parametrize(
    "text, value",
    [("3,5", 3.5), ("-2", -2.0), ("+.5", 0.5), (",5", 0.5), ("\u22121,5", -1.5), ("1e3", 1000.0)],
)
def test_numbers_are_read_as_people_type_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "response, fraction",
    [
        ({"0": 0, "1": 1, "2": 2}, 1.0),
        ({"0": 0, "1": 2, "2": 1}, 1 / 3),
        ({"0": 0}, 1 / 3),
        ({"0": 3, "1": 3, "2": 3}, 0.0),
        ({"0": 1, "1": 0, "2": 2}, 1 / 3),
        ({0: 0, 1: 1}, 2 / 3),
        ({"0": "0", "1": True, "2": 99}, 0.0),
        ([0, 1, 2], 0.0),
    ],
)
def test_matching_scores_the_share_of_prompts_matched(response, fraction):
    grade = TYPES["matching"].grade(GOOD["matching"], response)
    assert grade.fraction == pytest.approx(fraction)
    assert grade.feedback == ""


def test_matching_a_repeated_answer_counts_for_every_prompt_it_belongs_to():
    config = {
        "pairs": [
            {"prompt": "Kominfo", "answer": "Ministry"},
            {"prompt": "BSSN", "answer": "Agency"},
            {"prompt": "KemenPANRB", "answer": "Ministry"},
        ]
    }
    assert TYPES["matching"].grade(config, {"0": 0, "1": 1, "2": 0}).fraction == 1.0


@pytest.mark.parametrize(
    "response, fraction",
    [
        ([0, 1, 2, 3], 1.0),
        ([1, 0, 2, 3], 0.5),
        ([3, 2, 1, 0], 0.0),
        ([0, None, None, 3], 0.5),
        ([0, 0, 0, 0], 0.25),
        ([0, 1], 0.5),
        ([0, 1, 2, 3, 4, 5], 1.0),
        ([True, 1, 2, 3], 0.75),
        ("0123", 0.0),
    ],
)
def test_ordering_scores_the_share_of_positions_right(response, fraction):
    assert TYPES["ordering"].grade(GOOD["ordering"], response).fraction == fraction


@pytest.mark.parametrize(
    "name, expected",
    [
        ("single_choice", "Perpres 95/2018"),
        ("multiple_response", "Kebijakan; Tata kelola; Manajemen"),
        ("true_false", "True"),
        ("short_answer", "Perpres 95/2018"),
        ("numeric", "3.5 ± 0.1"),
        ("matching", "SPBE → Perpres 95/2018; Satu Data → Perpres 39/2019; ITE → UU 11/2008"),
        ("ordering", "Plan → Build → Test → Release"),
        ("essay", ""),
        ("description", ""),
    ],
)
def test_right_answer_in_words(name, expected):
    assert TYPES[name].right_answer(GOOD[name]) == expected


def test_right_answer_of_a_whole_number_and_of_false():
    config = {"answers": [{"value": 12.0, "fraction": 1}, {"value": 13, "fraction": 1}]}
    assert TYPES["numeric"].right_answer(config) == "12 / 13"
    assert TYPES["true_false"].right_answer({"answer": False}) == "False"


# --- drawing and reading back ------------------------------------------------------------


def _submit(name: str, form: Form) -> MultiDict:
    """What a participant who knows the right answer submits through the drawn form."""
    data = MultiDict()
    if name == "single_choice":
        data.add(*form.choice("Perpres 39/2019"))
    elif name == "multiple_response":
        data.add(*form.choice("Kebijakan"))
        data.add(*form.choice("Hiburan"))
        data.add(*form.choice("Manajemen"))
    elif name == "true_false":
        data.add(*form.choice("False"))
    elif name in ("short_answer", "numeric", "essay"):
        (control,) = form.controls
        data.add(
            control["attrs"]["name"],
            {"short_answer": " perpres 1 ", "numeric": "3,55"}.get(name, "Satu dua tiga."),
        )
    elif name == "matching":
        data.add(*form.pick("SPBE", "Perpres 95/2018"))
        data.add(*form.pick("Satu Data", "UU 11/2008"))
        data.add(*form.pick("ITE", "UU 11/2008"))
    elif name == "ordering":
        for position, item in enumerate(["Plan", "Test", "Build", "Release"], start=1):
            data.add(*form.pick(f"Position {position}", item))
    return data


ROUND_TRIP = {
    "single_choice": (1, Grade(0.5, "That is Satu Data.")),
    "multiple_response": ([0, 2, 3], Grade(2 / 3, "Yes, policy.\n\nNot a domain.")),
    "true_false": (False, Grade(0.0, "It is.")),
    "short_answer": ("perpres 1", Grade(0.5, "Which one?")),
    "numeric": ("3,55", Grade(1.0, "Close enough.")),
    "matching": ({"0": 0, "1": 2, "2": 2}, Grade(2 / 3, "")),
    "ordering": ([0, 2, 1, 3], Grade(0.5, "")),
    "essay": ("Satu dua tiga.", None),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_a_submitted_form_is_read_back_and_graded(name):
    qtype, config = TYPES[name], GOOD[name]
    context = ctx("attempt-7:2")
    form = Form(qtype.render(config, context))
    response = qtype.parse_response(config, _submit(name, form), context)
    expected, grade = ROUND_TRIP[name]
    assert response == expected
    assert qtype.grade(config, response) == grade


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_a_saved_response_is_shown_again_and_reads_back_the_same(name):
    qtype, config = TYPES[name], GOOD[name]
    response = ROUND_TRIP[name][0]
    html = qtype.render(config, ctx("attempt-7:2", response=response))
    assert qtype.parse_response(config, Form(html).filled(), ctx("attempt-7:2")) == response


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_an_untouched_form_is_unanswered(name):
    qtype, config = TYPES[name], GOOD[name]
    context = ctx()
    assert (
        qtype.parse_response(config, Form(qtype.render(config, context)).filled(), context) is None
    )
    assert qtype.parse_response(config, MultiDict(), context) is None


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_a_malformed_saved_response_is_shown_as_unanswered(name):
    qtype, config = TYPES[name], GOOD[name]
    junk_values = [{"x": [1]}, [None, "a", 99], 99, "zz", 1.5]
    if name != "true_false":
        junk_values.append(True)
    for junk in junk_values:
        html = qtype.render(config, ctx(response=junk))
        if name not in ("short_answer", "numeric", "essay"):
            assert "checked" not in html and "selected" not in html


@pytest.mark.parametrize(
    "name, form",
    [
        ("single_choice", {"q3": ["0"]}),
        ("single_choice", {"q3": ["not-a-token"]}),
        ("multiple_response", {"q3": ["0", "1", "deadbeef0000"]}),
        ("true_false", {"q3": ["yes"]}),
        ("short_answer", {"q3": ["   "]}),
        ("numeric", {"q3": [""]}),
        ("matching", {"q3-0": ["0"], "q3-1": [""], "q3-9": ["x"]}),
        ("ordering", {"q3-0": ["1"], "q3-1": [""]}),
        ("essay", {"q3": ["\r\n  \n"]}),
    ],
)
def test_unknown_tokens_and_blanks_are_ignored(name, form):
    assert TYPES[name].parse_response(GOOD[name], MultiDict(form), ctx()) is None


def test_a_token_from_another_attempt_is_ignored():
    config = GOOD["single_choice"]
    other = ctx("attempt-2:1").token(0)
    assert TYPES["single_choice"].parse_response(config, MultiDict({"q3": other}), ctx()) is None


def test_text_answers_are_cut_to_length():
    long = MultiDict({"q3": "a" * 5000})
    assert len(TYPES["short_answer"].parse_response({}, long, ctx())) == 1000
    assert len(TYPES["numeric"].parse_response({}, long, ctx())) == 100


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_disabled_controls(name):
    html = TYPES[name].render(GOOD[name], ctx(disabled=True))
    controls = Form(html).controls
    assert controls
    assert all("disabled" in c["attrs"] for c in controls)
    assert "disabled" not in TYPES[name].render(GOOD[name], ctx())


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_every_control_has_a_label_and_a_field_name_of_the_question(name):
    form = Form(TYPES[name].render(GOOD[name], ctx(name="q12")))
    ids = [c["attrs"]["id"] for c in form.controls if "id" in c["attrs"]]
    assert len(ids) == len(set(ids))
    for control in form.controls:
        assert control["wrapped"] or control["attrs"].get("id") in form.label_for
        assert control["attrs"]["name"] == "q12" or control["attrs"]["name"].startswith("q12-")
        assert control["attrs"].get("id", "q12").startswith("q12")


def test_field_names_follow_the_spec():
    form = Form(TYPES["matching"].render(GOOD["matching"], ctx()))
    assert sorted(c["attrs"]["name"] for c in form.controls) == ["q3-0", "q3-1", "q3-2"]
    form = Form(TYPES["ordering"].render(GOOD["ordering"], ctx()))
    assert [c["attrs"]["name"] for c in form.controls] == ["q3-0", "q3-1", "q3-2", "q3-3"]
    (control,) = Form(TYPES["numeric"].render(GOOD["numeric"], ctx())).controls
    assert control["attrs"]["type"] == "text"
    assert control["attrs"]["inputmode"] == "decimal"
    (control,) = Form(TYPES["essay"].render(GOOD["essay"], ctx())).controls
    assert control["tag"] == "textarea"
    values = {c["attrs"]["value"] for c in Form(TYPES["true_false"].render({}, ctx())).controls}
    assert values == {"true", "false"}


def test_drop_downs_start_with_an_empty_choice():
    for name in ("matching", "ordering"):
        for control in Form(TYPES[name].render(GOOD[name], ctx())).controls:
            first = control["options"][0]
            assert first["attrs"]["value"] == "" and first["text"] == "—"


def test_matching_lists_a_repeated_answer_once_and_every_distractor():
    config = {
        "pairs": [
            {"prompt": "Kominfo", "answer": "Ministry"},
            {"prompt": "BSSN", "answer": "Agency"},
            {"prompt": "KemenPANRB", "answer": "Ministry"},
        ],
        "distractors": ["Company"],
    }
    context = ctx()
    form = Form(TYPES["matching"].render(config, context))
    for control in form.controls:
        assert sorted(o["text"] for o in control["options"][1:]) == [
            "Agency",
            "Company",
            "Ministry",
        ]
    data = MultiDict([form.pick("Kominfo", "Ministry"), form.pick("KemenPANRB", "Ministry")])
    response = TYPES["matching"].parse_response(config, data, context)
    assert TYPES["matching"].grade(config, response).fraction == pytest.approx(2 / 3)


def test_authored_text_is_escaped():
    evil = '<script>alert("x")</script> & "quotes"'
    config = {
        "options": [{"text": evil, "fraction": 1}, {"text": "B", "fraction": 0}],
    }
    html = TYPES["single_choice"].render(config, ctx())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    html = TYPES["short_answer"].render({}, ctx(response='"><img src=x onerror=alert(1)>'))
    assert "<img" not in html
    html = TYPES["essay"].render({}, ctx(response="</textarea><script>"))
    assert "</textarea><script>" not in html
    pairs = [{"prompt": evil, "answer": evil + "!"}, {"prompt": "b", "answer": "c"}]
    html = TYPES["matching"].render({"pairs": pairs}, ctx())
    assert "<script>" not in html
    html = TYPES["ordering"].render({"items": [evil, "b"]}, ctx())
    assert "<script>" not in html


# --- tokens and order --------------------------------------------------------------------

SIX = {"options": [{"text": f"Option {i}", "fraction": 1 if i == 0 else 0} for i in range(8)]}


@pytest.mark.parametrize("name", ["single_choice", "multiple_response", "matching", "ordering"])
def test_tokens_differ_between_attempts(name):
    first = Form(TYPES[name].render(GOOD[name], ctx("attempt-1:1"))).values()
    second = Form(TYPES[name].render(GOOD[name], ctx("attempt-2:1"))).values()
    assert {v for v in first if v}.isdisjoint({v for v in second if v})


def test_shuffled_order_is_fixed_per_attempt_and_differs_between_attempts():
    qtype = TYPES["single_choice"]
    orders = {tuple(labels_in_order(qtype.render(SIX, ctx(f"attempt-{n}:1")))) for n in range(5)}
    assert len(orders) > 1
    again = labels_in_order(qtype.render(SIX, ctx("attempt-3:1")))
    assert again == labels_in_order(qtype.render(SIX, ctx("attempt-3:1")))
    assert sorted(again) == [f"Option {i}" for i in range(8)]


@pytest.mark.parametrize(
    "config_shuffle, quiz_shuffle, shuffled",
    [(True, True, True), (None, True, True), (False, True, False), (True, False, False)],
)
def test_options_are_shuffled_only_when_question_and_quiz_both_allow(
    config_shuffle, quiz_shuffle, shuffled
):
    authored = [f"Option {i}" for i in range(8)]
    for name in ("single_choice", "multiple_response"):
        config = {**SIX, "shuffle": config_shuffle} if config_shuffle is not None else SIX
        if name == "multiple_response":
            config = {
                **config,
                "options": [{"text": o["text"], "correct": True} for o in SIX["options"]],
            }
        orders = {
            tuple(labels_in_order(TYPES[name].render(config, ctx(f"a{n}:1", shuffle=quiz_shuffle))))
            for n in range(5)
        }
        if shuffled:
            assert len(orders) > 1
        else:
            assert orders == {tuple(authored)}


def _prompts(html: str) -> list[str]:
    return [c["label"] for c in Form(html).controls]


def _listed(html: str) -> list[str]:
    return [o["text"] for o in Form(html).controls[0]["options"][1:]]


def test_matching_prompts_follow_the_shuffle_but_answers_are_always_shuffled():
    config = {
        "pairs": [{"prompt": f"P{i}", "answer": f"A{i}"} for i in range(6)],
        "shuffle": False,
    }
    authored = [f"A{i}" for i in range(6)]
    for n in range(10):
        html = TYPES["matching"].render(config, ctx(f"a{n}:1", shuffle=False))
        assert _prompts(html) == [f"P{i}" for i in range(6)]
        assert _listed(html) != authored
        assert sorted(_listed(html)) == authored
    shuffled = {
        tuple(_prompts(TYPES["matching"].render(GOOD["matching"], ctx(f"a{n}:1"))))
        for n in range(6)
    }
    assert len(shuffled) > 1


def test_ordering_items_are_never_listed_in_the_right_order():
    for n in range(30):
        for items in (["a", "b"], ["a", "b", "c"], GOOD["ordering"]["items"]):
            html = TYPES["ordering"].render({"items": items}, ctx(f"a{n}:1", shuffle=False))
            assert _listed(html) != items
            assert sorted(_listed(html)) == sorted(items)
            assert _prompts(html) == [f"Position {i}" for i in range(1, len(items) + 1)]


# --- never giving the answer away --------------------------------------------------------

SECRET_FEEDBACK = "RAHASIA-UMPAN-BALIK"
LEAKY = {
    "single_choice": {
        "options": [
            {"text": "Pilihan Alfa", "fraction": 0.37, "feedback": SECRET_FEEDBACK + "-1"},
            {"text": "Pilihan Beta", "fraction": 1.0, "feedback": SECRET_FEEDBACK + "-2"},
            {"text": "Pilihan Gama", "fraction": 0.0},
        ]
    },
    "multiple_response": {
        "options": [
            {"text": "Pilihan Alfa", "correct": True, "feedback": SECRET_FEEDBACK + "-1"},
            {"text": "Pilihan Beta", "correct": False, "feedback": SECRET_FEEDBACK + "-2"},
        ],
        "penalty": True,
    },
    "true_false": {
        "answer": True,
        "feedback_true": SECRET_FEEDBACK + "-1",
        "feedback_false": SECRET_FEEDBACK + "-2",
    },
    "short_answer": {
        "answers": [
            {"text": "JAWABAN-RAHASIA", "fraction": 1.0, "feedback": SECRET_FEEDBACK},
            {"text": "SETENGAH-*", "fraction": 0.37},
        ],
        "case_sensitive": True,
    },
    "numeric": {
        "answers": [
            {"value": 271828.5, "tolerance": 0.0314, "fraction": 1.0, "feedback": SECRET_FEEDBACK},
            {"value": 99991, "fraction": 0.37},
        ]
    },
    "matching": {
        "pairs": [
            {"prompt": "Prompt Alfa", "answer": "Jawaban Alfa"},
            {"prompt": "Prompt Beta", "answer": "Jawaban Beta"},
            {"prompt": "Prompt Gama", "answer": "Jawaban Gama"},
        ],
        "distractors": ["Pengecoh"],
    },
    "ordering": {"items": ["Langkah Alfa", "Langkah Beta", "Langkah Gama"]},
    "essay": {"min_words": 10, "rubric": [{"criterion": "KRITERIA-RAHASIA", "points": 7.25}]},
    "description": {},
}
NEVER = [
    SECRET_FEEDBACK,
    "fraction",
    "correct",
    "data-",
    "0.37",
    "JAWABAN-RAHASIA",
    "SETENGAH",
    "271828",
    "0.0314",
    "99991",
    "KRITERIA-RAHASIA",
    "7.25",
    "rubric",
    "penalty",
]


@pytest.mark.parametrize("name", sorted(LEAKY))
@pytest.mark.parametrize("response", [None, "saved"])
def test_the_drawn_inputs_never_give_the_answer_away(name, response):
    qtype, config = TYPES[name], {**LEAKY[name], "feedback": SECRET_FEEDBACK + "-general"}
    assert qtype.validate_config(config) == []
    saved = None
    if response == "saved":
        saved = {
            "single_choice": 1,
            "multiple_response": [0],
            "true_false": True,
            "short_answer": "tebakan",
            "numeric": "12",
            "matching": {"0": 0, "1": 1},
            "ordering": [0, 1, 2],
            "essay": "teks",
        }.get(name)
    for seed in ("attempt-1:1", "attempt-2:5"):
        html = str(qtype.render(config, ctx(seed, response=saved)))
        assert isinstance(qtype.render(config, ctx(seed)), Markup)
        for secret in NEVER:
            assert secret not in html, (name, secret)
        # option values are opaque tokens, never indices or texts
        for value in Form(html).values():
            if name == "true_false":
                assert value in ("true", "false")
            elif name in ("short_answer", "numeric"):
                assert value == saved
            else:
                assert value == "" or TOKEN.fullmatch(value), value


SAME_HTML = [
    (
        "single_choice",
        {
            "options": [
                {"text": "Pilihan Alfa", "fraction": 1.0},
                {"text": "Pilihan Beta", "fraction": 0.0},
                {"text": "Pilihan Gama", "fraction": 0.5},
            ]
        },
    ),
    (
        "multiple_response",
        {
            "options": [
                {"text": "Pilihan Alfa", "correct": False},
                {"text": "Pilihan Beta", "correct": True},
            ],
            "penalty": False,
        },
    ),
    ("true_false", {"answer": False}),
    ("short_answer", {"answers": [{"text": "lain", "fraction": 1}]}),
    ("numeric", {"answers": [{"value": 1, "fraction": 1}]}),
    ("essay", {"min_words": 10}),
]


@pytest.mark.parametrize("name, other", SAME_HTML)
def test_the_drawn_inputs_do_not_depend_on_which_answer_is_right(name, other):
    context = ctx("attempt-4:2")
    assert TYPES[name].render(LEAKY[name], context) == TYPES[name].render(other, context)


def test_ordering_refuses_one_item_in_two_positions_naming_it():
    from quizzes.types.base import ResponseRefused

    qtype, config = TYPES["ordering"], GOOD["ordering"]
    form = Form(qtype.render(config, ctx("attempt-7:2")))
    data = MultiDict()
    for position, item in enumerate(["Plan", "Build", "Plan", "Release"], start=1):
        data.add(*form.pick(f"Position {position}", item))
    with pytest.raises(ResponseRefused) as refused:
        qtype.parse_response(config, data, ctx("attempt-7:2"))
    assert str(refused.value) == (
        "Each item goes in one position only: “Plan” is in positions 1, 3."
    )
    # Two positions left empty are not a duplicate.
    data = MultiDict()
    data.add(*form.pick("Position 1", "Build"))
    assert qtype.parse_response(config, data, ctx("attempt-7:2")) == [1, None, None, None]
