"""The user's notifications and their e-mail preference."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.errors import form_status
from lms.notifications import services
from lms.notifications.forms import PreferenceForm
from lms.notifications.models import EmailMode

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index() -> str:
    """The latest notifications, newest first."""
    items = services.recent(current_user.id)
    return render_template("notifications/index.html", items=[(n, services.text(n)) for n in items])


@bp.post("/read")
@login_required
def read_all() -> Response:
    """Mark every notification read."""
    services.mark_all_read(current_user.id)
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> Response | tuple[str, int]:
    """Choose e-mail at once, a daily digest, or none."""
    form = PreferenceForm()
    if form.validate_on_submit():
        services.set_email_mode(current_user.id, EmailMode(form.email.data))
        flash(_("Your notification settings were saved."), "success")
        return redirect(url_for("notifications.settings"))
    if not form.is_submitted():
        form.email.data = services.email_mode(current_user.id).value
    return render_template("notifications/settings.html", form=form), form_status(form)
