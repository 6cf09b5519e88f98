"""A cohort's SPBE maturity self-assessment: the overview (both phases, the change per domain
and aspect, modules for the weakest indicators), the form per phase, and the mentor's review."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from lms import policy, spbe
from lms.auth.models import Role
from lms.cohorts.models import Cohort
from lms.errors import DomainError, attach_error, form_status
from lms.extensions import db
from lms.maturity import services
from lms.maturity.forms import AssessmentForm, ReviewForm, justification_field, level_field
from lms.maturity.models import AssessmentStatus, Phase
from lms.maturity.policy import can_edit_assessment, can_review_assessment
from lms.policy import STAFF, roles_required

bp = Blueprint("maturity", __name__)

PHASE_LABELS = {
    Phase.BASELINE.value: _l("Baseline"),
    Phase.FOLLOW_UP.value: _l("Follow-up"),
}
PHASE_HINTS = {
    Phase.BASELINE.value: _l("at the start of the cohort"),
    Phase.FOLLOW_UP.value: _l("at the end of the cohort"),
}
STATUS_LABELS = {
    AssessmentStatus.DRAFT.value: _l("Draft"),
    AssessmentStatus.SUBMITTED.value: _l("Submitted for review"),
    AssessmentStatus.REVIEWED.value: _l("Reviewed"),
}


def _phase_or_404(phase: str) -> str:
    if phase not in {p.value for p in Phase}:
        abort(404)
    return phase


def _number(value: float | None) -> str:
    """An index in the reader's locale, two decimals as published (3,45)."""
    return format_decimal(value, "0.00") if value is not None else "—"


def _weight(value: float) -> str:
    return format_decimal(value, "0.###")


def _change(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, 2)


def _signed(value: float | None) -> str:
    return format_decimal(value, "+0.00;-0.00") if value is not None else "—"


def _page_globals() -> dict[str, Any]:
    return {
        "phase_labels": PHASE_LABELS,
        "phase_hints": PHASE_HINTS,
        "status_labels": STATUS_LABELS,
        "number": _number,
        "weight": _weight,
        "change": _change,
        "signed": _signed,
        "groups": services.groups(),
        "level_names": services.LEVEL_NAMES,
        "total": len(spbe.INDICATORS),
    }


# --------------------------------------------------------------------------- overview


@bp.get("/cohorts/<int:cohort_id>/maturity")
@roles_required(*STAFF)
def overview(cohort_id: int) -> str:
    """Both phases with their index and predicate, the change per domain and aspect, and the
    course modules that address the weakest indicators of the latest assessment."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    sheets = services.sheets_of(cohort.id)
    results = {phase: sheet.result for phase, sheet in sheets.items()}
    latest, levels = services.latest_levels(sheets)
    return render_template(
        "maturity/overview.html",
        cohort=cohort,
        sheets=sheets,
        results=results,
        baseline=results[Phase.BASELINE.value],
        follow_up=results[Phase.FOLLOW_UP.value],
        latest=latest,
        weak=services.weakest_with_modules(cohort, levels),
        can_edit=can_edit_assessment(current_user, cohort),
        **_page_globals(),
    )


# --------------------------------------------------------------------------- the form


def _render_sheet(
    cohort: Cohort,
    phase: str,
    form: AssessmentForm,
    review_form: ReviewForm,
    status: int = 200,
    sheet: services.Sheet | None = None,
) -> tuple[str, int]:
    sheet = sheet or services.sheet_of(cohort.id, phase)
    can_edit = can_edit_assessment(current_user, cohort)
    # After a refused POST the form keeps the revision it was made from: a stale tab stays
    # stale until reloaded, so it cannot overwrite what another tab saved.
    revision = _revision() if request.method == "POST" else None
    if revision is None:
        revision = sheet.assessment.revision if sheet.assessment else 0
    return render_template(
        "maturity/sheet.html",
        cohort=cohort,
        phase=phase,
        sheet=sheet,
        result=sheet.result,
        form=form,
        review_form=review_form,
        editable=can_edit and sheet.status == AssessmentStatus.DRAFT,
        can_review=sheet.status == AssessmentStatus.SUBMITTED
        and can_review_assessment(current_user, cohort),
        level_field=level_field,
        justification_field=justification_field,
        revision=revision,
        **_page_globals(),
    ), status


@bp.get("/cohorts/<int:cohort_id>/maturity/<phase>")
@roles_required(*STAFF)
def sheet(cohort_id: int, phase: str) -> tuple[str, int]:
    """One phase: the form while it is a draft (to its editors), else read-only; the mentor's
    review form once it is submitted; the index computed from what is saved."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    phase = _phase_or_404(phase)
    saved = services.sheet_of(cohort.id, phase)
    data: dict[str, str] = {}
    for number, score in saved.scores.items():
        data[level_field(number)] = str(score.level)
        data[justification_field(number)] = score.justification
    return _render_sheet(cohort, phase, AssessmentForm(data=data), ReviewForm(), sheet=saved)


def _level(raw: str | None) -> int | None:
    """The chosen level; "" is none, and anything not a number becomes 0, which the service
    refuses with its message next to the indicator."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 2 else 0


def _revision() -> int | None:
    value = request.form.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _attach(form: Any, error: services.AssessmentError) -> None:
    if isinstance(error, services.ScoreErrors):
        form.form_errors.append(str(error))
        for name, message in error.problems.items():
            attach_error(form, DomainError(message, name))
    else:
        attach_error(form, error)


@bp.post("/cohorts/<int:cohort_id>/maturity/<phase>")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def save(cohort_id: int, phase: str) -> Response | tuple[str, int]:
    """Save the levels entered (partial saving is fine; the page's autosave posts here too),
    and with "submit" send the whole assessment for review. Only the indicators present in
    the form are touched; a form from an older revision is refused."""
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    phase = _phase_or_404(phase)
    form = AssessmentForm()
    if _wants_json():
        return _autosave(cohort, phase, form)
    if form.validate_on_submit():
        entries = _entries(form)
        try:
            # A refused submit undoes its save too: the page shows what was typed.
            with db.session.begin_nested():
                assessment = services.get_or_create_assessment(cohort, phase)
                result = services.save_scores(assessment, entries, _revision())
                if form.send.data:
                    result = services.submit(assessment, current_user)
        except services.AssessmentError as error:
            _attach(form, error)
        else:
            params = {
                "index": _number(result.index),
                "predicate": result.predicate or "—",
                "given": result.given,
                "total": len(spbe.INDICATORS),
            }
            if form.send.data:
                flash(
                    _(
                        "The self-assessment was submitted for review. "
                        "SPBE index %(index)s (%(predicate)s).",
                        **params,
                    ),
                    "success",
                )
            elif result.complete:
                flash(
                    _(
                        "Saved: all %(total)d indicators have a level. SPBE index %(index)s "
                        "(%(predicate)s). Submit it for review when the justifications are ready.",
                        **params,
                    ),
                    "success",
                )
            elif not result.given:
                flash(_("Saved. No indicator has a level yet."), "success")
            else:
                flash(
                    _(
                        "Saved: %(given)d of %(total)d indicators have a level. "
                        "SPBE index so far %(index)s (%(predicate)s).",
                        **params,
                    ),
                    "success",
                )
            return redirect(url_for("maturity.sheet", cohort_id=cohort.id, phase=phase))
    return _render_sheet(cohort, phase, form, ReviewForm(formdata=None), form_status(form))


def _entries(form: AssessmentForm) -> dict[int, services.ScoreInput]:
    return {
        i.number: services.ScoreInput(
            level=_level(form[level_field(i.number)].data),
            justification=form[justification_field(i.number)].data or "",
        )
        for i in spbe.INDICATORS
        if level_field(i.number) in request.form
    }


def _autosave(cohort: Cohort, phase: str, form: AssessmentForm) -> Any:
    """The page's autosave: save as the Save button does, answer in JSON. A refusal changes
    nothing and leaves the typed text on the page (the script only reports it)."""
    if not form.validate_on_submit():
        return jsonify(ok=False, message=_("The page expired; reload it to go on.")), 400
    try:
        with db.session.begin_nested():
            assessment = services.get_or_create_assessment(cohort, phase)
            result = services.save_scores(assessment, _entries(form), _revision())
    except services.StaleAssessment as error:
        return jsonify(ok=False, stale=True, message=str(error)), 409
    except services.ScoreErrors as error:
        return jsonify(ok=False, message=str(error), problems=error.problems), 422
    except services.AssessmentError as error:
        return jsonify(ok=False, message=str(error)), 409
    return jsonify(
        ok=True,
        revision=assessment.revision,
        given=result.given,
        index=_number(result.index) if result.index is not None else None,
    )


@bp.post("/cohorts/<int:cohort_id>/maturity/<phase>/review")
@roles_required(Role.ADMIN, Role.MENTOR)
def review(cohort_id: int, phase: str) -> Response | tuple[str, int]:
    """The mentor approves the submitted assessment or sends it back with a comment."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    if not can_review_assessment(current_user, cohort):
        abort(403)
    phase = _phase_or_404(phase)
    assessment = services.locked_assessment(cohort.id, phase)
    if assessment is None:
        abort(404)
    review_form = ReviewForm()
    if review_form.validate_on_submit():
        if not (review_form.approve.data or review_form.send_back.data):
            review_form.form_errors.append(_("Choose to approve or to send back."))
        else:
            approve = bool(review_form.approve.data)
            try:
                services.review(
                    assessment,
                    current_user,
                    approve=approve,
                    comment=review_form.comment.data or "",
                )
            except services.AssessmentError as error:
                attach_error(review_form, error)
            else:
                if approve:
                    flash(_("The self-assessment was approved."), "success")
                else:
                    flash(_("The self-assessment was sent back to the coordinator."), "success")
                return redirect(url_for("maturity.sheet", cohort_id=cohort.id, phase=phase))
    return _render_sheet(
        cohort, phase, AssessmentForm(formdata=None), review_form, form_status(review_form)
    )
