"""Start a long task and watch it: the job page follows its progress from a small JSON
status (`job.js`, every two seconds; without scripts a meta refresh reloads the page) and
shows the download, or the outcome, once the work is done."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms import storage
from lms.extensions import db
from lms.longjobs import services
from lms.longjobs.models import JobRun

bp = Blueprint("longjobs", __name__, url_prefix="/jobs")


def _own(job_id: int) -> JobRun:
    """A job is its starter's alone: anyone else gets 404, as for a job that does not exist.
    A one-at-a-time kind's job is also shown to everyone allowed to start that kind."""
    job = db.session.get(JobRun, job_id)
    if job is None:
        abort(404)
    if job.user_id != current_user.id:
        kind = services.kinds().get(job.kind)
        if kind is None or not kind.single or not kind.allowed(current_user, dict(job.params)):
            abort(404)
    return job


@bp.post("/start/<kind>")
@login_required
def start(kind: str) -> Response:
    if kind not in services.kinds():
        abort(404)
    params = {
        key: value[:100] for key, value in list(request.form.items())[:10] if key != "csrf_token"
    }
    try:
        job = services.start(current_user, kind, params)
    except PermissionError:
        abort(403)
    db.session.commit()
    return redirect(url_for("longjobs.show", job_id=job.id))


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int) -> Any:
    job = _own(job_id)
    kind = services.kinds().get(job.kind)
    return render_template(
        "longjobs/show.html",
        job=job,
        title=kind.title if kind else job.kind,
        status_text="" if job.finished else services.status_text(job, kind),
        done_text=kind.done_text if kind else None,
        can_restart=kind is not None,
        days=current_app.config["JOB_RESULT_DAYS"],
    )


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id: int) -> Response:
    """The job's progress for the page's script (the same access as the page)."""
    job = _own(job_id)
    kind = services.kinds().get(job.kind)
    found: dict[str, Any] = {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "text": "" if job.finished else services.status_text(job, kind),
    }
    if job.status == "done" and job.stored_name:
        found["download"] = url_for("longjobs.download", job_id=job.id)
    response = jsonify(found)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int) -> Response:
    job = _own(job_id)
    if job.status != "done" or not job.stored_name:
        abort(404)
    return storage.send(
        services.RESULTS,
        job.stored_name,
        content_type=job.content_type,
        download_name=job.download_name,
    )
