"""Course authoring (admins and course authors): courses, drafts, modules, activities, history,
publishing, course authors, view as participant, packages."""

from __future__ import annotations

import io
import secrets
import tempfile
from datetime import date, datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice
from wtforms.validators import ValidationError

from courses import archive, changes, reuse, services
from courses import package as pkg
from courses.diff import line_diff
from courses.forms import (
    ActivityForm,
    AssetUploadForm,
    AuthorForm,
    CopyActivityForm,
    CopyCourseForm,
    CopyModuleForm,
    CopyQuestionsForm,
    CourseForm,
    ModuleEditForm,
    ModuleForm,
    NewCourseForm,
    PackageUploadForm,
    PublishRightsForm,
    RestoreForm,
    settings_toml,
)
from courses.forms import lines as form_lines
from courses.learn_views import asset_links, asset_url, course_asset_url
from courses.media import MAX_ASSET_BYTES, MAX_PACKAGE_ASSET_BYTES
from courses.models import (
    Activity,
    Course,
    CourseAsset,
    CourseVersion,
    Module,
    ModuleAsset,
    ModuleRevision,
)
from lms import plugins, policy
from lms.audit.recorder import log
from lms.audit.services import Change
from lms.auth.models import Role
from lms.confirm import Confirmation, confirmed, render_confirmation
from lms.errors import attach_error, form_status
from lms.extensions import db
from lms.markdown import render_markdown
from lms.policy import roles_required

bp = Blueprint("authoring", __name__, url_prefix="/admin/courses")

MAX_PACKAGE_BYTES = 20 * 1024 * 1024


def _types():
    return plugins.registry().activity_types


def _course_or_404(course_id: int) -> Course:
    """The course, for an admin or one of its authors (403 for anyone else)."""
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if not policy.can_author_course(current_user, course.id):
        abort(403)
    return course


def _may_publish(course: Course) -> bool:
    return policy.can_publish_course(current_user, course.id, course.authors_may_publish)


def _draft_or_redirect(course: Course) -> CourseVersion | None:
    draft = services.draft_of(course.id)
    if draft is None:
        flash(_("Start a new draft before changing the course."), "error")
    return draft


def _module_or_404(version: CourseVersion, module_id: int) -> Module:
    module = db.session.get(Module, module_id)
    if module is None or module.version_id != version.id:
        abort(404)
    return module


def _activity_or_404(module: Module, activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.module_id != module.id:
        abort(404)
    return activity


@bp.get("/")
@login_required
def index() -> str:
    """Every course for an admin; the courses they write for a course author."""
    if not policy.can_author_any_course(current_user):
        abort(403)
    return render_template(
        "authoring/index.html",
        rows=_visible_rows(),
        upload=PackageUploadForm(),
        packages=plugins.registry().course_packages,
    )


def _visible_rows() -> list[dict]:
    rows = services.course_list()
    if policy.can_manage_course(current_user):
        return rows
    mine = policy.authored_course_ids(current_user)
    return [row for row in rows if row["course"].id in mine]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create() -> str | Response:
    form = NewCourseForm()
    if request.method == "GET":
        form.label.data = form.label.data or "1.0.0"
    if form.validate_on_submit():
        try:
            version = services.create_course(form.slug.data, _course_input(form))
        except services.CourseError as error:
            attach_error(form, error)
        else:
            flash(_("Draft course created. Add its modules, then publish."), "success")
            return redirect(url_for("authoring.show", course_id=version.course_id))
    return render_template("authoring/course_form.html", form=form, course=None), form_status(form)


def _course_input(form: CourseForm) -> services.CourseInput:
    return services.CourseInput(
        title=form.title.data,
        label=form.label.data,
        language=form.language.data,
        description=form.description.data or "",
    )


@bp.get("/<int:course_id>")
@login_required
def show(course_id: int) -> str:
    """The course: its versions, and its draft's modules and activities."""
    course = _course_or_404(course_id)
    draft = services.draft_of(course.id)
    versions = services.versions_with_cohorts(course.id)
    shown = draft or (versions[0][0] if versions else None)
    modules = services.modules_of(shown.id) if shown else []
    activities = services.activities_by_module(m.id for m in modules)
    manage = policy.can_manage_course(current_user)
    return render_template(
        "authoring/show.html",
        course=course,
        draft=draft,
        shown=shown,
        versions=versions,
        modules=modules,
        activities=activities,
        types=_types(),
        may_publish=_may_publish(course),
        manage=manage,
        authors=services.course_authors(course.id) if manage else [],
        author_form=AuthorForm(formdata=None),
        rights_form=PublishRightsForm(authors_may_publish=course.authors_may_publish),
    )


# --------------------------------------------------------------------------- course authors


def _managed_course_or_404(course_id: int) -> Course:
    course = _course_or_404(course_id)
    if not policy.can_manage_course(current_user):
        abort(403)
    return course


def _authors_snapshot(course: Course) -> dict[str, object]:
    return {
        "authors": [user.email for _author, user in services.course_authors(course.id)],
        "authors_may_publish": course.authors_may_publish,
    }


@bp.post("/<int:course_id>/authors")
@login_required
def author_add(course_id: int) -> Response | tuple[str, int]:
    """Name an account an author (*Penulis Materi*) of this course."""
    course = _managed_course_or_404(course_id)
    form = AuthorForm()
    before = _authors_snapshot(course)
    if form.validate_on_submit():
        try:
            user = services.add_author(course, form.email.data, actor_id=current_user.id)
        except services.CourseError as error:
            attach_error(form, error)
        else:
            log(
                Change(
                    "course.authors",
                    "course",
                    course.id,
                    course.slug,
                    before=before,
                    after=_authors_snapshot(course),
                )
            )
            flash(_("%(name)s can now write this course.", name=user.name), "success")
            return redirect(url_for("authoring.show", course_id=course.id, _anchor="authors"))
    for message in form.email.errors:
        flash(str(message), "error")
    return redirect(url_for("authoring.show", course_id=course.id, _anchor="authors"))


@bp.post("/<int:course_id>/authors/<int:user_id>/remove")
@login_required
def author_remove(course_id: int, user_id: int) -> Response:
    course = _managed_course_or_404(course_id)
    before = _authors_snapshot(course)
    user = services.remove_author(course, user_id)
    if user is not None:
        log(
            Change(
                "course.authors",
                "course",
                course.id,
                course.slug,
                before=before,
                after=_authors_snapshot(course),
            )
        )
        flash(_("%(name)s no longer writes this course.", name=user.name), "success")
    return redirect(url_for("authoring.show", course_id=course.id, _anchor="authors"))


@bp.post("/<int:course_id>/publishing")
@login_required
def publish_rights(course_id: int) -> Response:
    """Whether the course's authors may publish, or only admins."""
    course = _managed_course_or_404(course_id)
    form = PublishRightsForm()
    if form.validate_on_submit():
        before = _authors_snapshot(course)
        course.authors_may_publish = bool(form.authors_may_publish.data)
        db.session.flush()
        log(
            Change(
                "course.authors",
                "course",
                course.id,
                course.slug,
                before=before,
                after=_authors_snapshot(course),
            )
        )
        flash(_("Saved."), "success")
    return redirect(url_for("authoring.show", course_id=course.id, _anchor="authors"))


@bp.post("/<int:course_id>/draft")
@login_required
def start_draft(course_id: int) -> Response:
    course = _course_or_404(course_id)
    try:
        services.start_draft(course)
    except services.CourseError as error:
        flash(str(error), "error")
    return redirect(url_for("authoring.show", course_id=course.id))


@bp.post("/<int:course_id>/draft/discard")
@login_required
def discard_draft(course_id: int) -> Response:
    course = _course_or_404(course_id)
    draft = services.draft_of(course.id)
    if draft is not None and services.latest_published(course.id) is not None:
        services.discard_draft(draft)
        flash(_("The draft was discarded."), "success")
    return redirect(url_for("authoring.show", course_id=course.id))


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit(course_id: int) -> str | Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    form = CourseForm(obj=draft)
    if form.validate_on_submit():
        services.update_course(draft, _course_input(form))
        flash(_("Saved."), "success")
        return redirect(url_for("authoring.show", course_id=course.id))
    return _course_page(course, draft, form), form_status(form)


def _course_page(
    course: Course, draft: CourseVersion, form: CourseForm, upload: AssetUploadForm | None = None
) -> str:
    rows = services.course_assets_of(draft.id)
    return render_template(
        "authoring/course_form.html",
        form=form,
        course=course,
        assets=[(row, course_asset_url(row)) for row in rows],
        upload=upload or AssetUploadForm(formdata=None),
    )


@bp.post("/<int:course_id>/assets")
@login_required
def course_asset_upload(course_id: int) -> str | Response | tuple[str, int]:
    """Add a file to the draft's course, shared by every module (same name: replaced)."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    upload = AssetUploadForm()
    if upload.validate_on_submit():
        stored = upload.file.data
        data = stored.stream.read(_asset_limits().file_bytes + 1)
        try:
            row = services.add_course_asset(draft, stored.filename or "file", data, _asset_limits())
        except services.CourseError as error:
            attach_error(upload, error)
        else:
            flash(
                _(
                    "%(name)s was added; refer to it from any module as %(path)s.",
                    name=row.name,
                    path="../" + row.path,
                ),
                "success",
            )
            return redirect(url_for("authoring.edit", course_id=course.id) + "#assets")
    return _course_page(course, draft, CourseForm(obj=draft), upload), 422


@bp.post("/<int:course_id>/assets/<int:asset_id>/delete")
@login_required
def course_asset_delete(course_id: int, asset_id: int) -> Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is not None:
        row = db.session.get(CourseAsset, asset_id)
        if row is None or row.version_id != draft.id:
            abort(404)
        services.remove_course_asset(draft, row)
        flash(_("%(name)s was removed from the course.", name=row.name), "success")
        return redirect(url_for("authoring.edit", course_id=course.id) + "#assets")
    return redirect(url_for("authoring.show", course_id=course.id))


@bp.post("/<int:course_id>/publish")
@login_required
def publish(course_id: int) -> str | Response | tuple[str, int]:
    course = _course_or_404(course_id)
    if not _may_publish(course):
        abort(403)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    if not confirmed():
        problems = services.check_draft(draft, course.slug, plugins.registry())
        if problems:
            return render_template(
                "authoring/problems.html",
                course=course,
                problems=problems,
                title=_("The draft cannot be published yet."),
            ), 422
        return _confirm_publish(course, draft)
    try:
        version = services.publish(course, draft, plugins.registry(), actor_id=current_user.id)
    except services.PackageProblems as error:
        return render_template(
            "authoring/problems.html", course=course, problems=error.problems, title=str(error)
        ), 422
    except services.CourseError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.show", course_id=course.id))
    log(
        Change(
            "course.publish",
            "course_version",
            version.id,
            f"{course.slug} {version.label}",
            after={"course": course.slug, "version": version.label},
        )
    )
    flash(
        _(
            "Version %(label)s is published. Cohorts move to it only when you move them.",
            label=version.label,
        ),
        "success",
    )
    return redirect(url_for("authoring.show", course_id=course.id))


def _confirm_publish(course: Course, draft: CourseVersion) -> str:
    """What publishing does, before it is done: it freezes the draft for good, and no
    cohort moves by itself."""
    following = [(v, n) for v, n in services.versions_with_cohorts(course.id) if n]
    consequences = [
        _(
            "Version %(label)s of %(title)s is frozen: it can no longer be edited, only "
            "followed by a new draft.",
            label=draft.label,
            title=draft.title,
        ),
        _("Published versions stay available to cohorts; a published version is never removed."),
    ]
    consequences += [
        ngettext(
            "%(num)d cohort follows version %(label)s and stays on it until you move it.",
            "%(num)d cohorts follow version %(label)s and stay on it until you move them.",
            count,
            label=version.label,
        )
        for version, count in following
    ]
    if not following:
        consequences.append(_("No cohort follows this course yet."))
    return render_confirmation(
        Confirmation(
            title=_("Publish version %(label)s?", label=draft.label),
            consequences=consequences,
            action=url_for("authoring.publish", course_id=course.id),
            confirm_label=_("Publish version %(label)s", label=draft.label),
            cancel_url=url_for("authoring.show", course_id=course.id),
            details_template="authoring/_version_details.html",
            details={
                "changes": changes.compare_versions(services.latest_published(course.id), draft),
                "labels": changes.LABELS,
            },
        )
    )


# --------------------------------------------------------------------------- modules


def _module_form(version: CourseVersion, module: Module | None) -> ModuleForm:
    form = ModuleEditForm(obj=module) if module is not None else ModuleForm()
    modules = services.modules_of(version.id)
    earlier = modules if module is None else modules[: modules.index(module)]
    form.unlock_after.choices = [SelectChoice(m.slug, f"{m.position}. {m.title}") for m in earlier]
    if request.method == "GET" and module is not None:
        form.objectives.data = "\n".join(module.objectives)
        form.indicators.data = ", ".join(str(i) for i in module.indicators)
        form.meeting_agenda.data = "\n".join(module.meeting_agenda)
        form.unlock_after.data = list(module.unlock_after)
    return form


def _module_input(form: ModuleForm) -> services.ModuleInput:
    return services.ModuleInput(
        slug=form.slug.data,
        title=form.title.data,
        summary=form.summary.data,
        objectives=form_lines(form.objectives.data),
        duration_minutes=form.duration_minutes.data,
        indicators=form.indicator_numbers(),
        material=(form.material.data or "").replace("\r\n", "\n"),
        unlock_on=form.unlock_on.data,
        unlock_after=list(form.unlock_after.data or []),
        meeting_minutes=form.meeting_minutes.data,
        meeting_agenda=form_lines(form.meeting_agenda.data),
    )


@bp.route("/<int:course_id>/modules/new", methods=["GET", "POST"])
@login_required
def module_new(course_id: int) -> str | Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    form = _module_form(draft, None)
    if form.validate_on_submit():
        try:
            module = services.add_module(draft, _module_input(form), actor_id=current_user.id)
        except services.CourseError as error:
            attach_error(form, error)
        else:
            flash(_("Module %(title)s was added.", title=module.title), "success")
            return redirect(url_for("authoring.show", course_id=course.id))
    return render_template(
        "authoring/module_form.html", form=form, course=course, module=None
    ), form_status(form)


@bp.route("/<int:course_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
def module_edit(course_id: int, module_id: int) -> str | Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    module = _module_or_404(draft, module_id)
    form = _module_form(draft, module)
    if form.validate_on_submit():
        assert isinstance(form, ModuleEditForm)
        try:
            services.update_module(
                draft,
                module,
                _module_input(form),
                expected_revision=form.revision.data,
                actor_id=current_user.id,
            )
        except services.EditConflict as conflict:
            return _conflict_page(course, module, form, conflict), 409
        except services.CourseError as error:
            attach_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("authoring.show", course_id=course.id))
    return _module_page(course, module, form), form_status(form)


def _module_page(
    course: Course, module: Module, form: ModuleForm, upload: AssetUploadForm | None = None
) -> str:
    rows = services.assets_of(module.id)
    return render_template(
        "authoring/module_form.html",
        form=form,
        course=course,
        module=module,
        assets=[(row, asset_url(row)) for row in rows],
        upload=upload or AssetUploadForm(formdata=None),
    )


def _asset_limits() -> services.AssetLimits:
    config = current_app.config
    return services.AssetLimits(
        file_bytes=int(config.get("LMS_ASSET_MAX_BYTES") or MAX_ASSET_BYTES),
        version_bytes=int(config.get("LMS_ASSET_PACKAGE_MAX_BYTES") or MAX_PACKAGE_ASSET_BYTES),
    )


@bp.post("/<int:course_id>/modules/<int:module_id>/assets")
@login_required
def asset_upload(course_id: int, module_id: int) -> str | Response | tuple[str, int]:
    """Add a file to a draft module (a file of the same name is replaced)."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    module = _module_or_404(draft, module_id)
    upload = AssetUploadForm()
    if upload.validate_on_submit():
        stored = upload.file.data
        data = stored.stream.read(_asset_limits().file_bytes + 1)
        try:
            row = services.add_asset(
                draft, module, stored.filename or "file", data, _asset_limits()
            )
        except services.CourseError as error:
            attach_error(upload, error)
        else:
            flash(
                _("%(name)s was added; refer to it as %(path)s.", name=row.name, path=row.path),
                "success",
            )
            return redirect(
                url_for("authoring.module_edit", course_id=course.id, module_id=module.id)
                + "#assets"
            )
    return _module_page(course, module, _module_form(draft, module), upload), 422


@bp.post("/<int:course_id>/modules/<int:module_id>/assets/<int:asset_id>/delete")
@login_required
def asset_delete(course_id: int, module_id: int, asset_id: int) -> Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is not None:
        module = _module_or_404(draft, module_id)
        row = db.session.get(ModuleAsset, asset_id)
        if row is None or row.module_id != module.id:
            abort(404)
        services.remove_asset(draft, row)
        flash(_("%(name)s was removed from the module.", name=row.name), "success")
        return redirect(
            url_for("authoring.module_edit", course_id=course.id, module_id=module.id) + "#assets"
        )
    return redirect(url_for("authoring.show", course_id=course.id))


def _conflict_page(
    course: Course, module: Module, form: ModuleEditForm, conflict: services.EditConflict
) -> str:
    """The form again with the author's text untouched, beside what is saved now and the
    difference; its revision moves to the current one, so saving again is a choice."""
    saved = conflict.module
    yours = (form.material.data or "").replace("\r\n", "\n")
    form.revision.raw_data = None
    form.revision.data = saved.revision
    others = [
        label
        for label, theirs, mine in (
            (form.title.label.text, saved.title, (form.title.data or "").strip()),
            (form.summary.label.text, saved.summary, (form.summary.data or "").strip()),
        )
        if theirs != mine
    ]
    return render_template(
        "authoring/module_form.html",
        form=form,
        course=course,
        module=module,
        conflict=conflict,
        saved=saved,
        saved_by=conflict.saved_by,
        diff=line_diff(saved.material, yours),
        other_fields=others,
    )


def _any_module_or_404(course: Course, module_id: int) -> tuple[CourseVersion, Module]:
    """A module of any version (draft or published) of the course."""
    module = db.session.get(Module, module_id)
    version = db.session.get(CourseVersion, module.version_id) if module else None
    if module is None or version is None or version.course_id != course.id:
        abort(404)
    return version, module


@bp.get("/<int:course_id>/modules/<int:module_id>/history")
@login_required
def module_history(course_id: int, module_id: int) -> str:
    """Every saved revision of a module: who, when, and what changed from the one before."""
    course = _course_or_404(course_id)
    version, module = _any_module_or_404(course, module_id)
    revisions = services.module_revisions(module.id)
    entries = []
    previous = None
    for revision in revisions:
        entries.append(
            {
                "revision": revision,
                "diff": line_diff(previous.material if previous else "", revision.material),
                "title_changed": previous is not None and previous.title != revision.title,
                "summary_changed": previous is not None and previous.summary != revision.summary,
                "current": revision.number == module.revision,
            }
        )
        previous = revision
    entries.reverse()
    return render_template(
        "authoring/history.html",
        course=course,
        version=version,
        module=module,
        entries=entries,
    )


@bp.post("/<int:course_id>/modules/<int:module_id>/history/<int:revision_id>/restore")
@login_required
def module_restore(course_id: int, module_id: int, revision_id: int) -> str | Response:
    """Bring an earlier text back (as a new revision), after a confirmation showing what
    the current text becomes."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    module = _module_or_404(draft, module_id)
    revision = db.session.get(ModuleRevision, revision_id)
    if revision is None or revision.module_id != module.id:
        abort(404)
    history_url = url_for("authoring.module_history", course_id=course.id, module_id=module.id)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    if not confirmed():
        return render_confirmation(
            Confirmation(
                title=_(
                    "Restore revision %(n)d of %(title)s?", n=revision.number, title=module.title
                ),
                consequences=[
                    _(
                        "The module's title, summary and material become those of revision "
                        "%(n)d, saved as a new revision.",
                        n=revision.number,
                    ),
                    _("The current text stays in the history and can be restored in turn."),
                ],
                action=url_for(
                    "authoring.module_restore",
                    course_id=course.id,
                    module_id=module.id,
                    revision_id=revision.id,
                ),
                confirm_label=_("Restore revision %(n)d", n=revision.number),
                cancel_url=history_url,
                fields={"revision": str(form.revision.data)},
                details_template="authoring/_restore_details.html",
                details={"diff": line_diff(module.material, revision.material)},
            )
        )
    before = module.revision
    try:
        restored = services.restore_revision(
            draft,
            module,
            revision,
            expected_revision=form.revision.data,
            actor_id=current_user.id,
        )
    except services.EditConflict:
        flash(
            _("Someone saved this module meanwhile; look at the history again before restoring."),
            "error",
        )
        return redirect(history_url)
    log(
        Change(
            "course.module_restore",
            "course_module",
            module.id,
            f"{course.slug} {module.slug}",
            before={"revision": before},
            after={"revision": restored.number, "restored_from": revision.number},
        )
    )
    flash(_("Revision %(n)d was restored.", n=revision.number), "success")
    return redirect(history_url)


@bp.post("/<int:course_id>/modules/<int:module_id>/move")
@login_required
def module_move(course_id: int, module_id: int) -> Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is not None:
        module = _module_or_404(draft, module_id)
        services.move_module(draft, module, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("authoring.show", course_id=course.id, _anchor=f"module-{module_id}"))


@bp.post("/<int:course_id>/modules/<int:module_id>/delete")
@login_required
def module_delete(course_id: int, module_id: int) -> Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is not None:
        module = _module_or_404(draft, module_id)
        services.delete_module(draft, module)
        flash(_("Module %(title)s was removed from the draft.", title=module.title), "success")
    return redirect(url_for("authoring.show", course_id=course.id))


@bp.post("/preview")
@login_required
def preview() -> str:
    """The server's rendering of authored Markdown, sanitized: what participants will see."""
    if not policy.can_author_any_course(current_user):
        abort(403)
    text = request.form.get("text", "")[: pkg.MAX_MATERIAL_BYTES]
    links = None
    module_id = request.args.get("module", type=int)
    if module_id is not None:
        module = db.session.get(Module, module_id)
        version = db.session.get(CourseVersion, module.version_id) if module else None
        if version is not None and policy.can_author_course(current_user, version.course_id):
            links = asset_links(module_id, version_id=version.id)
    return render_markdown(text, links) or Markup("<p><em>{}</em></p>").format(
        _("Nothing to preview yet.")
    )


# --------------------------------------------------------------------------- activities


def _activity_form(activity: Activity | None) -> ActivityForm:
    form = ActivityForm(obj=activity) if activity is not None else ActivityForm()
    form.type.choices = [SelectChoice(name, str(t.label)) for name, t in _types().items()]
    if request.method == "GET" and activity is not None:
        form.config.data = settings_toml(services.decode_settings(activity.config))
    return form


def _activity_input(form: ActivityForm) -> services.ActivityInput:
    return services.ActivityInput(
        key=form.key.data, type=form.type.data, title=form.title.data, config=form.settings()
    )


@bp.route("/<int:course_id>/modules/<int:module_id>/activities/new", methods=["GET", "POST"])
@login_required
def activity_new(course_id: int, module_id: int) -> str | Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    module = _module_or_404(draft, module_id)
    form = _activity_form(None)
    if form.validate_on_submit():
        try:
            services.add_activity(draft, module, _activity_input(form), _types())
        except (services.CourseError, ValidationError) as error:
            _attach(form, error)
        else:
            flash(_("Activity added."), "success")
            return redirect(
                url_for("authoring.show", course_id=course.id, _anchor=f"module-{module.id}")
            )
    return render_template(
        "authoring/activity_form.html", form=form, course=course, module=module, activity=None
    ), form_status(form)


def _attach(form: ActivityForm, error: Exception) -> None:
    if isinstance(error, services.CourseError):
        attach_error(form, error)
    else:
        form.config.errors = [*form.config.errors, str(error)]


@bp.route(
    "/<int:course_id>/modules/<int:module_id>/activities/<int:activity_id>/edit",
    methods=["GET", "POST"],
)
@login_required
def activity_edit(course_id: int, module_id: int, activity_id: int) -> str | Response:
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    module = _module_or_404(draft, module_id)
    activity = _activity_or_404(module, activity_id)
    form = _activity_form(activity)
    if form.validate_on_submit():
        try:
            services.update_activity(draft, module, activity, _activity_input(form), _types())
        except (services.CourseError, ValidationError) as error:
            _attach(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(
                url_for("authoring.show", course_id=course.id, _anchor=f"module-{module.id}")
            )
    return render_template(
        "authoring/activity_form.html",
        form=form,
        course=course,
        module=module,
        activity=activity,
    ), form_status(form)


@bp.post("/<int:course_id>/modules/<int:module_id>/activities/<int:activity_id>/<action>")
@login_required
def activity_action(course_id: int, module_id: int, activity_id: int, action: str) -> Response:
    if action not in ("up", "down", "delete"):
        abort(404)
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is not None:
        module = _module_or_404(draft, module_id)
        activity = _activity_or_404(module, activity_id)
        if action == "delete":
            services.delete_activity(draft, activity)
            flash(_("Activity removed."), "success")
        else:
            services.move_activity(draft, activity, -1 if action == "up" else 1)
    return redirect(url_for("authoring.show", course_id=course.id, _anchor=f"module-{module_id}"))


# --------------------------------------------------------------------------- view as participant


def _version_or_404(course: Course, version_id: int) -> CourseVersion:
    version = db.session.get(CourseVersion, version_id)
    if version is None or version.course_id != course.id:
        abort(404)
    return version


def _preview_day() -> date:
    """The day the preview pretends it is (?on=YYYY-MM-DD), by default today."""
    try:
        return date.fromisoformat(request.args.get("on", ""))
    except ValueError:
        return datetime.now(get_timezone()).date()


@bp.get("/<int:course_id>/versions/<int:version_id>/view-as")
@login_required
def view_as(course_id: int, version_id: int) -> str:
    """The draft or a version's session plan as a new participant sees it on a chosen day;
    nothing is recorded for anyone."""
    course = _course_or_404(course_id)
    version = _version_or_404(course, version_id)
    day = _preview_day()
    return render_template(
        "authoring/view_as.html",
        course=course,
        version=version,
        day=day,
        modules=services.preview_plan(version.id, day),
    )


@bp.get("/<int:course_id>/versions/<int:version_id>/view-as/modules/<int:module_id>")
@login_required
def view_as_module(course_id: int, version_id: int, module_id: int) -> str:
    """One session as a participant sees it (a locked one says why, as it would to them)."""
    course = _course_or_404(course_id)
    version = _version_or_404(course, version_id)
    day = _preview_day()
    progress = next(
        (p for p in services.preview_plan(version.id, day) if p.module.id == module_id), None
    )
    if progress is None:
        abort(404)
    return render_template(
        "authoring/view_as_module.html",
        course=course,
        version=version,
        day=day,
        progress=progress,
        module=progress.module,
        material=render_markdown(
            progress.module.material,
            asset_links(progress.module.id, version_id=progress.module.version_id),
        ),
        types=_types(),
    )


# --------------------------------------------------------------------------- packages


@bp.get("/<int:course_id>/versions/<int:version_id>/package.zip")
@login_required
def export_zip(course_id: int, version_id: int) -> Response:
    """Download a version (published or the draft) as a course package zip."""
    course = _course_or_404(course_id)
    version = db.session.get(CourseVersion, version_id)
    if version is None or version.course_id != course.id:
        abort(404)
    with tempfile.TemporaryDirectory(prefix="lms-export-") as tmp:
        folder = Path(tmp) / course.slug
        services.export_version(version, course.slug, folder)
        data = archive.make_zip(folder, prefix=course.slug)
    suffix = "draft" if version.is_draft else version.label
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{course.slug}-{suffix}.zip",
    )


@bp.post("/import")
@roles_required(Role.ADMIN)
def import_zip() -> str | Response | tuple[str, int]:
    """Upload a course package zip: the same checks and result as `lms courses import`."""
    form = PackageUploadForm()
    if not form.validate_on_submit():
        return render_template(
            "authoring/index.html",
            rows=_visible_rows(),
            upload=form,
            packages=plugins.registry().course_packages,
        ), 422
    upload = form.archive.data
    data = upload.stream.read(MAX_PACKAGE_BYTES + 1)
    problems: list[pkg.Problem] = []
    result = None
    with tempfile.TemporaryDirectory(prefix="lms-import-") as tmp:
        try:
            root = archive.extract_zip(
                data,
                Path(tmp),
                max_total_bytes=MAX_PACKAGE_BYTES,
                max_file_bytes=max(archive.MAX_FILE_BYTES, _asset_limits().file_bytes),
            )
        except archive.ArchiveError as error:
            problems = [pkg.Problem(upload.filename or "zip", None, str(error))]
        else:
            package, problems = pkg.load_with(plugins.registry(), root)
            problems = [problem for problem in problems if not problem.warning]
            if package is not None:
                try:
                    result = services.import_package(package, actor_id=current_user.id)
                except services.CourseError as error:
                    problems = [pkg.Problem(pkg.COURSE_FILE, None, str(error))]
    if problems:
        current_app.logger.info("course package refused: %d problems", len(problems))
        return render_template(
            "authoring/problems.html",
            course=None,
            problems=problems,
            title=_("The package has problems; nothing was imported."),
        ), 422
    assert result is not None
    if result.created:
        flash(
            _(
                "Imported %(title)s, version %(label)s.",
                title=result.version.title,
                label=result.version.label,
            ),
            "success",
        )
    else:
        flash(_("Nothing to import: the package is identical to the published version."), "info")
    return redirect(url_for("authoring.show", course_id=result.course.id))


# --------------------------------------------------------------------------- reuse


def _readable_source(version_id: int | None) -> tuple[Course, CourseVersion] | None:
    """The source version, if the user may read it (an admin: any; an author: their courses)."""
    if version_id is None:
        return None
    version = db.session.get(CourseVersion, version_id)
    if version is None:
        abort(404)
    if not policy.can_author_course(current_user, version.course_id):
        abort(403)
    course = db.session.get(Course, version.course_id)
    assert course is not None
    return course, version


def _source_id_of_module(module_id: int | None) -> int | None:
    if module_id is None:
        return None
    found = db.session.scalar(select(Module.version_id).where(Module.id == module_id))
    if found is None:
        abort(404)
    return found


def _source_id_of_activity(activity_id: int | None) -> int | None:
    if activity_id is None:
        return None
    found = db.session.scalar(
        select(Module.version_id)
        .join(Activity, Activity.module_id == Module.id)
        .where(Activity.id == activity_id)
    )
    if found is None:
        abort(404)
    return found


def _reuse_page(
    course: Course,
    draft: CourseVersion,
    source_id: int | None,
    *,
    failed: object = None,
    failed_key: object = None,
) -> str:
    """The reuse page: choose a version, then copy its modules, activities or questions."""
    source = _readable_source(source_id)
    mine = (
        None if policy.can_manage_course(current_user) else policy.authored_course_ids(current_user)
    )
    choices = [(v, c) for v, c in reuse.readable_versions(mine) if v.id != draft.id]
    targets = services.modules_of(draft.id)
    modules, activities, bank = [], {}, []
    if source is not None:
        modules = services.modules_of(source[1].id)
        activities = services.activities_by_module(m.id for m in modules)
        bank = reuse.bank_of(source[1].id)
    token = secrets.token_urlsafe(16)
    question_form = (
        failed if isinstance(failed, CopyQuestionsForm) else CopyQuestionsForm(formdata=None)
    )
    question_form.questions.choices = [SelectChoice(q.id, q.key) for q in bank]
    question_form.module_slug.choices = [SelectChoice(m.slug, m.title) for m in targets]
    return render_template(
        "authoring/reuse.html",
        course=course,
        draft=draft,
        choices=choices,
        source=source,
        modules=modules,
        activities=activities,
        bank=bank,
        targets=targets,
        token=token,
        question_form=question_form,
        failed=failed,
        failed_key=failed_key,
        types=_types(),
    )


@bp.get("/<int:course_id>/reuse")
@login_required
def reuse_page(course_id: int) -> str | Response:
    """Copy from another course (or an older version) into the draft."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    return _reuse_page(course, draft, request.args.get("from", type=int))


def _copied(course: Course, draft: CourseVersion, result: reuse.CopyResult, what: str) -> Response:
    if result.repeated:
        flash(_("This copy was already made; nothing was copied twice."), "info")
        return redirect(url_for("authoring.show", course_id=course.id))
    source = (result.modules or result.activities or result.questions)[0].copied_from or {}
    log(
        Change(
            "course.copy",
            "course_version",
            draft.id,
            f"{course.slug} {draft.label}",
            after={
                "what": what,
                "from": f"{source.get('course')} {source.get('version')}",
                "modules": [m.slug for m in result.modules],
                "activities": [a.key for a in result.activities],
                "questions": [q.key for q in result.questions],
            },
        )
    )
    flash(
        _(
            "Copied from %(course)s version %(label)s into the draft.",
            course=source.get("course"),
            label=source.get("version"),
        ),
        "success",
    )
    if result.renamed:
        flash(
            _(
                "The draft already used these keys, so the copies were renamed: %(names)s.",
                names=", ".join(f"{old} → {new}" for old, new in result.renamed),
            ),
            "info",
        )
    anchor = None
    if result.modules:
        anchor = f"module-{result.modules[0].id}"
    elif result.activities:
        anchor = f"module-{result.activities[0].module_id}"
    return redirect(url_for("authoring.show", course_id=course.id, _anchor=anchor))


@bp.post("/<int:course_id>/reuse/module")
@login_required
def reuse_module(course_id: int) -> str | Response | tuple[str, int]:
    """Copy a module (with its activities and questions) to the end of the draft."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    form = CopyModuleForm()
    source_id = _source_id_of_module(form.module.data if form.module.data else None)
    _readable_source(source_id)
    if form.validate_on_submit():
        try:
            result = reuse.copy_module(
                draft, form.module.data, token=form.token.data, limits=_asset_limits()
            )
        except services.CourseError as error:
            attach_error(form, error)
        else:
            return _copied(course, draft, result, "module")
    return _reuse_page(course, draft, source_id, failed=form, failed_key=form.module.data), 422


@bp.post("/<int:course_id>/reuse/activity")
@login_required
def reuse_activity(course_id: int) -> str | Response | tuple[str, int]:
    """Copy one activity into a module of the draft."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    form = CopyActivityForm()
    form.target.choices = [SelectChoice(m.id, m.title) for m in services.modules_of(draft.id)]
    source_id = _source_id_of_activity(form.activity.data if form.activity.data else None)
    _readable_source(source_id)
    if form.validate_on_submit():
        module = _module_or_404(draft, form.target.data)
        try:
            result = reuse.copy_activity(
                draft, module, form.activity.data, _types(), token=form.token.data
            )
        except services.CourseError as error:
            attach_error(
                form, error if error.field != "type" else services.CourseError(str(error), "target")
            )
        else:
            return _copied(course, draft, result, "activity")
    return _reuse_page(course, draft, source_id, failed=form, failed_key=form.activity.data), 422


@bp.post("/<int:course_id>/reuse/questions")
@login_required
def reuse_questions(course_id: int) -> str | Response | tuple[str, int]:
    """Copy ticked questions of a version's bank into the draft's bank."""
    course = _course_or_404(course_id)
    draft = _draft_or_redirect(course)
    if draft is None:
        return redirect(url_for("authoring.show", course_id=course.id))
    source_id = request.form.get("source", type=int)
    _readable_source(source_id)
    form = CopyQuestionsForm()
    bank = reuse.bank_of(source_id) if source_id is not None else []
    form.questions.choices = [SelectChoice(q.id, q.key) for q in bank]
    form.module_slug.choices = [
        SelectChoice(m.slug, m.title) for m in services.modules_of(draft.id)
    ]
    if form.validate_on_submit():
        try:
            result = reuse.copy_questions(
                draft, source_id, form.questions.data, form.module_slug.data, token=form.token.data
            )
        except services.CourseError as error:
            attach_error(form, error)
        else:
            return _copied(course, draft, result, "questions")
    return _reuse_page(course, draft, source_id, failed=form), 422


@bp.route("/<int:course_id>/versions/<int:version_id>/copy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def copy_course(course_id: int, version_id: int) -> str | Response | tuple[str, int]:
    """Start a new course whose first draft is a copy of this version."""
    course = _course_or_404(course_id)
    version = _version_or_404(course, version_id)
    form = CopyCourseForm()
    if request.method == "GET":
        form.title.data = version.title
        form.label.data = "1.0.0"
        form.language.data = version.language
        form.description.data = version.description
    if form.validate_on_submit():
        try:
            draft = reuse.copy_course(
                version.id, form.slug.data, _course_input(form), _asset_limits()
            )
        except services.CourseError as error:
            attach_error(form, error)
        else:
            log(
                Change(
                    "course.copy_course",
                    "course",
                    draft.course_id,
                    form.slug.data,
                    after={"from": f"{course.slug} {version.label}"},
                )
            )
            flash(
                _(
                    "New course started from %(course)s version %(label)s. "
                    "Its draft is ready to edit.",
                    course=course.slug,
                    label=version.label,
                ),
                "success",
            )
            return redirect(url_for("authoring.show", course_id=draft.course_id))
    return render_template(
        "authoring/copy_course.html", form=form, course=course, version=version
    ), form_status(form)
