"""Practical assignments: the participant's draft, files and submissions; the mentors'
grading queue and grading page; file downloads that check who is asking."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
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
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from assignments import services
from assignments.models import Review, Submission, SubmissionDraft, SubmissionFile
from courses.models import Activity, Module
from lms import policy, storage
from lms.auth.models import Role, User
from lms.cohorts.models import Cohort, Enrolment, cohort_mentor
from lms.confirm import Confirmation, confirmed, render_confirmation
from lms.errors import DomainError
from lms.extensions import db
from lms.markdown import render_markdown
from lms.models import utcnow

bp = Blueprint("assignments", __name__)

AUDIT_ACTIONS = {
    "save": _l("Draft saved"),
    "return": _l("Returned for revision"),
    "grade": _l("Graded"),
    "release": _l("Grade released"),
}
REVIEW_STATES = {
    "draft": _l("Draft"),
    "returned": _l("Returned for revision"),
    "graded": _l("Graded"),
}


def _assignment_in(cohort: Cohort, activity_id: int) -> tuple[Activity, Module]:
    row = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(
            Activity.id == activity_id,
            Activity.type == "assignment",
            Module.version_id == cohort.course_version_id,
        )
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def _ctx(cohort: Cohort, activity: Activity, module: Module) -> services.AssignmentContext:
    return services.context(cohort, module, activity, cohort.region.timezone)


def _revision() -> int | None:
    value = request.form.get("revision", "")
    return int(value) if value.isdigit() else None


def _practices(slugs: tuple[str, ...]) -> tuple[list[Any], list[str]]:
    """The published practices the task names, in its order, and the names not found
    (shown to the reader, never dropped silently)."""
    if not slugs:
        return [], []
    from lms.practices.models import Practice, PracticeStatus

    found = {
        p.slug: p
        for p in db.session.scalars(
            select(Practice).where(
                Practice.slug.in_(slugs), Practice.status == PracticeStatus.PUBLISHED.value
            )
        )
    }
    return [found[s] for s in slugs if s in found], [s for s in slugs if s not in found]


# --------------------------------------------------------------------------- participant


@bp.get("/learn/<int:cohort_id>/assignments/<int:activity_id>")
@login_required
def assignment(cohort_id: int, activity_id: int) -> str | tuple[str, int]:
    """The brief, dates, the draft (text and files), and every submitted version."""
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    activity, module = _assignment_in(cohort, activity_id)
    return _assignment_page(cohort, enrolment, activity, module)


def _assignment_page(
    cohort: Cohort,
    enrolment: Enrolment | None,
    activity: Activity,
    module: Module,
    *,
    text: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    ctx = _ctx(cohort, activity, module)
    submissions = services.submissions_of(enrolment.id, activity.id) if enrolment else []
    reviews = services.reviews_of(s.id for s in submissions)
    files = services.files_of_submissions(s.id for s in submissions)
    draft = services.draft_for(activity.id, enrolment.id) if enrolment else None
    now = utcnow()
    can_edit = False
    blocked = None
    if enrolment is not None:
        try:
            services.check_can_submit(ctx, enrolment.id, now)
            can_edit = True
        except services.AssignmentError as error:
            blocked = str(error)
    practices, missing_practices = _practices(ctx.settings.practices)
    return render_template(
        "assignments/assignment.html",
        cohort=cohort,
        enrolment=enrolment,
        activity=activity,
        module=module,
        ctx=ctx,
        settings=ctx.settings,
        brief=render_markdown(ctx.settings.brief),
        practices=practices,
        missing_practices=missing_practices,
        submissions=list(reversed(submissions)),
        reviews=reviews,
        files=files,
        draft=draft,
        draft_files=services.draft_files(draft),
        text=text if text is not None else (draft.text if draft else ""),
        errors=errors or {},
        can_edit=can_edit,
        blocked=blocked,
        late_days=ctx.late_days(now),
        left=ctx.settings.resubmissions - max(0, len(submissions) - 1),
        proposable={s.id for s in submissions[-1:] if services.passed_review(ctx, s) is not None}
        - _already_proposed(s.id for s in submissions),
    ), status


def _already_proposed(submission_ids: Any) -> set[int]:
    from lms.practices.models import Practice

    ids = list(submission_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Practice.source_submission_id).where(Practice.source_submission_id.in_(ids))
        )
    )


def _participant(cohort_id: int, activity_id: int) -> tuple[Cohort, Enrolment, Activity, Module]:
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    if enrolment is None:
        abort(403)
    activity, module = _assignment_in(cohort, activity_id)
    return cohort, enrolment, activity, module


@bp.post("/learn/<int:cohort_id>/assignments/<int:activity_id>/draft")
@login_required
def save_draft(cohort_id: int, activity_id: int) -> Any:
    """Save the draft text (the page's autosave, or the Save button)."""
    cohort, enrolment, activity, module = _participant(cohort_id, activity_id)
    text = request.form.get("text", "")
    fetch = request.headers.get("X-Requested-With") == "fetch"
    try:
        draft = services.save_draft(
            _ctx(cohort, activity, module), enrolment, text, _revision(), utcnow()
        )
    except services.AssignmentError as error:
        if fetch:
            return jsonify(ok=False, message=str(error)), 409
        return _assignment_page(
            cohort, enrolment, activity, module, text=text, errors={"text": str(error)}, status=409
        )
    if fetch:
        return jsonify(ok=True, revision=draft.revision)
    flash(_("Your draft was saved."), "success")
    return redirect(url_for("assignments.assignment", cohort_id=cohort.id, activity_id=activity.id))


@bp.post("/learn/<int:cohort_id>/assignments/<int:activity_id>/files")
@login_required
def upload(cohort_id: int, activity_id: int) -> Any:
    """Attach files to the draft, saving the text sent with them. All or nothing: a refused
    file keeps neither the files nor the save, and the page shows the text again."""
    cohort, enrolment, activity, module = _participant(cohort_id, activity_id)
    ctx = _ctx(cohort, activity, module)
    text = request.form.get("text")
    now = utcnow()
    try:
        # A savepoint: on failure the draft keeps its stored revision, so the page drawn
        # below can be used again as it is.
        with db.session.begin_nested():
            if text is not None:
                services.save_draft(ctx, enrolment, text, _revision(), now)
            uploads = [(f.filename or "", f.stream) for f in request.files.getlist("files")]
            added = services.add_files(ctx, enrolment, uploads, now)
    except DomainError as error:
        # Nothing of this request is kept (the request boundary rolls back, and files
        # written to disk are removed); the text stays in the form.
        return _assignment_page(
            cohort, enrolment, activity, module, text=text, errors={"files": str(error)}, status=422
        )
    flash(_("%(count)d files attached.", count=len(added)), "success")
    return redirect(url_for("assignments.assignment", cohort_id=cohort.id, activity_id=activity.id))


@bp.post("/learn/<int:cohort_id>/assignments/<int:activity_id>/files/<int:file_id>/delete")
@login_required
def remove_file(cohort_id: int, activity_id: int, file_id: int) -> Response:
    cohort, enrolment, activity, module = _participant(cohort_id, activity_id)
    try:
        services.remove_file(_ctx(cohort, activity, module), enrolment, file_id)
    except services.AssignmentError as error:
        flash(str(error), "error")
    return redirect(url_for("assignments.assignment", cohort_id=cohort.id, activity_id=activity.id))


@bp.post("/learn/<int:cohort_id>/assignments/<int:activity_id>/submit")
@login_required
def submit(cohort_id: int, activity_id: int) -> Any:
    """Submit in two steps. The first saves the text and uploads any file chosen with it
    (nothing picked is dropped), then asks for confirmation; the confirmed one submits."""
    cohort, enrolment, activity, module = _participant(cohort_id, activity_id)
    ctx = _ctx(cohort, activity, module)
    now = utcnow()
    back = url_for("assignments.assignment", cohort_id=cohort.id, activity_id=activity.id)
    if confirmed():
        try:
            submission = services.submit(ctx, enrolment, _revision(), now)
        except services.AssignmentError as error:
            field = error.field or "text"
            return _assignment_page(
                cohort, enrolment, activity, module, errors={field: str(error)}, status=422
            )
        if submission.late_days:
            flash(_("Submitted, %(days)d days late.", days=submission.late_days), "info")
        else:
            flash(_("Your work was submitted (version %(n)d).", n=submission.number), "success")
        return redirect(back)
    text = request.form.get("text")
    uploads = [(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename]
    try:
        with db.session.begin_nested():  # see `upload`
            if text is not None:
                services.save_draft(ctx, enrolment, text, _revision(), now)
            if uploads:
                services.add_files(ctx, enrolment, uploads, now)
            draft = services.draft_for(activity.id, enrolment.id)
            files = services.draft_files(draft)
            services.check_submittable(ctx, draft, files)
    except DomainError as error:
        field = getattr(error, "field", None) or ("files" if uploads else "text")
        return _assignment_page(
            cohort, enrolment, activity, module, text=text, errors={field: str(error)}, status=422
        )
    return _confirm_submit(ctx, enrolment, draft, files, now, back)


def _confirm_submit(
    ctx: services.AssignmentContext,
    enrolment: Enrolment,
    draft: SubmissionDraft,
    files: list[SubmissionFile],
    now: Any,
    back: str,
) -> str:
    earlier = services.submissions_of(enrolment.id, ctx.activity.id)
    consequences = [
        _(
            "Version %(n)d goes to your mentor with the text and files shown below.",
            n=len(earlier) + 1,
        ),
        _("You cannot change it after submitting, unless your mentor returns it for revision."),
    ]
    if earlier:
        left = ctx.settings.resubmissions - len(earlier)
        consequences.append(
            ngettext(
                "After this one, %(num)d more resubmission is allowed.",
                "After this one, %(num)d more resubmissions are allowed.",
                max(0, left),
            )
        )
    late = ctx.late_days(now)
    if late:
        consequences.append(ngettext("It is %(num)d day late.", "It is %(num)d days late.", late))
    return render_confirmation(
        Confirmation(
            title=_("Submit %(title)s?", title=ctx.activity.title),
            consequences=consequences,
            action=url_for(
                "assignments.submit", cohort_id=enrolment.cohort_id, activity_id=ctx.activity.id
            ),
            confirm_label=_("Submit now"),
            cancel_url=back,
            fields={"revision": str(draft.revision)},
            details_template="assignments/_confirm_details.html",
            details={"draft": draft, "files": files},
        )
    )


# --------------------------------------------------------------------------- files


def _may_see_file(row: SubmissionFile) -> bool:
    """The owner of the draft or submission, the cohort's mentors, and admins."""
    if row.submission_id is not None:
        enrolment_id = db.session.scalar(
            select(Submission.enrolment_id).where(Submission.id == row.submission_id)
        )
    else:
        enrolment_id = db.session.scalar(
            select(SubmissionDraft.enrolment_id).where(SubmissionDraft.id == row.draft_id)
        )
    enrolment = db.session.get(Enrolment, enrolment_id) if enrolment_id else None
    if enrolment is None:
        return False
    if current_user.role == Role.ADMIN:
        return True
    if current_user.role == Role.PARTICIPANT:
        return enrolment.user_id == current_user.id
    if current_user.role == Role.MENTOR:
        return (
            db.session.scalar(
                select(cohort_mentor.c.user_id).where(
                    cohort_mentor.c.cohort_id == enrolment.cohort_id,
                    cohort_mentor.c.user_id == current_user.id,
                )
            )
            is not None
        )
    return False


@bp.get("/files/submissions/<int:file_id>")
@login_required
def download(file_id: int) -> Response:
    """A submitted file, always as a download, never rendered by the browser."""
    row = db.session.get(SubmissionFile, file_id)
    if row is None:
        abort(404)
    if not _may_see_file(row):
        abort(403)
    return storage.send(
        services.FILES,
        row.stored_name,
        content_type=row.content_type,
        download_name=row.original_name,
    )


@bp.get("/cohorts/<int:cohort_id>/assignments/<int:activity_id>/work.zip")
@login_required
def work_zip(cohort_id: int, activity_id: int) -> Response:
    """Every participant's latest submission of an assignment meant for the region's
    coordination team (`for_coordinator`), as one zip: the cohort's mentors, its region's
    coordinator and admins."""
    import io
    import re
    import shutil
    import zipfile

    cohort = policy.get_cohort_or_abort(cohort_id)
    activity, module = _assignment_in(cohort, activity_id)
    if not services.settings_of(activity).for_coordinator:
        abort(404)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in services.latest_of_cohort(cohort.id, activity.id):
            name = re.sub(r"[^A-Za-z0-9]+", "-", item.participant).strip("-") or "peserta"
            folder = f"{item.nip or item.submission.enrolment_id}-{name}"
            text = f"# {activity.title}\n\n{item.participant}\n\n{item.submission.text}\n"
            archive.writestr(f"{folder}/teks.md", text)
            for number, row in enumerate(item.files, start=1):
                try:
                    source = storage.open_stored(services.FILES, row.stored_name)
                except FileNotFoundError:
                    continue
                original = re.sub(r"[^A-Za-z0-9._-]+", "_", row.original_name)
                with source, archive.open(f"{folder}/{number:02d}-{original}", "w") as target:
                    shutil.copyfileobj(source, target, storage.CHUNK)
    response = send_file(
        io.BytesIO(buffer.getvalue()),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{module.slug}-{activity.key}-{cohort.id}.zip",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- mentors


def _grader_cohorts() -> Any:
    """The cohorts whose work the user grades: a mentor's own, every one for an admin."""
    if current_user.role == Role.ADMIN:
        return select(Cohort.id)
    if current_user.role == Role.MENTOR:
        return select(cohort_mentor.c.cohort_id).where(cohort_mentor.c.user_id == current_user.id)
    abort(403)


@bp.get("/grading/")
@policy.roles_required(Role.MENTOR, Role.ADMIN)
def queue() -> str:
    """Latest submissions to review, oldest first, with counts per state."""
    scope = _grader_cohorts()
    cohort_id = request.args.get("cohort", type=int)
    status = request.args.get("status", "submitted")
    if status not in {"submitted", "in_review", "returned", "graded", "all"}:
        status = "submitted"
    key = request.args.get("assignment", "").strip()[:64] or None
    stmt = services.queue(
        scope, cohort_id=cohort_id, activity_key=key, status=None if status == "all" else status
    )
    counts = services.queue_counts(scope, cohort_id)
    # Unfiltered by assignment, the page's total is one of the counts per state (or their
    # sum): no second COUNT over the latest submissions.
    total = None
    if key is None:
        total = sum(counts.values()) if status == "all" else counts[status]
    page = db.paginate(
        stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=total is None
    )
    if total is not None:
        page.total = total
    cohorts = list(
        db.session.scalars(select(Cohort).where(Cohort.id.in_(scope)).order_by(Cohort.name))
    )
    return render_template(
        "assignments/queue.html",
        page=page,
        details=services.queue_details(page.items),
        counts=counts,
        cohorts=cohorts,
        cohort_id=cohort_id,
        status=status,
        assignment=key or "",
    )


@dataclass
class _Grading:
    submission: Submission
    enrolment: Enrolment
    cohort: Cohort
    activity: Activity
    module: Module
    ctx: services.AssignmentContext


def _grading(submission_id: int) -> _Grading:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    enrolment = db.session.get(Enrolment, submission.enrolment_id)
    cohort = policy.get_cohort_or_abort(enrolment.cohort_id)
    if not policy.can_take_attendance(current_user, cohort):
        abort(403)
    activity = db.session.get(Activity, submission.activity_id)
    module = db.session.get(Module, activity.module_id)
    return _Grading(submission, enrolment, cohort, activity, module, _ctx(cohort, activity, module))


def _diff(older: Submission | None, newer: Submission) -> Markup | None:
    if older is None or older.text == newer.text:
        return None
    table = difflib.HtmlDiff(wrapcolumn=72).make_table(
        older.text.splitlines(),
        newer.text.splitlines(),
        _("Version %(n)d", n=older.number),
        _("Version %(n)d", n=newer.number),
        context=True,
        numlines=2,
    )
    return Markup(table)  # noqa: S704 (HtmlDiff escapes the texts it shows)


def _grading_page(g: _Grading, *, errors=None, conflict=None, form=None, status=200):
    versions = services.submissions_of(g.enrolment.id, g.activity.id)
    files = services.files_of_submissions(v.id for v in versions)
    reviews = services.reviews_of(v.id for v in versions)
    review = reviews.get(g.submission.id)
    earlier = [v for v in versions if v.number < g.submission.number]
    owner = db.session.get(User, g.enrolment.user_id)
    blind = g.ctx.settings.blind and not (review and review.released)
    return render_template(
        "assignments/grade.html",
        g=g,
        settings=g.ctx.settings,
        brief=render_markdown(g.ctx.settings.brief),
        versions=versions,
        files=files,
        reviews=reviews,
        review=review,
        diff=_diff(earlier[-1] if earlier else None, g.submission),
        owner_name=_("Participant %(n)s", n=g.enrolment.id) if blind else owner.name,
        errors=errors or {},
        conflict=conflict,
        form=form or {},
        audit=services.audit_of(review),
        audit_actions=AUDIT_ACTIONS,
        review_states=REVIEW_STATES,
    ), status


@bp.get("/grading/submissions/<int:submission_id>")
@policy.roles_required(Role.MENTOR, Role.ADMIN)
def grade(submission_id: int) -> tuple[str, int]:
    return _grading_page(_grading(submission_id))


@bp.post("/grading/submissions/<int:submission_id>")
@policy.roles_required(Role.MENTOR, Role.ADMIN)
def save_grade(submission_id: int) -> Any:
    g = _grading(submission_id)
    levels: dict[int, int] = {}
    for index in range(len(g.ctx.settings.rubric)):
        value = request.form.get(f"criterion-{index}", "")
        if value.isdigit():
            levels[index] = int(value)
    raw_points = request.form.get("points", "").strip().replace(",", ".")
    errors: dict[str, str] = {}
    points = None
    if raw_points:
        try:
            points = float(raw_points)
        except ValueError:
            errors["points"] = _("Give the points as a number.")
    version = request.form.get("version", "")
    data = services.ReviewInput(
        levels=levels,
        points=points,
        comment=request.form.get("comment", ""),
        action=request.form.get("action", "save"),
        version=int(version) if version.isdigit() else None,
    )
    form = {"levels": levels, "points": raw_points, "comment": data.comment}
    if not errors:
        try:
            services.save_review(g.ctx, g.submission, data, current_user.id, utcnow())
        except services.ReviewConflict as error:
            return _grading_page(g, conflict=(str(error), error.current), form=form, status=409)
        except services.AssignmentError as error:
            errors[error.field or "form"] = str(error)
        else:
            messages = {
                "save": _("Draft review saved."),
                "return": _("Returned for revision; the participant can see your feedback."),
                "grade": _("Graded. Release the grade when you are ready."),
            }
            flash(messages[data.action], "success")
            return redirect(url_for("assignments.grade", submission_id=g.submission.id))
    return _grading_page(g, errors=errors, form=form, status=422)


@bp.post("/grading/submissions/<int:submission_id>/release")
@policy.roles_required(Role.MENTOR, Role.ADMIN)
def release(submission_id: int) -> Response:
    g = _grading(submission_id)
    review = db.session.scalar(select(Review).where(Review.submission_id == g.submission.id))
    released = services.release(g.ctx, [review] if review else [], current_user.id, utcnow())
    if released:
        flash(_("The grade was released to the participant."), "success")
    else:
        flash(_("Only a graded review can be released."), "error")
    return redirect(url_for("assignments.grade", submission_id=g.submission.id))


@bp.post("/grading/cohorts/<int:cohort_id>/assignments/<int:activity_id>/release")
@policy.roles_required(Role.MENTOR, Role.ADMIN)
def release_all(cohort_id: int, activity_id: int) -> Response:
    """Release every graded, unreleased review of one assignment in one cohort."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    if not policy.can_take_attendance(current_user, cohort):
        abort(403)
    activity, module = _assignment_in(cohort, activity_id)
    ctx = _ctx(cohort, activity, module)
    count = services.release(ctx, services.graded_unreleased(ctx), current_user.id, utcnow())
    flash(_("%(count)d grades were released.", count=count), "success")
    return redirect(url_for("assignments.queue", cohort=cohort.id, status="graded"))


@bp.post(
    "/learn/<int:cohort_id>/assignments/<int:activity_id>/submissions/<int:submission_id>/propose"
)
@login_required
def propose(cohort_id: int, activity_id: int, submission_id: int) -> Any:
    """Offer passed work to the practice catalog (with the participant's consent)."""
    cohort, enrolment, activity, module = _participant(cohort_id, activity_id)
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.activity_id != activity.id:
        abort(404)
    if submission.enrolment_id != enrolment.id:
        abort(403)
    try:
        practice = services.propose_practice(
            _ctx(cohort, activity, module),
            enrolment,
            submission,
            title=request.form.get("title", "")[:200],
            summary=request.form.get("summary", "")[:500],
            derived_from_slug=request.form.get("origin") or None,
            consent=request.form.get("consent") == "yes",
        )
    except DomainError as error:
        flash(str(error), "error")
        return redirect(
            url_for("assignments.assignment", cohort_id=cohort.id, activity_id=activity.id)
        )
    flash(_("Thank you: your practice was proposed and waits for a curator."), "success")
    return redirect(url_for("practices.show", slug=practice.slug))


# --------------------------------------------------------------------------- cohort times


@bp.route("/cohorts/<int:cohort_id>/assignments", methods=["GET", "POST"])
@login_required
def windows(cohort_id: int) -> Any:
    """The cohort's assignments with their open, due and cut-off times, each overridable."""
    from zoneinfo import ZoneInfo

    from assignments.forms import AssignmentWindowForm

    cohort = policy.get_cohort_or_abort(cohort_id)
    if cohort.course_version_id is None:
        abort(404)
    manage = policy.can_manage_cohort(current_user, cohort)
    if request.method == "POST" and not manage:
        abort(403)
    rows = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == cohort.course_version_id, Activity.type == "assignment")
        .order_by(Module.position, Activity.position)
    ).all()
    zone = ZoneInfo(cohort.region.timezone)
    contexts = {a.id: _ctx(cohort, a, m) for a, m in rows}
    forms, status = {}, 200
    for activity, module in rows:
        form = AssignmentWindowForm(prefix=f"a{activity.id}")
        forms[activity.id] = form
        if request.method == "POST" and request.form.get("activity") == str(activity.id):
            if form.validate_on_submit():
                aware = [
                    v.replace(tzinfo=zone) if v else None
                    for v in (form.opens_at.data, form.due_at.data, form.cutoff_at.data)
                ]
                try:
                    services.set_window(cohort, module, activity, *aware)
                except services.AssignmentError as error:
                    form.cutoff_at.errors = [str(error)]
                    status = 422
                else:
                    flash(_("The assignment times were saved."), "success")
                    return redirect(url_for("assignments.windows", cohort_id=cohort.id))
            else:
                status = 422
        elif request.method == "GET":
            ctx = contexts[activity.id]
            for name in ("opens_at", "due_at", "cutoff_at"):
                value = getattr(ctx, name)
                getattr(form, name).data = (
                    value.astimezone(zone).replace(tzinfo=None) if value else None
                )
    return render_template(
        "assignments/windows.html",
        cohort=cohort,
        rows=rows,
        forms=forms,
        contexts=contexts,
        manage=manage,
    ), status
