"""Grading rules of the question types, each pinned by a worked example that fails when the
rule is weakened (issue 18). The examples are small enough to check by hand; the comment
above each says which weakening it catches."""

from __future__ import annotations

import pytest

from quizzes.types.base import Grade
from quizzes.types.matching import Matching
from quizzes.types.multiple_response import MultipleResponse
from quizzes.types.ordering import Ordering
from quizzes.types.short_answer import ShortAnswer
from quizzes.types.single_choice import SingleChoice
from quizzes.types.true_false import TrueFalse

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
