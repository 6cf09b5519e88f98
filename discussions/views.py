"""Discussion pages: a space's thread list and new-thread form, a thread with its
responses and comments, edits and their history, votes, answers, follows, reports,
moderation and file downloads. Each view loads and checks access through `_load_*`."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from courses.models import CourseVersion, Module, VersionStatus
from discussions import policy, services
from discussions.forms import EditForm, ModerationForm, ReplyForm, ReportForm, ThreadForm
from discussions.models import (
    Post,
    PostAttachment,
    Space,
    SpaceKind,
    Thread,
    ThreadKind,
)
from discussions.policy import SpaceRef
from lms import spbe, storage
from lms.cohorts.models import Cohort
from lms.errors import attach_error, form_status
from lms.extensions import db, limiter
from lms.models import utcnow
from lms.practices.models import Practice, PracticeStatus

bp = Blueprint("discussions", __name__, url_prefix="/discussions")

VIEWS = ("all", "unanswered", "mine", "followed")


def _poster_key() -> str:
    return f"discussion-post:{current_user.get_id()}"


post_limit = limiter.shared_limit(
    lambda: current_app.config["DISCUSSION_POST_LIMIT"],
    scope="discussion-post",
    key_func=_poster_key,
    methods=["POST"],
)
"""Posting (threads and replies) is rate-limited per person (LMS_POST_LIMIT)."""


# --------------------------------------------------------------------------- loaders


def _module_ref(
    cohort_id: int, slug: str, space_id: int | None = None
) -> tuple[SpaceRef, Module | None]:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.course_version_id is None:
        abort(404)
    module = db.session.scalar(
        select(Module).where(Module.version_id == cohort.course_version_id, Module.slug == slug)
    )
    title = f"{module.title if module else slug} · {cohort.name}"
    return SpaceRef(
        kind=SpaceKind.MODULE,
        key=f"module:{cohort.id}:{slug}",
        title=title,
        cohort_id=cohort.id,
        module_slug=slug,
        region_code=cohort.region_code,
        space_id=space_id,
    ), module


def _course_ref(course_id: int, space_id: int | None = None) -> SpaceRef:
    title = db.session.scalar(
        select(CourseVersion.title)
        .where(
            CourseVersion.course_id == course_id,
            CourseVersion.status == VersionStatus.PUBLISHED.value,
        )
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )
    if title is None:
        abort(404)
    return SpaceRef(
        kind=SpaceKind.COURSE,
        key=f"course:{course_id}",
        title=_("Studi Tiru room: %(course)s", course=title),
        course_id=course_id,
        space_id=space_id,
    )


def _practice_ref(practice: Practice, space_id: int | None = None) -> SpaceRef:
    return SpaceRef(
        kind=SpaceKind.PRACTICE,
        key=f"practice:{practice.id}",
        title=practice.title,
        practice_id=practice.id,
        region_code=practice.region_code,
        space_id=space_id,
    )


def _ref_of(space: Space) -> SpaceRef:
    if space.kind == SpaceKind.MODULE:
        ref, _module = _module_ref(space.cohort_id or 0, space.module_slug or "", space.id)
        return ref
    if space.kind == SpaceKind.COURSE:
        return _course_ref(space.course_id or 0, space.id)
    practice = db.session.get(Practice, space.practice_id)
    if practice is None:
        abort(404)
    return _practice_ref(practice, space.id)


def _check(ref: SpaceRef) -> None:
    if not policy.can_view(current_user, ref):
        abort(403)


def _load_thread(thread_id: int) -> tuple[Thread, SpaceRef, bool]:
    """The thread, its space and whether the reader moderates it; 404 for a hidden thread
    unless they do, 403 outside the space."""
    row = db.session.execute(
        select(Thread, Space).join(Space, Space.id == Thread.space_id).where(Thread.id == thread_id)
    ).first()
    if row is None:
        abort(404)
    thread, space = row
    ref = _ref_of(space)
    _check(ref)
    moderator = policy.can_moderate(current_user, ref)
    if thread.hidden and not moderator:
        abort(404)
    return thread, ref, moderator


def _load_post(post_id: int) -> tuple[Post, Thread, SpaceRef, bool]:
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    thread, ref, moderator = _load_thread(post.thread_id)
    if post.hidden and not moderator:
        abort(404)
    return post, thread, ref, moderator


def _space_url(ref: SpaceRef, **args: Any) -> str:
    if ref.kind == SpaceKind.MODULE:
        return url_for(
            "discussions.module_space", cohort_id=ref.cohort_id, slug=ref.module_slug, **args
        )
    if ref.kind == SpaceKind.COURSE:
        return url_for("discussions.course_space", course_id=ref.course_id, **args)
    slug = db.session.scalar(select(Practice.slug).where(Practice.id == ref.practice_id))
    return url_for("discussions.practice_space", slug=slug, **args)


def _uploads() -> list[services.Upload]:
    return [
        services.Upload(f.stream, f.filename or "")
        for f in request.files.getlist("files")
        if f and f.filename
    ]


def _published_practice(slug: str) -> Practice:
    practice = db.session.scalar(select(Practice).where(Practice.slug == slug))
    if practice is None or practice.status != PracticeStatus.PUBLISHED:
        abort(404)
    return practice


# --------------------------------------------------------------------------- spaces


@bp.get("/cohorts/<int:cohort_id>/modules/<slug>")
@login_required
def module_space(cohort_id: int, slug: str) -> str:
    """A session's Q&A for one cohort."""
    ref, module = _module_ref(cohort_id, slug)
    _check(ref)
    if module is None:
        abort(404)
    back = (url_for("learn.module", cohort_id=cohort_id, module_id=module.id), module.title)
    grading = []
    if policy.can_endorse(current_user, ref):
        from discussions.participation import activity_in_module

        grading = [
            (a.title, url_for("discussion.grade", activity_id=a.id, cohort_id=cohort_id))
            for a in activity_in_module(module.version_id, slug)
        ]
    return _space_page(ref, back=back, grading=grading)


@bp.get("/courses/<int:course_id>")
@login_required
def course_space(course_id: int) -> str:
    """The course's cross-region forum (Ruang Studi Tiru)."""
    ref = _course_ref(course_id)
    _check(ref)
    return _space_page(ref, back=None, grading=[])


@bp.get("/cohorts/<int:cohort_id>/forum")
@login_required
def cohort_forum(cohort_id: int) -> Response:
    """From a cohort to its course's forum (for those who belong to the cohort)."""
    ref, _module = _module_ref(cohort_id, "")
    _check(ref)
    course_id = db.session.scalar(
        select(CourseVersion.course_id)
        .join(Cohort, Cohort.course_version_id == CourseVersion.id)
        .where(Cohort.id == cohort_id)
    )
    if course_id is None:
        abort(404)
    return redirect(url_for("discussions.course_space", course_id=course_id))


@bp.get("/practices/<slug>")
@login_required
def practice_space(slug: str) -> str:
    """A practice's discussion, where other regions ask the region that wrote it."""
    practice = _published_practice(slug)
    ref = _practice_ref(practice)
    _check(ref)
    return _space_page(ref, back=(url_for("practices.show", slug=slug), practice.title), grading=[])


def _space_page(ref: SpaceRef, **extra: Any) -> str:
    view = request.args.get("view", "all")
    if view not in VIEWS:
        view = "all"
    query = request.args.get("q", "").strip()[:200]
    page_number = request.args.get("page", 1, type=int) or 1
    space = services.space_of(ref)
    page = services.thread_page(
        space.id if space else None, current_user, view=view, query=query, page=page_number
    )
    practice_ids = {row.thread.practice_id for row in page.items if row.thread.practice_id}
    practices = _practices(practice_ids)
    moderator = policy.can_moderate(current_user, ref)
    report_count = len(services.open_reports(space.id)) if (space and moderator) else 0
    args = {"view": view, "q": query} if query else {"view": view}
    return render_template(
        "discussions/space.html",
        ref=ref,
        space=space,
        page=page,
        view=view,
        query=query,
        views=VIEWS,
        practices=practices,
        indicators=spbe.INDICATOR_BY_NUMBER,
        moderator=moderator,
        report_count=report_count,
        space_url=_space_url(ref),
        page_url=lambda n: _space_url(ref, page=n, **args),
        new_url=_space_url(ref) + "/new",
        **extra,
    )


def _practices(ids: set[int]) -> dict[int, Practice]:
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))}


def _practice_choices(form: ThreadForm) -> None:
    rows = db.session.execute(
        select(Practice.id, Practice.title)
        .where(Practice.status == PracticeStatus.PUBLISHED.value)
        .order_by(Practice.title)
        .limit(500)
    )
    form.practice.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(pid), title) for pid, title in rows
    ]


@bp.route("/cohorts/<int:cohort_id>/modules/<slug>/new", methods=["GET", "POST"])
@login_required
@post_limit
def module_new(cohort_id: int, slug: str) -> Response | tuple[str, int]:
    """Ask a question in a session's Q&A."""
    ref, module = _module_ref(cohort_id, slug)
    _check(ref)
    if module is None:
        abort(404)
    return _new_thread(ref)


@bp.route("/courses/<int:course_id>/new", methods=["GET", "POST"])
@login_required
@post_limit
def course_new(course_id: int) -> Response | tuple[str, int]:
    """Open a thread in the cross-region forum."""
    ref = _course_ref(course_id)
    _check(ref)
    return _new_thread(ref)


@bp.route("/practices/<slug>/new", methods=["GET", "POST"])
@login_required
@post_limit
def practice_new(slug: str) -> Response | tuple[str, int]:
    """Ask the region that wrote a practice."""
    practice = _published_practice(slug)
    ref = _practice_ref(practice)
    _check(ref)
    return _new_thread(ref, practice_id=practice.id)


def _new_thread(ref: SpaceRef, practice_id: int | None = None) -> Response | tuple[str, int]:
    form = ThreadForm()
    _practice_choices(form)
    if not form.is_submitted():
        if practice_id:
            form.practice.data = str(practice_id)
        if request.args.get("indicator", "").isdigit():
            form.indicator.data = int(request.args["indicator"])
    if form.validate_on_submit():
        data = services.ThreadInput(
            title=form.title.data,
            body=form.body.data,
            kind=ThreadKind(form.kind.data),
            indicator=form.indicator.data,
            practice_id=int(form.practice.data) if (form.practice.data or "").isdigit() else None,
        )
        try:
            with db.session.begin_nested():
                thread = services.create_thread(ref, current_user, data, _uploads(), utcnow())
        except services.DiscussionError as error:
            attach_error(form, error)
        else:
            flash(_("Your thread was posted."), "success")
            return redirect(url_for("discussions.thread", thread_id=thread.id))
    return render_template(
        "discussions/new.html", form=form, ref=ref, space_url=_space_url(ref)
    ), form_status(form)


# --------------------------------------------------------------------------- threads


@bp.get("/threads/<int:thread_id>")
@login_required
def thread(thread_id: int) -> str:
    """A thread: its question or opening, responses and comments, with what the reader may do."""
    thread, ref, moderator = _load_thread(thread_id)
    return _thread_page(thread, ref, moderator)


def _thread_page(
    thread: Thread,
    ref: SpaceRef,
    moderator: bool,
    *,
    form: ReplyForm | None = None,
    status: int = 200,
) -> Any:
    view = services.thread_view(
        thread, current_user, page=request.args.get("page", 1, type=int) or 1, moderator=moderator
    )
    last_read = services.mark_read(thread, current_user, utcnow())
    practice = db.session.get(Practice, thread.practice_id) if thread.practice_id else None
    return render_template(
        "discussions/thread.html",
        thread=thread,
        ref=ref,
        view=view,
        moderator=moderator,
        can_endorse=policy.can_endorse(current_user, ref),
        form=form or ReplyForm(),
        last_read=last_read,
        practice=practice,
        indicator=spbe.INDICATOR_BY_NUMBER.get(thread.indicator) if thread.indicator else None,
        space_url=_space_url(ref),
        render=services.render,
        show_region=ref.kind != SpaceKind.MODULE,
    ), status


@bp.post("/threads/<int:thread_id>/reply")
@login_required
@post_limit
def reply(thread_id: int) -> Any:
    """Answer the thread, or comment on one of its responses."""
    thread, ref, moderator = _load_thread(thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        parent = int(form.parent.data) if (form.parent.data or "").isdigit() else None
        try:
            with db.session.begin_nested():
                post = services.reply(
                    ref,
                    thread,
                    current_user,
                    form.body.data,
                    parent,
                    _uploads(),
                    utcnow(),
                    moderator=moderator,
                )
        except services.DiscussionError as error:
            attach_error(form, error)
        else:
            return redirect(url_for("discussions.thread", thread_id=thread.id) + f"#post-{post.id}")
    return _thread_page(thread, ref, moderator, form=form, status=422)


def _on() -> bool:
    return request.form.get("value", "on") != "off"


def _back(thread: Thread, post_id: int | None = None) -> Response:
    anchor = f"#post-{post_id}" if post_id else ""
    return redirect(url_for("discussions.thread", thread_id=thread.id) + anchor)


@bp.post("/threads/<int:thread_id>/follow")
@login_required
def follow(thread_id: int) -> Response:
    """Follow a thread (be told of replies) or stop following it."""
    thread, _ref, _moderator = _load_thread(thread_id)
    services.set_follow(thread, current_user, _on())
    return _back(thread)


@bp.post("/threads/<int:thread_id>/lock")
@login_required
def lock(thread_id: int) -> Response:
    """Lock or unlock a thread (moderators)."""
    thread, _ref, moderator = _load_thread(thread_id)
    if not moderator:
        abort(403)
    services.set_locked(thread, current_user, _on(), request.form.get("reason", ""))
    return _back(thread)


@bp.post("/threads/<int:thread_id>/pin")
@login_required
def pin(thread_id: int) -> Response:
    """Pin or unpin a thread (moderators)."""
    thread, _ref, moderator = _load_thread(thread_id)
    if not moderator:
        abort(403)
    services.set_pinned(thread, current_user, _on(), request.form.get("reason", ""))
    return _back(thread)


# --------------------------------------------------------------------------- posts


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int) -> Any:
    """Edit one's own post; the earlier text stays in its history."""
    post, thread, ref, _moderator = _load_post(post_id)
    if post.author_id != current_user.id or post.hidden:
        abort(403)
    form = EditForm()
    if not form.is_submitted():
        form.body.data = post.body
        form.title.data = thread.title if post.is_opening else None
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                services.edit_post(
                    post, thread, current_user, form.body.data, form.title.data, utcnow()
                )
        except services.DiscussionError as error:
            attach_error(form, error)
        else:
            flash(_("Your post was updated."), "success")
            return _back(thread, post.id)
    return render_template(
        "discussions/edit.html", form=form, post=post, thread=thread, ref=ref
    ), form_status(form)


@bp.get("/posts/<int:post_id>/history")
@login_required
def history(post_id: int) -> str:
    """Every earlier text of a post, newest first."""
    post, thread, ref, _moderator = _load_post(post_id)
    return render_template(
        "discussions/history.html",
        post=post,
        thread=thread,
        ref=ref,
        revisions=services.revisions(post.id),
        render=services.render,
    )


def _domain_action(thread: Thread, post: Post, action: Any) -> Response:
    try:
        with db.session.begin_nested():
            action()
    except services.DiscussionError as error:
        flash(str(error), "error")
    return _back(thread, post.id)


@bp.post("/posts/<int:post_id>/helpful")
@login_required
def helpful(post_id: int) -> Response:
    """Vote a post helpful (again to take the vote back)."""
    post, thread, _ref, _moderator = _load_post(post_id)
    return _domain_action(thread, post, lambda: services.toggle_helpful(post, current_user))


@bp.post("/posts/<int:post_id>/endorse")
@login_required
def endorse(post_id: int) -> Response:
    """A mentor endorses an answer (or withdraws the endorsement)."""
    post, thread, ref, _moderator = _load_post(post_id)
    if not policy.can_endorse(current_user, ref):
        abort(403)
    return _domain_action(
        thread, post, lambda: services.endorse(ref, thread, post, current_user, _on())
    )


@bp.post("/posts/<int:post_id>/accept")
@login_required
def accept(post_id: int) -> Response:
    """The asker accepts an answer."""
    post, thread, _ref, _moderator = _load_post(post_id)
    if thread.author_id != current_user.id:
        abort(403)
    return _domain_action(thread, post, lambda: services.accept(thread, post, current_user, _on()))


@bp.post("/posts/<int:post_id>/report")
@login_required
def report(post_id: int) -> Response:
    """Report a post to the space's moderators."""
    post, thread, _ref, _moderator = _load_post(post_id)
    form = ReportForm()
    if not form.validate_on_submit():
        flash(_("Say briefly what is wrong with the post."), "error")
        return _back(thread, post.id)
    try:
        with db.session.begin_nested():
            services.report(post, current_user, form.reason.data)
    except services.DiscussionError as error:
        flash(str(error), "error")
    else:
        flash(_("Thank you: the moderators will look at the post."), "success")
    return _back(thread, post.id)


@bp.post("/posts/<int:post_id>/hide")
@login_required
def hide(post_id: int) -> Response:
    """Hide a post (or show it again): moderators, with an audit entry."""
    post, thread, ref, moderator = _load_post(post_id)
    if not moderator:
        abort(403)
    form = ModerationForm()
    services.set_hidden(thread, post, current_user, _on(), form.reason.data or "", utcnow())
    flash(_("The post is hidden.") if _on() else _("The post is visible again."), "success")
    if post.is_opening and _on():
        return redirect(_space_url(ref))
    return _back(thread, post.id)


@bp.post("/posts/<int:post_id>/dismiss")
@login_required
def dismiss(post_id: int) -> Response:
    """Close the reports on a post without hiding it (moderators)."""
    post, thread, ref, moderator = _load_post(post_id)
    if not moderator:
        abort(403)
    services.dismiss_reports(thread, post, current_user, utcnow())
    return redirect(url_for("discussions.moderation", space_id=ref.space_id))


@bp.get("/spaces/<int:space_id>/moderation")
@login_required
def moderation(space_id: int) -> str:
    """Open reports and the audit log of a space (moderators)."""
    space = db.session.get(Space, space_id)
    if space is None:
        abort(404)
    ref = _ref_of(space)
    if not policy.can_moderate(current_user, ref):
        abort(403)
    return render_template(
        "discussions/moderation.html",
        ref=ref,
        reports=services.open_reports(space.id),
        audit=services.audit_of(space.id),
        action_labels={
            "hide": _("Hid a post"),
            "show": _("Showed a post again"),
            "lock": _("Locked the thread"),
            "unlock": _("Unlocked the thread"),
            "pin": _("Pinned the thread"),
            "unpin": _("Unpinned the thread"),
            "dismiss": _("Closed a report"),
        },
        space_url=_space_url(ref),
        form=ModerationForm(),
    )


@bp.get("/unanswered")
@login_required
def unanswered() -> str:
    """Questions nobody has answered yet in the sessions' Q&A the reader can see."""
    rows = services.unanswered_threads(current_user, limit=100)
    cohort_ids = {space.cohort_id for _thread, space in rows if space.cohort_id}
    cohorts = (
        {c.id: c for c in db.session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids)))}
        if cohort_ids
        else {}
    )
    return render_template(
        "discussions/unanswered.html",
        rows=rows,
        cohorts=cohorts,
        total=services.unanswered_count(current_user),
    )


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    """Download a post's file, for those who may read the post."""
    row = db.session.get(PostAttachment, attachment_id)
    if row is None:
        abort(404)
    _load_post(row.post_id)
    return storage.send(
        "discussions",
        row.stored_name,
        content_type=row.content_type,
        download_name=row.original_name,
    )
