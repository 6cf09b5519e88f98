"""Certificates: the participant's printable page and PDF, and the public verification."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from lms import policy, storage
from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.models import Certificate
from lms.cohorts.models import Enrolment
from lms.extensions import db, limiter

bp = Blueprint("certificates", __name__)


def _own_or_staff(code: str) -> Certificate:
    certificate = services.by_code(code)
    if certificate is None or certificate.revoked_at is not None:
        abort(404)
    enrolment = db.session.get(Enrolment, certificate.enrolment_id)
    if current_user.role == Role.PARTICIPANT:
        if enrolment.user_id != current_user.id:
            abort(403)
    else:
        policy.get_cohort_or_abort(enrolment.cohort_id)
    return certificate


def _verify_url(certificate: Certificate) -> str:
    return services.verify_url(certificate) or ""


@bp.get("/certificates/<code>")
@login_required
def show(code: str) -> str:
    """The printable certificate (print it from the browser, or download the PDF)."""
    certificate = _own_or_staff(code)
    url = _verify_url(certificate)
    return render_template(
        "certificates/show.html",
        certificate=certificate,
        verify_url=url,
        qr=Markup(services.qr_svg(url)),  # noqa: S704 (SVG made by segno from our own URL)
    )


@bp.get("/certificates/<code>.pdf")
@login_required
def pdf(code: str) -> Response:
    """The PDF in the reader's language, as the worker stored it (drawn now the first time
    when it has not)."""
    certificate = _own_or_staff(code)
    locale = str(get_locale() or "id")
    if locale not in current_app.config["LANGUAGES"]:
        locale = "id"
    return storage.send(
        services.PDFS,
        services.stored_pdf(certificate, locale),
        content_type="application/pdf",
        download_name=f"sertifikat-{certificate.code}.pdf",
    )


@bp.get("/verify")
@limiter.limit("30 per minute")
def verify_form() -> str | WerkzeugResponse:
    """Public: a form to type a certificate's code (any case, dashes optional)."""
    typed = request.args.get("code", "").strip()[:40]
    if typed:
        code = services.normalize_code(typed)
        if code is not None:
            return redirect(url_for("certificates.verify", code=code))
    return render_template(
        "certificates/verify.html",
        certificate=None,
        code=typed,
        error=_("A code has 12 letters and digits, like ABCD-EFGH-JKLM.") if typed else None,
    ), (422 if typed else 200)


@bp.get("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str) -> tuple[str, int] | WerkzeugResponse:
    """Public: confirms a certificate by its code, showing only name, course and date."""
    canonical = services.normalize_code(code)
    if canonical is not None and canonical != code:
        return redirect(url_for("certificates.verify", code=canonical))
    certificate = services.by_code(code)
    status = 404 if certificate is None else (410 if certificate.revoked_at else 200)
    return render_template(
        "certificates/verify.html", certificate=certificate, code=code, error=None
    ), status
