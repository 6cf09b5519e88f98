"""Quiz results, learning gain and item analysis computed in SQL, pinned by worked examples
(issue 18): each number below is computed by hand in the comments, and each test fails when
one rule is weakened. Runs on SQLite and on PostgreSQL (LMS_TEST_DATABASE_URL)."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from courses.models import Activity, Module
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
        question_ids=[quiz.questions[k].id for k in [a[0] for a in answers] or KEYS],
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


def test_learning_gain_follows_positions_and_takes_the_first_tes_akhir(
    db, make_user, make_course, make_cohort, attach
):
    """Three sessions, each: a reading, a Tes Awal, two Tes Akhir. Then reordered: session 2
    comes first, and in session 1 the second Tes Akhir ("akhir-ulang") moves before the first;
    session 3 loses both Tes Akhir (no gain there). Another course has quizzes of its own."""
    people = [make_user("participant") for _ in range(2)]
    cohort = make_cohort("32.11", participants=people)
    quizzes = (
        ("bacaan", "reading"),
        ("awal", "quiz", {"kind": "pre", "questions": KEYS}),
        ("akhir", "quiz", {"kind": "post", "questions": KEYS}),
        ("akhir-ulang", "quiz", {"kind": "post", "questions": KEYS}),
    )
    version = make_course(modules=3, activities=quizzes, questions={1: QUESTIONS})
    make_course(slug="lain", modules=1, activities=quizzes[1:3], questions={1: QUESTIONS})
    attach(cohort, version)
    modules = list(
        db.session.scalars(
            select(Module).where(Module.version_id == version.id).order_by(Module.position)
        )
    )
    ns = type("Course", (), {})
    ns.activities = {
        f"{n}:{a.key}": a
        for n, m in enumerate(modules, start=1)
        for a in db.session.scalars(select(Activity).where(Activity.module_id == m.id))
    }
    ns.questions = {
        q.key: q
        for q in db.session.scalars(select(Question).where(Question.version_id == version.id))
    }
    modules[0].position, modules[1].position = modules[1].position, modules[0].position
    first, second = ns.activities["1:akhir"], ns.activities["1:akhir-ulang"]
    first.position, second.position = second.position, first.position
    db.session.delete(ns.activities["3:akhir"])
    db.session.delete(ns.activities["3:akhir-ulang"])
    me, other = list(
        db.session.scalars(
            select(Enrolment.id).where(Enrolment.cohort_id == cohort.id).order_by(Enrolment.id)
        )
    )
    # Session 1: awal 50 %, akhir-ulang 75 % (now its first Tes Akhir), akhir 100 %.
    # Session 2: awal 0 %, akhir 50 %, akhir-ulang 100 %. Session 3: awal 25 %.
    for activity, score in (
        ("1:awal", 1.0),
        ("1:akhir-ulang", 1.5),
        ("1:akhir", 2.0),
        ("2:awal", 0.0),
        ("2:akhir", 1.0),
        ("2:akhir-ulang", 2.0),
        ("3:awal", 0.5),
    ):
        _attempt(db, ns, activity, me, 1, score)
    # The other participant, not asked for: 100 % everywhere.
    for activity in ("1:awal", "1:akhir-ulang", "2:awal", "2:akhir"):
        _attempt(db, ns, activity, other, 1, 2.0)
    db.session.commit()

    gains = learning_gain(version.id, [me])
    assert [g.module.id for g in gains] == [modules[1].id, modules[0].id]
    two, one = gains
    assert (one.pre_activity.key, one.post_activity.key) == ("awal", "akhir-ulang")
    assert (two.pre_activity.key, two.post_activity.key) == ("awal", "akhir")
    assert (one.pre, one.post) == ({me: 50.0}, {me: 75.0})
    assert (two.pre, two.post) == ({me: 0.0}, {me: 50.0})
    assert one.gain(me) == pytest.approx(0.5)  # (75 − 50) / 50
    assert two.gain(me) == pytest.approx(0.5)  # (50 − 0) / 100
    # Nobody asked for: the sessions, without results.
    assert [(g.pre, g.post) for g in learning_gain(version.id, [])] == [({}, {}), ({}, {})]


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


# --------------------------------------------------------------------------- mixed methods


def test_each_quiz_of_one_statement_keeps_its_own_grading_method(db, quiz):
    """One call, three quizzes, three methods (the SQL CASE picks each quiz's aggregate).
    Me: pre-test 25 %, 75 % (and a first attempt worth 0 points: never counts);
    pre-ulang 50 %, 100 %; post-test 100 %, 50 %. Another participant: post-test 20 %, 100 %;
    pre-ulang 0.5 of 1 point, 50 %.
    """
    me, other = quiz.enrolments[0], quiz.enrolments[1]
    empty = _attempt(db, quiz, "pre-test", me, 1, 0.0)
    empty.max_score = 0.0  # a quiz whose questions were all removed: no percent at all
    _attempt(db, quiz, "pre-test", me, 2, 0.5)
    _attempt(db, quiz, "pre-test", me, 3, 1.5)
    _attempt(db, quiz, "pre-ulang", me, 1, 1.0)
    _attempt(db, quiz, "pre-ulang", me, 2, 2.0)
    _attempt(db, quiz, "post-test", me, 1, 2.0)
    _attempt(db, quiz, "post-test", me, 2, 1.0)
    _attempt(db, quiz, "post-test", other, 1, 0.4)
    _attempt(db, quiz, "post-test", other, 2, 2.0)
    _attempt(db, quiz, "pre-ulang", other, 1, 0.5).max_score = 1.0  # a 1-point quiz: 50 %
    db.session.commit()
    pre, again, post = (quiz.activities[k].id for k in ("pre-test", "pre-ulang", "post-test"))

    def graded(**methods):
        return {
            quiz.activities[key.replace("_", "-")].id: QuizSettings.from_config(
                {"kind": "pre", "questions": KEYS, "grading": method}
            )
            for key, method in methods.items()
        }

    # first: 25 (attempt 2; attempt 1 has no points); average (50 + 100) / 2 = 75;
    # last: mine 50, the other's 100 (each participant ranked apart).
    found = results(graded(pre_test="first", pre_ulang="average", post_test="last"))
    assert found == {
        (me, pre): pytest.approx(25.0),
        (me, again): pytest.approx(75.0),
        (me, post): pytest.approx(50.0),
        (other, again): pytest.approx(50.0),
        (other, post): pytest.approx(100.0),
    }
    # highest beside the others: 75, 100; first: mine 100, the other's 20.
    found = results(graded(pre_test="highest", pre_ulang="highest", post_test="first"))
    assert found == {
        (me, pre): pytest.approx(75.0),
        (me, again): pytest.approx(100.0),
        (me, post): pytest.approx(100.0),
        (other, again): pytest.approx(50.0),
        (other, post): pytest.approx(20.0),
    }
    # Average beside last: mine (100 + 50) / 2 = 75, the other's (20 + 100) / 2 = 60.
    found = results(graded(pre_test="last", post_test="average"), [me, other])
    assert found == {
        (me, pre): pytest.approx(75.0),
        (me, post): pytest.approx(75.0),
        (other, post): pytest.approx(60.0),
    }
    assert results({}) == {}
    assert results(graded(post_test="last"), [other]) == {(other, post): pytest.approx(100.0)}
    # The statement itself has the columns of the activity-type contract, by name.
    from quizzes.analysis import result_query

    rows = db.session.execute(result_query(graded(post_test="last"), [other])).mappings().all()
    assert [dict(r) for r in rows] == [
        {"enrolment_id": other, "activity_id": post, "percent": 100.0, "state": None}
    ]


def test_item_analysis_leaves_out_attempts_worth_no_points(db, quiz):
    # Two attempts of 2 points: both questions wrong (0 %), both right (100 %); a third worth
    # 0 points, both right, must count nowhere.
    activity = quiz.activities["post-test"].id
    wrong = [("tf", False, 0.0), ("pilih", 1, 0.0)]
    right = [("tf", True, 1.0), ("pilih", 0, 1.0)]
    _attempt(db, quiz, "post-test", quiz.enrolments[0], 1, 0.0, answers=wrong)
    _attempt(db, quiz, "post-test", quiz.enrolments[1], 1, 2.0, answers=right)
    _attempt(db, quiz, "post-test", quiz.enrolments[2], 1, 0.0, answers=right).max_score = 0.0
    db.session.commit()
    stats = item_analysis(activity, {})
    assert stats.attempts == 2
    assert stats.mean == pytest.approx(50.0)
    assert stats.median == pytest.approx(50.0)  # two values: their mean
    # Sample SD of 0 and 100: √((50² + 50²) / 1) = 70.71.
    assert stats.stdev == pytest.approx(math.sqrt(5000))
    tf, pilih = stats.items
    assert (tf.answered, tf.facility, pilih.facility) == (2, 0.5, 0.5)
    # Two answers are enough for a variance: x = (0, 1), mean 0.5, (0.25 + 0.25) / 1 = 0.5;
    # and for a correlation with the totals (0, 2): 1.
    assert tf.variance == pytest.approx(0.5) and pilih.variance == pytest.approx(0.5)
    assert tf.discrimination == pytest.approx(1.0)
    assert tf.choices == [("true", 1), ("false", 1)]
    # Totals (0, 2): variance (1 + 1) / 1 = 2; alpha = 2 · (1 − (0.5 + 0.5) / 2) = 1.
    assert stats.alpha == pytest.approx(1.0)


def test_one_attempt_has_a_median_but_no_spread(db, quiz):
    activity = quiz.activities["post-test"].id
    # A quiz worth 1 point, 0.75 scored: 75 %.
    one = _attempt(db, quiz, "post-test", quiz.enrolments[0], 1, 0.75, answers=[("tf", True, 1.0)])
    one.max_score = 1.0
    db.session.commit()
    stats = item_analysis(activity, {})
    assert (stats.attempts, stats.mean, stats.median, stats.stdev) == (1, 75.0, 75.0, None)
    (tf,) = stats.items
    assert (tf.answered, tf.facility, tf.variance, tf.discrimination) == (1, 1.0, None, None)
    empty = item_analysis(quiz.activities["pre-test"].id, {})
    assert (empty.attempts, empty.mean, empty.median, empty.stdev, empty.alpha) == (
        0,
        None,
        None,
        None,
        None,
    )
    assert empty.items == []


def test_an_item_everyone_got_right_does_not_discriminate(db, quiz):
    # tf right by all (x = 1, 1, 1): no spread, no correlation (None, not a division by 0);
    # pilih x = 1, 0, 0 with totals 2, 1, 1: r = (3·2 − 1·4) / √((3·1 − 1)(3·6 − 16)) = 2/2 = 1.
    activity = quiz.activities["post-test"].id
    for enrolment, (choice, fraction) in zip(
        quiz.enrolments, ((0, 1.0), (1, 0.0), (2, 0.0)), strict=False
    ):
        _attempt(
            db,
            quiz,
            "post-test",
            enrolment,
            1,
            1.0 + fraction,
            answers=[("tf", True, 1.0), ("pilih", choice, fraction)],
        )
    db.session.commit()
    tf, pilih = item_analysis(activity, {}).items
    assert tf.discrimination is None and tf.variance == 0.0
    assert pilih.discrimination == pytest.approx(1.0)
    # Item variances 0 and 1/3, total (2, 1, 1) variance 1/3:
    # alpha = 2 · (1 − (1/3) / (1/3)) = 0.
    assert item_analysis(activity, {}).alpha == pytest.approx(0.0)


def test_equal_scores_have_no_spread_and_no_alpha(db, quiz):
    # Two attempts at 50 % each (one question right of two): SD 0, total variance 0, so no
    # alpha (not a division by zero).
    activity = quiz.activities["post-test"].id
    for enrolment, (tf, pilih) in zip(quiz.enrolments, ((1.0, 0.0), (0.0, 1.0)), strict=False):
        _attempt(
            db,
            quiz,
            "post-test",
            enrolment,
            1,
            1.0,
            answers=[("tf", tf == 1.0, tf), ("pilih", 0 if pilih else 1, pilih)],
        )
    db.session.commit()
    stats = item_analysis(activity, {})
    assert (stats.attempts, stats.mean, stats.stdev, stats.alpha) == (2, 50.0, 0.0, None)
    # The items vary (x = 1, 0 and 0, 1) but the totals do not: no correlation either.
    assert [i.discrimination for i in stats.items] == [None, None]


def test_everyone_wrong_has_no_alpha_and_a_blank_answer_no_pick(db, quiz):
    # Two attempts, both questions wrong: every variance is 0, total variance 0: no alpha
    # (not k/(k − 1) = 2). The true/false was left blank (no response stored): no picks.
    activity = quiz.activities["post-test"].id
    for enrolment in quiz.enrolments[:2]:
        _attempt(
            db,
            quiz,
            "post-test",
            enrolment,
            1,
            0.0,
            answers=[("tf", None, 0.0), ("pilih", 1, 0.0)],
        )
    db.session.commit()
    stats = item_analysis(activity, {})
    assert (stats.stdev, stats.alpha) == (0.0, None)
    tf, pilih = stats.items
    assert (tf.facility, tf.variance, pilih.variance) == (0.0, 0.0, 0.0)
    assert tf.choices == [("true", 0), ("false", 0)]
    assert pilih.choices == [("Perpres 95/2018", 0), ("UU 11/2008", 2), ("PP 71/2019", 0)]


def test_two_answers_one_point_apart_correlate_fully(db, quiz):
    # Only tf, right once and wrong once: x = y = (1, 0); n·Σxy − Σx·Σy = 2 − 1 = 1,
    # √((2 − 1)(2 − 1)) = 1: r = 1 (a denominator of exactly 1 is still a correlation).
    activity = quiz.activities["post-test"].id
    for enrolment, right in zip(quiz.enrolments, (True, False), strict=False):
        fraction = 1.0 if right else 0.0
        _attempt(db, quiz, "post-test", enrolment, 1, fraction, answers=[("tf", right, fraction)])
    db.session.commit()
    (tf,) = item_analysis(activity, {}).items
    assert tf.discrimination == pytest.approx(1.0)


def test_item_scores_are_weighted_by_points_and_ungraded_answers_left_out(db, quiz):
    # pilih is worth 2 points: A full marks (2), B half (1): x = (2, 1), variance
    # (0.25 + 0.25) / 1 = 0.5; facility is the mean fraction, 0.75. A third attempt has tf
    # answered but not graded (fraction none): tf has no statistics at all.
    quiz.questions["pilih"].points = 2
    activity = quiz.activities["post-test"].id
    _attempt(db, quiz, "post-test", quiz.enrolments[0], 1, 2.0, answers=[("pilih", 0, 1.0)])
    _attempt(db, quiz, "post-test", quiz.enrolments[1], 1, 1.0, answers=[("pilih", 1, 0.5)])
    _attempt(db, quiz, "post-test", quiz.enrolments[2], 1, 1.0, answers=[("tf", True, None)])
    db.session.commit()
    (pilih,) = item_analysis(activity, {}).items
    assert (pilih.question.key, pilih.answered, pilih.facility) == ("pilih", 2, 0.75)
    assert pilih.variance == pytest.approx(0.5)


def test_items_are_listed_by_session_then_position(db, quiz):
    activity = quiz.activities["post-test"].id
    answers = [("tf", True, 1.0), ("pilih", 0, 1.0)]
    _attempt(db, quiz, "post-test", quiz.enrolments[0], 1, 2.0, answers=answers)
    db.session.commit()
    tf, pilih = quiz.questions["tf"], quiz.questions["pilih"]
    assert [i.question.key for i in item_analysis(activity, {}).items] == ["tf", "pilih"]
    tf.position, pilih.position = pilih.position, tf.position  # same session: by position
    db.session.commit()
    assert [i.question.key for i in item_analysis(activity, {}).items] == ["pilih", "tf"]
    tf.position, pilih.position = pilih.position, tf.position
    tf.module_slug = "02-sesi"  # a later session: after pilih whatever its position
    db.session.commit()
    assert [i.question.key for i in item_analysis(activity, {}).items] == ["pilih", "tf"]


def test_choices_count_listed_options_only(db, quiz):
    # A list answer (as a multiple response stores it) counts each option in it, added to the
    # plain answers of the same option; an index out of range, a negative one or a boolean
    # counts for none. Answers: [0, 2], 3, −1, true, and 0 on a second attempt.
    activity = quiz.activities["post-test"].id
    picks = [[0, 2], 3, -1, True]
    for enrolment, response in zip(quiz.enrolments, picks, strict=True):
        _attempt(db, quiz, "post-test", enrolment, 1, 0.0, answers=[("pilih", response, 0.0)])
    _attempt(db, quiz, "post-test", quiz.enrolments[0], 2, 0.0, answers=[("pilih", 0, 0.0)])
    db.session.commit()
    (pilih,) = item_analysis(activity, {}).items
    assert pilih.choices == [("Perpres 95/2018", 2), ("UU 11/2008", 0), ("PP 71/2019", 1)]


# --------------------------------------------------------------------------- parallel forms


def _item(key: str, *tags: str) -> dict:
    return {**QUESTIONS[1], "key": key, "tags": list(tags)}


FORMS = [
    _item("a2", "ranah-ingat", "tujuan-2"),
    _item("a10", "tujuan-10"),
    _item("ax"),
    _item("b2", "tujuan-2", "ranah-terap"),
    _item("b3", "tujuan-3"),
    _item("b10", "tujuan-10"),
    _item("by"),
]


@pytest.fixture(params=[True, False], ids=["counterbalanced", "plain"])
def forms(request, db, make_user, make_course, make_cohort, attach):
    """Tes Awal a2, a10, ax; Tes Akhir b2, b3, b10, by (tujuan-N tags; ax and by have none).
    Tes Awal answers (right = 1): E0 a2 1, a10 1, ax 0; E1 a2 1, a10 0, ax 0; when
    counterbalanced E2 and E3 took the Tes Akhir's items: E2 b2 0, b3 0, b10 1, by 1;
    E3 b2, b3, b10 all 0.
    Tes Akhir: E0 all four right (4), E1 only b3 (1)."""
    people = [make_user("participant") for _ in range(4)]
    cohort = make_cohort("32.11", participants=people)
    version = make_course(
        modules=1,
        activities=(
            (
                "pre-test",
                "quiz",
                {"kind": "pre", "questions": ["a2", "a10", "ax"], "counterbalance": request.param},
            ),
            ("post-test", "quiz", {"kind": "post", "questions": ["b2", "b3", "b10", "by"]}),
        ),
        questions={1: FORMS},
    )
    attach(cohort, version)
    ns = type("Forms", (), {})
    ns.activities = {
        a.key: a for a in db.session.scalars(select(Activity).where(Activity.type == "quiz"))
    }
    ns.questions = {q.key: q for q in db.session.scalars(select(Question))}
    ns.module = db.session.get(Module, ns.activities["pre-test"].module_id)
    e = list(
        db.session.scalars(
            select(Enrolment.id).where(Enrolment.cohort_id == cohort.id).order_by(Enrolment.id)
        )
    )
    before = [
        (e[0], [("a2", 1.0), ("a10", 1.0), ("ax", 0.0)]),
        (e[1], [("a2", 1.0), ("a10", 0.0), ("ax", 0.0)]),
    ]
    if request.param:
        before += [
            (e[2], [("b2", 0.0), ("b3", 0.0), ("b10", 1.0), ("by", 1.0)]),
            (e[3], [("b2", 0.0), ("b3", 0.0), ("b10", 0.0)]),
        ]
    after = [
        (e[0], [("b2", 1.0), ("b3", 1.0), ("b10", 1.0), ("by", 1.0)]),
        (e[1], [("b2", 0.0), ("b3", 1.0), ("b10", 0.0), ("by", 0.0)]),
    ]
    for activity, rows in (("pre-test", before), ("post-test", after)):
        for enrolment, answers in rows:
            _attempt(
                db,
                ns,
                activity,
                enrolment,
                1,
                sum(f for _k, f in answers),
                answers=[(k, 0, f) for k, f in answers],
            )
    db.session.commit()
    ns.counterbalanced = request.param
    return ns


def test_forms_compared_along_the_blueprint(db, forms):
    from quizzes.analysis import form_comparison, level_of

    found = form_comparison(forms.module, {})
    assert found.pre.activity.key == "pre-test" and found.post.activity.key == "post-test"
    assert [q.key for q in found.pre.questions] == ["a2", "a10", "ax"]
    assert found.pre.objectives == ["tujuan-2", "tujuan-10"]  # 2 before 10, untagged left out
    assert found.post.objectives == ["tujuan-2", "tujuan-3", "tujuan-10"]
    # Facilities. Tes Awal: a2 2/2 = 1, a10 1/2, ax 0/2, mean of its own items 0.5 (the
    # crossed items taken on it, 0, 0 and 0.5, are not the Tes Awal's).
    # Tes Akhir: b2 1/2, b3 2/2, b10 1/2, by 1/2: mean 0.625.
    assert found.pre.mean_facility == pytest.approx(0.5)
    assert found.post.mean_facility == pytest.approx(0.625)
    # Tes Akhir discrimination: totals (4, 1); b2, b10, by x = (1, 0): r = (2·4 − 1·5) /
    # √((2·1 − 1)(2·17 − 25)) = 3 / 3 = 1; b3 x = (1, 1): none. Mean 1.
    assert found.post.mean_discrimination == pytest.approx(1.0)
    # Alpha over four items: variances b2, b10, by (1, 0) → 0.5 each, b3 (1, 1) → 0, sum 1.5;
    # totals (4, 1) → variance 4.5; alpha = 4/3 · (1 − 1.5 / 4.5) = 8/9.
    assert found.post.stats.alpha == pytest.approx(8 / 9)
    # ax, wrong for both: no spread at all.
    assert [i.variance for i in found.pre.stats.items if i.question.key == "ax"] == [0.0]
    # Every answer picked option 0: each item counts its own two picks.
    assert [i.choices[0][1] for i in found.post.stats.items] == [2, 2, 2, 2]
    crossed = {"b2": 0.0, "b3": 0.0, "b10": 0.5} if forms.counterbalanced else {}
    rows = [
        (
            r.objective,
            r.pre and r.pre.key,
            r.post and r.post.key,
            r.pre_facility,
            r.post_facility,
            r.crossed_facility,
        )
        for r in found.rows
    ]
    assert rows == [
        ("tujuan-2", "a2", "b2", 1.0, 0.5, crossed.get("b2")),
        ("tujuan-3", None, "b3", None, 1.0, crossed.get("b3")),
        ("tujuan-10", "a10", "b10", 0.5, 0.5, crossed.get("b10")),
        ("", "ax", None, 0.0, None, None),
        ("", None, "by", None, 0.5, None),
    ]
    assert [level_of(r.pre) for r in found.rows] == ["ranah-ingat", "", "", "", ""]
    assert [level_of(r.post) for r in found.rows] == ["ranah-terap", "", "", "", ""]
    if not forms.counterbalanced:
        assert found.crossover is None
        return
    # Before learning: own items a2 1, a10 0.5, ax 0 (6 answers): 0.5; the Tes Akhir's items
    # taken as a Tes Awal b2 0, b3 0, b10 0.5, by 1 (7 answers): 1.5 / 4 = 0.375.
    # (by, untagged, was taken before learning too, yet its row above shows no Tes Awal figure.)
    c = found.crossover
    assert (c.own_facility, c.own_answers) == (pytest.approx(0.5), 6)
    assert (c.crossed_facility, c.crossed_answers) == (pytest.approx(0.375), 7)
    assert c.difference == pytest.approx(-0.125)
    assert c.verdict == "few"


def test_a_session_needs_both_forms_and_takes_the_first_tes_awal(db, quiz, make_course):
    from quizzes.analysis import form_comparison

    module = db.session.get(Module, quiz.activities["pre-test"].module_id)
    assert form_comparison(module, {}).pre.activity.key == "pre-test"  # not "pre-ulang"
    first, second = quiz.activities["pre-test"], quiz.activities["pre-ulang"]
    first.position, second.position = second.position, first.position
    db.session.commit()
    assert form_comparison(module, {}).pre.activity.key == "pre-ulang"  # now the first
    lone = make_course(
        slug="hanya-awal",
        modules=1,
        activities=(("pre-test", "quiz", {"kind": "pre", "questions": ["tf"]}),),
        questions={1: [QUESTIONS[0]]},
    )
    only = db.session.scalar(select(Activity).join(Module).where(Module.version_id == lone.id))
    assert form_comparison(db.session.get(Module, only.module_id), {}) is None


def test_crossover_figures_by_hand():
    from quizzes.analysis import Crossover

    # Tes Awal 0.5 over 25 answers, Tes Akhir 0.8 over 16: difference +0.3;
    # SE = √(0.5·0.5/25 + 0.8·0.2/16) = √(0.01 + 0.01) = 0.1414; 0.3 > 2 × 0.1414: differ.
    c = Crossover(0.5, 25, 0.8, 16)
    assert c.difference == pytest.approx(0.3)
    assert c.standard_error == pytest.approx(math.sqrt(0.02))
    assert c.verdict == "few"  # 16 answers < 20
    assert Crossover(0.5, 25, 0.8, 20).verdict == "differ"  # SE √(0.01 + 0.008) = 0.134
    # The other way round: −0.3, same verdict.
    assert Crossover(0.8, 20, 0.5, 25).verdict == "differ"
    # 0.5 over 25 against 0.7 over 21: 0.2 beyond the tolerance, but SE √(0.01 + 0.01) =
    # 0.1414 and 0.2 < 0.283: chance could explain it.
    assert Crossover(0.5, 25, 0.7, 21).verdict == "unclear"
    # Exactly the tolerance (0 against 0.1): comparable; just beyond: not.
    assert Crossover(0.0, 20, 0.1, 20).verdict == "comparable"
    assert Crossover(0.0, 400, 0.125, 400).verdict == "differ"  # SE 0.0165
    # 20 answers per form are enough; 19 in either form are not.
    assert Crossover(0.6, 20, 0.65, 20).verdict == "comparable"
    assert Crossover(0.6, 19, 0.65, 400).verdict == "few"
    assert Crossover(0.6, 400, 0.65, 19).verdict == "few"
    # Nothing to compare.
    assert Crossover(None, 0, 0.6, 40).difference is None
    assert Crossover(0.6, 40, None, 0).standard_error is None
    assert Crossover(0.6, 0, 0.6, 40).standard_error is None
    assert Crossover(0.6, 40, 0.6, 0).standard_error is None
    assert Crossover(0.6, 40, None, 0).verdict == "few"


@pytest.mark.parametrize("tagged", ["pre", "post"])
def test_drawn_forms_take_their_items_by_tag_or_session(
    db, make_user, make_course, make_cohort, attach, tagged
):
    """One form draws from the tag "awal", the other from its session (no draw_tag: the
    session's slug, 01-sesi): their items are the bank's questions of that tag or session, in
    bank order (session, then position: q2 and q3 are swapped). A reading sits between."""
    from quizzes.analysis import form_comparison

    by_tag = {"draw": 1, "draw_tag": "awal"}
    by_session = {"draw": 2}
    people = [make_user("participant")]
    cohort = make_cohort("32.11", participants=people)
    version = make_course(
        modules=2,
        activities=(
            ("pre-test", "quiz", {"kind": "pre", **(by_tag if tagged == "pre" else by_session)}),
            ("bacaan", "reading"),
            ("post-test", "quiz", {"kind": "post", **(by_session if tagged == "pre" else by_tag)}),
        ),
        questions={
            1: [_item("q1", "awal", "tujuan-1"), _item("q2", "tujuan-1"), _item("q3")],
            2: [_item("r1", "awal", "tujuan-5"), _item("r2", "01-sesi"), _item("r3")],
        },
    )
    attach(cohort, version)
    module = db.session.scalar(
        select(Module).where(Module.version_id == version.id).order_by(Module.position)
    )
    ns = type("Course", (), {})
    ns.questions = {
        q.key: q
        for q in db.session.scalars(select(Question).where(Question.version_id == version.id))
    }
    ns.activities = {
        a.key: a
        for a in db.session.scalars(select(Activity).where(Activity.module_id == module.id))
    }
    q2, q3 = ns.questions["q2"], ns.questions["q3"]
    q2.position, q3.position = q3.position, q2.position
    # One Tes Awal and one Tes Akhir, q1 (in both forms) right each time.
    enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.cohort_id == cohort.id))
    _attempt(db, ns, "pre-test", enrolment, 1, 1.0, answers=[("q1", 0, 1.0)])
    _attempt(db, ns, "post-test", enrolment, 1, 1.0, answers=[("q1", 0, 1.0)])
    db.session.commit()

    found = form_comparison(module, {})
    assert found.module.id == module.id
    drawn = {"tag": ["q1", "r1"], "session": ["q1", "q3", "q2", "r2"]}
    pre, post = ("tag", "session") if tagged == "pre" else ("session", "tag")
    assert [q.key for q in found.pre.questions] == drawn[pre]
    assert [q.key for q in found.post.questions] == drawn[post]
    # tujuan-5 is only in the "awal" form: its row has no item on the other side.
    rows = {r.objective: r for r in found.rows}
    assert sorted(rows) == ["", "tujuan-1", "tujuan-5"]
    side = rows["tujuan-5"]
    assert (side.pre and side.pre.key, side.post and side.post.key) == (
        ("r1", None) if tagged == "pre" else (None, "r1")
    )
    # q1 is in both forms, but the session is not counterbalanced: no crossed figure.
    assert (rows["tujuan-1"].pre.key, rows["tujuan-1"].post.key) == ("q1", "q1")
    assert rows["tujuan-1"].crossed_facility is None
    assert (rows["tujuan-1"].pre_facility, rows["tujuan-1"].post_facility) == (1.0, 1.0)


def test_an_item_spread_of_a_rounding_speck_does_not_discriminate(db, quiz):
    # A spread at the size of floating-point noise is no spread: an item scored 0 and 1e-12
    # (x = fraction × 1 point) by attempts totalling 0 and 1. n·Σx² − (Σx)² = 2·1e-24 − 1e-24
    # = 1e-24, n·Σy² − (Σy)² = 2 − 1 = 1: the denominator √(1e-24 · 1) is exactly 1e-12, the
    # bound itself, so no correlation (not (2·1e-12 − 1e-12·1) / 1e-12 = 1).
    activity = quiz.activities["post-test"].id
    for enrolment, (fraction, total) in zip(
        quiz.enrolments, ((0.0, 0.0), (1e-12, 1.0)), strict=False
    ):
        _attempt(db, quiz, "post-test", enrolment, 1, total, answers=[("tf", True, fraction)])
    db.session.commit()
    (tf,) = item_analysis(activity, {}).items
    assert tf.discrimination is None


def test_totals_a_rounding_speck_apart_have_no_alpha(db, quiz):
    # Four attempts totalling 0, 0, 0 and 2e-6, both items wrong each time (item variances
    # 0 and 0, k = 2). Total variance: (Σy² − (Σy)²/n) / (n − 1) = (4e-12 − 4e-12/4) / 3
    # = 1e-12 exactly, the bound itself: no alpha (not 2/1 · (1 − 0 / 1e-12) = 2).
    activity = quiz.activities["post-test"].id
    for enrolment, total in zip(quiz.enrolments, (0.0, 0.0, 0.0, 2e-6), strict=True):
        _attempt(
            db,
            quiz,
            "post-test",
            enrolment,
            1,
            total,
            answers=[("tf", False, 0.0), ("pilih", 1, 0.0)],
        )
    db.session.commit()
    stats = item_analysis(activity, {})
    assert [i.variance for i in stats.items] == [0.0, 0.0]
    assert stats.alpha is None


@pytest.mark.parametrize("forms", [True], indirect=True, ids=["counterbalanced"])
def test_an_untagged_tes_awal_item_taken_as_a_tes_akhir_shows_only_its_tes_awal_figure(db, forms):
    # Counterbalanced, the second half takes the Tes Awal's items as their Tes Akhir: E2
    # answers a2, a10 and ax (all right) in a Tes Akhir attempt. The untagged ax row is a Tes
    # Awal row: its Tes Akhir column stays empty (not ax's Tes Akhir facility 1/1 = 1), and
    # its Tes Awal figure stays 0/2 = 0.
    from quizzes.analysis import form_comparison

    # Only a counterbalanced Tes Akhir carries the Tes Awal's items: that fixture only.
    e2 = list(
        db.session.scalars(
            select(QuizAttempt.enrolment_id)
            .where(QuizAttempt.activity_id == forms.activities["pre-test"].id)
            .order_by(QuizAttempt.enrolment_id)
        )
    )[2]
    _attempt(
        db,
        forms,
        "post-test",
        e2,
        1,
        3.0,
        answers=[("a2", 0, 1.0), ("a10", 0, 1.0), ("ax", 0, 1.0)],
    )
    db.session.commit()
    found = form_comparison(forms.module, {})
    ax = [r for r in found.rows if r.pre is not None and r.pre.key == "ax"]
    assert [(r.objective, r.post, r.pre_facility, r.post_facility) for r in ax] == [
        ("", None, 0.0, None)
    ]
