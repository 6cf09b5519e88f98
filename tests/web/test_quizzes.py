"""Taking quizzes through the web: idempotent start, autosave, stale forms, server
deadlines, grading, review policy, essays, completion, learning gain, corrections,
item analysis and who may see which attempt."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from lms.cohorts.models import Cohort, Enrolment
from quizzes.models import Question, QuizAttempt, QuizAudit, QuizResponse

SECRET = "RAHASIA-KUNCI"

# One question of every built-in type; every right answer and feedback carries SECRET so
# a test can tell whether any of it leaked into the attempt page.
ALL_TYPES = [
    {
        "key": "pilihan",
        "type": "single_choice",
        "config": {
            "options": [
                {"text": "Perpres 95/2018", "fraction": 1.0, "feedback": f"{SECRET} benar"},
                {"text": "Perpres 39/2019", "fraction": 0.0, "feedback": f"{SECRET} salah"},
            ]
        },
    },
    {
        "key": "jamak",
        "type": "multiple_response",
        "config": {
            "options": [
                {"text": "Efektivitas", "correct": True, "feedback": f"{SECRET} a"},
                {"text": "Keamanan", "correct": True, "feedback": f"{SECRET} b"},
                {"text": "Sentralisasi", "correct": False, "feedback": f"{SECRET} c"},
            ],
            "penalty": True,
        },
    },
    {
        "key": "benar-salah",
        "type": "true_false",
        "config": {"answer": True, "feedback_true": f"{SECRET} t", "feedback_false": f"{SECRET} f"},
    },
    {
        "key": "isian",
        "type": "short_answer",
        "config": {"answers": [{"text": f"{SECRET}-jawaban", "fraction": 1.0}]},
    },
    {
        "key": "angka",
        "type": "numeric",
        "config": {"answers": [{"value": 47, "tolerance": 0, "fraction": 1.0, "feedback": SECRET}]},
    },
    {
        "key": "jodohkan",
        "type": "matching",
        "config": {
            "pairs": [
                {"prompt": "Arsitektur", "answer": "Perpres 132/2022"},
                {"prompt": "Satu Data", "answer": "Perpres 39/2019"},
            ]
        },
    },
    {
        "key": "urutkan",
        "type": "ordering",
        "config": {"items": ["Identifikasi", "Analisis", "Evaluasi"]},
    },
    {"key": "esai", "type": "essay", "config": {}},
    {"key": "keterangan", "type": "description", "config": {}},
]


def _choice(key: str, right: str = "Benar", wrong: str = "Salah") -> dict:
    return {
        "key": key,
        "type": "single_choice",
        "config": {
            "shuffle": False,
            "options": [
                {"text": right, "fraction": 1.0, "feedback": "Tepat."},
                {"text": wrong, "fraction": 0.0, "feedback": "Belum tepat."},
            ],
        },
    }


def _quiz_course(make_course, questions, slug="kursus-uji", **settings):
    quiz = {"kind": "post", "questions": [q["key"] for q in questions], **settings}
    return make_course(
        slug=slug,
        modules=1,
        activities=(("bacaan", "reading"), ("kuis", "quiz", quiz)),
        questions={1: questions},
    )


def _setup(db, make_user, make_cohort, make_course, attach, questions, **settings):
    participant = make_user("participant")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    version = _quiz_course(make_course, questions, **settings)
    attach(cohort, version)
    activity = db.session.scalar(
        select(Activity)
        .join(Module, Module.id == Activity.module_id)
        .where(Activity.type == "quiz", Module.version_id == version.id)
    )
    return participant, mentor, cohort, activity


def _start(client, cohort, activity):
    response = client.post_form(f"/learn/{cohort.id}/quizzes/{activity.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def _tokens(html: str, name: str) -> dict[str, str]:
    """{visible label text: token} of the radio/checkbox inputs named `name`."""
    found = {}
    for match in re.finditer(
        rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"[^>]*>\s*([^<]+)<', html
    ):
        found[match.group(2).strip()] = match.group(1)
    return found


def _revision(html: str) -> str:
    return re.search(r'name="revision" value="(\d+)"', html).group(1)


def test_the_attempt_page_never_shows_answers_for_any_built_in_type(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, ALL_TYPES
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    html = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    assert html.count('data-testid="question"') == len(ALL_TYPES)
    assert SECRET not in html
    for leak in ("fraction", "correct", "data-correct", "tolerance", "feedback_true"):
        assert leak not in html, leak


def test_starting_twice_gives_one_attempt_and_the_limit_holds(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a")], attempts=1
    )
    login(participant)
    first = _start(client, cohort, activity)
    assert _start(client, cohort, activity) == first  # a double click: the same attempt
    page = client.get(f"/learn/{cohort.id}/attempts/{first}").get_data(as_text=True)
    client.post_form(f"/learn/{cohort.id}/attempts/{first}/submit", {"revision": _revision(page)})
    response = client.post_form(
        f"/learn/{cohort.id}/quizzes/{activity.id}/start", follow_redirects=True
    )
    assert "semua kesempatan" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_answers_are_autosaved_and_a_stale_tab_is_told(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a")]
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    tokens = _tokens(page, "q1")
    old = _revision(page)
    saved = client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/save",
        {"revision": old, "q1": tokens["Salah"]},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.status_code == 200 and saved.json["ok"]
    assert saved.json["revision"] == int(old) + 1
    assert db.session.scalar(select(QuizResponse.response)) == 1
    # The page reopened (a closed tab) shows the saved answer.
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'value="{tokens["Salah"]}"[^>]*checked', page)
    # A second tab still holding the old revision is refused, not silently applied.
    stale = client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/save",
        {"revision": old, "q1": tokens["Benar"]},
        headers={"X-Requested-With": "fetch"},
    )
    assert stale.status_code == 409 and "tab" in stale.json["message"]
    assert db.session.scalar(select(QuizResponse.response)) == 1


def test_submit_grades_once_and_a_replay_changes_nothing(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a"), _choice("b")]
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    form = {
        "revision": _revision(page),
        "q1": _tokens(page, "q1")["Benar"],
        "q2": _tokens(page, "q2")["Salah"],
    }
    url = f"/learn/{cohort.id}/attempts/{attempt_id}/submit"
    assert client.post_form(url, form).status_code == 302
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert (attempt.status, attempt.score, attempt.max_score) == ("submitted", 1.0, 2.0)
    replay = client.post_form(url, {**form, "q2": _tokens(page, "q2")["Benar"]})
    assert replay.status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).score == 1.0
    review = client.get(replay.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "sudah dikumpulkan" in review.lower()
    assert "50%" in review


def _expire(db, attempt_id: int, minutes_ago: int) -> None:
    past = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt_id).values(deadline_at=past)
    )
    db.session.commit()


def test_the_server_deadline_wins_over_the_browser(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a")], time_limit_minutes=10
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-testid="time-left"' in page
    tokens = _tokens(page, "q1")
    client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/save",
        {"revision": _revision(page), "q1": tokens["Salah"]},
    )
    _expire(db, attempt_id, minutes_ago=5)
    # Too late: the answer sent now is not taken; the saved one is graded.
    client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/submit",
        {"revision": str(int(_revision(page)) + 1), "q1": tokens["Benar"]},
    )
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "submitted" and attempt.score == 0.0


def test_overdue_attempts_are_discarded_or_closed_by_the_command(
    app, db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        [_choice("a")],
        time_limit_minutes=5,
        on_timeout="discard",
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    _expire(db, attempt_id, minutes_ago=2)
    result = app.test_cli_runner().invoke(args=["quizzes", "close-overdue"])
    assert result.exit_code == 0 and "Closed 1" in result.output
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).status == "discarded"


def test_review_shows_right_answers_only_after_the_quiz_closes(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        [_choice("a", right="Jawaban-Kunci")],
        review_answers="after_close",
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/submit", {"revision": _revision(page)}
    )
    review = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'data-testid="right-answer"' not in review
    from quizzes import services

    services.set_window(
        db.session.get(Cohort, cohort.id),
        db.session.scalar(select(Module)),
        db.session.get(Activity, activity.id),
        None,
        datetime.now(UTC) - timedelta(minutes=1),
    )
    db.session.commit()
    review = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'data-testid="right-answer"' in review and "Jawaban-Kunci" in review


def test_essays_wait_for_the_mentor_then_count(
    db, client, login, make_user, make_cohort, make_course, attach
):
    essay = {"key": "esai", "type": "essay", "points": 4, "config": {}}
    participant, mentor, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a"), essay], pass_percent=50
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/submit",
        {"revision": _revision(page), "q2": "Tim koordinasi dibentuk dengan SK bupati."},
    )
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.needs_grading and attempt.score is None
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 0
    client.post_form("/logout")

    other_mentor = make_user("mentor")
    make_cohort("32.11", mentors=[other_mentor])
    login(other_mentor)
    assert client.get(f"/cohorts/{cohort.id}/quiz-grading").status_code == 403
    client.post_form("/logout")

    login(mentor)
    queue = client.get(f"/cohorts/{cohort.id}/quiz-grading").get_data(as_text=True)
    assert queue.count('data-testid="grading-row"') == 1
    url = f"/cohorts/{cohort.id}/attempts/{attempt_id}/grade"
    assert "SK bupati" in client.get(url).get_data(as_text=True)
    bad = client.post_form(url, {"points-2": "9", "comment-2": "x"})
    assert bad.status_code == 422 and 'data-testid="error-points-2"' in bad.get_data(as_text=True)
    assert client.post_form(url, {"points-2": "3", "comment-2": "Bagus."}).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert not attempt.needs_grading and attempt.score == 3.0 and attempt.max_score == 5.0
    completions = db.session.scalars(select(ActivityCompletion.source)).all()
    assert completions == ["quiz"]  # 3 + 0 of 5 points = 60% ≥ pass mark 50%


def test_a_participant_cannot_open_another_participants_attempt(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a")]
    )
    classmate = make_user("participant")
    from lms.cohorts.models import Enrolment

    db.session.add(Enrolment(cohort_id=cohort.id, user_id=classmate.id))
    db.session.commit()
    login(participant)
    attempt_id = _start(client, cohort, activity)
    client.post_form("/logout")
    login(classmate)
    for path in ("", "/review"):
        assert client.get(f"/learn/{cohort.id}/attempts/{attempt_id}{path}").status_code == 403
    assert client.post_form(f"/learn/{cohort.id}/attempts/{attempt_id}/save").status_code == 403
    assert client.post_form(f"/learn/{cohort.id}/attempts/{attempt_id}/submit").status_code == 403
    client.post_form("/logout")
    outsider = make_user("participant")
    other = make_cohort("32.11", participants=[outsider])
    login(outsider)
    assert client.get(f"/learn/{other.id}/attempts/{attempt_id}").status_code == 404


def _take(client, cohort, activity, right: int, total: int) -> None:
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    form = {"revision": _revision(page)}
    for slot in range(1, total + 1):
        form[f"q{slot}"] = _tokens(page, f"q{slot}")["Benar" if slot <= right else "Salah"]
    client.post_form(f"/learn/{cohort.id}/attempts/{attempt_id}/submit", form)


def test_learning_gain_from_pre_and_post_tests(
    db, client, login, make_user, make_cohort, make_course, attach
):
    questions = [_choice(f"s{i}") for i in range(4)]
    keys = [q["key"] for q in questions]
    participant = make_user("participant")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    version = make_course(
        modules=1,
        activities=(
            ("pre-test", "quiz", {"kind": "pre", "questions": keys}),
            ("bacaan", "reading"),
            ("post-test", "quiz", {"kind": "post", "questions": keys}),
        ),
        questions={1: questions},
    )
    attach(cohort, version)
    pre, post = db.session.scalars(
        select(Activity).where(Activity.type == "quiz").order_by(Activity.position)
    ).all()
    login(participant)
    _take(client, cohort, pre, right=2, total=4)  # 50%
    _take(client, cohort, post, right=3, total=4)  # 75%: gain (75-50)/(100-50) = 0.50
    plan = client.get(f"/learn/{cohort.id}").get_data(as_text=True)
    mine = plan.split('data-testid="my-gain"', 1)[1].split("</table>", 1)[0]
    assert "50%" in mine and "75%" in mine and "0,50" in mine  # Indonesian decimal comma
    client.post_form("/logout")
    login(mentor)
    page = client.get(f"/cohorts/{cohort.id}/learning-gain").get_data(as_text=True)
    assert "0,50" in page


def test_correcting_a_question_regrades_and_is_audited(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a")]
    )
    login(participant)
    _take(client, cohort, activity, right=0, total=1)  # picked "Salah": 0%
    client.post_form("/logout")
    admin = make_user("admin")
    login(admin)
    question = db.session.scalar(select(Question))
    version_id = question.version_id
    course_id = db.session.scalar(
        select(CourseVersion.course_id).where(CourseVersion.id == version_id)
    )
    url = f"/admin/courses/{course_id}/versions/{version_id}/questions/{question.id}/fix"
    assert client.get(url).status_code == 200
    fixed = (
        'shuffle = false\n\n[[options]]\nfeedback = ""\nfraction = 1.0\ntext = "Benar"\n\n'
        '[[options]]\nfeedback = ""\nfraction = 1.0\ntext = "Salah"\n'
    )
    bad = client.post_form(url, {"config": fixed, "reason": "kunci ganda"})
    assert bad.status_code == 422  # two right answers: refused by the question type
    fixed = fixed.replace('fraction = 1.0\ntext = "Benar"', 'fraction = 0.0\ntext = "Benar"')
    response = client.post_form(url, {"config": fixed, "reason": "kunci jawaban tertukar"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.scalar(select(QuizAttempt.score)) == 1.0
    audit = db.session.scalar(select(QuizAudit))
    assert audit.actor_id == admin.id and audit.details["reason"] == "kunci jawaban tertukar"
    assert audit.details["attempts"][0]["from"] == 0.0
    from lms.audit.models import AuditEvent

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "question.fix"))
    assert event.actor_id == admin.id and event.object_id == str(question.id)
    assert event.after["reason"] == "kunci jawaban tertukar"
    assert event.before["config"] != event.after["config"]


def test_item_analysis_and_its_csv(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    questions = [_choice("mudah"), _choice("sulit")]
    people = [make_user("participant") for _ in range(4)]
    cohort = make_cohort("32.11", participants=people)
    version = _quiz_course(make_course, questions, attempts=0)
    attach(cohort, version)
    activity = db.session.scalar(select(Activity).where(Activity.type == "quiz"))
    for person, right in zip(people, (2, 2, 1, 0), strict=True):
        login(person)
        _take(client, cohort, activity, right=right, total=2)
        client.post_form("/logout")
    login(make_user("admin"))
    url = f"/admin/courses/{version.course_id}/quizzes/{activity.id}/analysis"
    with count_queries() as counted:
        page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-testid="item-row"') == 2
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").data.decode("utf-8-sig"))))
    stats = {row[0]: row[1] for row in rows if len(row) == 2}
    assert stats["attempts"] == "4" and stats["mean_percent"] == "62.50"
    items = {row[0]: row for row in rows if len(row) == 7 and row[0] != "question_key"}
    assert items["mudah"][4] == "0.750" and items["sulit"][4] == "0.500"
    assert "Benar: 3" in items["mudah"][6]
    # More attempts, same statements.
    client.post_form("/logout")
    for person in people[:2]:
        login(person)
        _take(client, cohort, activity, right=1, total=2)
        client.post_form("/logout")
    login(make_user("admin"))
    with count_queries() as again:
        client.get(url)
    assert again.n == counted.n


def test_attempt_page_and_submit_statements_do_not_grow_with_questions(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    counts = []
    for size in (2, 20):
        participant, _, cohort, activity = _setup(
            db,
            make_user,
            make_cohort,
            make_course,
            attach,
            [_choice(f"n{size}-{i}") for i in range(size)],
            slug=f"ukuran-{size}",
        )
        login(participant)
        attempt_id = _start(client, cohort, activity)
        with count_queries() as page_count:
            page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
        form = {"revision": _revision(page)}
        form.update({f"q{i}": _tokens(page, f"q{i}")["Benar"] for i in range(1, size + 1)})
        with count_queries() as submit_count:
            client.post_form(f"/learn/{cohort.id}/attempts/{attempt_id}/submit", form)
        counts.append((page_count.n, submit_count.n))
        client.post_form("/logout")
        db.session.expire_all()
        assert db.session.get(QuizAttempt, attempt_id).score == size
    assert counts[0][0] == counts[1][0]
    assert counts[0][1] == counts[1][1]


def test_a_cohort_can_get_its_own_quiz_times(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a")]
    )
    login(make_user("coordinator", region="32.11"))
    prefix = f"w{activity.id}"
    bad = client.post_form(
        f"/cohorts/{cohort.id}/quizzes",
        {
            "activity": str(activity.id),
            f"{prefix}-opens_at": "2026-12-10T08:00",
            f"{prefix}-closes_at": "2026-12-09T08:00",
        },
    )
    assert bad.status_code == 422
    closed = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post_form(
        f"/cohorts/{cohort.id}/quizzes",
        {"activity": str(activity.id), f"{prefix}-closes_at": closed},
    )
    assert ok.status_code == 302
    client.post_form("/logout")
    login(participant)
    page = client.get(f"/learn/{cohort.id}/quizzes/{activity.id}").get_data(as_text=True)
    assert 'data-testid="start-attempt"' not in page
    client.post_form(f"/learn/{cohort.id}/quizzes/{activity.id}/start")
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


def test_a_participant_registered_in_another_region_can_still_take_the_quiz(
    db, client, login, make_user, make_cohort, make_course, attach
):
    """The cohort's time zone comes from the cohort's region, not the participant's."""
    participant = make_user("participant", region="32.11")
    cohort = make_cohort("73.71", participants=[participant])
    attach(cohort, _quiz_course(make_course, [_choice("a")]))
    activity = db.session.scalar(select(Activity).where(Activity.type == "quiz"))
    login(participant)
    assert client.get(f"/learn/{cohort.id}/quizzes/{activity.id}").status_code == 200
    attempt_id = _start(client, cohort, activity)
    assert client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").status_code == 200


# --------------------------------------------------------------------------- summary (issue 19)


def _summary_counts(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries, n
):
    participant, _, cohort, activity = _setup(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        [_choice(f"s{i}") for i in range(n)],
        slug=f"kuis-{n}",
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    base = f"/learn/{cohort.id}/attempts/{attempt_id}"
    page = client.get(base).get_data(as_text=True)
    form = {"revision": _revision(page), "q1": _tokens(page, "q1")["Benar"], "flag": ["2"]}
    response = client.post_form(f"{base}/summary", form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/summary")
    with count_queries() as counted:
        summary = client.get(f"{base}/summary")
    html = summary.get_data(as_text=True)
    assert summary.status_code == 200
    assert html.count('data-answered="no"') == n - 1
    assert 'data-slot="2" data-answered="no" data-flagged="yes"' in html
    # Confirmed from the summary: what was saved is graded, nothing else is read from the form.
    response = client.post_form(f"{base}/submit", {"revision": _revision(html), "confirmed": "yes"})
    assert response.headers["Location"].endswith("/review")
    review = client.get(f"{base}/review").get_data(as_text=True)
    assert re.search(rf"\b1\b\D+\b{n}\b", review.split('data-testid="attempt-score"', 1)[1][:200])
    client.post_form("/logout")
    return counted.n


def test_the_summary_lists_unanswered_and_flagged_in_bounded_statements(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    args = (db, client, login, make_user, make_cohort, make_course, attach, count_queries)
    small = _summary_counts(*args, 2)
    large = _summary_counts(*args, 8)
    assert small == large


def _tagged(key: str, objective: int, level: str) -> dict:
    return {**_choice(key), "tags": [f"tujuan-{objective}", f"ranah-{level}"]}


def test_tes_awal_and_tes_akhir_compared_along_the_blueprint(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    pre = [_tagged("awal-1", 1, "ingat"), _tagged("awal-2", 2, "terap")]
    post = [_tagged("akhir-1", 1, "ingat"), _tagged("akhir-2", 2, "ingat")]  # level differs
    people = [make_user("participant") for _ in range(4)]
    cohort = make_cohort("32.11", participants=people)
    version = make_course(
        modules=1,
        activities=(
            ("pre-test", "quiz", {"kind": "pre", "attempts": 0, "questions": ["awal-1", "awal-2"]}),
            ("bacaan", "reading"),
            ("post", "quiz", {"kind": "post", "attempts": 0, "questions": ["akhir-1", "akhir-2"]}),
        ),
        questions={1: pre + post},
    )
    attach(cohort, version)
    first, second = db.session.scalars(
        select(Activity).where(Activity.type == "quiz").order_by(Activity.position)
    ).all()
    module_id = first.module_id

    def take(rounds):
        for person, (before, after) in zip(people, rounds, strict=False):
            login(person)
            _take(client, cohort, first, right=before, total=2)
            _take(client, cohort, second, right=after, total=2)
            client.post_form("/logout")

    take([(2, 2), (2, 2), (1, 2), (0, 1)])
    admin = make_user("admin")
    login(admin)
    url = f"/admin/courses/{version.course_id}/modules/{module_id}/forms"
    with count_queries() as counted:
        page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    def cells(testid):
        row = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S).group(1)
        return re.findall(r"<td>(.*?)</td>", row, re.S)

    assert cells("form-items") == ["2", "2"]
    assert cells("form-attempts") == ["4", "4"]
    assert [c.split(" / ")[0] for c in cells("form-objectives")] == ["2", "2"]
    # pre: 3/4 and 2/4 right, mean facility 0.625; post: 4/4 and 3/4, 0.875
    assert cells("form-facility") == ["0,625", "0,875"]
    rows = re.findall(r'data-objective="([^"]*)" data-matched="(\w+)"', html)
    assert rows == [("tujuan-1", "yes"), ("tujuan-2", "no")]  # the level mismatch is shown
    assert "awal-2" in html and "akhir-2" in html
    # The analysis page of either form links here.
    analysis = client.get(f"/admin/courses/{version.course_id}/quizzes/{second.id}/analysis")
    assert f'href="{url}"' in analysis.get_data(as_text=True)

    # More attempts, same statements.
    client.post_form("/logout")
    take([(1, 1), (2, 2), (0, 2), (1, 1)])
    login(admin)
    with count_queries() as again:
        assert client.get(url).status_code == 200
    assert again.n == counted.n


def test_a_session_without_both_forms_has_no_comparison(db, client, login, make_user, make_course):
    version = _quiz_course(make_course, [_choice("satu")])  # a post-test only
    module_id = db.session.scalar(select(Module.id).where(Module.version_id == version.id))
    login(make_user("admin"))
    url = f"/admin/courses/{version.course_id}/modules/{module_id}/forms"
    assert client.get(url).status_code == 404
    assert (
        client.get(f"/admin/courses/{version.course_id + 99}/modules/{module_id}/forms").status_code
        == 404
    )


def test_counterbalanced_forms_swap_for_half_the_cohort_and_are_compared_before_learning(
    db, client, login, make_user, make_cohort, make_course, attach
):
    """`counterbalance = true` on the Tes Awal: half of the cohort (drawn at random, evenly)
    takes the Tes Akhir's items as its Tes Awal and the Tes Awal's as its Tes Akhir; the
    comparison page then sets both forms side by side as taken before learning."""
    pre = [_tagged("awal-1", 1, "ingat"), _tagged("awal-2", 2, "terap")]
    post = [_tagged("akhir-1", 1, "ingat"), _tagged("akhir-2", 2, "terap")]
    people = [make_user("participant") for _ in range(5)]
    cohort = make_cohort("32.11", participants=people)
    pre_config = {"kind": "pre", "attempts": 0, "questions": ["awal-1", "awal-2"]}
    version = make_course(
        modules=1,
        activities=(
            ("pre-test", "quiz", {**pre_config, "counterbalance": True}),
            ("bacaan", "reading"),
            ("post", "quiz", {"kind": "post", "attempts": 0, "questions": ["akhir-1", "akhir-2"]}),
        ),
        questions={1: pre + post},
    )
    attach(cohort, version)
    first, second = db.session.scalars(
        select(Activity).where(Activity.type == "quiz").order_by(Activity.position)
    ).all()
    keys = {q.id: q.key for q in db.session.scalars(select(Question))}

    def seen(person, activity):
        ids = db.session.scalar(
            select(QuizAttempt.question_ids)
            .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
            .where(Enrolment.user_id == person.id, QuizAttempt.activity_id == activity.id)
        )
        return [keys[i] for i in ids]

    from quizzes.services import in_second_group

    enrolments = {
        e.user_id: e.id
        for e in db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    }
    second_half = [p for p in people if in_second_group(cohort.id, enrolments[p.id])]
    first_half = [p for p in people if p not in second_half]
    assert (len(first_half), len(second_half)) == (3, 2)  # halved as evenly as it can be
    # On the Tes Awal the first half answers both items right, the second half 1 and 0.
    takers = [(first_half[0], 2), (second_half[0], 1), (first_half[1], 2), (second_half[1], 0)]
    for person, before in takers:
        login(person)
        _take(client, cohort, first, right=before, total=2)
        _take(client, cohort, second, right=2, total=2)
        client.post_form("/logout")
    for person in first_half[:2]:
        assert seen(person, first) == ["awal-1", "awal-2"]
        assert seen(person, second) == ["akhir-1", "akhir-2"]
    for person in second_half:
        assert seen(person, first) == ["akhir-1", "akhir-2"]
        assert seen(person, second) == ["awal-1", "awal-2"]
    # The last of the first half skips the Tes Awal: the Tes Akhir is still the own form.
    login(first_half[2])
    _take(client, cohort, second, right=1, total=2)
    assert seen(first_half[2], second) == ["akhir-1", "akhir-2"]
    client.post_form("/logout")

    login(make_user("admin"))
    url = f"/admin/courses/{version.course_id}/modules/{first.module_id}/forms"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    def cells(testid):
        row = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S).group(1)
        return re.findall(r"<td>(.*?)</td>", row, re.S)

    # Before learning: the Tes Awal's items 4/4 right (facility 1), the Tes Akhir's 1/4 (0.25)
    assert cells("crossover-own") == ["1,000", "4"]
    assert cells("crossover-crossed") == ["0,250", "4"]
    assert 'data-verdict="few"' in html  # 4 answers per form are too few to judge
    # The form means count each form's own items only.
    assert cells("form-facility")[0] == "1,000"
    assert html.count('data-testid="crossed-facility"') == 2


def test_the_crossover_verdict_needs_enough_answers_and_a_small_difference():
    from quizzes.analysis import Crossover

    assert Crossover(0.60, 40, 0.68, 40).verdict == "comparable"
    assert Crossover(0.60, 400, 0.72, 400).verdict == "differ"  # 0.12 > 2 × 0.033
    assert Crossover(0.72, 400, 0.60, 400).verdict == "differ"
    assert Crossover(0.60, 40, 0.72, 40).verdict == "unclear"  # 0.12 < 2 × 0.105
    assert Crossover(0.50, 40, 0.90, 40).verdict == "differ"  # 0.40 > 2 × 0.094
    assert Crossover(0.60, 19, 0.90, 40).verdict == "few"
    assert Crossover(None, 0, 0.60, 40).verdict == "few"


def test_only_a_tes_awal_counterbalances_and_it_needs_one_tes_akhir():
    from types import SimpleNamespace

    from quizzes.activity import QuizActivity, validate_settings

    base = {"kind": "post", "questions": ["a"], "counterbalance": True}
    assert [p.key for p in validate_settings(base)] == ["counterbalance"]
    assert [p.key for p in validate_settings({**base, "kind": "pre", "counterbalance": 1})] == [
        "counterbalance"
    ]
    assert validate_settings({**base, "kind": "pre"}) == []
    quiz = SimpleNamespace(type="quiz", settings=(("kind", "post"),))
    course = SimpleNamespace(modules=())
    lone = SimpleNamespace(slug="m", activities=())
    config = {**base, "kind": "pre", "questions": []}
    assert [p.key for p in QuizActivity().check_package(config, lone, course)] == ["counterbalance"]
    paired = SimpleNamespace(slug="m", activities=(quiz,))
    assert QuizActivity().check_package(config, paired, course) == []
