"""Certificates: issued when the course is complete and passed; printable page and PDF for
the participant; a public verification page that reveals nothing else."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from courses.models import Activity, Module
from lms.certificates.models import Certificate
from lms.cohorts.models import Enrolment
from tests.web.test_quizzes import _choice, _revision, _start, _tokens


def _finish(db, client, cohort, right):
    quiz = db.session.scalar(select(Activity).where(Activity.type == "quiz"))
    module = db.session.scalar(select(Module.id))
    client.get(f"/learn/{cohort.id}/modules/{module}")  # the reading
    attempt = _start(client, cohort, quiz)
    page = client.get(f"/learn/{cohort.id}/attempts/{attempt}").get_data(as_text=True)
    form = {"revision": _revision(page)}
    for slot in (1, 2):
        form[f"q{slot}"] = _tokens(page, f"q{slot}")["Benar" if slot <= right else "Salah"]
    client.post_form(f"/learn/{cohort.id}/attempts/{attempt}/submit", form)


def _setup(make_user, make_cohort, make_course, attach):
    participant = make_user("participant", name="Rina Marlina", nip=None)
    cohort = make_cohort("32.11", participants=[participant])
    version = make_course(
        modules=1,
        activities=(
            ("bacaan", "reading"),
            ("post-test", "quiz", {"kind": "post", "questions": ["a", "b"], "attempts": 0}),
        ),
        questions={1: [_choice("a"), _choice("b")]},
    )
    attach(cohort, version)
    return participant, cohort


def test_a_certificate_is_issued_once_on_completion_and_verified_publicly(
    db, app, client, login, make_user, make_cohort, make_course, attach
):
    participant, cohort = _setup(make_user, make_cohort, make_course, attach)
    login(participant)
    _finish(db, client, cohort, right=1)  # 50%: complete but below the pass mark
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    _finish(db, client, cohort, right=2)  # 100%: passes
    certificate = db.session.scalar(select(Certificate))
    assert certificate.participant_name == "Rina Marlina"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", certificate.code)
    assert db.session.scalar(select(Enrolment.status)) == "completed"
    plan = client.get(f"/learn/{cohort.id}").get_data(as_text=True)
    assert 'data-testid="certificate-ready"' in plan
    page = client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "Rina Marlina" in page and "<svg" in page
    document = client.get(f"/certificates/{certificate.code}.pdf")
    assert document.mimetype == "application/pdf" and document.data.startswith(b"%PDF")
    document.close()
    client.post_form("/logout")

    public = client.get(f"/verify/{certificate.code}")
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and 'data-testid="verified"' in text
    assert "Rina Marlina" in text and "Kursus Uji" in text
    assert cohort.name not in text and "Sumedang" not in text  # nothing beyond name, course, date
    assert client.get("/verify/AAAA-AAAA-AAAA").status_code == 404
    assert client.get(f"/certificates/{certificate.code}").status_code == 302  # needs a login


def test_another_participant_cannot_open_the_certificate(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant, cohort = _setup(make_user, make_cohort, make_course, attach)
    login(participant)
    _finish(db, client, cohort, right=2)
    code = db.session.scalar(select(Certificate.code))
    client.post_form("/logout")
    login(make_user("participant"))
    assert client.get(f"/certificates/{code}").status_code == 403
    assert client.get(f"/certificates/{code}.pdf").status_code == 403


def test_the_verify_page_is_rate_limited(client):
    statuses = [client.get("/verify/AAAA-AAAA-AAAA").status_code for _ in range(32)]
    assert statuses[0] == 404 and 429 in statuses


def test_verify_takes_a_code_in_any_case_with_or_without_dashes(db, client, make_user, make_cohort):
    from datetime import UTC, datetime

    participant = make_user("participant", name="Rina Marlina")
    cohort = make_cohort("32.11", participants=[participant])
    enrolment_id = db.session.scalar(select(Enrolment.id))
    db.session.add(
        Certificate(
            enrolment_id=enrolment_id,
            code="ABCD-EFGH-JK23",
            participant_name="Rina Marlina",
            course_title="Kursus Uji",
            cohort_name=cohort.name,
            region_name="Kabupaten Sumedang",
            issued_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    assert client.get("/verify").status_code == 200
    for typed in ("abcdefghjk23", "ABCD EFGH JK23", "abcd-efgh-jk23"):
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/verify/ABCD-EFGH-JK23")
    assert client.get("/verify/abcdefghjk23").headers["Location"].endswith("/verify/ABCD-EFGH-JK23")
    page = client.get("/verify/ABCD-EFGH-JK23").get_data(as_text=True)
    assert "Rina Marlina" in page
    wrong = client.get("/verify", query_string={"code": "ABC"})
    assert wrong.status_code == 422 and 'data-testid="error-code"' in wrong.get_data(as_text=True)


def _streams(document: bytes) -> bytes:
    """The PDF's content streams, inflated (fpdf2 compresses them)."""
    import zlib

    found = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return b"".join(found)


def test_the_worker_draws_each_language_and_the_download_sends_what_it_stored(
    db, app, client, login, make_user, make_cohort, make_course, attach, monkeypatch
):
    from lms import jobs, storage
    from lms.certificates import services
    from lms.models import utcnow

    monkeypatch.setitem(app.config, "LMS_BASE_URL", "https://belajar.example.go.id")
    queued = []
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda *a, **k: queued.append((a, k)))
    participant, cohort = _setup(make_user, make_cohort, make_course, attach)
    login(participant)
    _finish(db, client, cohort, right=2)
    certificate = db.session.scalar(select(Certificate))
    # Queued for the worker; never drawn in the request that completed the course.
    assert queued == [((services.RENDER_JOB, certificate.id), {"inline": False})]
    backend = storage.backend()
    names = {lang: services.pdf_name(certificate, lang) for lang in ("id", "en")}
    for name in names.values():
        try:
            backend.size(services.PDFS, name)
            raise AssertionError(f"{name} drawn before the job ran")
        except FileNotFoundError:
            pass

    assert services.render_pdfs(certificate.id) == 2  # the job, as the worker runs it
    drawn = {lang: backend.read_bytes(services.PDFS, name) for lang, name in names.items()}
    indonesian, english = _streams(drawn["id"]), _streams(drawn["en"])
    assert b"Sertifikat" in indonesian and b"Certificate of completion" in english
    assert b"https://belajar.example.go.id/verify/" + certificate.code.encode() in indonesian
    document = client.get(f"/certificates/{certificate.code}.pdf")
    assert document.status_code == 200 and document.data == drawn["id"]
    assert document.headers["Content-Disposition"].startswith("attachment")
    document.close()

    certificate.revoked_at = utcnow()
    db.session.commit()
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 404
    assert services.render_pdfs(certificate.id) == 0  # a revoked one is not drawn


def test_without_a_worker_the_first_download_draws_the_pdf_and_keeps_it(
    db, app, client, login, make_user, make_cohort, make_course, attach, monkeypatch
):
    from lms import storage
    from lms.certificates import services

    participant, cohort = _setup(make_user, make_cohort, make_course, attach)
    login(participant)
    _finish(db, client, cohort, right=2)
    certificate = db.session.scalar(select(Certificate))
    assert services.render_pdfs(certificate.id) == 0  # no LMS_BASE_URL: nothing to print
    first = client.get(f"/certificates/{certificate.code}.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    first.close()
    # printed under the request's own host
    assert b"://lms.test/verify/" + certificate.code.encode() in _streams(first.data)
    kept = storage.backend().read_bytes(services.PDFS, services.pdf_name(certificate, "id"))
    assert kept == first.data

    def fail(*_args, **_kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(services, "draw_pdf", fail)
    again = client.get(f"/certificates/{certificate.code}.pdf")
    assert again.data == first.data
    again.close()
