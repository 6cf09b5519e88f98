"""Grading rules of the question types, each pinned by a worked example that fails when the
rule is weakened (issue 18). The examples are small enough to check by hand; the comment
above each says which weakening it catches."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from quizzes.types.base import Grade, RenderContext
from quizzes.types.description import Description
from quizzes.types.essay import MAX_ESSAY, Essay
from quizzes.types.matching import Matching
from quizzes.types.multiple_response import MultipleResponse
from quizzes.types.numeric import Numeric, parse_number
from quizzes.types.ordering import Ordering
from quizzes.types.short_answer import ShortAnswer, best
from quizzes.types.single_choice import SingleChoice
from quizzes.types.true_false import TrueFalse

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

# --- true or false -----------------------------------------------------------------------

# The right answer is *false*: answering false is right, answering true is wrong. A grader
# that only looks at the response ("true is always right") gets both backwards.
FALSE_IS_RIGHT = {
    "answer": False,
    "feedback_true": "Tidak: SPBE diatur Perpres, bukan UU.",
    "feedback_false": "Benar: Perpres 95/2018.",
}


def test_true_false_whose_right_answer_is_false():
    assert TrueFalse().grade(FALSE_IS_RIGHT, False) == Grade(1.0, "Benar: Perpres 95/2018.")
    assert TrueFalse().grade(FALSE_IS_RIGHT, True) == Grade(
        0.0, "Tidak: SPBE diatur Perpres, bukan UU."
    )


def test_true_false_feedback_follows_the_response_not_the_outcome():
    # Right answer true: "true" gets feedback_true (and full marks), "false" feedback_false.
    config = {"answer": True, "feedback_true": "T", "feedback_false": "F"}
    assert TrueFalse().grade(config, True) == Grade(1.0, "T")
    assert TrueFalse().grade(config, False) == Grade(0.0, "F")
    # Only bools are responses: 0 or "false" is unanswered, not a right "false".
    assert TrueFalse().grade(FALSE_IS_RIGHT, 0) == Grade(0.0, "")
    assert TrueFalse().grade(FALSE_IS_RIGHT, "false") == Grade(0.0, "")


def test_true_false_right_answer_in_words():
    assert TrueFalse().right_answer(FALSE_IS_RIGHT) == "False"
    assert TrueFalse().right_answer({"answer": True}) == "True"
    assert TrueFalse().right_answer({}) == ""


# --- multiple response -------------------------------------------------------------------

# Two right options (A, B) of four. Ticking A and C: 1 right of 2 = 0.5; with the penalty
# the wrong tick C takes 1/2 away: 0.5 − 0.5 = 0.
FOUR = [
    {"text": "A", "correct": True, "feedback": "a"},
    {"text": "B", "correct": True, "feedback": "b"},
    {"text": "C", "correct": False, "feedback": "c"},
    {"text": "D", "correct": False},
]


def test_multiple_response_without_the_penalty_setting_wrong_ticks_cost_nothing():
    assert MultipleResponse().grade({"options": FOUR}, [0, 2]) == Grade(0.5, "a\n\nc")
    assert MultipleResponse().grade({"options": FOUR, "penalty": False}, [0, 2]).fraction == 0.5
    assert MultipleResponse().grade({"options": FOUR, "penalty": True}, [0, 2]).fraction == 0.0


def test_multiple_response_penalty_is_one_over_the_right_options_per_wrong_tick():
    # A, B, C ticked with the penalty: 2/2 − 1/2 = 0.5 (not 2/2 − 1/4 or 1 − 1/3).
    config = {"options": FOUR, "penalty": True}
    assert MultipleResponse().grade(config, [0, 1, 2]).fraction == 0.5
    # A and B ticked: 1.0 (the first and the last right option both count).
    assert MultipleResponse().grade(config, [0, 1]).fraction == 1.0
    assert MultipleResponse().grade(config, [1]).fraction == 0.5


def test_multiple_response_ticks_outside_the_options_are_ignored():
    # Index 4 is one past the last option (D = 3): ignored, so A alone scores 1/2; a bound
    # off by one would either crash or read past the list. Index 3 (D) is still counted:
    # with the penalty A + D = 1/2 − 1/2 = 0.
    assert MultipleResponse().grade({"options": FOUR}, [0, 4]) == Grade(0.5, "a")
    assert MultipleResponse().grade({"options": FOUR, "penalty": True}, [0, 3]).fraction == 0.0
    assert MultipleResponse().grade({"options": FOUR}, [4]) == Grade(0.0, "")
    # Index 0 is an option like any other: ticking only A counts.
    assert MultipleResponse().grade({"options": FOUR}, [0]).fraction == 0.5
    assert MultipleResponse().grade({"options": FOUR}, [-1, 1]) == Grade(0.5, "b")


# --- single choice -----------------------------------------------------------------------


def test_single_choice_first_and_last_options_and_outside_indices():
    config = {
        "options": [
            {"text": "X", "fraction": 1.0, "feedback": "x"},
            {"text": "Y", "fraction": 0.25},
            {"text": "Z", "fraction": 0.5, "feedback": "z"},
        ]
    }
    assert SingleChoice().grade(config, 0) == Grade(1.0, "x")
    assert SingleChoice().grade(config, 2) == Grade(0.5, "z")
    assert SingleChoice().grade(config, 3) == Grade(0.0, "")
    assert SingleChoice().grade(config, -1) == Grade(0.0, "")
    assert SingleChoice().grade(config, True) == Grade(0.0, "")


# --- short answer ------------------------------------------------------------------------


def test_short_answer_the_first_of_equal_fractions_gives_its_feedback():
    # "SPBE 2018" matches both answers at 0.5: the first listed wins.
    config = {
        "answers": [
            {"text": "SPBE", "fraction": 1},
            {"text": "SPBE *", "fraction": 0.5, "feedback": "Pertama"},
            {"text": "* 2018", "fraction": 0.5, "feedback": "Kedua"},
        ]
    }
    assert ShortAnswer().grade(config, "SPBE 2018") == Grade(0.5, "Pertama")


def test_short_answer_a_better_later_match_wins_over_an_earlier_weaker_one():
    config = {
        "answers": [
            {"text": "Perpres*", "fraction": 0.25, "feedback": "kurang"},
            {"text": "Perpres 95/2018", "fraction": 1, "feedback": "tepat"},
        ]
    }
    assert ShortAnswer().grade(config, "Perpres 95/2018") == Grade(1.0, "tepat")


def test_short_answer_star_matches_no_characters_too():
    # "Perpres*" accepts "Perpres" itself: `*` is any run of characters, also none.
    config = {"answers": [{"text": "Perpres*", "fraction": 1}]}
    assert ShortAnswer().grade(config, "Perpres").fraction == 1.0
    assert ShortAnswer().grade(config, "Perpres 95").fraction == 1.0
    assert ShortAnswer().grade({"answers": [{"text": "a*b", "fraction": 1}]}, "ab").fraction == 1


def test_short_answer_compares_unicode_in_composed_form():
    # "é" typed as e + combining acute (NFD) is the same answer as the precomposed é (NFC),
    # both ways round, case-sensitive or not.
    composed, decomposed = "Kafe\u0301 Data", "Kaf\u00e9 Data"
    for case_sensitive in (False, True):
        config = {"answers": [{"text": composed, "fraction": 1}], "case_sensitive": case_sensitive}
        assert ShortAnswer().grade(config, decomposed).fraction == 1.0
        config = {
            "answers": [{"text": decomposed, "fraction": 1}],
            "case_sensitive": case_sensitive,
        }
        assert ShortAnswer().grade(config, composed).fraction == 1.0


def test_short_answer_fraction_and_feedback_come_from_the_same_answer():
    config = {
        "answers": [
            {"text": "satu", "fraction": 1, "feedback": "f1"},
            {"text": "dua", "fraction": 0.3, "feedback": "f2"},
        ]
    }
    assert ShortAnswer().grade(config, "DUA") == Grade(0.3, "f2")
    assert ShortAnswer().grade(config, "tiga") == Grade(0.0, "")


# --- matching ----------------------------------------------------------------------------

# Without distractors the choices are the pairs' answers in order: 0 "Perpres 95/2018",
# 1 "Perpres 39/2019", 2 "UU 11/2008". Index −1 would be "UU 11/2008" in Python, the right
# answer of prompt 2: a negative index must not count.
THREE_PAIRS = {
    "pairs": [
        {"prompt": "SPBE", "answer": "Perpres 95/2018"},
        {"prompt": "Satu Data", "answer": "Perpres 39/2019"},
        {"prompt": "ITE", "answer": "UU 11/2008"},
    ]
}


def test_matching_a_negative_index_is_not_an_answer():
    assert Matching().grade(THREE_PAIRS, {"2": -1}).fraction == 0.0
    assert Matching().grade(THREE_PAIRS, {"0": -3, "1": -2, "2": -1}).fraction == 0.0
    assert Matching().grade(THREE_PAIRS, {"2": 2}).fraction == pytest.approx(1 / 3)
    assert Matching().grade(THREE_PAIRS, {"0": 0, "1": 1, "2": 2}).fraction == 1.0
    # A bool is not an index (True would be 1, the right answer of prompt 1).
    assert Matching().grade(THREE_PAIRS, {"1": True}).fraction == 0.0
    # One past the last choice is ignored.
    assert Matching().grade(THREE_PAIRS, {"0": 3, "1": 1}).fraction == pytest.approx(1 / 3)


# --- ordering ----------------------------------------------------------------------------


def test_ordering_a_bool_is_not_a_position():
    # True == 1 in Python: at position 1 it would pass for the right item.
    items = {"items": ["Rencana", "Bangun", "Uji", "Rilis"]}
    assert Ordering().grade(items, [0, True, 2, 3]).fraction == 0.75
    assert Ordering().grade(items, [False, 1, 2, 3]).fraction == 0.75
    assert Ordering().grade(items, [0, 1, 2, 3]).fraction == 1.0
    assert Ordering().grade(items, [1, 2, 3, 0]).fraction == 0.0
    # A float is not a position either (1.0 == 1).
    assert Ordering().grade(items, [0, 1.0, 2, 3]).fraction == 0.75


def test_ordering_counts_only_the_items_of_the_question():
    items = {"items": ["a", "b", "c"]}
    # Extra positions beyond the three items are ignored: [0, 1, 2, 3] is 3 of 3.
    assert Ordering().grade(items, [0, 1, 2, 3]).fraction == 1.0
    assert Ordering().grade(items, [0, 1]).fraction == pytest.approx(2 / 3)


# Every settings problem a course author can meet, with the key it names and the message,
# one bad configuration per type (and the list-length bounds).
BAD_CONFIGS = [
    (
        "single_choice",
        {
            "options": [
                {"text": "A", "fraction": 1},
                {"text": "a ", "fraction": 1.5, "feedback": 3, "y": 1},
                {"fraction": 1},
            ],
            "shuffle": "x",
            "z": 1,
        },
        [
            ("z", "There is no setting called “z” here."),
            ("options[1].y", "There is no setting called “y” here."),
            ("options[1].fraction", "The fraction must be a number from 0 to 1, like 0.5."),
            ("options[1].feedback", "Write text in quotes here."),
            ("options[2].text", "Write the text; it is missing."),
            ("options[1].text", "This repeats the text of options[0].text."),
            ("shuffle", "Write true or false."),
            ("options", "Exactly one option must have fraction 1.0 (the right answer); 2 do."),
        ],
    ),
    (
        "single_choice",
        {"options": [{"text": "A", "fraction": 1}, {"text": "B", "fraction": 1.0}]},
        [("options", "Exactly one option must have fraction 1.0 (the right answer); 2 do.")],
    ),
    (
        "single_choice",
        {"options": [{"text": "A", "fraction": 1}]},
        [("options", "List from 2 to 50 entries.")],
    ),
    (
        "single_choice",
        {"options": [{"text": "A", "fraction": 0.5}, {"text": "B", "fraction": 0}]},
        [("options", "Exactly one option must have fraction 1.0 (the right answer); 0 do.")],
    ),
    (
        "multiple_response",
        {
            "options": [
                {"text": "A", "correct": False},
                {"text": "a", "correct": "yes", "x": 1, "feedback": 3},
                {"correct": False},
            ],
            "shuffle": "no",
            "penalty": 1,
        },
        [
            ("options[1].x", "There is no setting called “x” here."),
            ("options[1].correct", "Write true or false."),
            ("options[1].feedback", "Write text in quotes here."),
            ("options[2].text", "Write the text; it is missing."),
            ("options[1].text", "This repeats the text of options[0].text."),
            ("options", "Mark at least one option correct = true."),
            ("penalty", "Write true or false."),
            ("shuffle", "Write true or false."),
        ],
    ),
    (
        "multiple_response",
        {"options": [{"text": "A", "correct": True}]},
        [("options", "List from 2 to 50 entries.")],
    ),
    (
        "true_false",
        {"answer": "yes", "feedback_true": 1, "feedback_false": 2, "q": 1},
        [
            ("q", "There is no setting called “q” here."),
            ("answer", "Write true or false."),
            ("feedback_true", "Write text in quotes here."),
            ("feedback_false", "Write text in quotes here."),
        ],
    ),
    (
        "true_false",
        {},
        [("answer", "Write true or false; it is missing.")],
    ),
    (
        "short_answer",
        {
            "answers": [
                {"text": "x", "fraction": 0.5},
                {"text": "", "fraction": 2, "feedback": 1, "w": 0},
            ],
            "case_sensitive": "no",
        },
        [
            ("answers[1].w", "There is no setting called “w” here."),
            ("answers[1].text", "The text must not be empty."),
            ("answers[1].fraction", "The fraction must be a number from 0 to 1, like 0.5."),
            ("answers[1].feedback", "Write text in quotes here."),
            ("answers", "At least one answer must have fraction 1.0."),
            ("case_sensitive", "Write true or false."),
        ],
    ),
    (
        "short_answer",
        {"answers": []},
        [("answers", "List from 1 to 50 entries.")],
    ),
    (
        "numeric",
        {
            "answers": [
                {"value": "3", "fraction": 1, "tolerance": -1},
                {"value": 2, "fraction": 0.5, "tolerance": "a"},
                {"fraction": 0.2},
            ]
        },
        [
            ("answers[0].value", "Write a number, like 3.5."),
            ("answers[0].tolerance", "The number must not be below 0."),
            ("answers[1].tolerance", "Write a number, like 3.5."),
            ("answers[2].value", "Give a number; it is missing."),
        ],
    ),
    (
        "matching",
        {
            "pairs": [
                {"prompt": "A", "answer": "x"},
                {"prompt": "a", "answer": "X", "k": 1},
                {"prompt": "", "answer": ""},
            ],
            "distractors": ["x", "y", "Y", 3],
            "shuffle": 1,
        },
        [
            ("pairs[1].k", "There is no setting called “k” here."),
            ("pairs[2].prompt", "The text must not be empty."),
            ("pairs[2].answer", "The text must not be empty."),
            ("pairs[1].prompt", "This repeats the text of pairs[0].prompt."),
            ("distractors[3]", "Write text in quotes here."),
            ("distractors[0]", "This repeats the text of pairs[0].answer."),
            ("distractors[2]", "This repeats the text of distractors[1]."),
            ("shuffle", "Write true or false."),
        ],
    ),
    (
        "matching",
        {"pairs": [{"prompt": "A", "answer": "x"}]},
        [("pairs", "List from 2 to 50 entries.")],
    ),
    (
        "ordering",
        {"items": ["a", "A", "", " "], "x": 1},
        [
            ("x", "There is no setting called “x” here."),
            ("items[2]", "The text must not be empty."),
            ("items[3]", "The text must not be empty."),
            ("items[1]", "This repeats the text of items[0]."),
        ],
    ),
    (
        "ordering",
        {"items": ["a"]},
        [("items", "List from 2 to 50 entries.")],
    ),
    (
        "essay",
        {
            "min_words": -1,
            "rubric": [{"criterion": "", "points": 0}, {"criterion": "B", "points": "2", "u": 1}],
            "z": 1,
        },
        [
            ("z", "There is no setting called “z” here."),
            ("min_words", "Give a whole number from 0 to 10000."),
            ("rubric[0].criterion", "The text must not be empty."),
            ("rubric[0].points", "Points must be above 0 and at most 1000."),
            ("rubric[1].u", "There is no setting called “u” here."),
            ("rubric[1].points", "Write a number, like 3.5."),
        ],
    ),
    (
        "description",
        {"a": 1},
        [("a", "There is no setting called “a” here.")],
    ),
]


# --- what the remaining mutants showed (mutmut, issue 18) -------------------------------


def test_an_option_without_a_usable_fraction_scores_nothing():
    # Settings checks refuse these, but a question saved before a check was added must not
    # give full marks: a missing or non-number fraction counts as 0.
    config = {
        "options": [{"text": "A"}, {"text": "B", "fraction": "1"}, {"text": "C", "fraction": 1}]
    }
    assert SingleChoice().grade(config, 0) == Grade(0.0, "")
    assert SingleChoice().grade(config, 1) == Grade(0.0, "")
    assert SingleChoice().grade(config, 2) == Grade(1.0, "")


def test_right_answers_are_joined_when_several_are_right():
    two = {
        "options": [
            {"text": "A", "fraction": 1},
            {"text": "B", "fraction": 0},
            {"text": "C", "fraction": 1},
        ]
    }
    assert SingleChoice().right_answer(two) == "A; C"
    short = {
        "answers": [
            {"text": "SPBE", "fraction": 1},
            {"text": "x", "fraction": 0.5},
            {"text": "E-Gov", "fraction": 1},
        ]
    }
    assert ShortAnswer().right_answer(short) == "SPBE / E-Gov"
    numeric = {
        "answers": [
            {"value": 4, "fraction": 0.25},
            {"value": 3.5, "fraction": 1, "tolerance": 0.1},
            {"value": 7, "fraction": 1},
        ]
    }
    assert Numeric().right_answer(numeric) == "3.5 ± 0.1 / 7"


def test_questions_without_right_options_or_pairs_grade_as_unanswered():
    # No option marked correct: nothing to divide by; the grade is 0, not an error.
    wrong_only = {"options": [{"text": "A", "correct": False}, {"text": "B", "correct": False}]}
    assert MultipleResponse().grade(wrong_only, [0]) == Grade(0.0, "")
    assert Matching().grade({"pairs": []}, {"0": 0}) == Grade(0.0, "")
    assert Ordering().grade({"items": []}, [0]) == Grade(0.0, "")


def test_numbers_that_are_not_finite_are_not_numbers():
    assert parse_number("inf") is None
    assert parse_number("1e999") is None
    assert parse_number("nan") is None
    assert parse_number("1e3") == 1000.0


def test_numeric_answer_with_an_unusable_value_or_tolerance_never_matches():
    config = {
        "answers": [
            {"value": 3.5, "tolerance": "0.1", "fraction": 1, "feedback": "teks"},
            {"value": "3.5", "fraction": 1, "feedback": "teks juga"},
            {"value": 3.5, "tolerance": 0.1, "fraction": 0.5, "feedback": "angka"},
        ]
    }
    assert Numeric().grade(config, "3.5") == Grade(0.5, "angka")


def test_numeric_other_feedback_answers_every_wrong_number_with_no_points():
    # Moodle's "any other answer": 12 is none of the answers, so it scores 0 (not 1) with
    # that feedback; a right answer is untouched; none set, empty or not text: no feedback.
    config = {
        "answers": [{"value": 7, "fraction": 1}],
        "other_feedback": "Hitung lagi jumlah OPD yang sudah terhubung.",
    }
    assert Numeric().grade(config, "12") == Grade(
        0.0, "Hitung lagi jumlah OPD yang sudah terhubung."
    )
    assert Numeric().grade(config, "7") == Grade(1.0, "")
    answers = {"answers": config["answers"]}
    assert Numeric().grade(answers, "12") == Grade(0.0, "")
    assert Numeric().grade({**answers, "other_feedback": ""}, "12") == Grade(0.0, "")
    assert Numeric().grade({**answers, "other_feedback": 5}, "12") == Grade(0.0, "")


def test_numeric_other_feedback_is_a_known_setting_that_must_be_text():
    answers = {"answers": [{"value": 7, "fraction": 1}]}
    assert Numeric().validate_config({**answers, "other_feedback": "Coba lagi."}) == []
    assert [p.key for p in Numeric().validate_config({**answers, "other_feedback": 5})] == [
        "other_feedback"
    ]
    assert [p.key for p in Numeric().validate_config({**answers, "OTHER_FEEDBACK": "x"})] == [
        "OTHER_FEEDBACK"
    ]


def test_numeric_rounding_slack_is_a_billionth_of_the_value():
    # Exact answers (tolerance 0) accept a difference up to 1e-9 × max(1, |value|):
    # around 0 that is 1e-9, around 10 000 000 000 it is 10.
    zero = {"answers": [{"value": 0, "fraction": 1}]}
    assert Numeric().grade(zero, "0.0000000009").fraction == 1.0
    assert Numeric().grade(zero, "0.0000000015").fraction == 0.0
    big = {"answers": [{"value": 10_000_000_000, "fraction": 1}]}
    assert Numeric().grade(big, "10000000009").fraction == 1.0
    assert Numeric().grade(big, "10000000011").fraction == 0.0


def test_the_best_answer_skips_answers_without_a_number_fraction():
    assert best([{"fraction": "1", "feedback": "x"}, {"fraction": 0.5, "feedback": "y"}]) == Grade(
        0.5, "y"
    )
    assert best([{"fraction": None}]) == Grade(0.0, "")


def test_an_essay_is_cut_at_its_maximum_length():
    form = MultiDict({"q1": "kata " * 30_000})
    text = Essay().parse_response({}, form, RenderContext(name="q1", seed="s"))
    assert len(text) == MAX_ESSAY


@pytest.mark.parametrize(("name", "config", "problems"), BAD_CONFIGS)
def test_settings_problems_name_the_setting_and_say_what_to_do(name, config, problems):
    found = [(p.key, str(p.message)) for p in TYPES[name].validate_config(config)]
    assert found == problems


def _essay_keys(config):
    return [p.key for p in Essay().validate_config(config)]


def test_essay_settings_bounds():
    assert _essay_keys({"min_words": 0}) == []
    assert _essay_keys({"min_words": 10_000}) == []
    assert _essay_keys({"min_words": 10_001}) == ["min_words"]
    assert _essay_keys({"rubric": []}) == []
    rows = [{"criterion": f"K{i}", "points": 1} for i in range(21)]
    assert _essay_keys({"rubric": rows[:20]}) == []
    assert _essay_keys({"rubric": rows}) == ["rubric"]
    assert _essay_keys({"rubric": [{"criterion": "A", "points": 0.5}]}) == []
    assert _essay_keys({"rubric": [{"criterion": "A", "points": 1000}]}) == []
    assert _essay_keys({"rubric": [{"criterion": "A", "points": 1001}]}) == ["rubric[0].points"]
    problem = Essay().validate_config({"rubric": [{"criterion": "A", "points": 1001}]})[0]
    assert str(problem.message) == "Points must be above 0 and at most 1000."


def test_a_fraction_above_one_is_held_at_one():
    config = {"options": [{"text": "A", "fraction": 1.5}, {"text": "B", "fraction": -0.5}]}
    assert SingleChoice().grade(config, 0).fraction == 1.0
    assert SingleChoice().grade(config, 1).fraction == 0.0


def test_numeric_slack_bound_is_included():
    # Exactly 1e-9 from an exact answer of 0 is still right (the bound is ≤).
    zero = {"answers": [{"value": 0, "fraction": 1}]}
    assert Numeric().grade(zero, "0.000000001").fraction == 1.0


def test_repeated_rubric_criteria_and_distractors_are_named():
    essay = {
        "rubric": [{"criterion": "Analisis", "points": 1}, {"criterion": "analisis ", "points": 2}]
    }
    assert [(p.key, str(p.message)) for p in Essay().validate_config(essay)] == [
        ("rubric[1].criterion", "This repeats the text of rubric[0].criterion.")
    ]
    matching = {
        "pairs": [{"prompt": "A", "answer": "x"}, {"prompt": "B", "answer": "y"}],
        "distractors": ["Y"],
    }
    assert [(p.key, str(p.message)) for p in Matching().validate_config(matching)] == [
        ("distractors[0]", "This repeats the text of pairs[1].answer.")
    ]
    assert Matching().validate_config({**matching, "distractors": []}) == []
