"""The participant import as a long job: above IMPORT_INLINE_ROWS valid rows the confirmation
starts `user_import` and the uploader watches its job page; the result file lists every row
(new accounts with their one-time link, skipped rows with line and reason). Small files
still import in the request (tests/web/test_users.py)."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lms import storage
from lms.auth.models import User
from lms.cohorts.models import Enrolment
from lms.longjobs import services as longjobs
from lms.longjobs.models import JobRun
from lms.users import services

CSV_HEADER = "name,email,nip,region_code,work_unit,position\n"
ROWS = (
    "Asep,asep@example.org,198503122010011001,32.11,Diskominfo,Analis",
    "Rina,rina@example.org,,32.11,Bappeda,Perencana",
    "Bad region,bad@example.org,,99.99,,",
    "Dedi,dedi@example.org,,32.11,Dinkes,Staf",
)
GOOD_EMAILS = {"asep@example.org", "rina@example.org", "dedi@example.org"}


@pytest.fixture
def small_threshold(monkeypatch):
    """Two valid rows still import in the request; three or more go to the job."""
    monkeypatch.setattr(services, "IMPORT_INLINE_ROWS", 2)


def _csv(*rows: str) -> bytes:
    return (CSV_HEADER + "\n".join(rows) + "\n").encode()


def _stage(client, content: bytes, cohort: str = "") -> str:
    response = client.post_form(
        "/users/import",
        {"file": (io.BytesIO(content), "peserta.csv"), "cohort_id": cohort},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rstrip("/").split("/")[-1]


def _accounts(db, emails) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(User.email).where(User.email.in_(emails))))


def _staged_files(token: str) -> list[bool]:
    store = storage.backend()
    return [store.exists(services.STAGED, f"{token}.{ext}") for ext in ("bin", "json")]


def _result_rows(client, job_url: str) -> list[list[str]]:
    with client.get(job_url + "/download") as download:
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment")
        return list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))


def test_a_large_import_runs_as_a_job_and_its_result_lists_every_row(
    client, db, make_user, login, make_cohort, small_threshold
):
    cohort = make_cohort("32.11")
    login(make_user("coordinator", region="32.11"))
    token = _stage(client, _csv(*ROWS), cohort=str(cohort.id))
    assert _staged_files(token) == [True, True]
    response = client.post_form(f"/users/import/{token}/confirm")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert job_url.startswith("/jobs/")

    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page and 'http-equiv="refresh"' not in page
    assert 'data-testid="job-result"' in page and "3 baris valid diimpor" in page
    assert _accounts(db, GOOD_EMAILS | {"bad@example.org"}) == GOOD_EMAILS
    enrolled = db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id)
    )
    assert enrolled == 3

    header, *rows = _result_rows(client, job_url)
    assert header[0] == "Baris"
    by_line = {int(row[0]): row for row in rows}
    assert sorted(by_line) == [2, 3, 4, 5]
    assert by_line[4][3] == "dilewati" and "99.99" in by_line[4][4]
    for line in (2, 3, 5):
        assert by_line[line][3] == "akun dibuat"
        link = by_line[line][4]
        assert "/reset/" in link
        # The link is a working one-time link of that account.
        assert 'name="new_password"' in client.get(urlsplit(link).path).get_data(as_text=True)

    # The staged upload is gone: no file, no preview, no second run.
    assert _staged_files(token) == [False, False]
    assert client.get(f"/users/import/{token}").status_code == 404
    assert client.post_form(f"/users/import/{token}/confirm").status_code == 404
    assert client.post_form("/jobs/start/user_import", {"token": token}).status_code == 403


def test_the_result_is_in_english_for_an_english_speaker(
    client, db, make_user, login, small_threshold
):
    login(make_user("admin", locale="en"))
    token = _stage(client, _csv(*ROWS))
    job_url = client.post_form(f"/users/import/{token}/confirm").headers["Location"]
    assert "3 valid rows were imported" in client.get(job_url).get_data(as_text=True)
    header, *rows = _result_rows(client, job_url)
    assert header[0] == "Line"
    assert {row[3] for row in rows} == {"account created", "skipped"}


def test_small_files_still_import_in_the_request(client, db, make_user, login):
    login(make_user("admin"))
    token = _stage(client, _csv(*ROWS))
    page = client.post_form(f"/users/import/{token}/confirm").get_data(as_text=True)
    assert "3 akun dibuat" in page and page.count("/reset/") == 3
    assert db.session.scalar(select(func.count(JobRun.id))) == 0


def test_a_clash_while_writing_imports_nothing_and_the_file_is_dropped(
    client, db, make_user, login, small_threshold, monkeypatch
):
    """All or nothing, as in the request: an account made between the check and the write
    (here: just before the job writes) fails the job and no row of the file is kept."""
    login(make_user("admin"))
    token = _stage(client, _csv(*ROWS))
    write, raced = services.apply_import, []

    def race_then_write(*args, **kwargs):
        if not raced:
            raced.append(True)
            rival = User(
                email="dedi@example.org", name="Dedi", role="participant", region_code="32.11"
            )
            db.session.add(rival)
            db.session.commit()
        return write(*args, **kwargs)

    monkeypatch.setattr(services, "apply_import", race_then_write)
    # Every progress report commits (no half-second throttle), so a write in committed
    # steps would leave its first rows behind.
    clock = iter(range(10**6))
    monkeypatch.setattr(longjobs.time, "monotonic", lambda: float(next(clock)))
    job_url = client.post_form(f"/users/import/{token}/confirm").headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="failed"' in page and 'data-testid="job-download"' not in page
    assert "Email atau NIP ini sudah digunakan oleh akun lain." in page  # the reason
    assert _accounts(db, GOOD_EMAILS) == {"dedi@example.org"}  # only the racing account
    assert _staged_files(token) == [False, False]


@pytest.mark.parametrize("role", ["participant", "mentor"])
def test_participants_and_mentors_can_neither_start_nor_see_an_import_job(
    app, client, db, make_user, login, small_threshold, role
):
    admin = make_user("admin")
    login(admin)
    token = _stage(client, _csv("Eka,eka@example.org,,32.11,,", *ROWS))
    second = _stage(client, _csv(*ROWS))
    job_url = client.post_form(f"/users/import/{second}/confirm").headers["Location"]
    client.post_form("/logout")

    login(make_user(role))
    assert client.post_form("/jobs/start/user_import", {"token": token}).status_code == 403
    assert client.post_form(f"/users/import/{token}/confirm").status_code == 403
    assert client.get(job_url).status_code == 404
    assert client.get(job_url + "/download").status_code == 404
    assert _accounts(db, {"eka@example.org"}) == set()
    assert _staged_files(token) == [True, True]


def test_another_admin_cannot_start_a_job_on_someones_staged_file(
    client, db, make_user, login, small_threshold
):
    login(make_user("admin"))
    token = _stage(client, _csv(*ROWS))
    client.post_form("/logout")
    login(make_user("admin"))
    assert client.post_form("/jobs/start/user_import", {"token": token}).status_code == 403
    assert client.post_form(f"/users/import/{token}/confirm").status_code == 404
    assert _accounts(db, GOOD_EMAILS) == set()


def test_on_the_worker_the_job_runs_without_a_request(app, db, make_user, monkeypatch):
    """What `lms worker` does: `run(job_id)` in an app context of its own, no request; the
    links point at the address the file was uploaded through."""
    from lms.longjobs.services import run

    monkeypatch.setitem(app.config, "LMS_BASE_URL", "")
    monkeypatch.setitem(app.config, "SERVER_NAME", None)  # as in production
    admin = make_user("admin")
    token = services.stage_import(
        admin.id, "peserta.csv", None, _csv(*ROWS), base_url="https://lms.example.go.id/"
    )
    job = JobRun(user_id=admin.id, kind="user_import", params={"token": token})
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    with app.app_context():
        run(job_id)
    db.session.expire_all()
    job = db.session.get(JobRun, job_id)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    content = storage.backend().read_bytes("exports", job.stored_name).decode("utf-8-sig")
    assert content.count("https://lms.example.go.id/reset/") == 3
    assert _accounts(db, GOOD_EMAILS) == GOOD_EMAILS
    assert _staged_files(token) == [False, False]
