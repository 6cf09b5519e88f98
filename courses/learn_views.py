"""Course delivery: a cohort's session plan and module pages, and activity actions."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from courses import contract, grades, media, services, summaries
from courses.activities import ActivityView, CompletionEvent
from courses.models import Activity, CourseAsset, CourseVersion, Module, ModuleAsset
from lms import plugins, policy, storage
from lms.cohorts.models import Cohort, Enrolment
from lms.extensions import db
from lms.markdown import render_markdown
from lms.models import utcnow

bp = Blueprint("learn", __name__, url_prefix="/learn")


def viewer_today() -> date:
    return datetime.now(get_timezone()).date()


def plan_for(cohort: Cohort, enrolment: Enrolment | None) -> services.SessionPlan:
    """The participant's plan; staff see the plan with nothing completed."""
    subject: Any = enrolment or SimpleNamespace(id=None, cohort=cohort, cohort_id=cohort.id)
    return services.session_plans([subject], viewer_today())[0]


@bp.get("/<int:cohort_id>")
@login_required
def plan(cohort_id: int) -> str:
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    version = db.session.get(CourseVersion, cohort.course_version_id)
    gains = grades.learning_gain_of(version, [enrolment.id]) if enrolment else []
    return render_template(
        "learn/plan.html",
        gains=gains,
        cohort=cohort,
        enrolment=enrolment,
        version=version,
        description=render_markdown(version.description),
        plan=plan_for(cohort, enrolment),
    )


@bp.get("/<int:cohort_id>/modules/<int:module_id>")
@login_required
def module(cohort_id: int, module_id: int) -> str:
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    session_plan = plan_for(cohort, enrolment)
    progress = session_plan.find(module_id)
    if progress is None:
        abort(404)
    types = plugins.registry().activity_types
    if enrolment is not None and not progress.locked:
        viewed = services.event_types(types, CompletionEvent.VIEW)
        for item in progress.activities:
            if item.activity.type in viewed and not item.complete:
                services.record_completion(
                    enrolment.id, item.activity.id, CompletionEvent.VIEW.value
                )
                item.completed_at = utcnow()
        services.derive_states(session_plan.modules, viewer_today())
    bodies = {}
    if not progress.locked:
        prepared = _prepare(types, progress, enrolment)
        for item in progress.activities:
            bodies[item.activity.id] = _render_activity(
                types, cohort, item, progress, enrolment, prepared.get(item.activity.id, {})
            )
    meeting = progress.meeting
    return render_template(
        "learn/module.html",
        cohort=cohort,
        enrolment=enrolment,
        plan=session_plan,
        progress=progress,
        module=progress.module,
        material=(
            render_markdown(
                progress.module.material,
                asset_links(progress.module.id, version_id=progress.module.version_id),
            )
            if not progress.locked
            else None
        ),
        notes=render_markdown(meeting.notes) if meeting is not None and meeting.notes else None,
        bodies=bodies,
        types=types,
    )


@bp.get("/<int:cohort_id>/modules/<int:module_id>/summary.pdf")
@login_required
def summary_pdf(cohort_id: int, module_id: int) -> Response:
    """The session on one page (summary.md) as a PDF: for whoever may open the session, once
    it is open; a download, never shown inline."""
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    progress = plan_for(cohort, enrolment).find(module_id)
    if progress is None or progress.locked or not progress.module.summary_page:
        abort(404)
    version = db.session.get(CourseVersion, cohort.course_version_id)
    module = progress.module
    page = summaries.SummaryPage(
        course_title=f"{version.title} {version.label}",
        heading=_("Session %(n)d. %(title)s", n=module.position, title=module.title),
        text=module.summary_page,
        footer=_("One-page summary · %(cohort)s", cohort=cohort.name),
    )
    response = make_response(summaries.pdf(page))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ringkasan-sesi-{module.position}-{module.slug}.pdf"'
    )
    return response


def _prepare(
    types: Any, progress: services.ModuleProgress, enrolment: Enrolment | None
) -> dict[int, Any]:
    """Let each activity type load what it shows for all its activities at once (an optional
    `prepare(activity_ids, enrolment_id)` hook), so a page costs one query per type."""
    by_type: dict[str, list[int]] = {}
    for item in progress.activities:
        by_type.setdefault(item.activity.type, []).append(item.activity.id)
    prepared: dict[int, Any] = {}
    for name, ids in by_type.items():
        hook = getattr(types.get(name), "prepare", None)
        if hook is not None:
            enrolment_id = enrolment.id if enrolment else None
            prepared.update(
                contract.call_type(
                    name, "prepare", lambda h=hook, i=ids, e=enrolment_id: h(i, e) or {}, {}
                )
            )
    return prepared


def _render_activity(
    types: Any,
    cohort: Cohort,
    item: services.ActivityProgress,
    progress: services.ModuleProgress,
    enrolment: Enrolment | None,
    prepared: Any,
) -> Markup:
    activity_type = types.get(item.activity.type)
    if activity_type is None:
        return Markup("<p><em>{}</em></p>").format(
            _("This activity type is not installed on this server.")
        )
    action_url = None
    if enrolment is not None and CompletionEvent.ACTION in activity_type.completion_events:
        action_url = url_for("learn.complete", cohort_id=cohort.id, activity_id=item.activity.id)
    view = ActivityView(
        activity_id=item.activity.id,
        key=item.activity.key,
        title=item.activity.title,
        config=services.decode_settings(item.activity.config),
        complete=item.complete,
        completed_at=item.completed_at,
        action_url=action_url,
        meeting=progress.meeting,
        extra={"cohort_id": cohort.id, "is_participant": enrolment is not None, "data": prepared},
    )
    failed = Markup('<p class="notice" data-testid="activity-unavailable"><em>{}</em></p>').format(
        _("This activity cannot be shown now.")
    )
    return contract.call_type(
        item.activity.type,
        "render",
        lambda: escape(activity_type.render(view)),
        failed,
        activity=item.activity.id,
    )


@bp.post("/<int:cohort_id>/activities/<int:activity_id>/complete")
@login_required
def complete(cohort_id: int, activity_id: int) -> Response:
    """A participant completes an activity whose type is completed by an action."""
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    if enrolment is None:
        abort(403)
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    session_plan = plan_for(cohort, enrolment)
    progress = next((m for m in session_plan.modules if m.module.id == activity.module_id), None)
    if progress is None:
        abort(404)
    activity_type = plugins.registry().activity_type(activity.type)
    if activity_type is None or CompletionEvent.ACTION not in activity_type.completion_events:
        abort(400)
    if progress.locked:
        flash(_("This session is not open yet."), "error")
    elif services.record_completion(enrolment.id, activity.id, CompletionEvent.ACTION.value):
        flash(_("Marked as done."), "success")
    return redirect(
        url_for("learn.module", cohort_id=cohort.id, module_id=activity.module_id)
        + f"#activity-{activity.id}"
    )


# --------------------------------------------------------------------------- module files

YEAR = 365 * 24 * 3600
_INLINE = ("image/", "audio/", "video/")


def asset_links(
    module_id: int, rows: Iterable[ModuleAsset] | None = None, version_id: int | None = None
) -> dict[str, str]:
    """`assets/<name>` → the file's content-hash URL, for rendering the module's material;
    with `version_id`, also the course's own files as `../assets/<name>`."""
    if rows is None:
        rows = services.assets_of(module_id)
    links = {row.path: asset_url(row) for row in rows}
    if version_id is not None:
        for row in services.course_assets_of(version_id):
            links[media.COURSE_PREFIX + row.path] = course_asset_url(row)
    return links


def asset_url(row: ModuleAsset) -> str:
    return url_for("learn.asset", asset_id=row.id, digest=row.sha256[:16], name=row.name)


def course_asset_url(row: CourseAsset) -> str:
    return url_for("learn.course_asset", asset_id=row.id, digest=row.sha256[:16], name=row.name)


@bp.get("/assets/<int:asset_id>/<digest>/<name>")
@login_required
def asset(asset_id: int, digest: str, name: str) -> Response:
    """A module's file, for whoever may see its course version. The URL names the content
    hash, so it can be cached for a year: changed content is a new row and a new URL."""
    row = db.session.get(ModuleAsset, asset_id)
    if row is None or row.sha256[:16] != digest or row.name != name:
        abort(404)
    module = db.session.get(Module, row.module_id)
    version = db.session.get(CourseVersion, module.version_id) if module else None
    return _send_asset(row, version)


@bp.get("/course-assets/<int:asset_id>/<digest>/<name>")
@login_required
def course_asset(asset_id: int, digest: str, name: str) -> Response:
    """A course's own file (shared by its modules), under the same rules as a module's."""
    row = db.session.get(CourseAsset, asset_id)
    if row is None or row.sha256[:16] != digest or row.name != name:
        abort(404)
    return _send_asset(row, db.session.get(CourseVersion, row.version_id))


def _send_asset(row: ModuleAsset | CourseAsset, version: CourseVersion | None) -> Response:
    if version is None:
        abort(404)
    if not policy.can_see_course_version(current_user, version.course_id, version.id):
        abort(403)
    try:
        source: object = storage.path_of(services.ASSET_KIND, row.sha256)
    except FileNotFoundError:
        try:
            source = io.BytesIO(storage.backend().read_bytes(services.ASSET_KIND, row.sha256))
        except FileNotFoundError:
            abort(404)
    response = send_file(
        source,  # type: ignore[arg-type]
        mimetype=row.content_type,
        as_attachment=not row.content_type.startswith(_INLINE),
        download_name=row.name,
        conditional=True,
        etag=row.sha256,
        max_age=YEAR,
    )
    response.headers["Cache-Control"] = f"private, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    return response
