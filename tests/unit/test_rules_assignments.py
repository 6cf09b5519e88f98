"""Assignment settings and scoring rules, pinned by worked examples (issue 18): rubric
totals, defaults, the late penalty with its floor, and the bounds the settings check keeps."""

from __future__ import annotations

from datetime import date

import pytest

from assignments.activity import (
    DEFAULT_FILE_TYPES,
    AssignmentSettings,
    Criterion,
    late_penalty,
    validate_settings,
)

BRIEF = {"brief": "Petakan regulasi SPBE."}
# Three criteria, levels worst first: maxima 4 + 3 + 5 = 12 (the largest alone would be 5;
# the first levels' points 1 + 0 + 2 = 3).
RUBRIC = [
    {"criterion": "Analisis", "levels": ["Kurang", "Cukup", "Baik"], "points": [1, 2, 4]},
    {"criterion": "Rencana", "levels": ["Kurang", "Baik"], "points": [0, 3]},
    {
        "criterion": "Bukti",
        "levels": ["Kurang", "Cukup", "Baik", "Sangat baik"],
        "points": [2, 3, 4, 5],
    },
]


def _keys(config):
    return [p.key for p in validate_settings({**BRIEF, **config})]


def test_rubric_total_is_the_sum_of_each_criterions_best_level():
    settings = AssignmentSettings.from_config({**BRIEF, "rubric": RUBRIC})
    assert [c.max_points for c in settings.rubric] == [4.0, 3.0, 5.0]
    assert settings.max_points == 12.0
    assert Criterion("x", ("a", "b"), (0.5, 2.5)).max_points == 2.5


def test_plain_points_are_the_maximum_without_a_rubric():
    assert AssignmentSettings.from_config({**BRIEF, "points": 25}).max_points == 25.0


def test_defaults():
    settings = AssignmentSettings.from_config({**BRIEF, "points": 10})
    assert settings.pass_percent == 60
    assert settings.resubmissions == 2
    assert settings.submission == "both" and settings.accepts_text and settings.accepts_files
    assert settings.file_types == DEFAULT_FILE_TYPES
    assert (settings.max_file_mb, settings.max_files) == (10, 5)
    assert settings.late_policy == "accept"
    assert (settings.penalty_per_day, settings.penalty_floor) == (0, 0)
    assert settings.blind is False
    text = AssignmentSettings.from_config({**BRIEF, "points": 1, "submission": "text"})
    assert text.accepts_text and not text.accepts_files
    files = AssignmentSettings.from_config({**BRIEF, "points": 1, "submission": "files"})
    assert files.accepts_files and not files.accepts_text


def _penalised(per_day, floor=0, policy="penalty"):
    return AssignmentSettings.from_config(
        {
            **BRIEF,
            "points": 10,
            "late_policy": policy,
            "penalty_per_day": per_day,
            "penalty_floor": floor,
        }
    )


@pytest.mark.parametrize(
    ("raw", "days", "per_day", "floor", "taken"),
    [
        # 10 % per started day of 8 points: 1 day 0.8, 3 days 2.4.
        (8.0, 1, 10, 0, 0.8),
        (8.0, 3, 10, 0, 2.4),
        # The floor keeps 30 % of what the work earned: at most 70 % is taken.
        # 2 days × 10 % = 20 % → 1.6 (the floor does not bite yet) ...
        (8.0, 2, 10, 30, 1.6),
        # ... 7 days = 70 % → 5.6, exactly at the floor; 9 days would be 90 %, held at 70 %.
        (8.0, 7, 10, 30, 5.6),
        (8.0, 9, 10, 30, 5.6),
        # Without a floor everything can go: 12 days × 10 % is capped at 100 %.
        (8.0, 12, 10, 0, 8.0),
        # Not late, or nothing earned: nothing taken.
        (8.0, 0, 10, 0, 0.0),
        (0.0, 3, 10, 0, 0.0),
    ],
)
def test_late_penalty_per_started_day_never_below_the_floor(raw, days, per_day, floor, taken):
    assert late_penalty(raw, days, _penalised(per_day, floor)) == pytest.approx(taken)


def test_late_work_costs_nothing_when_late_work_is_accepted():
    settings = AssignmentSettings.from_config({**BRIEF, "points": 10, "penalty_per_day": 10})
    assert late_penalty(8.0, 3, settings) == 0.0


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("max_file_mb", 1, 50),
        ("max_files", 1, 20),
        ("penalty_per_day", 1, 100),
        ("penalty_floor", 0, 100),
        ("resubmissions", 0, 20),
        ("pass_percent", 0, 100),
    ],
)
def test_whole_number_settings_keep_their_bounds(key, low, high):
    base = {"points": 10, "late_policy": "penalty", "penalty_per_day": 5}
    assert key not in _keys({**base, key: low})
    assert key not in _keys({**base, key: high})
    assert key in _keys({**base, key: low - 1})
    assert key in _keys({**base, key: high + 1})
    assert key in _keys({**base, key: float(low)})
    assert key in _keys({**base, key: True})


def test_dates_must_run_opens_due_cutoff():
    ok = {
        "points": 10,
        "opens_on": date(2027, 1, 4),
        "due_on": date(2027, 1, 11),
        "cutoff_on": date(2027, 1, 15),
    }
    assert _keys(ok) == []
    assert _keys({**ok, "due_on": date(2027, 1, 16)}) == ["cutoff_on"]
    assert _keys({**ok, "opens_on": date(2027, 1, 12)}) == ["cutoff_on"]
    # The same day is in order (opens in the morning, due at the end of the day).
    assert _keys({**ok, "due_on": date(2027, 1, 4)}) == []
    # Any two present are checked: due after the cut-off without an opening date.
    assert _keys({"points": 10, "due_on": date(2027, 1, 16), "cutoff_on": date(2027, 1, 15)}) == [
        "cutoff_on"
    ]
    assert _keys({"points": 10, "due_on": "2027-01-11"}) == ["due_on"]


def test_penalty_setting_goes_with_the_penalty_policy():
    assert _keys({"points": 10, "late_policy": "penalty", "penalty_per_day": 5}) == []
    assert _keys({"points": 10, "late_policy": "penalty"}) == ["penalty_per_day"]
    assert _keys({"points": 10, "penalty_per_day": 5}) == ["penalty_per_day"]
    assert _keys({"points": 10, "late_policy": "later"}) == ["late_policy"]


def test_points_or_rubric_and_their_bounds():
    assert _keys({"points": 1000}) == []
    assert _keys({"points": 0.5}) == []
    assert _keys({"points": 1000.5}) == ["points"]
    assert _keys({"points": 0}) == ["points"]
    assert _keys({"points": True}) == ["points"]
    assert _keys({}) == [None]
    assert _keys({"points": 10, "rubric": RUBRIC}) == [None]
    assert _keys({"rubric": RUBRIC}) == []


@pytest.mark.parametrize(
    ("row", "key"),
    [
        ({"criterion": "A", "levels": ["x"], "points": [1]}, "rubric[0].levels"),
        ({"criterion": "A", "levels": ["x", " "], "points": [0, 1]}, "rubric[0].levels"),
        ({"criterion": " ", "levels": ["x", "y"], "points": [0, 1]}, "rubric[0].criterion"),
        ({"criterion": "A", "levels": ["x", "y"], "points": [0, 1, 2]}, "rubric[0].points"),
        ({"criterion": "A", "levels": ["x", "y"], "points": [2, 1]}, "rubric[0].points"),
        ({"criterion": "A", "levels": ["x", "y"], "points": [1, 1]}, "rubric[0].points"),
        ({"criterion": "A", "levels": ["x", "y"], "points": [-1, 1]}, "rubric[0].points"),
        ({"criterion": "A", "levels": ["x", "y"], "points": [0, 1], "w": 2}, "rubric[0].w"),
    ],
)
def test_a_bad_criterion_is_named(row, key):
    assert _keys({"rubric": [row]}) == [key]


def test_a_good_two_level_criterion_with_zero_points_passes():
    assert _keys({"rubric": [{"criterion": "A", "levels": ["x", "y"], "points": [0, 1]}]}) == []
    assert _keys({"rubric": []}) == ["rubric"]
