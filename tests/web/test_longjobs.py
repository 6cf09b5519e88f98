"""Long work with progress: the national export as a job (inline without Redis, on a real
`lms worker` with it), the job page that refreshes itself, and CLI progress bars."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.longjobs.models import JobRun
from tests.web.test_jobs import _redis

REDIS_URL = os.environ.get("LMS_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/4")


def _start(client, **form):
    return client.post_form("/jobs/start/national_export", {"format": "csv", **form})


def test_without_a_queue_the_export_runs_inline_and_the_page_offers_it(
    client, db, login, make_user, make_cohort, make_course, attach
):
    attach(make_cohort("32.11", participants=[make_user("participant")]), make_course(modules=1))
    admin = make_user("admin")
    login(admin)
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert 'data-testid="national-export-job"' in page
    response = _start(client)
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page and 'http-equiv="refresh"' not in page
    assert "100%" in page and 'data-testid="job-download"' in page
    with client.get(job_url + "/download") as download:
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment")
        rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert len(rows) == 2 and any("Sumedang" in cell for cell in rows[1])


def test_a_job_is_its_starters_alone(client, db, login, make_user):
    admin, other, mentor = make_user("admin"), make_user("admin"), make_user("mentor")
    login(mentor)
    assert _start(client).status_code == 403
    assert client.post_form("/jobs/start/nonsense", {}).status_code == 404
    client.post_form("/logout")
    login(admin)
    job_url = _start(client).headers["Location"]
    client.post_form("/logout")
    login(other)
    assert client.get(job_url).status_code == 404
    assert client.get(job_url + "/download").status_code == 404
    client.post_form("/logout")
    assert client.get(job_url).status_code in (302, 401)  # to the login page


def test_a_running_job_shows_progress_and_refreshes(client, db, login, make_user):
    admin = make_user("admin")
    job = JobRun(user_id=admin.id, kind="national_export", status="running", done=128, total=512)
    db.session.add(job)
    db.session.commit()
    login(admin)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="25"' in page
    assert "128" in page and "512" in page
    assert 'data-testid="job-download"' not in page
    assert client.get(f"/jobs/{job.id}/download").status_code == 404


def test_with_redis_the_export_runs_on_the_worker(
    app, client, db, login, make_user, make_cohort, make_course, attach, monkeypatch
):
    conn = _redis_4()
    conn.flushdb()
    monkeypatch.setitem(app.config, "LMS_REDIS_URL", REDIS_URL)
    attach(make_cohort("32.11", participants=[make_user("participant")]), make_course(modules=1))
    admin = make_user("admin")
    login(admin)
    job_url = _start(client, format="xlsx").headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="queued"' in page and 'http-equiv="refresh"' in page
    db.session.rollback()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LMS_REDIS_URL": REDIS_URL,
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
    db.session.expire_all()
    job = db.session.scalar(select(JobRun))
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page
    with client.get(job_url + "/download") as download:
        assert download.status_code == 200 and download.get_data()[:2] == b"PK"
    conn.flushdb()


def _redis_4():
    import tests.web.test_jobs as job_tests

    original = job_tests.REDIS_URL
    job_tests.REDIS_URL = REDIS_URL
    try:
        return _redis()
    finally:
        job_tests.REDIS_URL = original


def test_cli_export_and_import_show_progress(
    app, db, make_user, make_cohort, make_course, attach, tmp_path
):
    attach(make_cohort("32.11", participants=[make_user("participant")]), make_course(modules=1))
    runner = app.test_cli_runner()
    out = tmp_path / "nasional.csv"
    result = runner.invoke(args=["export", "national", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exporting" in result.output and "Wrote" in result.output
    assert "Sumedang" in out.read_text(encoding="utf-8-sig")
    source = tmp_path / "peserta.csv"
    lines = ["name,email,nip,region_code,work_unit,position"]
    lines += [f"Peserta {n},peserta{n}@contoh.go.id,,32.11,Diskominfo,Staf" for n in range(3)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output and "Imported 3 participants" in result.output


def test_old_result_files_are_deleted_and_the_job_can_be_run_again(
    app, client, db, login, make_user, make_cohort, make_course, attach
):
    """A result is kept LMS_JOB_RESULT_DAYS (7) days: the next job to finish deletes older
    files, the old job's page says so and offers to make it again with the same choices."""
    from datetime import timedelta

    from lms import storage
    from lms.longjobs import services
    from lms.models import utcnow

    attach(make_cohort("32.11", participants=[make_user("participant")]), make_course(modules=1))
    login(make_user("admin"))
    old_url = _start(client, province="32").headers["Location"]
    old = db.session.get(JobRun, int(old_url.rsplit("/", 1)[1]))
    stored = old.stored_name
    with storage.open_stored(services.RESULTS, stored) as kept:
        assert kept.read()
    old.finished_at = utcnow() - timedelta(days=8)
    recent_url = _start(client).headers["Location"]  # finishing it prunes the old file
    recent = db.session.get(JobRun, int(recent_url.rsplit("/", 1)[1]))
    recent.finished_at = utcnow() - timedelta(days=6)
    db.session.commit()
    _start(client)

    db.session.expire_all()
    assert db.session.get(JobRun, old.id).stored_name is None
    with pytest.raises(FileNotFoundError):
        storage.open_stored(services.RESULTS, stored).close()
    assert db.session.get(JobRun, recent.id).stored_name is not None  # 6 days: kept
    assert client.get(old_url + "/download").status_code == 404
    page = client.get(old_url).get_data(as_text=True)
    assert 'data-testid="job-expired"' in page and "7 hari" in page
    assert 'data-testid="job-download"' not in page
    assert 'name="province" value="32"' in page
    again = client.post_form(f"/jobs/start/{old.kind}", {"format": "csv", "province": "32"})
    assert 'data-testid="job-download"' in client.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_the_prune_command_uses_the_days_given(app, db, make_user):
    from datetime import timedelta

    from lms import storage
    from lms.longjobs import services
    from lms.models import utcnow

    admin = make_user("admin")
    for days, name in ((3, "a" * 32), (1, "b" * 32)):
        storage.backend().put_bytes(services.RESULTS, name, b"x")
        db.session.add(
            JobRun(
                user_id=admin.id,
                kind="national_export",
                status="done",
                stored_name=name,
                finished_at=utcnow() - timedelta(days=days),
            )
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "prune", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "Result files deleted: 1" in result.output
    db.session.expire_all()
    kept = db.session.scalars(select(JobRun.stored_name).where(JobRun.user_id == admin.id)).all()
    assert sorted(name for name in kept if name) == ["b" * 32]


def test_the_page_follows_the_job_from_its_json_status(client, db, login, make_user, count_queries):
    """The page's script reads /jobs/<id>/status (the starter's alone); without scripts the
    page still reloads itself (a meta refresh inside <noscript>)."""
    admin = make_user("admin")
    job = JobRun(user_id=admin.id, kind="national_export", status="queued")
    db.session.add(job)
    db.session.commit()
    login(admin)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f'data-status-url="/jobs/{job.id}/status"' in page and 'src="/static/job.' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    with count_queries() as counted:
        queued = client.get(f"/jobs/{job.id}/status")
    assert counted.n == 3  # the account, the job, the account again after the commit
    assert queued.headers["Cache-Control"] == "no-store"
    assert queued.json == {
        "status": "queued",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
        "text": "Menunggu proses kerja yang tersedia. Halaman ini diperbarui secara otomatis.",
    }
    job.status, job.done, job.total = "running", 128, 512
    db.session.commit()
    running = client.get(f"/jobs/{job.id}/status").json
    assert (running["status"], running["percent"], running["finished"]) == ("running", 25, False)
    assert "128" in running["text"] and "512" in running["text"]
    job.status, job.done, job.stored_name = "done", 512, "abc"
    db.session.commit()
    done = client.get(f"/jobs/{job.id}/status").json
    assert done["finished"] and done["percent"] == 100 and done["text"] == ""
    assert done["download"] == f"/jobs/{job.id}/download"
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'src="/static/job.' not in page and "http-equiv" not in page  # finished
    client.post_form("/logout")
    login(make_user("admin"))  # another admin: not theirs
    assert client.get(f"/jobs/{job.id}/status").status_code == 404
    client.post_form("/logout")
    assert client.get(f"/jobs/{job.id}/status").status_code in (302, 401)


def test_a_failed_job_shows_a_broken_rule_but_never_an_internal_error(
    app, client, db, login, make_user, monkeypatch
):
    from dataclasses import replace

    from lms.errors import DomainError

    kinds = app.extensions["lms.longjobs"]
    admin = make_user("admin")
    login(admin)

    def internal(params, progress):
        raise RuntimeError("psycopg.errors.UndefinedTable: relation stats_secret")

    def rule(params, progress):
        raise DomainError("Berkas yang diunggah sudah tidak ada; unggah lagi.")

    monkeypatch.setitem(
        kinds, "national_export", replace(kinds["national_export"], function=internal)
    )
    page = client.get(_start(client).headers["Location"]).get_data(as_text=True)
    assert 'data-status="failed"' in page and "stats_secret" not in page
    assert "Pekerjaan ini gagal." in page  # the general message
    assert db.session.scalar(select(JobRun.error).order_by(JobRun.id.desc())) == ""
    monkeypatch.setitem(kinds, "national_export", replace(kinds["national_export"], function=rule))
    page = client.get(_start(client).headers["Location"]).get_data(as_text=True)
    assert "Berkas yang diunggah sudah tidak ada; unggah lagi." in page
