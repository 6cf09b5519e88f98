"""The privacy notice, a person's own data export, and an admin's erasure of a person."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms import policy
from lms.audit.recorder import log
from lms.audit.services import Change
from lms.auth.models import Role
from lms.auth.services import check_password
from lms.errors import form_status
from lms.models import utcnow
from lms.policy import roles_required
from lms.privacy import services
from lms.privacy.forms import EraseForm, ExportForm

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def notice() -> str:
    """The privacy notice (public), in the interface language."""
    return render_template(
        "privacy/notice.html", retention_days=current_app.config["UPLOAD_RETENTION_DAYS"]
    )


@bp.get("/account/data")
@login_required
def my_data() -> str:
    """What is held about the user, and the button to download all of it."""
    return render_template("privacy/my_data.html", form=ExportForm())


@bp.post("/account/data")
@login_required
def download() -> Response:
    """Everything held about the user as a ZIP: data.json and their files."""
    form = ExportForm()
    if not form.validate_on_submit():
        return redirect(url_for("privacy.my_data"))
    body = services.export_zip(current_user.id, utcnow())
    log(
        Change(
            "personal_data.export",
            "user",
            current_user.id,
            current_user.email,
            current_user.region_code,
            after={"bytes": len(body)},
        )
    )
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="data-pribadi-saya.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/users/<int:user_id>/erase", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def erase(user_id: int) -> str | Response | tuple[str, int]:
    """Erase a person who has left, after the admin confirms with the address and their
    own password."""
    user = policy.get_user_or_abort(user_id)
    if not services.erasable(user.id):
        flash(_("This account was already erased."), "info")
        return redirect(url_for("users.index"))
    form = EraseForm()
    if user.id == current_user.id:
        form.email.errors = [_("You cannot erase your own account.")]
    elif form.validate_on_submit():
        if form.email.data.strip().lower() != user.email.lower():
            form.email.errors = [_("This is not the person's e-mail address.")]
        elif not check_password(current_user, form.password.data):
            form.password.errors = [_("The password is wrong.")]
        else:
            region, label = user.region_code, user.email
            result = services.erase(user.id, utcnow())
            log(
                Change(
                    "personal_data.erase",
                    "user",
                    user.id,
                    result.pseudonym,
                    region,
                    after={
                        "files_deleted": result.files_deleted,
                        "certificates_revoked": result.certificates_revoked,
                    },
                )
            )
            flash(_("%(email)s was erased.", email=label), "success")
            return redirect(url_for("users.index"))
    data = services.personal_data(user.id)
    summary = {key: len(rows) for key, rows in data.items() if key != "profile"}
    return render_template(
        "privacy/erase.html", user=user, form=form, summary=summary
    ), form_status(form)
