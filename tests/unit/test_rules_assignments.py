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
        # One point earned is still penalised: 2 days × 10 % of 1 = 0.2.
        (1.0, 2, 10, 0, 0.2),
        # A floor of 100 % keeps everything: nothing taken however late.
        (8.0, 3, 10, 100, 0.0),
        # Kept to four decimals: 10 % of 2.71828 is 0.271828 → 0.2718.
        (2.71828, 1, 10, 0, 0.2718),
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


TYPES_MESSAGE = (
    "Allowed file types are chosen from: pdf, docx, xlsx, pptx, odt, ods, odp, png, jpg, jpeg, "
    "txt, csv."
)
# Every settings problem a course author can meet, with the key it names and the message.
BAD_SETTINGS = [
    (
        {
            "brief": " ",
            "practices": ["ok", ""],
            "submission": "paper",
            "file_types": ["pdf", "exe"],
            "x": 1,
            "y": 2,
            "points": 10,
        },
        [
            ("x", "An assignment has no setting called “x”."),
            ("y", "An assignment has no setting called “y”."),
            ("brief", "Write the task (brief) in Markdown."),
            ("practices", "List the practices by their short names."),
            ("submission", "Submission is text, files or both."),
            (
                "file_types",
                TYPES_MESSAGE,
            ),
        ],
    ),
    (
        {"brief": "B", "practices": "a", "file_types": [], "points": 10},
        [
            ("practices", "List the practices by their short names."),
            (
                "file_types",
                TYPES_MESSAGE,
            ),
        ],
    ),
    (
        {
            "brief": "B",
            "file_types": "pdf",
            "points": 10,
            "max_file_mb": 0,
            "max_files": 21,
            "penalty_floor": -1,
            "resubmissions": 21,
            "pass_percent": 101,
        },
        [
            (
                "file_types",
                TYPES_MESSAGE,
            ),
            ("max_file_mb", "Give a whole number from 1 to 50."),
            ("max_files", "Give a whole number from 1 to 20."),
            ("penalty_floor", "Give a whole number from 0 to 100."),
            ("resubmissions", "Give a whole number from 0 to 20."),
            ("pass_percent", "Give a whole number from 0 to 100."),
        ],
    ),
    (
        {
            "brief": "B",
            "points": 10,
            "late_policy": "penalty",
            "penalty_per_day": 101,
            "blind": "yes",
        },
        [
            ("penalty_per_day", "Give a whole number from 1 to 100."),
            ("blind", "Write true or false."),
        ],
    ),
    (
        {
            "brief": "B",
            "points": 10,
            "opens_on": "2027-01-01",
            "due_on": date(2027, 1, 10),
            "cutoff_on": date(2027, 1, 5),
        },
        [
            ("opens_on", "Write a date like 2027-02-01."),
            ("cutoff_on", "The dates must run opens_on, due_on, cutoff_on."),
        ],
    ),
    (
        {"brief": "B", "points": 10, "late_policy": "later"},
        [("late_policy", "Late work is either accepted (accept) or penalised (penalty).")],
    ),
    (
        {"brief": "B", "points": 10, "penalty_per_day": 5},
        [("penalty_per_day", "A penalty per day goes with late_policy = penalty.")],
    ),
    (
        {"brief": "B", "points": 0},
        [("points", "Give the points as a number above 0.")],
    ),
    (
        {"brief": "B"},
        [(None, "Give either a rubric or plain points, not both.")],
    ),
    (
        {
            "brief": "B",
            "points": 5,
            "rubric": [{"criterion": "A", "levels": ["x", "y"], "points": [0, 1]}],
        },
        [(None, "Give either a rubric or plain points, not both.")],
    ),
    (
        {"brief": "B", "rubric": "A"},
        [("rubric", "A rubric needs at least one criterion.")],
    ),
    (
        {
            "brief": "B",
            "rubric": [
                1,
                {"criterion": " ", "levels": ["x"], "points": [0], "w": 1, "v": 2},
                {"criterion": "C", "levels": ["x", "y"], "points": [0, "1"]},
                {"criterion": "D", "levels": ["x", "y"], "points": [0, 1, 2]},
                {"criterion": "E", "levels": ["x", "y"], "points": [1, 0]},
                {"criterion": "F", "levels": "xy", "points": [0, 1]},
            ],
        },
        [
            ("rubric[0]", "Each criterion is a table with criterion, levels and points."),
            ("rubric[1].v", "A criterion has criterion, levels and points only."),
            ("rubric[1].w", "A criterion has criterion, levels and points only."),
            ("rubric[1].criterion", "Name the criterion."),
            ("rubric[1].levels", "Describe at least two levels, worst first."),
            ("rubric[2].points", "Give one number (0 or more) per level."),
            ("rubric[3].points", "Give exactly one number per level."),
            ("rubric[4].points", "Points must rise from the worst level to the best."),
            ("rubric[5].levels", "Describe at least two levels, worst first."),
        ],
    ),
]


@pytest.mark.parametrize(("config", "problems"), BAD_SETTINGS)
def test_settings_problems_name_the_setting_and_say_what_to_do(config, problems):
    assert [(p.key, str(p.message)) for p in validate_settings(config)] == problems


def test_the_settings_read_are_the_ones_written():
    settings = AssignmentSettings.from_config(
        {
            "brief": "Petakan regulasi SPBE.",
            "practices": ["peta-regulasi", "rapat-tim"],
            "points": 10,
            "opens_on": date(2027, 1, 4),
            "due_on": date(2027, 1, 11),
            "cutoff_on": date(2027, 1, 15),
            "resubmissions": 0,
            "blind": True,
            "for_coordinator": True,
            "file_types": ["PDF", "docx"],
            "max_file_mb": 20,
            "max_files": 3,
            "pass_percent": 75,
        }
    )
    assert settings.brief == "Petakan regulasi SPBE."
    assert settings.practices == ("peta-regulasi", "rapat-tim")
    assert (settings.opens_on, settings.due_on, settings.cutoff_on) == (
        date(2027, 1, 4),
        date(2027, 1, 11),
        date(2027, 1, 15),
    )
    assert settings.resubmissions == 0
    assert settings.blind is True and settings.for_coordinator is True
    assert settings.file_types == ("pdf", "docx")
    assert (settings.max_file_mb, settings.max_files) == (20, 3)
    assert settings.pass_percent == 75
    graded = AssignmentSettings.from_config({**BRIEF, "rubric": RUBRIC})
    assert graded.rubric[1] == Criterion("Rencana", ("Kurang", "Baik"), (0.0, 3.0))
    bare = AssignmentSettings.from_config({"points": 1})
    assert (bare.brief, bare.practices, bare.opens_on, bare.cutoff_on) == ("", (), None, None)
    assert bare.for_coordinator is False


def test_each_submission_kind_and_each_date_and_flag_is_checked():
    assert _keys({"points": 10, "submission": "text"}) == []
    assert _keys({"points": 10, "submission": "files"}) == []
    assert _keys({"points": 10, "submission": "paper"}) == ["submission"]
    assert _keys({"points": 10, "opens_on": "2027-01-04"}) == ["opens_on"]
    assert _keys({"points": 10, "cutoff_on": "2027-01-15"}) == ["cutoff_on"]
    assert _keys({"points": 10, "for_coordinator": "ya"}) == ["for_coordinator"]
    assert _keys({"points": 10, "blind": 1}) == ["blind"]
