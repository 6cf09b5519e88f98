"""Cohort pages: list, create, edit, roster, mentors, enrolment and withdrawal."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms import policy
from lms.audit.recorder import log
from lms.audit.services import Change, snapshot
from lms.auth.models import Role, User
from lms.cohorts import services
from lms.cohorts.forms import CohortForm, EnrolForm, MentorsForm
from lms.cohorts.models import Enrolment, EnrolmentStatus
from lms.errors import attach_error, form_status
from lms.extensions import db
from lms.policy import STAFF, roles_required
from lms.regions.models import Region

COHORT_FIELDS = ("name", "region_code", "start_date", "end_date")

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")


def _cohort_input(form: CohortForm, region_code: str) -> services.CohortInput:
    return services.CohortInput(
        region_code=region_code,
        name=form.name.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )


@bp.get("/")
@roles_required(*STAFF)
def index() -> str:
    """The cohorts the user may follow, with participant counts and mentors."""
    q = request.args.get("q", "").strip()[:100]
    region = request.args.get("region", "").strip()[:5]
    stmt = services.cohort_list_query(policy.cohort_scope(current_user), q=q, region_code=region)
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "cohorts/index.html",
        page=page,
        q=q,
        region=region,
        counts=services.participant_counts(page.items),
        mentors=services.with_mentors(page.items),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def create() -> str | Response:
    """Create a cohort (angkatan) for a region."""
    form = CohortForm()
    if current_user.role == Role.COORDINATOR:
        form.region_code.data = current_user.region_code
        form.region_code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        code = form.region_code.data.strip()
        if db.session.get(Region, code) is None:
            form.region_code.errors = [_("Unknown region code.")]
        elif not policy.can_create_cohort_in(current_user, code):
            abort(403)
        else:
            try:
                cohort = services.create_cohort(_cohort_input(form, code))
            except services.CohortError as error:
                attach_error(form, error)
            else:
                log(
                    Change(
                        "cohort.create",
                        "cohort",
                        cohort.id,
                        cohort.name,
                        cohort.region_code,
                        after=snapshot(cohort, COHORT_FIELDS),
                    )
                )
                flash(_("Cohort %(name)s was created.", name=cohort.name), "success")
                return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None), form_status(form)


@bp.get("/<int:cohort_id>")
@roles_required(*STAFF)
def show(cohort_id: int) -> str:
    """A cohort: dates, mentors and its participants, 50 to a page."""
    cohort = policy.get_cohort_or_abort(cohort_id)
    status = request.args.get("status", EnrolmentStatus.ACTIVE.value)
    if status not in {s.value for s in EnrolmentStatus} | {"all"}:
        status = EnrolmentStatus.ACTIVE.value
    stmt = services.roster_query(cohort, status="" if status == "all" else status)
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    mentors = services.with_mentors([cohort])[cohort.id]
    return render_template(
        "cohorts/show.html",
        cohort=cohort,
        page=page,
        status=status,
        mentors=mentors,
        count=services.participant_counts([cohort])[cohort.id],
        can_manage=policy.can_manage_cohort(current_user, cohort),
        can_assign=policy.can_assign_mentors(current_user),
    )


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def edit(cohort_id: int) -> str | Response:
    """Rename a cohort or move its dates."""
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    form = CohortForm(obj=cohort)
    form.region_code.data = cohort.region_code
    form.region_code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        before = snapshot(cohort, COHORT_FIELDS)
        try:
            services.update_cohort(cohort, _cohort_input(form, cohort.region_code))
        except services.CohortError as error:
            attach_error(form, error)
        else:
            after = snapshot(cohort, COHORT_FIELDS)
            if after != before:
                log(
                    Change(
                        "cohort.update",
                        "cohort",
                        cohort.id,
                        cohort.name,
                        cohort.region_code,
                        before,
                        after,
                    )
                )
            flash(_("The cohort was saved."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort), form_status(form)


@bp.route("/<int:cohort_id>/mentors", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def mentors(cohort_id: int) -> str | Response:
    """Choose the cohort's mentors among active mentor accounts."""
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    candidates = list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.MENTOR.value, User.active.is_(True))
            .order_by(User.name)
            .limit(500)
        )
    )
    form = MentorsForm()
    form.mentors.choices = [
        SelectChoice(m.id, f"{m.name} — {m.institution or m.email}") for m in candidates
    ]
    if request.method == "GET":
        form.mentors.data = [m.id for m in services.with_mentors([cohort])[cohort.id]]
    if form.validate_on_submit():
        before = sorted(m.id for m in services.with_mentors([cohort])[cohort.id])
        try:
            services.set_mentors(cohort, form.mentors.data or [])
        except services.CohortError as error:
            form.mentors.errors = [str(error)]
        else:
            after = sorted(set(form.mentors.data or []))
            if after != before:
                log(
                    Change(
                        "cohort.mentors",
                        "cohort",
                        cohort.id,
                        cohort.name,
                        cohort.region_code,
                        {"mentor_ids": before},
                        {"mentor_ids": after},
                    )
                )
            flash(_("The cohort's mentors were saved."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/mentors.html", form=form, cohort=cohort), form_status(form)


@bp.route("/<int:cohort_id>/enrol", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def enrol(cohort_id: int) -> str | Response:
    """Enrol participants of the cohort's region who are not in it yet."""
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    q = request.args.get("q", "").strip()[:100]
    candidates = services.enrollable_participants(cohort, q=q)
    form = EnrolForm()
    form.participants.choices = [
        SelectChoice(u.id, f"{u.name} — {u.nip or u.email} — {u.work_unit or ''}")
        for u in candidates
    ]
    if request.method == "POST":
        # Accept any participant of the region, not only those shown on this page.
        chosen = request.form.getlist("participants", type=int)
        form.participants.choices = [SelectChoice(i, str(i)) for i in chosen]
    if form.validate_on_submit():
        users = list(db.session.scalars(select(User).where(User.id.in_(form.participants.data))))
        try:
            for user in users:
                enrolment = services.enrol(cohort, user)
                log(
                    Change(
                        "cohort.enrol",
                        "enrolment",
                        enrolment.id,
                        f"{user.email} → {cohort.name}",
                        cohort.region_code,
                        after={"user_id": user.id, "cohort_id": cohort.id, "status": "active"},
                    )
                )
        except services.CohortError as error:
            db.session.rollback()
            flash(f"{user.name}: {error}", "error")
            return redirect(url_for("cohorts.enrol", cohort_id=cohort.id, q=q))
        flash(
            ngettext(
                "%(num)d participant was enrolled.",
                "%(num)d participants were enrolled.",
                len(users),
            ),
            "success",
        )
        return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template(
        "cohorts/enrol.html", form=form, cohort=cohort, q=q, candidates=candidates
    ), form_status(form)


@bp.post("/<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def withdraw(cohort_id: int, enrolment_id: int) -> Response:
    """Withdraw a participant; their records stay."""
    cohort = policy.get_cohort_or_abort(cohort_id, manage=True)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        abort(404)
    before = enrolment.status
    services.withdraw(enrolment)
    log(
        Change(
            "cohort.withdraw",
            "enrolment",
            enrolment.id,
            cohort.name,
            cohort.region_code,
            {"user_id": enrolment.user_id, "status": before},
            {"user_id": enrolment.user_id, "status": enrolment.status},
        )
    )
    flash(_("The participant was withdrawn from the cohort."), "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))
