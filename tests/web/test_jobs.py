"""The job queue: notification e-mail at once or as a daily digest, inline without Redis,
and through a real `lms worker` (RQ) against the machine's Redis."""

from __future__ import annotations

import logging
import os
import smtplib
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import jobs
from lms.notifications import services as notifications
from lms.notifications.models import EmailMode, Notification

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
"""A database of its own (12, the issue's number), never the default 0."""


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def mail(app, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    return FakeSMTP.sent


def test_without_redis_jobs_run_inline_and_say_so(app, db, make_user, mail, caplog):
    user = make_user("participant", email="rina@example.org")
    assert not app.config["LMS_REDIS_URL"]
    with caplog.at_level(logging.INFO, logger="lms.jobs"), app.test_request_context("/"):
        notifications.notify([user.id], "feedback_released", {"assignment": "Tugas 1"}, "/x")
    assert "inline" in caplog.text
    assert [m["To"] for m in mail] == ["rina@example.org"]
    assert "Tugas 1" in mail[0].get_content()
    assert db.session.scalar(select(Notification.emailed_at)) is not None


def test_unreachable_redis_falls_back_to_inline(app, db, make_user, mail, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "LMS_REDIS_URL", "redis://127.0.0.1:1/12")
    user = make_user("participant")
    with caplog.at_level(logging.INFO, logger="lms.jobs"), app.test_request_context("/"):
        notifications.notify([user.id], "feedback_released", {"assignment": "T"}, "/x")
    assert "unreachable" in caplog.text and len(mail) == 1


def test_daily_digest_collects_and_immediate_off_are_respected(app, db, make_user, mail):
    daily = make_user("participant", email="harian@example.org")
    off = make_user("participant", email="diam@example.org")
    notifications.set_email_mode(daily.id, EmailMode.DAILY)
    notifications.set_email_mode(off.id, EmailMode.OFF)
    with app.test_request_context("/"):
        for n in range(2):
            notifications.notify(
                [daily.id, off.id], "feedback_released", {"assignment": f"T{n}"}, "/x"
            )
    assert mail == []  # neither wants mail at once
    assert notifications.queue_digests() == 1
    assert [m["To"] for m in mail] == ["harian@example.org"]
    body = mail[0].get_content()
    assert "T0" in body and "T1" in body
    assert notifications.queue_digests() == 0  # nothing twice


def test_preference_page_saves_the_choice(client, login, make_user, db):
    user = make_user("participant")
    login(user)
    assert client.get("/notifications/settings").status_code == 200
    response = client.post_form("/notifications/settings", {"email": "daily"})
    assert response.status_code == 302
    assert notifications.email_mode(user.id) == EmailMode.DAILY
    db.session.rollback()
    assert client.post_form("/notifications/settings", {"email": "weekly"}).status_code == 422


def test_worker_without_redis_refuses_to_start(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "LMS_REDIS_URL" in result.output


# --------------------------------------------------------------------------- real worker


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


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: remembers each message's recipients and text."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        recipients, lines, in_data = [], [], False
        while line := self.rfile.readline():
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            if in_data:
                if text == ".":
                    in_data = False
                    self.server.messages.append((recipients, "\n".join(lines)))
                    recipients, lines = [], []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(text)
                continue
            verb = text[:4].upper()
            if verb == "EHLO" or verb == "HELO":
                self.wfile.write(b"250 test\r\n")
            elif verb == "RCPT":
                recipients.append(text.split(":", 1)[1].strip(" <>"))
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_real_rq_worker_sends_the_mail_after_the_request(
    app, client, db, login, make_user, make_cohort, make_course, attach, monkeypatch, smtp_server
):
    conn = _redis()
    conn.flushdb()  # our own database number: nothing else lives here
    port = smtp_server.server_address[1]
    monkeypatch.setitem(app.config, "LMS_REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    asker = make_user("participant")
    mentor = make_user("mentor", email="mentor.budi@example.org")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[asker])
    attach(cohort, make_course(modules=1))
    login(asker)
    response = client.post_form(
        f"/discussions/cohorts/{cohort.id}/modules/01-sesi/new",
        {"kind": "question", "title": "Bagaimana memulai?", "body": "Mohon arahan."},
    )
    assert response.status_code == 302
    assert jobs.queue(conn).count == 1  # queued after the commit, not sent in the request
    assert smtp_server.messages == []
    db.session.rollback()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LMS_REDIS_URL": REDIS_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
        "SECRET_KEY": "test-secret-key",
        "LMS_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
    }
    worker = subprocess.run(  # noqa: S603 - our own console script
        [str(Path(sys.executable).parent / "lms"), "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    assert jobs.queue(conn).count == 0
    assert [to for to, _text in smtp_server.messages] == [["mentor.budi@example.org"]]
    assert "Bagaimana memulai?" in smtp_server.messages[0][1]
    assert db.session.scalar(select(Notification.emailed_at)) is not None
    conn.flushdb()
