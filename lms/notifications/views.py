"""The user's notifications."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index() -> str:
    items = services.recent(current_user.id)
    return render_template("notifications/index.html", items=[(n, services.text(n)) for n in items])


@bp.post("/read")
@login_required
def read_all() -> Response:
    services.mark_all_read(current_user.id)
    return redirect(url_for("notifications.index"))
