"""PostgreSQL restarted in the middle of a quiz attempt: a real restart, not a drill.

The test starts a throwaway PostgreSQL cluster of its own (initdb/pg_ctl in a temporary
folder, on a free port; as the `postgres` user when the tests run as root), runs the
migrations on it and drives a participant's attempt through the app:

1. an answer saved before the restart;
2. `pg_ctl restart -m fast` (every pooled connection dies): the next autosave succeeds
   (pool_pre_ping reconnects) and the first answer is still there;
3. the cluster stopped: the autosave gets a JSON 503 asking the page to retry, and the
   submit button gets a 503 page in Indonesian (no trace) that keeps what was sent in a
   "send again" form;
4. the cluster started again: "send again" submits the attempt with both answers.

It runs in CI's PostgreSQL stage (`make test-pg`, i.e. LMS_TEST_DATABASE_URL set to a
PostgreSQL URL) and skips elsewhere, saying why. The shared cluster of that URL is never
touched: only the throwaway one is restarted.
"""

from __future__ import annotations

import glob
import html as html_lib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms import create_app
from lms.extensions import db as _db
from quizzes.models import QuizAttempt, QuizResponse
from tests.conftest import Client
from tests.web.test_quizzes import _choice, _revision, _setup, _start, _tokens

PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
FETCH = {"X-Requested-With": "fetch"}

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="runs in the PostgreSQL stage (make test-pg sets LMS_TEST_DATABASE_URL)",
    ),
    pytest.mark.skipif(
        not PG_BINS, reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary folder, driven with pg_ctl."""

    def __init__(self) -> None:
        self.bin = Path(PG_BINS[-1])
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="lms-pg-restart-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as `postgres`
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no `postgres` user to own a cluster")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        # Output to a file, not a pipe: a server started by pg_ctl keeps its end open.
        with open(self.root / "pg_ctl.out", "ab") as out:
            run = subprocess.run(  # noqa: S603 (the cluster tools, fixed arguments)
                [*self.as_user, *args], stdout=out, stderr=subprocess.STDOUT, timeout=120
            )
        tail = (self.root / "pg_ctl.out").read_text(errors="replace")[-1500:]
        assert run.returncode == 0, (args, tail)

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "start",
        )  # fmt: skip

    def restart(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-m", "fast",
            "-w", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(  # noqa: S603
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
             "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    made = Cluster()
    try:
        made.init()
        yield made
    finally:
        made.remove()


@pytest.fixture(scope="module")
def app(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """This module's app runs on the throwaway cluster (the conftest fixtures use it)."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": cluster.url,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "lms.test",
        }
    )
    application.test_client_class = Client
    with application.app_context():
        from flask_migrate import upgrade

        from lms.regions.services import load_regions

        upgrade()
        load_regions()
        _db.session.commit()
    yield application
    with application.app_context():
        _db.engine.dispose()


def _resend_fields(page: str) -> list[tuple[str, str]]:
    form = re.search(r'<form[^>]*data-testid="resend-form".*?</form>', page, re.S)
    assert form, "the 503 page has no send-again form"
    return [
        (html_lib.unescape(name), html_lib.unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(0)
        )
    ]


def test_an_attempt_survives_a_postgresql_restart_and_an_outage(
    cluster, db, client, login, make_user, make_cohort, make_course, attach
):
    participant, _, cohort, activity = _setup(
        db, make_user, make_cohort, make_course, attach, [_choice("a"), _choice("b")]
    )
    login(participant)
    attempt_id = _start(client, cohort, activity)
    base = f"/learn/{cohort.id}/attempts/{attempt_id}"
    page = client.get(base).get_data(as_text=True)
    q1, q2 = _tokens(page, "q1"), _tokens(page, "q2")
    csrf = client.csrf_token()

    saved = client.post(
        f"{base}/save",
        data={"csrf_token": csrf, "revision": _revision(page), "q1": q1["Benar"]},
        headers=FETCH,
    )
    assert saved.status_code == 200 and saved.json["ok"]

    # 1. A restart: the pool's connections are all dead; the next request reconnects.
    db.session.close()  # the test's own session gives its connection back (a request does)
    cluster.restart()
    # The page reopened after the restart shows the answer saved before it.
    page = client.get(base)
    assert page.status_code == 200
    assert re.search(rf'value="{q1["Benar"]}"[^>]*checked', page.get_data(as_text=True))
    saved = client.post(
        f"{base}/save",
        data={
            "csrf_token": csrf,
            "revision": saved.json["revision"],
            "q1": q1["Benar"],
            "q2": q2["Salah"],
        },
        headers=FETCH,
    )
    assert saved.status_code == 200 and saved.json["ok"], saved.get_data(as_text=True)[:500]
    revision = saved.json["revision"]
    db.session.rollback()
    kept = dict(db.session.execute(select(QuizResponse.slot, QuizResponse.response)).all())
    assert kept[1] is not None and kept[2] is not None

    # 2. An outage: the autosave is told to retry, in JSON; nothing is half-saved.
    db.session.close()
    cluster.stop()
    during = {"csrf_token": csrf, "revision": revision, "q1": q1["Benar"], "q2": q2["Benar"]}
    autosave = client.post(f"{base}/save", data=during, headers=FETCH)
    assert autosave.status_code == 503
    assert autosave.json["ok"] is False and autosave.json["retry"] is True
    assert "basis data" in autosave.json["message"].lower()
    assert autosave.headers["Retry-After"]

    # The submit button: a page in Indonesian, no trace, what was sent kept on the page.
    submitted = client.post(f"{base}/submit", data=during)
    text = submitted.get_data(as_text=True)
    assert submitted.status_code == 503
    assert "Sementara tidak tersedia" in text and "belum ada yang tersimpan" in text.lower()
    assert "Traceback" not in text and "OperationalError" not in text
    resend = _resend_fields(text)
    assert ("q2", q2["Benar"]) in resend and ("revision", str(revision)) in resend
    assert "Kirim lagi" in text

    # 3. Back up: "send again" submits the attempt with both answers.
    cluster.start()
    again = client.post(f"{base}/submit", data=MultiDict(resend))
    assert again.status_code == 302 and again.headers["Location"].endswith(f"{base}/review")
    db.session.rollback()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.status == "submitted"
    assert attempt.score == attempt.max_score == 2.0  # q1 from before, q2 changed in the outage
