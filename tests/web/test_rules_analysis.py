"""Quiz results, learning gain and item analysis computed in SQL, pinned by worked examples
(issue 18): each number below is computed by hand in the comments, and each test fails when
one rule is weakened. Runs on SQLite and on PostgreSQL (LMS_TEST_DATABASE_URL)."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from courses.models import Activity
from lms.cohorts.models import Enrolment
from quizzes.activity import QuizSettings
from quizzes.analysis import ModuleGain, item_analysis, learning_gain, results
from quizzes.models import Question, QuizAttempt, QuizResponse

QUESTIONS = [
    {"key": "tf", "type": "true_false", "config": {"answer": True}},
    {
        "key": "pilih",
        "type": "single_choice",
        "config": {
            "shuffle": False,
            "options": [
                {"text": "Perpres 95/2018", "fraction": 1.0},
                {"text": "UU 11/2008", "fraction": 0.0},
                {"text": "PP 71/2019", "fraction": 0.0},
            ],
        },
    },
]
KEYS = ["tf", "pilih"]


@pytest.fixture
def quiz(db, make_user, make_course, make_cohort, attach):
    """One module with a first pre-test, a second pre-test, a post-test; four participants."""
    people = [make_user("participant", name=f"Peserta {i}") for i in range(4)]
    cohort = make_cohort("32.11", participants=people)
    version = make_course(
        modules=1,
        activities=(
            ("pre-test", "quiz", {"kind": "pre", "questions": KEYS}),
            ("pre-ulang", "quiz", {"kind": "pre", "questions": KEYS}),
            ("post-test", "quiz", {"kind": "post", "questions": KEYS}),
        ),
        questions={1: QUESTIONS},
    )
    attach(cohort, version)
    activities = {
        a.key: a for a in db.session.scalars(select(Activity).where(Activity.type == "quiz"))
    }
    questions = {q.key: q for q in db.session.scalars(select(Question))}
    enrolments = list(
        db.session.scalars(
            select(Enrolment).where(Enrolment.cohort_id == cohort.id).order_by(Enrolment.id)
        )
    )
    return type(
        "Quiz",
        (),
        {
            "version": version,
            "activities": activities,
            "questions": questions,
            "enrolments": [e.id for e in enrolments],
        },
    )


def _attempt(db, quiz, activity, enrolment, number, score, *, status="submitted", answers=()):
    """An attempt worth 2 points scoring `score` (None: an essay still waits), with answers
    as (question key, response, fraction)."""
    attempt = QuizAttempt(
        activity_id=quiz.activities[activity].id,
        enrolment_id=enrolment,
        number=number,
        status=status,
        seed=f"s{number}",
        question_ids=[quiz.questions[k].id for k in KEYS],
        score=score,
        max_score=2.0,
        needs_grading=score is None,
    )
    db.session.add(attempt)
    db.session.flush()
    for slot, (key, response, fraction) in enumerate(answers, start=1):
        db.session.add(
            QuizResponse(
                attempt_id=attempt.id,
                slot=slot,
                question_id=quiz.questions[key].id,
                response=response,
                fraction=fraction,
            )
        )
    db.session.flush()
    return attempt


# --------------------------------------------------------------------------- results


@pytest.fixture
def history(db, quiz):
    """One participant's attempts at the post-test, in order:
    1 submitted but an essay still waits (no score) — never counts;
    2 submitted 0.8 / 2 = 40 %;  3 submitted 1.8 / 2 = 90 %;  4 submitted 1.2 / 2 = 60 %;
    5 still in progress, 2 / 2 = 100 % saved so far — never counts.
    A second participant has one discarded attempt at 100 % (timed out): no result at all.
    """
    me, other = quiz.enrolments[0], quiz.enrolments[1]
    _attempt(db, quiz, "post-test", me, 1, None)
    _attempt(db, quiz, "post-test", me, 2, 0.8)
    _attempt(db, quiz, "post-test", me, 3, 1.8)
    _attempt(db, quiz, "post-test", me, 4, 1.2)
    _attempt(db, quiz, "post-test", me, 5, 2.0, status="in_progress")
    _attempt(db, quiz, "post-test", other, 1, 2.0, status="discarded")
    db.session.commit()
    return me, other


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("highest", 90.0),  # not the 100 % of the attempt in progress
        ("average", (40 + 90 + 60) / 3),  # 63.33: the waiting and open attempts left out
        ("first", 40.0),  # attempt 2, the first with a score (attempt 1 is still waiting)
        ("last", 60.0),  # attempt 4, the last submitted (not the open attempt 5)
    ],
)
def test_grading_method_over_submitted_scored_attempts(db, quiz, history, method, expected):
    me, other = history
    activity = quiz.activities["post-test"].id
    settings = QuizSettings.from_config({"kind": "post", "questions": KEYS, "grading": method})
    found = results({activity: settings}, [me, other])
    assert found == {(me, activity): pytest.approx(expected)}
    # Without an enrolment filter the same: the discarded attempt never counts.
    assert results({activity: settings}) == {(me, activity): pytest.approx(expected)}


# --------------------------------------------------------------------------- learning gain


def test_cohort_gain_uses_the_means_of_those_who_took_both_tests():
    # A took only the pre-test (0 %). B: pre 50, post 75. C: pre 20, post 60.
    # Those with both: pre mean (50 + 20) / 2 = 35, post mean (75 + 60) / 2 = 67.5,
    # gain (67.5 − 35) / (100 − 35) = 32.5 / 65 = 0.5.
    # (Everyone's pre mean, 70 / 3 = 23.33, would give (67.5 − 23.33) / 76.67 = 0.576.)
    gain = ModuleGain(None, None, None, pre={1: 0.0, 2: 50.0, 3: 20.0}, post={2: 75.0, 3: 60.0})
    assert gain.cohort_gain([1, 2, 3]) == pytest.approx(0.5)
    assert gain.gain(2) == pytest.approx(0.5)  # (75 − 50) / 50
    assert gain.gain(3) == pytest.approx(0.5)  # (60 − 20) / 80
    assert gain.gain(1) is None
    assert gain.cohort_gain([1]) is None
    # D took only the post-test: left out of the post mean as well.
    gain.post[4] = 0.0
    assert gain.cohort_gain([1, 2, 3, 4]) == pytest.approx(0.5)


def test_learning_gain_takes_the_first_pre_test_of_the_module(db, quiz):
    # The module has two pre-tests: only the first ("pre-test") counts.
    # Participant: first pre-test 50 %, second pre-test 0 %, post-test 75 %:
    # gain (75 − 50) / (100 − 50) = 0.5 (the second pre-test would give 0.75).
    me = quiz.enrolments[0]
    _attempt(db, quiz, "pre-test", me, 1, 1.0)
    _attempt(db, quiz, "pre-ulang", me, 1, 0.0)
    _attempt(db, quiz, "post-test", me, 1, 1.5)
    db.session.commit()
    (module,) = learning_gain(quiz.version.id, quiz.enrolments)
    assert module.pre_activity.key == "pre-test"
    assert module.post_activity.key == "post-test"
    assert module.pre == {me: 50.0} and module.post == {me: 75.0}
    assert module.gain(me) == pytest.approx(0.5)
    assert module.cohort_gain(quiz.enrolments) == pytest.approx(0.5)


# --------------------------------------------------------------------------- item analysis


@pytest.fixture
def four_attempts(db, quiz):
    """Four graded attempts at the post-test (1 point per question):

    ========  ===========  ==============  =====  =====
    attempt   tf (answer)  pilih (option)  score  %
    ========  ===========  ==============  =====  =====
    A         true: 1      0: 1            2      100
    B         true: 1      0: 1            2      100
    C         true: 1      1: 0            1       50
    D         false: 0     2: 0            0        0
    ========  ===========  ==============  =====  =====

    plus attempts that must not count: an open attempt, a discarded one and one waiting for
    an essay grade (each with answers that would change every figure).
    """
    rows = [
        (True, 1.0, 0, 1.0),
        (True, 1.0, 0, 1.0),
        (True, 1.0, 1, 0.0),
        (False, 0.0, 2, 0.0),
    ]
    for enrolment, (tf, tf_fraction, choice, choice_fraction) in zip(
        quiz.enrolments, rows, strict=True
    ):
        _attempt(
            db,
            quiz,
            "post-test",
            enrolment,
            1,
            tf_fraction + choice_fraction,
            answers=[("tf", tf, tf_fraction), ("pilih", choice, choice_fraction)],
        )
    noise = [("tf", False, 0.0), ("pilih", 2, 1.0)]
    _attempt(db, quiz, "post-test", quiz.enrolments[0], 2, 1.0, status="in_progress", answers=noise)
    _attempt(db, quiz, "post-test", quiz.enrolments[1], 2, 1.0, status="discarded", answers=noise)
    _attempt(db, quiz, "post-test", quiz.enrolments[2], 2, None, answers=noise)
    db.session.commit()
    return quiz.activities["post-test"].id


def test_item_analysis_worked_example(db, quiz, four_attempts):
    stats = item_analysis(four_attempts, {})
    assert stats.attempts == 4
    # Mean of 100, 100, 50, 0 = 62.5.
    assert stats.mean == pytest.approx(62.5)
    # Median of 0, 50, 100, 100: the two middle values 50 and 100 → 75.
    assert stats.median == pytest.approx(75.0)
    # Sample SD: deviations 37.5, 37.5, −12.5, −62.5; squares 1406.25 × 2 + 156.25 + 3906.25
    # = 6875; / (4 − 1) = 2291.67; √ = 47.87 (the population SD would be √(6875 / 4) = 41.46).
    assert stats.stdev == pytest.approx(math.sqrt(6875 / 3))
    tf, pilih = stats.items
    assert (tf.question.key, pilih.question.key) == ("tf", "pilih")
    assert tf.answered == pilih.answered == 4
    # Facility: mean fraction, tf (1 + 1 + 1 + 0) / 4 = 0.75, pilih (1 + 1 + 0 + 0) / 4 = 0.5.
    assert tf.facility == pytest.approx(0.75) and pilih.facility == pytest.approx(0.5)
    # Item variance (sample): tf mean 0.75, squares 3 × 0.0625 + 0.5625 = 0.75, / 3 = 0.25;
    # pilih mean 0.5, squares 4 × 0.25 = 1, / 3 = 1/3.
    assert tf.variance == pytest.approx(0.25) and pilih.variance == pytest.approx(1 / 3)
    # Discrimination = correlation of item score x with total y = (2, 2, 1, 0):
    # tf x = (1, 1, 1, 0): n·Σxy − Σx·Σy = 4·5 − 3·5 = 5; √((4·3 − 9)(4·9 − 25)) = √33;
    # r = 5 / √33 = 0.870. pilih x = (1, 1, 0, 0): 4·4 − 2·5 = 6; √((4·2 − 4)·11) = √44;
    # r = 6 / √44 = 0.905. Stronger participants do better on both: positive.
    assert tf.discrimination == pytest.approx(5 / math.sqrt(33))
    assert pilih.discrimination == pytest.approx(6 / math.sqrt(44))
    # Cronbach's alpha: total variance: y mean 1.25, squares 0.5625 × 2 + 0.0625 + 1.5625
    # = 2.75, / 3 = 11/12; item variances 1/4 + 1/3 = 7/12.
    # alpha = k/(k − 1) · (1 − 7/11) = 2 · 4/11 = 8/11 = 0.727.
    assert stats.alpha == pytest.approx(8 / 11)
    # Picks: tf true 3, false 1; pilih option 0 twice, 1 once, 2 once.
    assert tf.choices == [("true", 3), ("false", 1)]
    assert pilih.choices == [("Perpres 95/2018", 2), ("UU 11/2008", 1), ("PP 71/2019", 1)]


def test_median_of_an_odd_number_of_attempts(db, quiz):
    # Scores 0.5, 2, 1 of 2 → 25, 100, 50 %: sorted 25, 50, 100, median 50.
    activity = quiz.activities["post-test"].id
    for enrolment, score in zip(quiz.enrolments, (0.5, 2.0, 1.0), strict=False):
        _attempt(db, quiz, "post-test", enrolment, 1, score)
    db.session.commit()
    stats = item_analysis(activity, {})
    assert stats.attempts == 3
    assert stats.median == pytest.approx(50.0)
    assert stats.mean == pytest.approx(175 / 3)


def test_a_true_false_answered_false_by_most_counts_false_picks(db, quiz):
    # Three answer false, one true: picks true 1, false 3 (not the other way round).
    activity = quiz.activities["post-test"].id
    for enrolment, answer in zip(quiz.enrolments, (False, False, True, False), strict=True):
        fraction = 1.0 if answer else 0.0
        _attempt(db, quiz, "post-test", enrolment, 1, fraction, answers=[("tf", answer, fraction)])
    db.session.commit()
    (tf,) = item_analysis(activity, {}).items
    assert tf.choices == [("true", 1), ("false", 3)]
    assert tf.facility == pytest.approx(0.25)
    # Only one question was answered: alpha needs two.
    assert item_analysis(activity, {}).alpha is None
