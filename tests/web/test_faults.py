"""Faults the platform survives: Redis down, a full upload disk, a worker killed while a
file uploads. (PostgreSQL restarting during an attempt: test_pg_restart.py.)"""

from __future__ import annotations

import errno
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from assignments.models import SubmissionDraft, SubmissionFile
from lms.cohorts.models import Enrolment
from tests.web.test_assignments import PDF, _revision
from tests.web.test_assignments import setup as setup  # noqa: F401 (fixture)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REDIS_DOWN = r"""
import sys
from lms import create_app
from lms.extensions import db

url, port = sys.argv[1:]
app = create_app({"TESTING": True, "SECRET_KEY": "faults", "WTF_CSRF_ENABLED": False,
                  "SQLALCHEMY_DATABASE_URI": url,
                  "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/15"})
with app.app_context():
    from flask_migrate import upgrade
    from lms.auth.models import User
    from lms.auth.services import set_password
    upgrade()
    user = User(email="rina@example.org", name="Rina", role="admin")
    set_password(user, "kata-sandi-yang-benar")
    db.session.add(user)
    db.session.commit()
client = app.test_client()
print("page", client.get("/login").status_code)
for _ in range(6):
    wrong = {"email": "rina@example.org", "password": "salah-sekali-123"}
    print("wrong", client.post("/login", data=wrong).status_code)
"""


def test_with_redis_down_pages_serve_and_login_limits_still_hold(tmp_path):
    """Rate limits live in Redis; pointed at a closed port the pages still serve and the
    limits fall back to memory. (A process of its own: the limiter is process-wide.)"""
    run = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [
            sys.executable,
            "-c",
            REDIS_DOWN,
            f"sqlite:///{tmp_path / 'redis-down.sqlite3'}",
            str(_closed_port()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.split("\n")
    assert "page 200" in lines
    assert [line for line in lines if line.startswith("wrong")] == ["wrong 422"] * 5 + [
        "wrong 429"
    ]  # the account limit (5 per 15 minutes) holds


def test_a_full_disk_gives_a_clear_message_and_keeps_the_draft(
    db, app, client, login, setup, monkeypatch
):
    participant, _mentor, _cohort, _activity, base = setup()
    login(participant)
    page = client.get(base).get_data(as_text=True)
    client.post_form(base + "/draft", {"text": "Draf tersimpan", "revision": _revision(page)})
    page = client.get(base).get_data(as_text=True)

    real_open = open

    def full_disk(file, mode="r", *args, **kwargs):
        if "x" in mode and str(file).endswith(".partial"):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk)
    before = set((Path(app.config["UPLOAD_FOLDER"]) / "submissions").glob("*"))
    response = client.post_form(
        base + "/files",
        {
            "text": "Draf tersimpan, lalu diubah",
            "revision": _revision(page),
            "files": [(io.BytesIO(PDF), "laporan.pdf")],
        },
    )
    monkeypatch.undo()
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "penyimpanan server penuh" in html.lower() and "laporan.pdf" in html
    assert "Draf tersimpan, lalu diubah" in html  # the text typed is shown again
    db.session.expire_all()
    draft = db.session.scalar(select(SubmissionDraft))
    assert draft.text == "Draf tersimpan"  # the saved draft is untouched
    assert db.session.scalar(select(SubmissionFile.id)) is None
    assert set((Path(app.config["UPLOAD_FOLDER"]) / "submissions").glob("*")) == before


CHILD = r"""
import sys, time
from pathlib import Path
from lms import create_app
from lms.extensions import db
from lms.models import utcnow
from assignments import services
from courses.models import Activity, Module
from lms.cohorts.models import Cohort, Enrolment

url, uploads, enrolment_id, activity_id, marker = sys.argv[1:]
PDF = b"%PDF-1.4\n" + b"0" * 100000

class Slow:
    def __init__(self):
        self.calls = 0
    def read(self, n=-1):
        self.calls += 1
        if self.calls <= 2:
            return PDF[:8192] if self.calls == 1 else PDF[8192:70000]
        Path(marker).write_text("writing")
        time.sleep(120)
        return b""

app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": uploads,
                  "SECRET_KEY": "child", "RATELIMIT_STORAGE_URI": "memory://"})
with app.app_context(), app.test_request_context():
    enrolment = db.session.get(Enrolment, int(enrolment_id))
    activity = db.session.get(Activity, int(activity_id))
    module = db.session.get(Module, activity.module_id)
    cohort = db.session.get(Cohort, enrolment.cohort_id)
    ctx = services.context(cohort, module, activity, "Asia/Jakarta")
    services.add_files(ctx, enrolment, [("laporan.pdf", Slow())], utcnow())
    db.session.commit()
"""


def test_a_worker_killed_mid_upload_leaves_no_row_and_no_file(db, app, setup, tmp_path):
    participant, _mentor, _cohort, activity, _base = setup()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == participant.id))
    folder = Path(app.config["UPLOAD_FOLDER"]) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    marker = tmp_path / "writing"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [
            sys.executable,
            "-c",
            CHILD,
            url,
            app.config["UPLOAD_FOLDER"],
            str(enrolment.id),
            str(activity.id),
            str(marker),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        if not marker.exists():
            raise AssertionError(child.communicate(timeout=30)[1].decode()[-3000:])
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=30)  # reaps the child and closes its pipe
    assert child.returncode == -signal.SIGKILL
    db.session.expire_all()
    assert db.session.scalar(select(SubmissionFile.id)) is None  # no half row
    left = set(folder.iterdir()) - before
    assert all(p.name.endswith(".partial") for p in left)  # never a servable half file
    assert len(left) == 1
    result = app.test_cli_runner().invoke(args=["uploads", "cleanup", "--orphan-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert set(folder.iterdir()) - before == set()  # the sweep removed it
