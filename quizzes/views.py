"""Taking quizzes (participants), reviewing attempts, and grading essays (mentors)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.wrappers import Response

from courses.models import Activity, Module
from lms import plugins, policy
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from lms.confirm import confirmed
from lms.extensions import db
from lms.markdown import render_markdown
from lms.models import utcnow
from quizzes import analysis, services
from quizzes.models import AttemptStatus, QuizAttempt, QuizResponse

bp = Blueprint("quizzes", __name__)


def _types() -> Any:
    return plugins.registry().question_types


def _quiz_in_cohort(cohort: Cohort, activity_id: int) -> tuple[Activity, Module]:
    row = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(
            Activity.id == activity_id,
            Activity.type == "quiz",
            Module.version_id == cohort.course_version_id,
        )
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def _context(cohort: Cohort, activity: Activity, module: Module) -> services.QuizContext:
    return services.quiz_context(cohort, module, activity, cohort.region.timezone)


def _module_open(cohort: Cohort, enrolment: Enrolment | None, module: Module) -> bool:
    if enrolment is None:
        return True
    from courses.learn_views import plan_for

    progress = plan_for(cohort, enrolment).find(module.id)
    return progress is not None and not progress.locked


@bp.get("/learn/<int:cohort_id>/quizzes/<int:activity_id>")
@login_required
def quiz(cohort_id: int, activity_id: int) -> str:
    """The quiz's page: rules, window, attempts so far, result, and start or continue."""
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    activity, module = _quiz_in_cohort(cohort, activity_id)
    ctx = _context(cohort, activity, module)
    attempts = services.attempts_of(enrolment.id, activity.id) if enrolment else []
    now = utcnow()
    for attempt in attempts:
        services.finalize_if_overdue(ctx, attempt, _types(), now)
    used = sum(1 for a in attempts if a.status == AttemptStatus.SUBMITTED)
    result = services.result_percent(ctx.settings, attempts)
    return render_template(
        "quizzes/quiz.html",
        cohort=cohort,
        enrolment=enrolment,
        activity=activity,
        module=module,
        ctx=ctx,
        settings=ctx.settings,
        attempts=attempts,
        open_attempt=next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None),
        left=(ctx.settings.attempts - used) if ctx.settings.attempts else None,
        result=result,
        passed=services.passed(ctx.settings, result),
        is_open=ctx.is_open(now),
        module_open=_module_open(cohort, enrolment, module),
    )


@bp.post("/learn/<int:cohort_id>/quizzes/<int:activity_id>/start")
@login_required
def start(cohort_id: int, activity_id: int) -> Response:
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    if enrolment is None:
        abort(403)
    activity, module = _quiz_in_cohort(cohort, activity_id)
    back = url_for("quizzes.quiz", cohort_id=cohort.id, activity_id=activity.id)
    if not _module_open(cohort, enrolment, module):
        flash(_("This session is not open yet."), "error")
        return redirect(back)
    try:
        attempt = services.start_attempt(
            _context(cohort, activity, module), enrolment, _types(), utcnow()
        )
    except services.QuizError as error:
        flash(str(error), "error")
        return redirect(back)
    return redirect(url_for("quizzes.attempt", cohort_id=cohort.id, attempt_id=attempt.id))


@dataclass
class _Loaded:
    cohort: Cohort
    enrolment: Enrolment | None
    attempt: QuizAttempt
    activity: Activity
    module: Module
    ctx: services.QuizContext


def _load_attempt(cohort_id: int, attempt_id: int) -> _Loaded:
    """The attempt if the user may see it: its owner, or staff who may follow the cohort."""
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        abort(404)
    owner = db.session.get(Enrolment, attempt.enrolment_id)
    if owner is None or owner.cohort_id != cohort.id:
        abort(404)
    if enrolment is not None and owner.id != enrolment.id:
        abort(403)
    activity = db.session.get(Activity, attempt.activity_id)
    module = db.session.get(Module, activity.module_id)
    return _Loaded(cohort, enrolment, attempt, activity, module, _context(cohort, activity, module))


def _revision() -> int | None:
    value = request.form.get("revision", "")
    return int(value) if value.isdigit() else None


def _flags() -> list[int]:
    return [int(v) for v in request.form.getlist("flag") if v.isdigit()]


@dataclass
class _Item:
    slot: int
    question: Any
    text: Markup
    body: Markup
    response: QuizResponse | None


def _items(loaded: _Loaded, *, disabled: bool) -> list[_Item]:
    types = _types()
    saved = services.responses_of(loaded.attempt)
    items = []
    for slot, question in enumerate(services.questions_of(loaded.attempt), start=1):
        row = saved.get(slot)
        qtype = types.get(question.type)
        ctx = replace(
            services.render_context(
                loaded.attempt, slot, loaded.ctx, row.response if row else None
            ),
            disabled=disabled,
        )
        if qtype is None:
            body = Markup("<p><em>{}</em></p>").format(
                _("This question type is not installed on this server.")
            )
        else:
            body = escape(qtype.render(question.config, ctx))
        items.append(_Item(slot, question, render_markdown(question.text), body, row))
    return items


@bp.get("/learn/<int:cohort_id>/attempts/<int:attempt_id>")
@login_required
def attempt(cohort_id: int, attempt_id: int) -> str | Response:
    """Answer the questions; the time left comes from the server's deadline."""
    loaded = _load_attempt(cohort_id, attempt_id)
    now = utcnow()
    services.finalize_if_overdue(loaded.ctx, loaded.attempt, _types(), now)
    if loaded.attempt.status != AttemptStatus.IN_PROGRESS or loaded.enrolment is None:
        return redirect(url_for("quizzes.review", cohort_id=cohort_id, attempt_id=attempt_id))
    deadline = loaded.attempt.deadline_at
    return render_template(
        "quizzes/attempt.html",
        loaded=loaded,
        items=_items(loaded, disabled=False),
        seconds_left=int((deadline - now).total_seconds()) if deadline else None,
    )


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.post("/learn/<int:cohort_id>/attempts/<int:attempt_id>/save")
@login_required
def save(cohort_id: int, attempt_id: int) -> Response | tuple[Response, int]:
    """Autosave (from the page's script) or the Save button."""
    loaded = _load_attempt(cohort_id, attempt_id)
    if loaded.enrolment is None:
        abort(403)
    back = url_for("quizzes.attempt", cohort_id=cohort_id, attempt_id=attempt_id)
    try:
        refused = services.save_answers(
            loaded.ctx, loaded.attempt, request.form, _types(), utcnow(), _revision(), _flags()
        )
    except services.QuizError as error:
        if _wants_json():
            return jsonify(ok=False, message=str(error), revision=loaded.attempt.revision), 409
        flash(str(error), "error")
        return redirect(back)
    if _wants_json():
        deadline = loaded.attempt.deadline_at
        left = int((deadline - utcnow()).total_seconds()) if deadline else None
        # 200 even with refused answers: the others were saved under the new revision.
        return jsonify(
            ok=not refused,
            revision=loaded.attempt.revision,
            seconds_left=left,
            refused={str(slot): message for slot, message in refused.items()},
        )
    if refused:
        _flash_refused(refused)
        return redirect(back)
    flash(_("Your answers were saved."), "success")
    return redirect(back)


def _flash_refused(refused: dict[int, str]) -> None:
    for slot, message in sorted(refused.items()):
        flash(_("Question %(n)d was not saved: %(message)s", n=slot, message=message), "error")


@bp.post("/learn/<int:cohort_id>/attempts/<int:attempt_id>/summary")
@login_required
def to_summary(cohort_id: int, attempt_id: int) -> Response:
    """The questions page's "Submit and finish": save the answers and flags, then show the
    summary, which asks for the confirmation."""
    loaded = _load_attempt(cohort_id, attempt_id)
    if loaded.enrolment is None:
        abort(403)
    summary_url = url_for("quizzes.summary", cohort_id=cohort_id, attempt_id=attempt_id)
    back = url_for("quizzes.attempt", cohort_id=cohort_id, attempt_id=attempt_id)
    try:
        refused = services.save_answers(
            loaded.ctx, loaded.attempt, request.form, _types(), utcnow(), _revision(), _flags()
        )
    except services.StaleForm as error:
        flash(str(error), "error")
        return redirect(back)
    except services.QuizError as error:
        flash(str(error), "error")
        return redirect(summary_url)
    if refused:
        _flash_refused(refused)
        return redirect(f"{back}#question-{min(refused)}")
    return redirect(summary_url)


@bp.get("/learn/<int:cohort_id>/attempts/<int:attempt_id>/summary")
@login_required
def summary(cohort_id: int, attempt_id: int) -> str | Response:
    """Before submitting: which questions are unanswered or flagged, then the confirmation."""
    loaded = _load_attempt(cohort_id, attempt_id)
    now = utcnow()
    services.finalize_if_overdue(loaded.ctx, loaded.attempt, _types(), now)
    if loaded.attempt.status != AttemptStatus.IN_PROGRESS or loaded.enrolment is None:
        return redirect(url_for("quizzes.review", cohort_id=cohort_id, attempt_id=attempt_id))
    slots = services.attempt_summary(loaded.attempt, _types())
    deadline = loaded.attempt.deadline_at
    return render_template(
        "quizzes/summary.html",
        loaded=loaded,
        slots=slots,
        unanswered=[s for s in slots if not s.answered],
        flagged=[s for s in slots if s.flagged],
        seconds_left=int((deadline - now).total_seconds()) if deadline else None,
    )


@bp.post("/learn/<int:cohort_id>/attempts/<int:attempt_id>/submit")
@login_required
def submit(cohort_id: int, attempt_id: int) -> Response:
    """Submit: from the summary page's confirmation (what was saved), or the questions page
    itself when the time runs out (with the answers on it)."""
    loaded = _load_attempt(cohort_id, attempt_id)
    if loaded.enrolment is None:
        abort(403)
    review_url = url_for("quizzes.review", cohort_id=cohort_id, attempt_id=attempt_id)
    form = None if confirmed() else request.form
    try:
        services.submit_attempt(loaded.ctx, loaded.attempt, form, _types(), utcnow(), _revision())
    except services.StaleForm as error:
        flash(str(error), "error")
        if loaded.attempt.status == AttemptStatus.IN_PROGRESS:
            return redirect(url_for("quizzes.attempt", cohort_id=cohort_id, attempt_id=attempt_id))
        return redirect(review_url)
    except services.QuizError as error:
        flash(str(error), "error")
        return redirect(review_url)
    flash(_("Your attempt was submitted."), "success")
    return redirect(review_url)


@bp.get("/learn/<int:cohort_id>/attempts/<int:attempt_id>/review")
@login_required
def review(cohort_id: int, attempt_id: int) -> str | Response:
    """A finished attempt, showing what the review policy allows now (staff see all)."""
    loaded = _load_attempt(cohort_id, attempt_id)
    now = utcnow()
    services.finalize_if_overdue(loaded.ctx, loaded.attempt, _types(), now)
    if loaded.attempt.status == AttemptStatus.IN_PROGRESS:
        if loaded.enrolment is not None:
            return redirect(url_for("quizzes.attempt", cohort_id=cohort_id, attempt_id=attempt_id))
        policy_now = services.ReviewPolicy(False, False, False, False)
    elif loaded.enrolment is None:
        policy_now = services.ReviewPolicy(True, True, True, True)
    else:
        policy_now = services.review_policy(loaded.ctx, loaded.attempt, now)
    owner = db.session.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.id == loaded.attempt.enrolment_id)
    )
    return render_template(
        "quizzes/review.html",
        loaded=loaded,
        owner=owner,
        items=_items(loaded, disabled=True),
        review=policy_now,
        types=_types(),
    )


# --------------------------------------------------------------------------- mentors


def _staff_cohort(cohort_id: int) -> Cohort:
    cohort = policy.get_cohort_or_abort(cohort_id)
    if not policy.can_take_attendance(current_user, cohort):
        abort(403)
    return cohort


@bp.get("/cohorts/<int:cohort_id>/quiz-grading")
@login_required
def grading_queue(cohort_id: int) -> str:
    """Attempts with written answers waiting for a mentor, oldest first."""
    cohort = _staff_cohort(cohort_id)
    page = db.paginate(
        services.grading_queue(cohort.id),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "quizzes/grading_queue.html",
        cohort=cohort,
        page=page,
        details=services.queue_details(page.items),
    )


@bp.route("/cohorts/<int:cohort_id>/attempts/<int:attempt_id>/grade", methods=["GET", "POST"])
@login_required
def grade(cohort_id: int, attempt_id: int) -> str | Response | tuple[str, int]:
    cohort = _staff_cohort(cohort_id)
    loaded = _load_attempt(cohort.id, attempt_id)
    types = _types()
    slots = services.manual_slots(loaded.attempt, types)
    saved = services.responses_of(loaded.attempt)
    errors: dict[int, str] = {}
    values: dict[int, str] = {}
    if request.method == "POST":
        grades = []
        for slot, _question in slots:
            raw = request.form.get(f"points-{slot}", "").strip().replace(",", ".")
            values[slot] = raw
            try:
                points = float(raw)
            except ValueError:
                errors[slot] = _("Give the points as a number.")
                continue
            grades.append(
                services.ManualGrade(slot, points, request.form.get(f"comment-{slot}", "")[:5000])
            )
        if not errors:
            try:
                services.grade_manually(
                    loaded.ctx, loaded.attempt, grades, current_user.id, types, utcnow()
                )
            except services.QuizError as error:
                slot = int(error.field.split("-")[1]) if error.field else None
                if slot:
                    errors[slot] = str(error)
                else:
                    flash(str(error), "error")
            else:
                flash(_("The grades were saved."), "success")
                return redirect(url_for("quizzes.grading_queue", cohort_id=cohort.id))
    owner = db.session.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.id == loaded.attempt.enrolment_id)
    )
    return render_template(
        "quizzes/grade.html",
        loaded=loaded,
        owner=owner,
        slots=[(slot, q, render_markdown(q.text), saved.get(slot)) for slot, q in slots],
        errors=errors,
        values=values,
    ), (422 if errors else 200)


@bp.get("/cohorts/<int:cohort_id>/learning-gain")
@login_required
def cohort_gain(cohort_id: int) -> str:
    """Pre-test, post-test and normalised gain per module for the whole cohort."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    if cohort.course_version_id is None:
        abort(404)
    roster = [
        (enrolment, user)
        for enrolment, user in db.session.execute(
            select(Enrolment, User)
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.cohort_id == cohort.id)
            .order_by(User.name)
        ).all()
    ]
    gains = analysis.learning_gain(cohort.course_version_id, [e.id for e, _u in roster])
    return render_template("quizzes/cohort_gain.html", cohort=cohort, roster=roster, gains=gains)
