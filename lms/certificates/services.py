"""Issuing certificates and the public verification. Services only flush."""

from __future__ import annotations

import io
import secrets
from typing import Any

import segno
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from courses.models import CourseVersion
from courses.summaries import latin
from lms import jobs, storage
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.models import utcnow
from lms.regions.models import Region

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_code() -> str:
    """A 12-character code (about 60 bits), grouped for reading aloud: XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def certificate_of(enrolment_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment_id))


def issue_if_complete(enrolment_id: int) -> Certificate | None:
    """Issue the certificate once the course is complete and passed (idempotent)."""
    from courses import grades as tracking

    existing = certificate_of(enrolment_id)
    if existing is not None:
        return existing
    enrolment = db.session.get(Enrolment, enrolment_id)
    cohort = db.session.get(Cohort, enrolment.cohort_id) if enrolment else None
    if cohort is None or cohort.course_version_id is None:
        return None
    # Cheap test first: most completions do not finish the course, so the gradebook (six
    # statements) is only computed once every activity is complete.
    done = tracking.completion_counts(cohort.course_version_id, [enrolment_id]).get(enrolment_id, 0)
    if done < tracking.activity_total(cohort.course_version_id):
        return None
    version = db.session.get(CourseVersion, cohort.course_version_id)
    book = tracking.gradebooks(version, [enrolment_id])[enrolment_id]
    if not book.passed:
        return None
    user = db.session.get(User, enrolment.user_id)
    region = db.session.get(Region, cohort.region_code)
    certificate = Certificate(
        enrolment_id=enrolment_id,
        code=new_code(),
        participant_name=user.name,
        course_title=version.title,
        cohort_name=cohort.name,
        region_name=region.display_name if region else cohort.region_code,
        grade_percent=round(book.final_grade, 1),
        issued_at=utcnow(),
    )
    db.session.add(certificate)
    enrolment.status = EnrolmentStatus.COMPLETED.value
    db.session.flush()
    # The PDFs are drawn by the worker once this commits; without a queue, at the first
    # download (never inside the request that completed the course).
    jobs.enqueue_after_commit(RENDER_JOB, certificate.id, inline=False)
    return certificate


def on_completion(_sender: Any, *, enrolment_id: int, activity_id: int) -> None:
    issue_if_complete(enrolment_id)


def normalize_code(code: str) -> str | None:
    """A code as typed (any case, with or without dashes or spaces) in its printed form
    XXXX-XXXX-XXXX, or None when it cannot be one."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(raw) != 12 or not raw.isascii():
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def by_code(code: str) -> Certificate | None:
    cleaned = normalize_code(code)
    if cleaned is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == cleaned))


def qr_svg(url: str) -> str:
    """The verification address as an inline SVG QR code."""
    out = io.BytesIO()
    # A viewBox instead of a fixed size, so CSS scales the whole code (never crops it), and
    # a white background with the quiet zone, so it scans on any page colour.
    segno.make(url, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, omitsize=True, light="#fff", border=4
    )
    return out.getvalue().decode()


def pdf(certificate: Certificate, verify_url: str, labels: dict[str, str]) -> bytes:
    """A one-page A4 landscape certificate with the QR code of the verification address."""
    from fpdf import FPDF

    document = FPDF(orientation="L", format="A4")
    document.set_auto_page_break(False)
    document.add_page()
    document.set_title(labels["title"])
    document.set_draw_color(30, 64, 120)
    document.set_line_width(1.2)
    document.rect(10, 10, 277, 190)
    document.set_font("helvetica", "B", 30)
    document.set_y(30)
    document.cell(0, 14, labels["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font("helvetica", "", 14)
    document.cell(0, 10, labels["given_to"], align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font("helvetica", "B", 24)
    document.cell(
        0, 16, latin(certificate.participant_name), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    document.set_font("helvetica", "", 14)
    document.multi_cell(0, 8, latin(labels["body"]), align="C", new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    document.cell(0, 8, latin(labels["date"]), align="C", new_x="LMARGIN", new_y="NEXT")
    png = io.BytesIO()
    segno.make(verify_url, error="m").save(png, kind="png", scale=6)
    png.seek(0)
    document.image(png, x=235, y=140, w=40, h=40)
    document.set_font("helvetica", "", 10)
    document.set_xy(20, 178)
    document.cell(200, 6, latin(f"{labels['code']}: {certificate.code}"))
    document.set_xy(20, 184)
    document.cell(200, 6, latin(verify_url))
    return bytes(document.output())


# --------------------------------------------------------------------------- the PDF

PDFS = "certificates"
"""The storage kind of the drawn PDFs: one per certificate and language."""
RENDER_JOB = "lms.certificates.services.render_pdfs"


def pdf_name(certificate: Certificate, locale: str) -> str:
    return pdf_name_of(certificate.code, locale)


def pdf_name_of(code: str, locale: str) -> str:
    """The stored name of a certificate's PDF in `locale` (erasure deletes them)."""
    return f"{code}-{locale}.pdf"


def verify_url(certificate: Certificate) -> str | None:
    """The public verification address printed on the certificate: under LMS_BASE_URL, else
    under the current request's host; None outside a request without LMS_BASE_URL."""
    base = str(current_app.config.get("LMS_BASE_URL") or "").rstrip("/")
    if base:
        with current_app.test_request_context("/"):
            return base + url_for("certificates.verify", code=certificate.code)
    if has_request_context():
        return url_for("certificates.verify", code=certificate.code, _external=True)
    return None


def draw_pdf(certificate: Certificate, url: str, locale: str) -> bytes:
    """The certificate's PDF in `locale` ("id" or "en")."""
    with force_locale(locale):
        labels = {
            "title": _("Certificate of completion"),
            "given_to": _("is given to"),
            "body": _(
                "for completing the course %(course)s in %(cohort)s, %(region)s.",
                course=certificate.course_title,
                cohort=certificate.cohort_name,
                region=certificate.region_name,
            ),
            "date": format_date(certificate.issued_at, "long"),
            "code": _("Verification code"),
        }
    return pdf(certificate, url, labels)


def stored_pdf(certificate: Certificate, locale: str) -> str:
    """The stored name of the certificate's PDF in `locale`, drawn and stored now if the
    worker has not done it yet (a valid certificate only: the caller checks access)."""
    name = pdf_name(certificate, locale)
    chosen = storage.backend()
    try:
        chosen.size(PDFS, name)
    except FileNotFoundError:
        url = verify_url(certificate)
        if url is None:
            raise
        chosen.put_bytes(PDFS, name, draw_pdf(certificate, url, locale))
    return name


def render_pdfs(certificate_id: int) -> int:
    """Job: draw and store a new certificate's PDF in every language of the interface, so
    that downloads are sent as stored. Needs LMS_BASE_URL (the worker has no request to
    take the address from); without it the first download draws each PDF. Returns how
    many were drawn."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.revoked_at is not None:
        return 0
    url = verify_url(certificate)
    if url is None:
        return 0
    chosen = storage.backend()
    for locale in current_app.config["LANGUAGES"]:
        chosen.put_bytes(PDFS, pdf_name(certificate, locale), draw_pdf(certificate, url, locale))
    return len(current_app.config["LANGUAGES"])
