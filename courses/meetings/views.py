"""A cohort's course and schedule, meetings, attendance, session notes and calendars."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from courses import changes
from courses import services as course_services
from courses.meetings import services
from courses.meetings.forms import (
    AttendanceForm,
    CohortCourseForm,
    MeetingForm,
    NotesForm,
    ScheduleForm,
)
from courses.meetings.models import AttendanceStatus, Meeting
from courses.models import CourseVersion, Module
from lms import plugins, policy
from lms.audit.recorder import log
from lms.audit.services import Change
from lms.auth.models import Role, User
from lms.cohorts.models import Cohort, cohort_mentor
from lms.confirm import Confirmation, confirmed, render_confirmation
from lms.errors import attach_error, form_status
from lms.extensions import csrf, db, limiter
from lms.markdown import render_markdown
from lms.policy import roles_required

bp = Blueprint("schedule", __name__)


def _mentor_choices(cohort: Cohort) -> list[SelectChoice]:
    mentors = db.session.scalars(
        select(User)
        .join(cohort_mentor, cohort_mentor.c.user_id == User.id)
        .where(cohort_mentor.c.cohort_id == cohort.id)
        .order_by(User.name)
    )
    return [SelectChoice("", _("— none —"))] + [SelectChoice(str(m.id), m.name) for m in mentors]


def _modules(cohort: Cohort) -> list[Module]:
    if cohort.course_version_id is None:
        return []
    return course_services.modules_of(cohort.course_version_id)


def _meeting_or_404(cohort: Cohort, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.cohort_id != cohort.id:
        abort(404)
    return meeting


def _module_of(cohort: Cohort, meeting: Meeting) -> Module | None:
    return db.session.scalar(
        select(Module).where(
            Module.version_id == cohort.course_version_id, Module.slug == meeting.module_slug
        )
    )


# --------------------------------------------------------------------------- course


@bp.route("/cohorts/<int:cohort_id>/course", methods=["GET", "POST"])
@login_required
def cohort_course(cohort_id: int) -> str | WerkzeugResponse:
    """Attach a cohort to a published course version, or move it to a newer one."""
    if not policy.can_attach_course(current_user):
        abort(403)
    cohort = policy.get_cohort_or_abort(cohort_id)
    form = CohortCourseForm()
    versions = course_services.published_versions()
    form.version_id.choices = [
        SelectChoice(str(v.id), f"{v.title} — {c.slug} {v.label}") for v, c in versions
    ]
    if request.method == "GET" and cohort.course_version_id:
        form.version_id.data = str(cohort.course_version_id)
    current = (
        db.session.get(CourseVersion, cohort.course_version_id)
        if cohort.course_version_id
        else None
    )
    if form.validate_on_submit():
        version = db.session.get(CourseVersion, int(form.version_id.data))
        if version is None:
            abort(400)
        if current is not None and current.id != version.id and not confirmed():
            return render_confirmation(
                Confirmation(
                    title=_(
                        "Move %(cohort)s to version %(label)s?",
                        cohort=cohort.name,
                        label=version.label,
                    ),
                    consequences=[
                        _(
                            "The cohort leaves %(old)s version %(old_label)s and follows "
                            "%(new)s version %(new_label)s from now on.",
                            old=current.title,
                            old_label=current.label,
                            new=version.title,
                            new_label=version.label,
                        ),
                        _(
                            "Completed activities are carried over where the new version has "
                            "the same session and activity; anything new starts as not done."
                        ),
                        _(
                            "Quiz attempts and submissions already made stay with the version "
                            "they were made on."
                        ),
                    ],
                    action=url_for("schedule.cohort_course", cohort_id=cohort.id),
                    confirm_label=_("Move the cohort"),
                    cancel_url=url_for("schedule.cohort_course", cohort_id=cohort.id),
                    fields={"version_id": str(version.id)},
                    details_template="authoring/_version_details.html",
                    details={
                        "changes": changes.compare_versions(
                            current if current.course_id == version.course_id else None,
                            version,
                        ),
                        "labels": changes.LABELS,
                        "carry": changes.carry_over(cohort.id, current, version),
                    },
                )
            )
        carried = course_services.attach_cohort(cohort, version)
        log(
            Change(
                "cohort.course",
                "cohort",
                cohort.id,
                cohort.name,
                cohort.region_code,
                {"course_version_id": current.id if current else None},
                {"course_version_id": version.id, "label": version.label},
            )
        )
        flash(
            _(
                "The cohort now follows %(title)s version %(label)s.",
                title=version.title,
                label=version.label,
            ),
            "success",
        )
        if carried:
            flash(
                ngettext(
                    "%(num)d completion was carried over.",
                    "%(num)d completions were carried over.",
                    carried,
                ),
                "info",
            )
        return redirect(url_for("schedule.cohort_schedule", cohort_id=cohort.id))
    return render_template(
        "meetings/course.html", cohort=cohort, form=form, current=current
    ), form_status(form)


# --------------------------------------------------------------------------- schedule


def _schedule_page(cohort: Cohort, form: ScheduleForm) -> str:
    meetings = services.meetings_of(cohort.id)
    modules = _modules(cohort)
    scheduled = {m.module_slug for m in meetings}
    return render_template(
        "meetings/schedule.html",
        cohort=cohort,
        meetings=meetings,
        modules={m.slug: m for m in modules},
        unscheduled=[m for m in modules if m.has_meeting and m.slug not in scheduled],
        form=form,
        can_manage=policy.can_manage_cohort(current_user, cohort),
        can_attend=policy.can_take_attendance(current_user, cohort),
    )


@bp.get("/cohorts/<int:cohort_id>/schedule")
@login_required
def cohort_schedule(cohort_id: int) -> str:
    cohort = policy.get_cohort_or_abort(cohort_id)
    form = ScheduleForm()
    form.mentor_id.choices = _mentor_choices(cohort)
    return _schedule_page(cohort, form)


@bp.post("/cohorts/<int:cohort_id>/schedule")
@login_required
def generate(cohort_id: int) -> WerkzeugResponse | tuple[str, int]:
    """Make one meeting per session that has none yet."""
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    form = ScheduleForm()
    form.mentor_id.choices = _mentor_choices(cohort)
    if form.validate_on_submit():
        try:
            created = services.generate_schedule(
                cohort,
                services.ScheduleInput(
                    first_day=form.first_day.data,
                    start_time=form.start_time.data,
                    every_days=form.every_days.data,
                    place=form.place.data or "",
                    online_url=form.online_url.data or "",
                    mentor_id=int(form.mentor_id.data) if form.mentor_id.data else None,
                ),
                cohort.region.timezone,
            )
        except services.MeetingError as error:
            attach_error(form, error)
        else:
            flash(
                ngettext(
                    "%(num)d meeting was scheduled.", "%(num)d meetings were scheduled.", created
                ),
                "success",
            )
            return redirect(url_for("schedule.cohort_schedule", cohort_id=cohort.id))
    return _schedule_page(cohort, form), 422


@bp.route("/cohorts/<int:cohort_id>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def meeting_edit(cohort_id: int, meeting_id: int) -> str | WerkzeugResponse:
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    meeting = _meeting_or_404(cohort, meeting_id)
    zone = ZoneInfo(cohort.region.timezone)
    form = MeetingForm()
    form.mentor_id.choices = _mentor_choices(cohort)
    if request.method == "GET":
        local = meeting.starts_at.astimezone(zone)
        form.day.data = local.date()
        form.start_time.data = local.time().replace(second=0, microsecond=0)
        form.duration_minutes.data = meeting.duration_minutes
        form.mentor_id.data = str(meeting.mentor_id or "")
        form.online_url.data = meeting.online_url
        form.place.data = meeting.place
    if form.validate_on_submit():
        try:
            services.update_meeting(
                cohort,
                meeting,
                services.MeetingInput(
                    starts_at=services.local_to_utc(
                        form.day.data, form.start_time.data, cohort.region.timezone
                    ),
                    duration_minutes=form.duration_minutes.data,
                    place=form.place.data or "",
                    online_url=form.online_url.data or "",
                    mentor_id=int(form.mentor_id.data) if form.mentor_id.data else None,
                ),
            )
        except services.MeetingError as error:
            attach_error(form, error)
        else:
            flash(_("The meeting was saved."), "success")
            return redirect(url_for("schedule.cohort_schedule", cohort_id=cohort.id))
    return render_template(
        "meetings/meeting_form.html",
        cohort=cohort,
        meeting=meeting,
        module=_module_of(cohort, meeting),
        form=form,
    ), form_status(form)


# --------------------------------------------------------------------------- attendance


def _attendance_guard(cohort_id: int, meeting_id: int) -> tuple[Cohort, Meeting]:
    cohort = policy.get_cohort_or_abort(cohort_id)
    if not policy.can_take_attendance(current_user, cohort):
        abort(403)
    return cohort, _meeting_or_404(cohort, meeting_id)


@bp.route("/cohorts/<int:cohort_id>/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(cohort_id: int, meeting_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    """Take attendance for the whole cohort in one form."""
    cohort, meeting = _attendance_guard(cohort_id, meeting_id)
    roster = services.roster(cohort.id)
    form = AttendanceForm()
    errors: dict[int, str] = {}
    chosen: dict[int, str] = {}
    if form.validate_on_submit():
        statuses: dict[int, AttendanceStatus] = {}
        for _enrolment, user in roster:
            value = request.form.get(f"status-{user.id}", "")
            chosen[user.id] = value
            try:
                statuses[user.id] = AttendanceStatus(value)
            except ValueError:
                errors[user.id] = _("Choose present, late, excused or absent.")
        if not errors:
            services.record_attendance(
                cohort, meeting, statuses, current_user.id, plugins.registry().activity_types
            )
            flash(
                ngettext(
                    "Attendance was saved for %(num)d participant.",
                    "Attendance was saved for %(num)d participants.",
                    len(statuses),
                ),
                "success",
            )
            return redirect(
                url_for("schedule.attendance", cohort_id=cohort.id, meeting_id=meeting.id)
            )
    recorded = services.attendance_of(meeting.id)
    if not chosen:
        chosen = {user_id: row.status for user_id, row in recorded.items()}
    return render_template(
        "meetings/attendance.html",
        cohort=cohort,
        meeting=meeting,
        module=_module_of(cohort, meeting),
        roster=roster,
        chosen=chosen,
        errors=errors,
        recorded=recorded,
        form=form,
        statuses=list(AttendanceStatus),
    ), (422 if errors or form.errors else 200)


@bp.route("/cohorts/<int:cohort_id>/meetings/<int:meeting_id>/notes", methods=["GET", "POST"])
@login_required
def notes(cohort_id: int, meeting_id: int) -> str | WerkzeugResponse:
    cohort, meeting = _attendance_guard(cohort_id, meeting_id)
    form = NotesForm()
    if request.method == "GET":
        form.notes.data = meeting.notes
    if form.validate_on_submit():
        services.save_notes(meeting, (form.notes.data or "").replace("\r\n", "\n"), current_user.id)
        flash(_("The session notes were saved."), "success")
        return redirect(url_for("schedule.cohort_schedule", cohort_id=cohort.id))
    return render_template(
        "meetings/notes.html",
        cohort=cohort,
        meeting=meeting,
        module=_module_of(cohort, meeting),
        form=form,
        preview=render_markdown(form.notes.data or ""),
    ), form_status(form)


@bp.get("/cohorts/<int:cohort_id>/modules/<int:module_id>/mentor-notes")
@login_required
def mentor_notes(cohort_id: int, module_id: int) -> str:
    """A session's mentor notes: the cohort's mentors, its region's coordinator and admins
    only (participants get 403, like every staff page of a cohort)."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    module = db.session.get(Module, module_id)
    if module is None or module.version_id != cohort.course_version_id:
        abort(404)
    return render_template(
        "meetings/mentor_notes.html",
        cohort=cohort,
        module=module,
        notes=render_markdown(module.mentor_notes) if module.mentor_notes else None,
    )


# --------------------------------------------------------------------------- calendars


def _ics_response(data: bytes, filename: str) -> Response:
    response = make_response(data)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/learn/<int:cohort_id>/meetings/<int:meeting_id>.ics")
@login_required
def meeting_ics(cohort_id: int, meeting_id: int) -> Response:
    """One meeting as an iCalendar file, for anyone who may follow the cohort's course."""
    cohort, _enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    meeting = _meeting_or_404(cohort, meeting_id)
    data = services.icalendar_bytes(
        [(meeting, _module_of(cohort, meeting))],
        calendar_name=cohort.name,
        host=request.host,
    )
    return _ics_response(data, f"sesi-{meeting.module_slug}.ics")


@bp.get("/calendar/<token>.ics")
@csrf.exempt
@limiter.limit("60 per minute")
def feed(token: str) -> Response:
    """A personal calendar feed: every meeting of the user's cohorts. The token is the key."""
    if len(token) < 20 or len(token) > 64:
        abort(404)
    user = db.session.scalar(select(User).where(User.calendar_token == token, User.active))
    if user is None:
        abort(404)
    items = (
        services.participant_meetings(user.id)
        if user.role == "participant"
        else services.staff_meetings(user.id)
    )
    data = services.icalendar_bytes(items, calendar_name="Living Lab LMS", host=request.host)
    return _ics_response(data, "living-lab.ics")


@bp.route("/account/calendar", methods=["GET", "POST"])
@login_required
def calendar() -> str | WerkzeugResponse:
    """Show (and create or replace) the user's personal calendar feed address."""
    form = AttendanceForm()
    if form.validate_on_submit():
        current_user.calendar_token = secrets.token_urlsafe(24)
        flash(_("A new calendar address was made; the old one no longer works."), "success")
        return redirect(url_for("schedule.calendar"))
    url = (
        url_for("schedule.feed", token=current_user.calendar_token, _external=True)
        if current_user.calendar_token
        else None
    )
    return render_template("meetings/calendar.html", url=url, form=form)


@bp.post("/meetings/notes-preview")
@roles_required(Role.ADMIN, Role.MENTOR)
def notes_preview() -> Markup:
    """The server's sanitized rendering of session notes while a mentor writes them."""
    return render_markdown(request.form.get("text", "")[:50000])
