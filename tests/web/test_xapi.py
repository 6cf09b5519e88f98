"""xAPI: a quiz attempt, a post and a released grade store their statements (attempted,
answered, completed, passed, failed, commented) in the same transaction; a job on the RQ
queue delivers them after the commit (retried with growing waits), `lms xapi send` is the
fallback without a queue. Against a real LRS when LMS_TEST_LRS_URL is set (.ci/lrs-check
starts Ralph with its file-system backend), else against an LRS simulated on 127.0.0.1;
LMS_REQUIRE_LRS=1 makes a missing real LRS a failure. The queue tests use the Redis database
LMS_TEST_REDIS_URL (15 unless told: the issue's number, never another's)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from lms import jobs
from lms.cohorts.models import Enrolment
from lms.models import utcnow
from lms.xapi import services
from lms.xapi.models import XapiStatement
from lms.xapi.statements import ATTEMPT_EXTENSION, registration
from tests.web.test_quizzes import _choice, _revision, _setup, _start, _tokens

VERB = "http://adlnet.gov/expapi/verbs/"
BASE = "http://localhost:5000"
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class FakeLrs:
    """Answers 503 `failures` times, then stores what it gets."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if lrs.failures > 0:
                    lrs.failures -= 1
                    self.send_error(503)
                    return
                assert self.headers["X-Experience-API-Version"] == "1.0.3"
                statements = json.loads(body)
                lrs.received += statements
                data = json.dumps([s["id"] for s in statements]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs_config(app):
    keys = ("LMS_XAPI_URL", "LMS_XAPI_USERNAME", "LMS_XAPI_PASSWORD", "LMS_XAPI_RETRY")
    saved = {k: app.config.get(k) for k in keys}
    saved["LMS_REDIS_URL"] = app.config.get("LMS_REDIS_URL")
    yield app.config
    app.config.update(saved)


def _rows(db) -> list[XapiStatement]:
    db.session.expire_all()
    return list(db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)))


def _verbs(rows) -> list[str]:
    return [r.body["verb"]["id"].removeprefix(VERB) for r in rows]


def _context_is_the_enrolment(body, db, user_id: int) -> None:
    """Every statement: the account (no email), the enrolment as registration, the cohort."""
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user_id))
    assert body["actor"] == {
        "objectType": "Agent",
        "name": body["actor"]["name"],
        "account": {"homePage": BASE, "name": str(user_id)},
    }
    assert body["context"]["registration"] == registration(BASE, enrolment.id)
    assert body["context"]["contextActivities"]["grouping"][0]["id"] == (
        f"{BASE}/xapi/cohorts/{enrolment.cohort_id}"
    )


def _quiz_attempt(db, client, login, make_user, make_cohort, make_course, attach, answer: str):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("q1")]
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt_id}").get_data(as_text=True)
    response = client.post_form(
        f"/learn/{cohort.id}/attempts/{attempt_id}/submit",
        {"revision": _revision(page), "q1": _tokens(page, "q1")[answer]},
    )
    assert response.status_code == 302
    return participant, activity


def test_nothing_is_queued_without_an_lrs(
    db, client, login, make_user, make_cohort, make_course, attach, lrs_config
):
    lrs_config["LMS_XAPI_URL"] = ""
    _quiz_attempt(db, client, login, make_user, make_cohort, make_course, attach, "Benar")
    assert db.session.scalar(select(func.count(XapiStatement.id))) == 0


def test_a_quiz_attempt_queues_statements_and_retries_until_delivered(
    app, db, client, login, make_user, make_cohort, make_course, attach, lrs_config
):
    fake = FakeLrs(failures=1)
    lrs_config.update(LMS_XAPI_URL=fake.url, LMS_XAPI_USERNAME="lms", LMS_XAPI_PASSWORD="x")
    try:
        participant, activity = _quiz_attempt(
            db, client, login, make_user, make_cohort, make_course, attach, "Benar"
        )
        rows = _rows(db)
        assert _verbs(rows) == ["attempted", "answered", "completed", "passed"]
        attempted, answered, _completed, passed = (r.body for r in rows)
        for body in (attempted, answered, passed):
            _context_is_the_enrolment(body, db, participant.id)
        assert "mbox" not in passed["actor"]  # no email address leaves the site
        activity_iri = f"{BASE}/xapi/activities/{activity.id}"
        assert attempted["verb"] == {"id": VERB + "attempted", "display": {"en-US": "attempted"}}
        assert attempted["object"]["id"] == activity_iri
        assert attempted["object"]["definition"]["type"].endswith("/assessment")
        assert attempted["context"]["extensions"] == {ATTEMPT_EXTENSION: 1}
        assert "result" not in attempted
        # answered: the question is the object, the quiz its parent, the response and score
        assert answered["object"]["id"].startswith(activity_iri + "/questions/")
        assert answered["object"]["definition"]["type"].endswith("/cmi.interaction")
        assert answered["context"]["contextActivities"]["parent"][0]["id"] == activity_iri
        assert answered["result"]["success"] is True
        assert answered["result"]["score"]["scaled"] == 1.0
        assert answered["result"]["response"]
        assert passed["object"]["id"] == activity_iri
        assert passed["result"] == {
            "score": {"scaled": 1.0, "raw": 100.0, "min": 0, "max": 100},
            "success": True,
        }
        runner = app.test_cli_runner()
        first = runner.invoke(args=["xapi", "send"])
        assert first.exit_code == 1 and "4 wait for a retry" in first.output
        db.session.expire_all()
        row = db.session.scalar(select(XapiStatement).limit(1))
        assert row.attempts == 1 and row.sent_at is None and "503" in row.last_error
        assert row.next_attempt_at > utcnow()
        # not due yet: nothing is sent; once due, all go
        assert "Sent 0" in runner.invoke(args=["xapi", "send"]).output
        for r in db.session.scalars(select(XapiStatement)):
            r.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        second = runner.invoke(args=["xapi", "send"])
        assert second.exit_code == 0 and "Sent 4" in second.output
        assert [s["verb"]["id"].removeprefix(VERB) for s in fake.received] == _verbs(rows)
    finally:
        fake.close()


def test_an_attempt_below_the_pass_mark_is_failed_with_its_score(
    db, client, login, make_user, make_cohort, make_course, attach, lrs_config
):
    lrs_config["LMS_XAPI_URL"] = "http://127.0.0.1:9/xAPI"
    participant, activity = _quiz_attempt(
        db, client, login, make_user, make_cohort, make_course, attach, "Salah"
    )
    rows = _rows(db)
    assert _verbs(rows) == ["attempted", "answered", "failed"]  # not complete: no "completed"
    answered, failed = rows[1].body, rows[2].body
    assert answered["result"]["success"] is False and answered["result"]["score"]["raw"] == 0
    assert failed["object"]["id"] == f"{BASE}/xapi/activities/{activity.id}"
    assert failed["result"] == {
        "score": {"scaled": 0.0, "raw": 0.0, "min": 0, "max": 100},
        "success": False,
    }
    assert failed["context"]["extensions"] == {ATTEMPT_EXTENSION: 1}
    _context_is_the_enrolment(failed, db, participant.id)


def test_posts_in_the_session_discussion_are_commented_staff_posts_are_not(
    db, client, login, make_user, make_cohort, make_course, attach, lrs_config
):
    lrs_config["LMS_XAPI_URL"] = "http://127.0.0.1:9/xAPI"
    participant = make_user("participant")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    attach(cohort, make_course(modules=1))
    login(participant)
    response = client.post_form(
        f"/discussions/cohorts/{cohort.id}/modules/01-sesi/new",
        {"kind": "question", "title": "Bagaimana memulai?", "body": "Mohon arahan."},
    )
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post_form("/logout")
    login(mentor)
    answer = client.post_form(f"/discussions/threads/{thread_id}/reply", {"body": "Mulai dari"})
    assert answer.status_code == 302
    client.post_form("/logout")
    login(participant)
    thanks = client.post_form(f"/discussions/threads/{thread_id}/reply", {"body": "Terima kasih"})
    assert thanks.status_code == 302
    rows = _rows(db)
    assert _verbs(rows) == ["commented", "commented"]  # the mentor's answer is not a record
    for row in rows:
        body = row.body
        _context_is_the_enrolment(body, db, participant.id)
        assert body["object"]["id"] == f"{BASE}/xapi/discussions/threads/{thread_id}"
        assert body["object"]["definition"]["name"] == {"id-ID": "Bagaimana memulai?"}
        assert body["object"]["definition"]["type"].endswith("/discussion")


def test_a_released_grade_below_the_pass_mark_is_failed(
    db, client, login, setup_assignment, lrs_config
):
    from assignments.models import Submission
    from tests.web.test_assignments import _grade, _submit

    lrs_config["LMS_XAPI_URL"] = "http://127.0.0.1:9/xAPI"
    participant, mentor, _cohort, activity, base = setup_assignment(pass_percent=60)
    login(participant)
    _submit(client, base)
    client.post_form("/logout")
    login(mentor)
    submission_id = db.session.scalar(select(Submission.id))
    _grade(client, submission_id, levels=(1, 1, 1))  # 4 of 10 points
    assert _rows(db) == []  # graded, not yet released: nothing is told
    client.post_form(f"/grading/submissions/{submission_id}/release")
    rows = _rows(db)
    assert _verbs(rows) == ["failed"]
    body = rows[0].body
    _context_is_the_enrolment(body, db, participant.id)
    assert body["object"]["id"] == f"{BASE}/xapi/activities/{activity.id}"
    assert body["object"]["definition"]["type"].endswith("/performance")
    assert body["result"] == {
        "score": {"scaled": 0.4, "raw": 40.0, "min": 0, "max": 100},
        "success": False,
    }


# --------------------------------------------------------------------------- the job queue


def _redis():
    import redis

    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except redis.RedisError as error:
        if os.environ.get("LMS_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI sets LMS_REQUIRE_REDIS=1)")
    return conn


def _work(app, conn, monkeypatch) -> None:
    """One burst of an RQ worker in this process (its scheduler requeues due retries)."""
    from rq import SimpleWorker

    monkeypatch.setattr(jobs, "_worker_app", app)
    SimpleWorker([jobs.queue(conn)], connection=conn).work(burst=True, with_scheduler=True)


def test_a_job_delivers_after_the_commit_and_retries_after_its_wait(
    app, db, client, login, make_user, make_cohort, make_course, attach, lrs_config, monkeypatch
):
    from rq.registry import ScheduledJobRegistry

    conn = _redis()
    conn.flushdb()  # our own database number: nothing else lives here
    fake = FakeLrs(failures=1)
    lrs_config.update(LMS_XAPI_URL=fake.url, LMS_REDIS_URL=REDIS_URL, LMS_XAPI_RETRY="1,1")
    try:
        _quiz_attempt(db, client, login, make_user, make_cohort, make_course, attach, "Benar")
        # one job per transaction (start, submit), queued after the commit: none sent yet
        assert jobs.queue(conn).count == 2
        assert fake.received == []
        _work(app, conn, monkeypatch)  # the first job meets a 503, the second delivers all
        rows = _rows(db)
        assert all(r.sent_at is not None for r in rows)
        assert [r.attempts for r in rows] == [2, 2, 2, 2]  # the first job met the 503
        assert sorted(s["id"] for s in fake.received) == sorted(r.statement_id for r in rows)
        # the job that failed waits its second in the scheduler, then finds nothing to send
        registry = ScheduledJobRegistry(queue=jobs.queue(conn))
        assert registry.count == 1
        time.sleep(1.2)
        _work(app, conn, monkeypatch)
        assert registry.count == 0 and jobs.queue(conn).count == 0
        assert len(fake.received) == 4
    finally:
        fake.close()
        conn.flushdb()


def test_a_job_keeps_retrying_while_the_lrs_is_down(
    app, db, client, login, make_user, make_cohort, make_course, attach, lrs_config, monkeypatch
):
    from rq.registry import FailedJobRegistry

    conn = _redis()
    conn.flushdb()
    fake = FakeLrs(failures=3)
    lrs_config.update(LMS_XAPI_URL=fake.url, LMS_REDIS_URL=REDIS_URL, LMS_XAPI_RETRY="0,0")
    try:
        participant, _, cohort, activity = _setup(
            db, make_user, make_cohort, make_course, attach, [_choice("q1")]
        )
        login(participant)
        _start(client, cohort, activity)  # one statement, one job
        _work(app, conn, monkeypatch)  # tried three times (two retries at once): all 503
        row = _rows(db)[0]
        assert row.attempts == 3 and row.sent_at is None and "503" in row.last_error
        assert FailedJobRegistry(queue=jobs.queue(conn)).count == 1  # retries used up
        # `lms xapi send` (cron) is the fallback once the row is due again
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["xapi", "send"])
        assert result.exit_code == 0 and "Sent 1" in result.output
    finally:
        fake.close()
        conn.flushdb()


def test_without_a_queue_statements_wait_for_the_command(
    app, db, client, login, make_user, make_cohort, make_course, attach, lrs_config, caplog
):
    import logging

    fake = FakeLrs()
    lrs_config.update(LMS_XAPI_URL=fake.url, LMS_REDIS_URL="")
    try:
        with caplog.at_level(logging.INFO, logger="lms.jobs"):
            _quiz_attempt(db, client, login, make_user, make_cohort, make_course, attach, "Benar")
        assert "left to its command" in caplog.text
        assert fake.received == []  # never sent inside the participant's request
        assert "Sent 4" in app.test_cli_runner().invoke(args=["xapi", "send"]).output
    finally:
        fake.close()


def test_statements_reach_a_real_lrs(
    app, db, client, login, make_user, make_cohort, make_course, attach, lrs_config
):
    url = os.environ.get("LMS_TEST_LRS_URL")
    if not url:
        if os.environ.get("LMS_REQUIRE_LRS") == "1":
            pytest.fail("LMS_REQUIRE_LRS=1 but LMS_TEST_LRS_URL is not set")
        pytest.skip("no real LRS here: .ci/run starts Ralph and sets LMS_TEST_LRS_URL")
    user, password = os.environ["LMS_TEST_LRS_USERNAME"], os.environ["LMS_TEST_LRS_PASSWORD"]
    lrs_config.update(LMS_XAPI_URL=url, LMS_XAPI_USERNAME=user, LMS_XAPI_PASSWORD=password)
    base = f"http://{uuid.uuid4().hex[:12]}.lms.test"  # this run's own activity ids
    app.config["LMS_XAPI_ACTIVITY_BASE"] = base
    try:
        _quiz_attempt(db, client, login, make_user, make_cohort, make_course, attach, "Benar")
        result = app.test_cli_runner().invoke(args=["xapi", "send"])
        assert result.exit_code == 0, result.output
        ids = set(db.session.scalars(select(XapiStatement.statement_id)))
        found = {}
        for statement_id in ids:
            response = requests.get(
                url.rstrip("/") + "/statements",
                params={"statementId": statement_id},
                auth=(user, password),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=10,
            )
            assert response.status_code == 200, response.text
            body = response.json()  # xAPI answers the statement itself; Ralph wraps it
            found[statement_id] = body["statements"][0] if "statements" in body else body
        verbs = sorted(s["verb"]["id"].rsplit("/", 1)[-1] for s in found.values())
        assert verbs == ["answered", "attempted", "completed", "passed"]
        assert all(s["object"]["id"].startswith(base) for s in found.values())
    finally:
        app.config["LMS_XAPI_ACTIVITY_BASE"] = "http://localhost:5000"
    assert services.enabled()


@pytest.fixture
def setup_assignment(db, make_user, make_cohort, make_course, attach):
    from courses.models import Activity
    from tests.web.test_assignments import _course

    def make(**settings):
        participant = make_user("participant")
        mentor = make_user("mentor")
        cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
        attach(cohort, _course(make_course, **settings))
        activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
        return (
            participant,
            mentor,
            cohort,
            activity,
            f"/learn/{cohort.id}/assignments/{activity.id}",
        )

    return make


def test_an_event_with_a_verb_outside_the_list_is_a_programming_error():
    from courses.signals import LearningEvent, report_event

    with pytest.raises(ValueError, match="verb must be one of"):
        report_event(LearningEvent("liked", 1, 2))
