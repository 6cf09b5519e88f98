"""Scale-out on real parts: two app processes (gunicorn, committed config) on different
ports and one `lms worker`, sharing PostgreSQL, Redis (job queue and rate limits) and a
shared upload path. A participant submits through A, the mentor grades and releases
through B, the worker sends the mail, and failed logins count across both processes.

Needs PostgreSQL (the suite's own under `make test-pg`, else a scratch database on the
server at LMS_TEST_PG_SERVER) and Redis (database 4 unless LMS_TEST_SCALE_REDIS_URL says
otherwise); skips without them, fails without Redis when LMS_REQUIRE_REDIS=1 (CI)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from assignments.models import Submission
from courses.models import Activity
from lms import create_app
from lms.extensions import db as _db
from tests.conftest import PASSWORD
from tests.web.test_assignments import PDF, _course
from tests.web.test_jobs import smtp_server  # noqa: F401 - fixture

REDIS_URL = os.environ.get("LMS_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/4")
ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


SCRATCH_DB = "lms_test_two_processes"
PG_SERVER = os.environ.get("LMS_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def database(app) -> Iterator[str]:
    """The PostgreSQL database the processes share. Under `make test-pg` the suite's own;
    on SQLite a scratch database created and migrated here (like the suite's fixtures), with
    its app context pushed so the factories write there."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        yield url
        return
    import psycopg

    try:
        server = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=2)
    except psycopg.OperationalError as error:
        pytest.skip(f"needs PostgreSQL at {PG_SERVER} (or LMS_TEST_DATABASE_URL): {error}")
    with server:
        server.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{SCRATCH_DB}"')
    url = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{url}/{SCRATCH_DB}"
    scratch = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "lms.test",
        }
    )
    with scratch.app_context():
        from flask_migrate import upgrade

        from lms.regions.services import load_regions

        upgrade()
        load_regions()
        _db.session.commit()
        try:
            yield url
        finally:
            _db.session.rollback()
            _db.session.remove()
            _db.engine.dispose()
    with psycopg.connect(PG_SERVER, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')


def _need_redis():
    import redis

    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except redis.RedisError as error:
        if os.environ.get("LMS_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI sets LMS_REQUIRE_REDIS=1)")
    return conn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cluster(database, tmp_path, smtp_server) -> Iterator[dict]:  # noqa: F811
    url = database
    conn = _need_redis()
    conn.flushdb()  # our own database number: nothing else lives here
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LMS_REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.server_address[1]),
        "MAIL_USE_TLS": "0",
        "SECRET_KEY": "test-secret-key",
        "LMS_STORAGE": "shared",
        "LMS_STORAGE_PATH": str(tmp_path / "shared"),
        "LMS_UPLOAD_FOLDER": str(tmp_path / "local"),
        "LMS_WORKERS": "1",
        "LMS_THREADS": "2",
        "LMS_ACCESS_LOG": str(tmp_path / "access.log"),
    }
    servers, bases = [], []
    for name in ("a", "b"):
        port = _free_port()
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed below
        servers.append(
            (
                subprocess.Popen(  # noqa: S603 - our own console script
                    [str(bin_dir / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
                    env={**env, "LMS_BIND": f"127.0.0.1:{port}"},
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for (process, _log), base in zip(servers, bases, strict=True):
            for _ in range(150):
                try:
                    if requests.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None:
                    break
                time.sleep(0.2)
            else:
                pytest.fail(f"{base} did not start")
            assert process.poll() is None, (tmp_path / "a.log").read_text()[-3000:]
        yield {"a": bases[0], "b": bases[1], "env": env, "redis": conn, "smtp": smtp_server}
    finally:
        for process, log in servers:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
        conn.flushdb()


class Browser:
    """One person's cookies, usable against either process (same SECRET_KEY)."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def token(self, url: str) -> str:
        match = _CSRF.search(self.http.get(url, timeout=30).text)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post(self, base: str, path: str, data: dict, *, form_page: str = "/login", **kw):
        data = {"csrf_token": self.token(base + form_page), **data}
        return self.http.post(base + path, data=data, allow_redirects=False, timeout=30, **kw)

    def login(self, base: str, email: str, password: str = PASSWORD):
        return self.post(base, "/login", {"email": email, "password": password})


def _revision(html: str) -> str:
    match = re.search(r'name="revision" id="revision" value="(\d+)"', html)
    return match.group(1) if match else ""


def test_submit_on_a_grade_on_b_mail_from_the_worker_and_shared_login_limits(
    db, cluster, make_user, make_cohort, make_course, attach
):
    participant = make_user("participant", email="peserta.a@example.org")
    mentor = make_user("mentor", email="mentor.b@example.org")
    target = make_user("participant", email="sasaran@example.org")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    attach(cohort, _course(make_course))
    activity_id = db.session.scalar(select(Activity.id).where(Activity.type == "assignment"))
    db.session.commit()
    a, b = cluster["a"], cluster["b"]
    path = f"/learn/{cohort.id}/assignments/{activity_id}"

    # The participant submits through A, with a file (on the shared path).
    person = Browser()
    assert person.login(a, participant.email).status_code == 302
    page = person.http.get(a + path, timeout=30).text
    token = _CSRF.search(page).group(1)
    response = person.http.post(
        a + path + "/files",
        data={"csrf_token": token, "text": "Laporan akhir", "revision": _revision(page)},
        files={"files": ("laporan.pdf", io.BytesIO(PDF), "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    page = person.http.get(a + path, timeout=30).text
    data = {"text": "Laporan akhir", "revision": _revision(page)}
    confirm = person.post(a, path + "/submit", data, form_page=path)
    assert confirm.status_code == 200 and 'data-testid="confirmation"' in confirm.text
    done = person.post(
        a,
        path + "/submit",
        {"revision": _revision(confirm.text), "confirmed": "yes"},
        form_page=path,
    )
    assert done.status_code == 302
    db.session.expire_all()
    submission_id = db.session.scalar(select(Submission.id))
    assert submission_id is not None

    # The mentor grades and releases through B; B reads A's file from the shared path.
    teacher = Browser()
    assert teacher.login(b, mentor.email).status_code == 302
    grading = f"/grading/submissions/{submission_id}"
    page = teacher.http.get(b + grading, timeout=30).text
    assert "laporan.pdf" in page
    file_link = re.search(r'href="(/files/submissions/\d+)"', page).group(1)
    download = teacher.http.get(b + file_link, timeout=30)
    assert download.status_code == 200 and download.content == PDF
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {f"criterion-{i}": "2" for i in range(3)}
    form.update({"action": "grade", "comment": "Sudah baik.", "version": version})
    assert teacher.post(b, grading, form, form_page=grading).status_code == 302
    released = teacher.post(b, grading + "/release", {}, form_page=grading)
    assert released.status_code == 302

    # The mail job was queued (not sent in the request) and the worker sends it.
    smtp = cluster["smtp"]
    assert not any(participant.email in to for to, _ in smtp.messages)
    worker = subprocess.run(  # noqa: S603 - our own console script
        [str(Path(sys.executable).parent / "lms"), "worker", "--burst"],
        env=cluster["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    assert any(participant.email in to for to, _ in smtp.messages), smtp.messages

    # Failed logins on one account, spread over both processes, hit the shared limit.
    intruder = Browser()
    for attempt in range(5):
        base = (a, b)[attempt % 2]
        answer = intruder.login(base, target.email, "wrong-password")
        assert answer.status_code in (200, 401, 422), answer.status_code
    blocked = Browser().login(b, target.email)  # even the right password, from elsewhere
    assert blocked.status_code == 429
    assert Browser().login(a, target.email).status_code == 429
