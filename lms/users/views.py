"""Account management for admins (all roles) and coordinators (their region's participants)."""

from __future__ import annotations

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms import policy
from lms.audit.recorder import log
from lms.audit.services import Change, snapshot
from lms.auth import notices, recent, totp
from lms.auth import services as auth_services
from lms.auth.models import Role, User
from lms.cohorts.models import Cohort
from lms.confirm import Confirmation, confirmed, render_confirmation
from lms.errors import attach_error, form_status
from lms.extensions import db
from lms.labels import ROLE_LABELS
from lms.longjobs import services as longjobs
from lms.mail import send_mail
from lms.policy import roles_required
from lms.users import jobs as import_jobs
from lms.users import services
from lms.users.forms import ImportForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/users")

MANAGERS = (Role.ADMIN, Role.COORDINATOR)
AUDITED_FIELDS = services.AUDITED_FIELDS


def _user_input(form: UserForm) -> services.UserInput:
    return services.UserInput(
        email=form.email.data,
        name=form.name.data,
        role=Role(form.role.data),
        region_code=(form.region_code.data or "").strip() or None,
        nip=form.nip.data,
        work_unit=form.work_unit.data,
        position=form.position.data,
        institution=form.institution.data,
        password=form.password.data or None,
    )


def _check_region_allowed(form: UserForm) -> bool:
    allowed = policy.import_region_codes(current_user)
    code = (form.region_code.data or "").strip()
    if allowed is not None and code not in allowed:
        form.region_code.errors = [_("You can only manage accounts of your own region.")]
        return False
    return True


def _reset_link(user: User) -> str:
    issued = auth_services.issue_reset_token(
        user, created_by=current_user, valid_hours=current_app.config["PASSWORD_RESET_HOURS"]
    )
    link = url_for("auth.reset_password", token=issued.token, _external=True)
    send_mail(
        user.email,
        _("Set your Living Lab LMS password"),
        _("Open this link to set your password (it works once): %(link)s", link=link),
    )
    return link


@bp.get("/")
@roles_required(*MANAGERS)
def index() -> str:
    """Accounts the user may manage, searchable and filterable, 50 to a page."""
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    stmt = (
        select(User)
        .options(joinedload(User.region))
        .where(policy.user_scope(current_user))
        .order_by(User.name, User.id)
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(User.name).like(like) | User.email.like(like) | User.nip.like(f"{q}%")
        )
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    if region := request.args.get("region", "").strip()[:5]:
        stmt = stmt.where(User.region_code == region)
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "users/index.html",
        page=page,
        q=q,
        role=role,
        region=region,
        roles=policy.assignable_roles(current_user),
        role_labels=ROLE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create() -> str | Response:
    """Create an account; without an initial password, a one-time link is issued."""
    form = UserForm(roles=policy.assignable_roles(current_user))
    if request.method == "GET" and current_user.role == Role.COORDINATOR:
        form.region_code.data = current_user.region_code
    if form.validate_on_submit() and _check_region_allowed(form):
        try:
            user = services.create_user(_user_input(form))
        except services.UserError as error:
            attach_error(form, error)
        else:
            log(
                Change(
                    "user.create",
                    "user",
                    user.id,
                    user.email,
                    user.region_code,
                    after=snapshot(user, AUDITED_FIELDS),
                )
            )
            flash(_("Account %(email)s was created.", email=user.email), "success")
            if not form.password.data:
                return render_template("users/reset_link.html", user=user, link=_reset_link(user))
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None), form_status(form)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(user_id: int) -> str | Response:
    """Edit an account's details and role."""
    user = policy.get_user_or_abort(user_id)
    form = UserForm(obj=user, roles=policy.assignable_roles(current_user))
    if form.validate_on_submit() and _check_region_allowed(form):
        if user.id == current_user.id and form.role.data != user.role:
            form.role.errors = [_("You cannot change your own role.")]
        elif form.role.data != user.role and not recent.recent():
            return recent.ask(url_for("users.edit", user_id=user.id))
        else:
            before = snapshot(user, AUDITED_FIELDS)
            try:
                services.update_user(user, _user_input(form))
                if form.password.data:
                    auth_services.set_password(user, form.password.data)
            except services.UserError as error:
                attach_error(form, error)
            else:
                after = snapshot(user, AUDITED_FIELDS)
                if form.password.data:
                    after["password_changed"] = True
                    notices.password_changed(user.email)
                if before["email"] != after["email"]:
                    notices.email_changed(before["email"], after["email"])
                if before != after:
                    log(
                        Change(
                            "user.update",
                            "user",
                            user.id,
                            user.email,
                            user.region_code or before.get("region_code"),
                            before,
                            after,
                        )
                    )
                flash(_("The account was saved."), "success")
                return redirect(url_for("users.index"))
    form.password.data = ""
    return render_template("users/form.html", form=form, user=user), form_status(form)


@bp.post("/<int:user_id>/active")
@roles_required(*MANAGERS)
def set_active(user_id: int) -> str | Response:
    """Deactivate (keeping every record, after a confirmation step) or reactivate an account."""
    user = policy.get_user_or_abort(user_id)
    active = request.form.get("active") == "1"
    back = request.form.get("back") or request.referrer
    back = back if _same_site(back) else url_for("users.index")
    if user.id == current_user.id and not active:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(back)
    if not active and user.active and not confirmed():
        return render_confirmation(
            Confirmation(
                title=_("Deactivate %(name)s?", name=user.name),
                consequences=[
                    _(
                        "%(email)s can no longer log in; open sessions end at once.",
                        email=user.email,
                    ),
                    _("Enrolments, submissions, grades and certificates are kept."),
                    _("You can reactivate the account later from the user list."),
                ],
                action=url_for("users.set_active", user_id=user.id),
                confirm_label=_("Deactivate the account"),
                cancel_url=back,
                fields={"active": "0", "back": back},
                danger=True,
            )
        )
    if user.active != active:
        log(
            Change(
                "user.reactivate" if active else "user.deactivate",
                "user",
                user.id,
                user.email,
                user.region_code,
                {"active": user.active},
                {"active": active},
            )
        )
    services.set_active(user, active)
    flash(
        _("%(email)s was reactivated.", email=user.email)
        if active
        else _("%(email)s was deactivated.", email=user.email),
        "success",
    )
    return redirect(back)


@bp.post("/<int:user_id>/two-factor/reset")
@roles_required(Role.ADMIN)
def reset_two_factor(user_id: int) -> str | Response:
    """Turn off another person's two-factor sign-in (a lost phone and no recovery codes):
    admins only, after the password and a confirmation step; audited; the person is told."""
    user = policy.get_user_or_abort(user_id)
    back = url_for("users.edit", user_id=user.id)
    if user.id == current_user.id or not user.totp_secret:
        flash(_("Two-factor sign-in is not on for this account."), "error")
        return redirect(back)
    if not recent.recent():
        return recent.ask(back)
    if not confirmed():
        return render_confirmation(
            Confirmation(
                title=_("Reset two-factor sign-in of %(name)s?", name=user.name),
                consequences=[
                    _(
                        "%(email)s will sign in with the password alone until they turn "
                        "two-factor sign-in on again; their recovery codes stop working.",
                        email=user.email,
                    ),
                    _("Do this only after checking who is asking (in person or by phone)."),
                    _("The reset is written to the audit log and the person is told by e-mail."),
                ],
                action=url_for("users.reset_two_factor", user_id=user.id),
                confirm_label=_("Reset two-factor sign-in"),
                cancel_url=back,
                danger=True,
            )
        )
    log(
        Change(
            "user.two_factor_reset",
            "user",
            user.id,
            user.email,
            user.region_code,
            {"two_factor": True},
            {"two_factor": False},
        )
    )
    totp.disable(user)
    notices.two_factor_reset(user.email)
    flash(_("Two-factor sign-in of %(email)s was reset.", email=user.email), "success")
    return redirect(back)


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.post("/<int:user_id>/reset-link")
@roles_required(*MANAGERS)
def reset_link(user_id: int) -> str | Response:
    """Issue a one-time password link; shown once, mailed when SMTP is configured."""
    user = policy.get_user_or_abort(user_id)
    if not recent.recent():
        return recent.ask(url_for("users.index"))
    log(Change("user.reset_link", "user", user.id, user.email, user.region_code))
    return render_template("users/reset_link.html", user=user, link=_reset_link(user))


# Import ---------------------------------------------------------------------


def _import_cohorts() -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .where(policy.cohort_scope(current_user))
            .options(joinedload(Cohort.region))
            .order_by(Cohort.start_date.desc())
            .limit(200)
        )
    )


def _cohort_for_import(cohort_id: int | None) -> Cohort | None:
    if cohort_id is None:
        return None
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not policy.can_manage_cohort(current_user, cohort):
        abort(403)
    return cohort


def _preview(staged: services.StagedImport) -> tuple[services.ImportPreview, Cohort | None]:
    cohort = _cohort_for_import(staged.cohort_id)
    rows = services.read_table(staged.filename, staged.content)
    preview = services.validate_rows(
        rows,
        policy.import_region_codes(current_user),
        cohort_region=cohort.region_code if cohort else None,
    )
    return preview, cohort


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_upload() -> str | Response:
    """Upload a CSV or XLSX of participants; nothing is written before confirmation."""
    form = ImportForm()
    cohorts = _import_cohorts()
    form.cohort_id.choices = [SelectChoice("", _("— do not enrol —"))] + [
        SelectChoice(str(c.id), f"{c.name} ({c.region.display_name})") for c in cohorts
    ]
    if request.method == "GET" and request.args.get("cohort"):
        form.cohort_id.data = request.args["cohort"]
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        cohort_id = int(form.cohort_id.data) if form.cohort_id.data else None
        _cohort_for_import(cohort_id)
        try:
            services.read_table(upload.filename, content)
        except services.ImportFileError as error:
            form.file.errors = [str(error)]
        else:
            token = services.stage_import(
                current_user.id,
                upload.filename,
                cohort_id,
                content,
                locale=str(get_locale() or "id"),
                base_url=request.host_url,
                ip=request.remote_addr or "",
            )
            return redirect(url_for("users.import_preview", token=token))
    return render_template("users/import.html", form=form), form_status(form)


def _staged_or_404(token: str) -> services.StagedImport:
    staged = services.load_staged_import(token, current_user.id)
    if staged is None:
        abort(404)
    return staged


@bp.get("/import/<token>")
@roles_required(*MANAGERS)
def import_preview(token: str) -> str:
    """Every row that would be imported, and every bad row with its line and reason."""
    staged = _staged_or_404(token)
    preview, cohort = _preview(staged)
    return render_template(
        "users/import_preview.html",
        staged=staged,
        preview=preview,
        cohort=cohort,
    )


@bp.post("/import/<token>/confirm")
@roles_required(*MANAGERS)
def import_confirm(token: str) -> str | Response:
    """Write the valid rows (checked again now) and show each new account's one-time link;
    more than IMPORT_INLINE_ROWS valid rows are imported by a long job, watched on its page."""
    staged = _staged_or_404(token)
    preview, cohort = _preview(staged)
    if not preview.rows:
        flash(_("No valid rows to import."), "error")
        return redirect(url_for("users.import_preview", token=token))
    if len(preview.rows) > services.IMPORT_INLINE_ROWS:
        job = longjobs.start(current_user, import_jobs.KIND, {"token": token})
        db.session.commit()
        return redirect(url_for("longjobs.show", job_id=job.id))
    try:
        result = services.apply_import(preview, cohort.id if cohort else None)
    except services.UserError as error:
        flash(str(error), "error")
        return redirect(url_for("users.import_preview", token=token))
    links = [(user, _reset_link(user)) for user in result.created]
    for change in import_jobs.import_changes(result.created, cohort.id if cohort else None):
        log(change)
    services.drop_staged_import(token)
    return render_template(
        "users/import_done.html",
        links=links,
        result=result,
        cohort=cohort,
        skipped=len({p.line for p in preview.problems}),
    )


@bp.post("/import/<token>/cancel")
@roles_required(*MANAGERS)
def import_cancel(token: str) -> Response:
    """Discard the staged file; nothing was written."""
    _staged_or_404(token)
    services.drop_staged_import(token)
    flash(_("The import was cancelled; nothing was saved."), "info")
    return redirect(url_for("users.import_upload"))
