"""Personal data under UU 27/2022: a participant's own export, an admin's erasure behind a
confirmation with re-entered password, revoked certificates, retention of uploads of
finished cohorts, the privacy notice, and deactivation behind a confirmation."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from assignments.models import Submission, SubmissionFile
from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment
from tests.conftest import PASSWORD
from tests.web.test_assignments import PDF, _submit
from tests.web.test_assignments import setup as setup  # noqa: F401 (fixture)


def _stored(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "submissions"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _two_with_work(db, client, login, setup, make_user):
    """Two participants of one cohort, each with a submitted file; the first has a
    certificate."""
    participant, mentor, cohort, activity, base = setup()
    other = make_user("participant", name="Rekan Sejawat")
    db.session.add(Enrolment(cohort_id=cohort.id, user_id=other.id))
    db.session.commit()
    for person, text in ((participant, "Analisis Siti"), (other, "Analisis Rekan")):
        login(person)
        response = _submit(client, base, text, files=[(io.BytesIO(PDF), f"{person.id}.pdf")])
        assert response.status_code == 302
        client.post_form("/logout")
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == participant.id))
    db.session.add(
        Certificate(
            enrolment_id=enrolment.id,
            code="SERT-0001-ABCD",
            participant_name=participant.name,
            course_title="Kursus Uji",
            cohort_name=cohort.name,
            region_name="Kabupaten Sumedang",
        )
    )
    db.session.commit()
    return participant, other, mentor, cohort


def test_a_participant_downloads_everything_held_about_them(
    db, app, client, login, setup, make_user
):
    participant, other, _mentor, _cohort = _two_with_work(db, client, login, setup, make_user)
    login(participant)
    assert client.get("/account/data").status_code == 200
    assert client.get("/account/data").get_data(as_text=True).count("download-data") == 1
    response = client.post_form("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["profile"][0]["email"] == participant.email
    assert "password_hash" not in data["profile"][0]
    assert "calendar_token" not in data["profile"][0]
    assert "totp_secret" not in data["profile"][0]
    assert [s["text"] for s in data["submissions"]] == ["Analisis Siti"]
    assert [c["code"] for c in data["certificates"]] == ["SERT-0001-ABCD"]
    assert len(data["enrolments"]) == 1 and data["enrolments"][0]["cohort_name"]
    (entry,) = data["submission_files"]
    assert archive.read(entry["file_in_zip"]) == PDF
    assert "Analisis Rekan" not in json.dumps(data)  # nobody else's work
    assert not any(other.email in n for n in archive.namelist())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("personal_data%")))
    assert event.action == "personal_data.export" and event.actor_id == participant.id
    client.post_form("/logout")
    assert client.post_form("/account/data").status_code == 302  # log in first


def test_an_admin_erases_a_person_after_confirming(db, app, client, login, setup, make_user):
    earlier = _stored(app)  # the upload folder is shared by the session's tests
    participant, other, mentor, cohort = _two_with_work(db, client, login, setup, make_user)
    name, email = participant.name, participant.email
    mine = db.session.scalar(
        select(SubmissionFile.stored_name)
        .join(Submission, Submission.id == SubmissionFile.submission_id)
        .join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .where(Enrolment.user_id == participant.id)
    )
    assert mine in _stored(app) and len(_stored(app) - earlier) == 2
    assert client.get("/verify/SERT-0001-ABCD").status_code == 200
    # The certificate's PDFs, as the worker draws them: they print the name.
    from lms.certificates import services as certificates

    base = app.config.get("LMS_BASE_URL")
    app.config["LMS_BASE_URL"] = "https://belajar.example.go.id"
    try:
        assert certificates.render_pdfs(db.session.scalar(select(Certificate.id))) == 2
    finally:
        app.config["LMS_BASE_URL"] = base
    pdfs = Path(app.config["UPLOAD_FOLDER"]) / certificates.PDFS
    assert sorted(p.name for p in pdfs.iterdir() if "SERT-0001-ABCD" in p.name) == [
        "SERT-0001-ABCD-en.pdf",
        "SERT-0001-ABCD-id.pdf",
    ]
    admin = make_user("admin")
    login(admin)
    url = f"/users/{participant.id}/erase"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="confirm-erase"' in page.get_data(as_text=True)
    wrong = client.post_form(url, {"email": "salah@example.org", "password": PASSWORD})
    assert wrong.status_code == 422
    bad_password = client.post_form(url, {"email": email, "password": "x" * 12})
    assert bad_password.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, participant.id).name == name  # nothing yet
    done = client.post_form(url, {"email": email.upper(), "password": PASSWORD})
    assert done.status_code == 302, done.get_data(as_text=True)[:400]

    db.session.expire_all()
    erased = db.session.get(User, participant.id)
    assert erased.name == f"Pengguna terhapus #{participant.id}" and not erased.active
    assert erased.nip is None and erased.password_hash is None
    assert email not in erased.email
    assert mine not in _stored(app) and len(_stored(app) - earlier) == 1  # only theirs
    texts = dict(
        db.session.execute(
            select(Enrolment.user_id, Submission.text).join(
                Enrolment, Enrolment.id == Submission.enrolment_id
            )
        ).all()
    )
    assert texts == {participant.id: "", other.id: "Analisis Rekan"}
    assert db.session.scalar(select(Cohort.id)) == cohort.id  # enrolments and rows stay
    assert len(db.session.scalars(select(Enrolment)).all()) == 2
    certificate = db.session.scalar(select(Certificate))
    assert certificate.revoked_at is not None and name not in certificate.participant_name
    assert not [p for p in pdfs.iterdir() if "SERT-0001-ABCD" in p.name]  # the PDFs went
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "personal_data.erase")
    ).all()
    assert event.actor_id == admin.id and email not in json.dumps(event.after)
    assert event.after["files_deleted"] == 1 and event.after["certificates_revoked"] == 1
    client.post_form("/logout")

    verify = client.get("/verify/SERT-0001-ABCD")
    html = verify.get_data(as_text=True)
    assert verify.status_code == 410 and 'data-testid="revoked"' in html
    assert name not in html
    failed = client.post_form("/login", {"email": email, "password": PASSWORD})
    assert failed.status_code != 302
    login(other)  # the colleague's work is untouched
    assert client.get("/home").status_code == 200


def test_only_admins_erase_and_never_themselves(db, client, login, make_user):
    person = make_user("participant")
    coordinator = make_user("coordinator", region=person.region_code)
    login(coordinator)
    assert client.get(f"/users/{person.id}/erase").status_code == 403
    client.post_form("/logout")
    admin = make_user("admin")
    login(admin)
    response = client.post_form(
        f"/users/{admin.id}/erase", {"email": admin.email, "password": PASSWORD}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_uploads_of_long_finished_cohorts_are_cleaned_up(db, app, client, login, setup):
    earlier = _stored(app)
    participant, _mentor, cohort, _activity, base = setup()
    login(participant)
    _submit(client, base, "Analisis", files=[(io.BytesIO(PDF), "peta.pdf")])
    assert len(_stored(app) - earlier) == 1
    runner = app.test_cli_runner()
    result = runner.invoke(args=["uploads", "cleanup", "--days", "30"])
    assert result.exit_code == 0 and "0 files" in result.output  # the cohort runs on
    ended = db.session.get(Cohort, cohort.id)
    ended.start_date, ended.end_date = date(2019, 11, 1), date(2020, 1, 31)
    db.session.commit()
    dry = runner.invoke(args=["uploads", "cleanup", "--days", "30", "--dry-run"])
    assert "Would delete 1 files" in dry.output and len(_stored(app) - earlier) == 1
    result = runner.invoke(args=["uploads", "cleanup", "--days", "30"])
    assert result.exit_code == 0 and "Deleted 1 files" in result.output, result.output
    db.session.expire_all()
    assert _stored(app) - earlier == set()
    assert db.session.scalar(select(SubmissionFile.id)) is None
    assert db.session.scalar(select(Submission.text)) == "Analisis"  # the work's record stays


def test_the_privacy_notice_in_both_languages(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert 'data-testid="privacy-notice"' in page and "UU PDP" in page and "Hak Anda" in page
    client.post_form("/language", {"lang": "en", "next": "/privacy"})
    page = client.get("/privacy").get_data(as_text=True)
    assert "Your rights" in page and "730 days" in page
