"""The storage contract: the same tests against every backend (LMS_STORAGE local, shared and
s3). S3 runs against moto's in-process mock of the S3 API (no network), through the real
boto3 client the app uses in production."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from courses.models import Activity
from lms import storage

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 200 + b"%%EOF\n"
BUCKET = "lms-test-uploads"


@pytest.fixture(params=["local", "shared", "s3"])
def backend_name(request, app, tmp_path, monkeypatch) -> Iterator[str]:
    name = request.param
    monkeypatch.setitem(app.config, "LMS_STORAGE", name)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "LMS_STORAGE_PATH", str(tmp_path / "shared"))
    if name != "s3":
        yield name
        return
    moto = pytest.importorskip("moto", reason="moto[s3] is in the dev extra: make install")
    import boto3

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setitem(app.config, "LMS_S3_BUCKET", BUCKET)
    monkeypatch.setitem(app.config, "LMS_S3_PREFIX", "lms/")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield name


def _objects(backend: storage.Backend, kind: str) -> list[str]:
    """Everything the backend holds under `kind`, partial files included."""
    if isinstance(backend, storage.LocalBackend):
        return sorted(p.name for p in backend.folder(kind).iterdir())
    answer = backend.client.list_objects_v2(Bucket=BUCKET, Prefix=f"lms/{kind}/")
    return sorted(item["Key"].rsplit("/", 1)[1] for item in answer.get("Contents", []))


def _store(data: bytes, name: str = "laporan.pdf", max_bytes: int = 1024 * 1024):
    return storage.store(
        io.BytesIO(data), name, kind="contract", allowed=("pdf", "txt"), max_bytes=max_bytes
    )


def test_store_read_and_send(app, db, backend_name):
    with app.test_request_context("/"):
        backend = storage.backend()
        assert backend.name == ("s3" if backend_name == "s3" else "local")
        stored = _store(PDF)
        assert stored.size == len(PDF) and stored.content_type == "application/pdf"
        assert _objects(backend, "contract") == [stored.stored_name]  # no partial left
        assert backend.size("contract", stored.stored_name) == len(PDF)
        assert backend.read_bytes("contract", stored.stored_name) == PDF
        response = storage.send(
            "contract",
            stored.stored_name,
            content_type=stored.content_type,
            download_name="Laporan Akhir.pdf",
        )
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "Laporan" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
        assert response.headers["Content-Length"] == str(len(PDF))
        assert response.is_streamed  # never read whole into memory
        response.direct_passthrough = False
        assert response.get_data() == PDF
        response.close()
        db.session.commit()
        assert backend.exists("contract", stored.stored_name)


def test_size_limit_and_content_checks_store_nothing(app, db, backend_name):
    with app.test_request_context("/"):
        backend = storage.backend()
        with pytest.raises(storage.UploadError, match="lebih besar dari 1 MB"):
            _store(PDF + b"0" * (1024 * 1024))
        with pytest.raises(storage.UploadError, match="bukan berkas .pdf"):
            _store(b"<html><script>alert(1)</script></html>", "x.pdf")
        with pytest.raises(storage.UploadError, match="diizinkan: pdf, txt"):
            _store(PDF, "x.exe")
        with pytest.raises(storage.UploadError, match="kosong"):
            _store(b"", "kosong.txt")
        assert _objects(backend, "contract") == []


def test_missing_object_is_a_404_and_names_cannot_escape(app, db, backend_name):
    with app.test_request_context("/"):
        backend = storage.backend()
        with pytest.raises(FileNotFoundError):
            backend.open("contract", "0123abcd.pdf")
        assert not backend.exists("contract", "0123abcd.pdf")
        for name in ("0123abcd.pdf", "../secret.pdf", ""):
            with pytest.raises(NotFound):
                storage.send("contract", name, content_type="application/pdf", download_name="a")
        backend.delete("contract", "0123abcd.pdf")  # deleting nothing is fine


def test_rollback_removes_what_the_transaction_stored(app, db, backend_name):
    with app.test_request_context("/"):
        backend = storage.backend()
        db.session.execute(select(1))  # a transaction is open, as in a request
        stored = _store(PDF)
        assert backend.exists("contract", stored.stored_name)
        db.session.rollback()
        assert not backend.exists("contract", stored.stored_name)
        db.session.execute(select(1))
        kept = _store(PDF)
        db.session.commit()
        db.session.rollback()  # a later rollback does not touch a committed file
        assert backend.exists("contract", kept.stored_name)
        backend.delete("contract", kept.stored_name)
        assert _objects(backend, "contract") == []


def test_assignment_file_round_trip_through_the_pages(
    app, client, db, backend_name, login, make_user, make_cohort, make_course, attach
):
    """A participant's upload lands in the configured backend and is downloaded through the
    page with the existing access checks: a classmate gets 403, a missing object 404."""
    from assignments.models import SubmissionFile
    from lms.cohorts.models import Enrolment
    from tests.web.test_assignments import _course, _submit

    participant = make_user("participant")
    classmate = make_user("participant")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    db.session.add(Enrolment(cohort_id=cohort.id, user_id=classmate.id))
    db.session.commit()
    attach(cohort, _course(make_course))
    activity_id = db.session.scalar(select(Activity.id).where(Activity.type == "assignment"))
    login(participant)
    response = _submit(
        client,
        f"/learn/{cohort.id}/assignments/{activity_id}",
        "Laporan",
        files=[(io.BytesIO(PDF), "laporan.pdf")],
    )
    assert response.status_code == 302
    row = db.session.scalar(select(SubmissionFile))
    with app.app_context():
        assert storage.backend().read_bytes("submissions", row.stored_name) == PDF
    on_disk = Path(app.config["UPLOAD_FOLDER"], "submissions", row.stored_name).exists()
    assert on_disk == (backend_name == "local")
    url = f"/files/submissions/{row.id}"
    with client.get(url) as download:
        assert download.status_code == 200 and download.get_data() == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
    client.post_form("/logout")
    login(classmate)
    assert client.get(url).status_code == 403
    client.post_form("/logout")
    login(mentor)
    with client.get(url) as download:
        assert download.status_code == 200
    with app.app_context():
        storage.backend().delete("submissions", row.stored_name)
    assert client.get(url).status_code == 404
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 1
