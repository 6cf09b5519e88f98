"""Pure quiz rules: grading methods, pass marks, review policy, learning gain, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from quizzes.activity import QuizSettings, validate_settings
from quizzes.analysis import normalised_gain
from quizzes.services import QuizContext, passed, result_percent, review_policy


def _attempt(number, score, status="submitted", max_score=10.0):
    return SimpleNamespace(
        number=number,
        status=status,
        score=score,
        max_score=max_score,
        percent=None if score is None else 100 * score / max_score,
    )


ATTEMPTS = [
    _attempt(1, 4),
    _attempt(2, 9),
    _attempt(3, 6),
    _attempt(4, None),
    _attempt(5, 10, "in_progress"),
]


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 90.0), ("average", (40 + 90 + 60) / 3), ("first", 40.0), ("last", 60.0)],
)
def test_grading_methods_use_only_finished_graded_attempts(method, expected):
    settings = QuizSettings.from_config({"kind": "post", "questions": ["a"], "grading": method})
    assert result_percent(settings, ATTEMPTS) == pytest.approx(expected)


def test_no_finished_attempt_has_no_result_and_does_not_pass():
    settings = QuizSettings.from_config({"kind": "post", "questions": ["a"]})
    assert result_percent(settings, [_attempt(1, None)]) is None
    assert not passed(settings, None)
    assert settings.pass_percent == 60
    assert passed(settings, 60.0) and not passed(settings, 59.9)


def _ctx(closes_at=None, **settings):
    quiz = QuizSettings.from_config({"kind": "post", "questions": ["a"], **settings})
    return QuizContext(None, None, None, quiz, None, closes_at)


def test_review_policy_follows_the_settings_and_the_close_time():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    done = _attempt(1, 5)
    policy = review_policy(_ctx(), done, now)
    assert (policy.correctness, policy.points, policy.feedback, policy.answers) == (
        True,
        True,
        True,
        False,
    )
    closed = review_policy(_ctx(closes_at=now - timedelta(minutes=1)), done, now)
    assert closed.answers
    never = review_policy(_ctx(review_points="never", review_feedback="after_close"), done, now)
    assert not never.points and not never.feedback
    running = review_policy(_ctx(), _attempt(1, None, "in_progress"), now)
    assert not any((running.correctness, running.points, running.feedback, running.answers))


@pytest.mark.parametrize(
    ("pre", "post", "gain"),
    [(50, 75, 0.5), (20, 20, 0.0), (40, 30, -1 / 6), (100, 100, None), (None, 80, None)],
)
def test_normalised_gain(pre, post, gain):
    if gain is None:
        assert normalised_gain(pre, post) is None
    else:
        assert normalised_gain(pre, post) == pytest.approx(gain)


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"questions": ["a"]}, "kind"),
        ({"kind": "post"}, None),
        ({"kind": "post", "questions": ["a"], "draw": 3}, None),
        ({"kind": "post", "questions": ["a", "a"]}, "questions"),
        ({"kind": "post", "draw": 0}, "draw"),
        ({"kind": "post", "questions": ["a"], "grading": "best"}, "grading"),
        ({"kind": "post", "questions": ["a"], "review_answers": "later"}, "review_answers"),
        ({"kind": "post", "questions": ["a"], "on_timeout": "grace"}, "grace_minutes"),
        ({"kind": "post", "questions": ["a"], "grace_minutes": 5}, "grace_minutes"),
        ({"kind": "post", "questions": ["a"], "time_limit_minutes": 601}, "time_limit_minutes"),
        ({"kind": "post", "questions": ["a"], "pass_percent": True}, "pass_percent"),
        ({"kind": "post", "questions": ["a"], "colour": "red"}, "colour"),
    ],
)
def test_bad_quiz_settings_name_the_setting(settings, key):
    problems = validate_settings(settings)
    assert problems, settings
    assert key in {p.key for p in problems}


def test_good_quiz_settings_pass():
    assert (
        validate_settings(
            {
                "kind": "pre",
                "draw": 8,
                "draw_tag": "indikator-1",
                "time_limit_minutes": 15,
                "attempts": 1,
                "on_timeout": "grace",
                "grace_minutes": 5,
                "review_answers": "after_close",
            }
        )
        == []
    )
