"""Quiz authoring for admins and course authors: the question bank, imports and exports
(GIFT, Moodle XML), a quiz tried in a sandbox; for admins corrections with regrading and item
analysis; per-cohort quiz windows for cohort managers."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from courses import services as course_services
from courses.models import Activity, Course, CourseVersion, Module
from lms import plugins, policy
from lms.audit.recorder import log
from lms.audit.services import Change
from lms.auth.models import Role
from lms.errors import attach_error, form_status
from lms.extensions import db
from lms.markdown import render_markdown
from lms.policy import roles_required
from quizzes import analysis, services
from quizzes.forms import (
    FixQuestionForm,
    QuestionForm,
    QuestionImportForm,
    WindowForm,
    config_toml,
    parse_toml,
)
from quizzes.models import Question, QuizAudit, QuizWindow

bp = Blueprint("quiz_admin", __name__)


def _types():
    return plugins.registry().question_types


def _version_or_404(course_id: int, version_id: int) -> tuple[Course, CourseVersion]:
    course = db.session.get(Course, course_id)
    version = db.session.get(CourseVersion, version_id)
    if course is None or version is None or version.course_id != course.id:
        abort(404)
    if not policy.can_author_course(current_user, course.id):
        abort(403)
    return course, version


def _question_or_404(version: CourseVersion, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.version_id != version.id:
        abort(404)
    return question


@bp.get("/admin/courses/<int:course_id>/versions/<int:version_id>/questions")
@login_required
def bank(course_id: int, version_id: int) -> str:
    """The course version's question bank, by session, with the quizzes that use it."""
    course, version = _version_or_404(course_id, version_id)
    modules = course_services.modules_of(version.id)
    questions = services.bank_of(version.id)
    quizzes = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version.id, Activity.type == "quiz")
        .order_by(Module.position, Activity.position)
    ).all()
    return render_template(
        "quizzes/bank.html",
        course=course,
        version=version,
        modules=modules,
        questions=questions,
        quizzes=quizzes,
        types=_types(),
        upload=_import_form(version),
    )


@bp.route(
    "/admin/courses/<int:course_id>/versions/<int:version_id>/view-as/quizzes/<int:activity_id>",
    methods=["GET", "POST"],
)
@login_required
def sandbox(course_id: int, version_id: int, activity_id: int) -> str:
    """Try a quiz of the draft or a version as a participant would; the answers are graded
    on the page and never recorded (no attempt, no response, no completion)."""
    course, version = _version_or_404(course_id, version_id)
    activity = db.session.get(Activity, activity_id)
    module = db.session.get(Module, activity.module_id) if activity is not None else None
    if activity is None or module is None or module.version_id != version.id:
        abort(404)
    if activity.type != "quiz":
        abort(404)
    seed = request.form.get("seed", "")[:32] or secrets.token_hex(8)
    questions = services.sandbox_questions(activity, module, seed)
    answers: dict[int, services.SandboxAnswer] = {}
    score = maximum = None
    if request.method == "POST":
        graded, score, maximum = services.grade_sandbox(
            activity, questions, request.form, _types(), seed
        )
        answers = {a.slot: a for a in graded}
    items = []
    for slot, question in enumerate(questions, start=1):
        qtype = _types().get(question.type)
        answer = answers.get(slot)
        ctx = services.sandbox_context(activity, seed, slot, answer.response if answer else None)
        body = (
            escape(qtype.render(question.config, ctx))
            if qtype is not None
            else Markup("<p><em>{}</em></p>").format(
                _("This question type is not installed on this server.")
            )
        )
        items.append((slot, question, render_markdown(question.text), body, answer))
    return render_template(
        "quizzes/sandbox.html",
        course=course,
        version=version,
        module=module,
        activity=activity,
        seed=seed,
        items=items,
        score=score,
        maximum=maximum,
    )


def _question_form(version: CourseVersion, question: Question | None) -> QuestionForm:
    form = QuestionForm(obj=question) if question is not None else QuestionForm()
    form.module_slug.choices = [
        SelectChoice(m.slug, f"{m.position}. {m.title}")
        for m in course_services.modules_of(version.id)
    ]
    form.type.choices = [SelectChoice(name, str(t.label)) for name, t in _types().items()]
    if request.method == "GET" and question is not None:
        form.tags.data = ", ".join(question.tags)
        form.config.data = config_toml(course_services.decode_settings(question.config))
    return form


def _question_input(form: QuestionForm) -> services.QuestionInput:
    return services.QuestionInput(
        module_slug=form.module_slug.data,
        key=form.key.data,
        type=form.type.data,
        name=form.name.data,
        text=(form.text.data or "").replace("\r\n", "\n"),
        points=float(form.points.data),
        tags=form.tag_list(),
        feedback=form.feedback.data or "",
        config=parse_toml(form.config.data),
    )


@bp.route(
    "/admin/courses/<int:course_id>/versions/<int:version_id>/questions/new",
    methods=["GET", "POST"],
)
@login_required
def question_new(course_id: int, version_id: int) -> str | Response:
    course, version = _version_or_404(course_id, version_id)
    if not version.is_draft:
        flash(_("Start a new draft before changing the course."), "error")
        return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    form = _question_form(version, None)
    if form.validate_on_submit():
        try:
            services.add_question(version, _question_input(form), _types())
        except services.QuizError as error:
            attach_error(form, error)
        else:
            flash(_("Question added."), "success")
            return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    return render_template(
        "quizzes/question_form.html", form=form, course=course, version=version, question=None
    ), form_status(form)


@bp.route(
    "/admin/courses/<int:course_id>/versions/<int:version_id>/questions/<int:question_id>",
    methods=["GET", "POST"],
)
@login_required
def question_edit(course_id: int, version_id: int, question_id: int) -> str | Response:
    """Edit a draft's question; a published one can only be corrected (see `fix`)."""
    course, version = _version_or_404(course_id, version_id)
    question = _question_or_404(version, question_id)
    if not version.is_draft:
        return redirect(
            url_for(
                "quiz_admin.fix",
                course_id=course.id,
                version_id=version.id,
                question_id=question.id,
            )
        )
    form = _question_form(version, question)
    if form.validate_on_submit():
        try:
            services.update_question(version, question, _question_input(form), _types())
        except services.QuizError as error:
            attach_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    return render_template(
        "quizzes/question_form.html", form=form, course=course, version=version, question=question
    ), form_status(form)


@bp.post(
    "/admin/courses/<int:course_id>/versions/<int:version_id>/questions/<int:question_id>/delete"
)
@login_required
def question_delete(course_id: int, version_id: int, question_id: int) -> Response:
    course, version = _version_or_404(course_id, version_id)
    question = _question_or_404(version, question_id)
    try:
        services.delete_question(version, question)
    except services.QuizError as error:
        flash(str(error), "error")
    else:
        flash(_("Question removed from the draft."), "success")
    return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))


@bp.route(
    "/admin/courses/<int:course_id>/versions/<int:version_id>/questions/<int:question_id>/fix",
    methods=["GET", "POST"],
)
@roles_required(Role.ADMIN)
def fix(course_id: int, version_id: int, question_id: int) -> str | Response:
    """Correct a published question and regrade every attempt on it (audited)."""
    course, version = _version_or_404(course_id, version_id)
    question = _question_or_404(version, question_id)
    form = FixQuestionForm()
    if request.method == "GET":
        form.config.data = config_toml(course_services.decode_settings(question.config))
    if form.validate_on_submit():
        before = course_services.decode_settings(question.config)
        try:
            count = services.fix_question(
                question,
                parse_toml(form.config.data),
                current_user.id,
                form.reason.data,
                _types(),
            )
        except services.QuizError as error:
            attach_error(form, error)
        else:
            log(
                Change(
                    "question.fix",
                    "question",
                    question.id,
                    f"{course.slug} {version.label}: {question.name}"[:200],
                    before={"config": before},
                    after={
                        "config": course_services.decode_settings(question.config),
                        "reason": form.reason.data,
                        "attempts_regraded": count,
                    },
                )
            )
            flash(
                ngettext(
                    "The question was corrected and %(num)d attempt regraded.",
                    "The question was corrected and %(num)d attempts regraded.",
                    count,
                ),
                "success",
            )
            return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    history = db.session.scalars(
        select(QuizAudit).where(QuizAudit.question_id == question.id).order_by(QuizAudit.at.desc())
    ).all()
    return render_template(
        "quizzes/fix.html",
        form=form,
        course=course,
        version=version,
        question=question,
        history=history,
    ), form_status(form)


# --------------------------------------------------------------------------- analysis


@bp.get("/admin/courses/<int:course_id>/quizzes/<int:activity_id>/analysis")
@roles_required(Role.ADMIN)
def item_analysis(course_id: int, activity_id: int) -> str | Response:
    course = db.session.get(Course, course_id)
    row = db.session.execute(
        select(Activity, Module, CourseVersion)
        .join(Module, Module.id == Activity.module_id)
        .join(CourseVersion, CourseVersion.id == Module.version_id)
        .where(Activity.id == activity_id, Activity.type == "quiz")
    ).first()
    if course is None or row is None or row[2].course_id != course.id:
        abort(404)
    activity, module, version = row
    stats = analysis.item_analysis(activity.id, _types())
    if request.args.get("format") == "csv":
        return _analysis_csv(activity, stats)
    return render_template(
        "quizzes/analysis.html",
        course=course,
        version=version,
        activity=activity,
        module=module,
        stats=stats,
        kind=services.settings_of(activity).kind,
    )


@bp.get("/admin/courses/<int:course_id>/modules/<int:module_id>/forms")
@roles_required(Role.ADMIN)
def form_comparison(course_id: int, module_id: int) -> str | Response:
    """Tes Awal against Tes Akhir of one session: the blueprint and each form's statistics."""
    row = db.session.execute(
        select(Module, CourseVersion, Course)
        .join(CourseVersion, CourseVersion.id == Module.version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(Module.id == module_id)
    ).first()
    if row is None or row[2].id != course_id:
        abort(404)
    module, version, course = row
    comparison = analysis.form_comparison(module, _types())
    if comparison is None:
        abort(404)
    return render_template(
        "quizzes/forms_comparison.html",
        course=course,
        version=version,
        module=module,
        comparison=comparison,
        level_of=analysis.level_of,
    )


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _analysis_csv(activity: Activity, stats: analysis.QuizStats) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["attempts", stats.attempts])
    writer.writerow(["mean_percent", _number(stats.mean)])
    writer.writerow(["median_percent", _number(stats.median)])
    writer.writerow(["stdev_percent", _number(stats.stdev)])
    writer.writerow(["cronbach_alpha", _number(stats.alpha, 3)])
    writer.writerow([])
    writer.writerow(
        ["question_key", "name", "type", "answered", "facility", "discrimination", "choices"]
    )
    for item in stats.items:
        writer.writerow(
            [
                item.question.key,
                _safe_cell(item.question.name),
                item.question.type,
                item.answered,
                _number(item.facility, 3),
                _number(item.discrimination, 3),
                "; ".join(f"{_safe_cell(text)}: {count}" for text, count in item.choices),
            ]
        )
    response = Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="analisis-{activity.key}-{activity.id}.csv"'
    )
    return response


def _safe_cell(text: str) -> str:
    """Spreadsheet formula injection: a cell must not start with = + - @."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --------------------------------------------------------------------------- windows


@bp.route("/cohorts/<int:cohort_id>/quizzes", methods=["GET", "POST"])
@login_required
def windows(cohort_id: int) -> str | Response | tuple[str, int]:
    """The cohort's quizzes with their open and close times, each overridable."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    if cohort.course_version_id is None:
        abort(404)
    manage = policy.can_manage_cohort(current_user, cohort)
    if request.method == "POST" and not manage:
        abort(403)
    rows = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == cohort.course_version_id, Activity.type == "quiz")
        .order_by(Module.position, Activity.position)
    ).all()
    zone = ZoneInfo(cohort.region.timezone)
    forms = {}
    status = 200
    for activity, module in rows:
        form = WindowForm(prefix=f"w{activity.id}")
        forms[activity.id] = form
        if request.method == "POST" and request.form.get("activity") == str(activity.id):
            if form.validate_on_submit():
                try:
                    services.set_window(
                        cohort,
                        module,
                        activity,
                        _aware(form.opens_at.data, zone),
                        _aware(form.closes_at.data, zone),
                    )
                except services.QuizError as error:
                    form.closes_at.errors = [str(error)]
                    status = 422
                else:
                    flash(_("The quiz times were saved."), "success")
                    return redirect(url_for("quiz_admin.windows", cohort_id=cohort.id))
            else:
                status = 422
    overrides = {
        (w.module_slug, w.activity_key): w
        for w in db.session.scalars(select(QuizWindow).where(QuizWindow.cohort_id == cohort.id))
    }
    contexts = {
        activity.id: services.QuizContext(
            activity,
            module,
            cohort,
            services.settings_of(activity),
            *services.window(
                services.settings_of(activity),
                overrides.get((module.slug, activity.key)),
                cohort.region.timezone,
            ),
        )
        for activity, module in rows
    }
    if request.method == "GET":
        for activity, _module in rows:
            ctx = contexts[activity.id]
            forms[activity.id].opens_at.data = _local(ctx.opens_at, zone)
            forms[activity.id].closes_at.data = _local(ctx.closes_at, zone)
    return render_template(
        "quizzes/windows.html",
        cohort=cohort,
        rows=rows,
        forms=forms,
        contexts=contexts,
        overrides=overrides,
        manage=manage,
    ), status


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone).replace(tzinfo=None) if value is not None else None


def _aware(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.replace(tzinfo=zone) if value is not None else None


def _import_form(version: CourseVersion) -> QuestionImportForm:
    form = QuestionImportForm()
    form.module_slug.choices = [
        SelectChoice(m.slug, f"{m.position}. {m.title}")
        for m in course_services.modules_of(version.id)
    ]
    return form


# --------------------------------------------------------------------------- GIFT / Moodle XML

MAX_QUESTION_FILE = 5 * 1024 * 1024


def parse_question_file(filename: str, data: bytes) -> tuple[list, list]:
    """Parse a GIFT or Moodle XML file (by extension); returns (questions, problems)."""
    from quizzes.formats import FormatProblem, gift, moodle_xml

    if len(data) > MAX_QUESTION_FILE:
        return [], [FormatProblem(filename, _("The file is larger than 5 MB."))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [FormatProblem(filename, _("The file is not UTF-8 text."))]
    module = moodle_xml if filename.lower().endswith(".xml") else gift
    return module.parse(text, _types())


@bp.post("/admin/courses/<int:course_id>/versions/<int:version_id>/questions/import")
@login_required
def import_questions(course_id: int, version_id: int) -> str | Response | tuple[str, int]:
    course, version = _version_or_404(course_id, version_id)
    form = _import_form(version)
    if not version.is_draft:
        flash(_("Start a new draft before changing the course."), "error")
        return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        for error in errors:
            flash(str(error), "error")
        return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    upload = form.file.data
    from quizzes.formats import FormatProblem, blocking

    questions, problems = parse_question_file(
        upload.filename or "", upload.stream.read(MAX_QUESTION_FILE + 1)
    )
    stopping = blocking(problems, import_rest=form.import_rest.data)
    if not stopping:
        try:
            created = services.import_questions(version, form.module_slug.data, questions, _types())
        except services.QuizError as error:
            stopping = [FormatProblem(upload.filename or "", str(error))]
        else:
            flash(
                ngettext(
                    "%(num)d question was imported.",
                    "%(num)d questions were imported.",
                    len(created),
                ),
                "success",
            )
            for problem in problems:  # the skipped questions of unsupported types
                flash(_("Skipped: %(problem)s", problem=str(problem)), "info")
            return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    skippable = not form.import_rest.data and all(p.unsupported for p in stopping)
    return render_template(  # 422: the request boundary rolls back anything half-added
        "quizzes/import_problems.html",
        course=course,
        version=version,
        problems=stopping,
        skippable=skippable,
    ), 422


@bp.get("/admin/courses/<int:course_id>/versions/<int:version_id>/questions.<fmt>")
@login_required
def export_bank(course_id: int, version_id: int, fmt: str) -> Response:
    from quizzes.formats import gift, moodle_xml

    if fmt not in ("gift", "xml"):
        abort(404)
    course, version = _version_or_404(course_id, version_id)
    questions = services.exportable(services.bank_of(version.id))
    writer = gift if fmt == "gift" else moodle_xml
    try:
        text = writer.dump(questions)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("quiz_admin.bank", course_id=course.id, version_id=version.id))
    response = Response(
        text.encode("utf-8"), mimetype="application/xml" if fmt == "xml" else "text/plain"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{course.slug}-{version.label}.{"xml" if fmt == "xml" else "gift"}"'
    )
    return response
