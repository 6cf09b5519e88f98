"""bench/generate.py: a tiny dataset, consistent with the engine's rules and deterministic."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, text

from assignments.models import Review, Submission
from bench import DOMAIN, participant_email, participant_pages
from bench.generate import BenchError, generate
from courses.models import Activity, ActivityCompletion
from discussions.models import Thread
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from quizzes.models import Question, QuizAttempt, QuizResponse
from tests.conftest import KEEP_TABLES


def _quiet(_line: str) -> None:
    pass


def _tiny(seed: int = 7):
    from lms.extensions import db

    summary = generate(2, 3, attempts=1, seed=seed, echo=_quiet)
    db.session.commit()
    return summary


def _snapshot(db) -> tuple[list[tuple[str, str]], list[tuple]]:
    """Accounts and every attempt with its score, independent of row ids."""
    users = [(u.email, u.name) for u in db.session.scalars(select(User).order_by(User.email))]
    keys = dict(db.session.execute(select(Question.id, Question.key)).all())
    attempts = db.session.execute(
        select(User.email, Activity.key, QuizAttempt.number, QuizAttempt.score, QuizAttempt)
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .join(Activity, Activity.id == QuizAttempt.activity_id)
        .order_by(User.email, QuizAttempt.activity_id, QuizAttempt.number)
    ).all()
    return users, [
        (email, key, number, score, tuple(keys[i] for i in attempt.question_ids))
        for email, key, number, score, attempt in attempts
    ]


def _empty(db) -> None:
    """What the `db` fixture does after a test, to generate a second time in one test."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def test_counts_consistency_and_login(db, client):
    summary = _tiny()
    counts = summary.counts
    assert counts["cohort"] == 2
    assert counts["user_account"] == 1 + 1 + 2 + 6  # admin, mentor, coordinators, participants
    assert counts["enrolment"] == 6
    assert counts["meeting"] == 2 * 11  # every session of the shipped course has a meeting
    assert counts["quiz_attempt"] > 0 and counts["quiz_response"] > 0
    assert counts["submission"] > 0 and counts["review"] > 0
    roles = Counter(db.session.scalars(select(User.role)))
    assert roles == {"admin": 1, "mentor": 1, "coordinator": 2, "participant": 6}
    assert all(e.endswith("@" + DOMAIN) for e in db.session.scalars(select(User.email)))
    assert db.session.scalar(select(Cohort.course_version_id).limit(1)) is not None

    # Scores are the sum of the answers' fractions times points; one attempt per quiz.
    points = dict(db.session.execute(select(Question.id, Question.points)).all())
    totals: Counter[int] = Counter()
    for row in db.session.execute(
        select(QuizResponse.attempt_id, QuizResponse.question_id, QuizResponse.fraction)
    ):
        totals[row.attempt_id] += row.fraction * points[row.question_id]
    for attempt in db.session.scalars(select(QuizAttempt)):
        assert attempt.number == 1 and attempt.status == "submitted"
        assert attempt.score == pytest.approx(totals[attempt.id], abs=1e-4)  # rounded as graded
        assert 0 <= attempt.score <= attempt.max_score
    # At most one review per submission, one completion per activity and enrolment.
    assert db.session.scalar(select(Review.id).limit(1)) is not None
    reviewed = list(db.session.scalars(select(Review.submission_id)))
    assert len(reviewed) == len(set(reviewed))
    assert set(reviewed) <= set(db.session.scalars(select(Submission.id)))
    pairs = db.session.execute(
        select(ActivityCompletion.enrolment_id, ActivityCompletion.activity_id)
    ).all()
    assert len(pairs) == len(set(pairs))

    response = client.post_form(
        "/login",
        {"email": participant_email(summary.region_codes[0], 1), "password": summary.password},
    )
    assert response.status_code == 302
    page = client.get("/home")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('data-testid="enrolment"') == 1

    # Each held session's Q&A has answered questions; the participant's workload finds the
    # Q&A, a thread and posts a reply (CSRF token from the thread page): ~15 % of its weight.
    assert counts["discussion_thread"] > 0
    assert counts["discussion_post"] == 3 * counts["discussion_thread"]

    def get(path):
        response = client.get(path, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    pages = participant_pages(get)
    discussion = [p for p in pages if "discussions" in p.name]
    assert len(discussion) == 3
    share = sum(p.weight for p in discussion) / sum(p.weight for p in pages)
    assert 0.12 <= share <= 0.18
    for page in discussion:
        if page.method == "GET":
            assert client.get(page.path).status_code == 200
        else:
            assert client.post(page.path, data=dict(page.data)).status_code == 302
    thread_id = int(discussion[1].path.rsplit("/", 1)[1])
    assert db.session.scalar(select(Thread.reply_count).where(Thread.id == thread_id)) == 3


def test_same_seed_same_data_and_no_second_run(db):
    _tiny(seed=3)
    first = _snapshot(db)
    with pytest.raises(BenchError, match="fresh database"):
        generate(2, 3, attempts=1, seed=3, echo=_quiet)
    db.session.rollback()
    _empty(db)
    _tiny(seed=3)
    assert _snapshot(db) == first
    assert first[1], "attempts were generated"
