"""Start a long task, report its progress, keep its result.

A task kind is registered by the layer that owns the data (`register("national_export",
function, title)`); the function gets the job's params and a `progress(done, total)`
callback and returns `Result` (bytes, file name, content type); a `DomainError` it raises
is shown on the job page, any other failure only logged. `start` records the job and
queues `lms.longjobs.services.run` after the request commits; without Redis it runs inline
in the request and the job page shows it finished. Progress is committed as it goes (at
most twice a second), so the job page, served by any app process, sees it."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms import jobs, storage
from lms.errors import DomainError
from lms.extensions import db
from lms.longjobs.models import JobRun
from lms.models import utcnow

log = logging.getLogger("lms.longjobs")
RESULTS = "exports"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Result:
    content: bytes | None  # None: the work itself is the result (no file to download)
    download_name: str
    content_type: str


@dataclass(frozen=True)
class Kind:
    function: Callable[[dict[str, Any], Progress], Result]
    title: Any
    allowed: Callable[[Any, dict[str, Any]], bool]
    single: bool = False
    progress_text: Any = None
    done_text: Any = None


def register(
    app: Any,
    name: str,
    function: Callable[[dict[str, Any], Progress], Result],
    title: Any,
    allowed: Callable[[Any, dict[str, Any]], bool],
    *,
    single: bool = False,
    progress_text: Any = None,
    done_text: Any = None,
) -> None:
    """Make task `name` startable; `allowed(user, params)` decides who may start it.
    `single`: one at a time for everyone allowed; starting it while one is queued or running
    gives that job, and everyone allowed may watch it. `progress_text` and `done_text`
    (with %(done)d and %(total)d) say what is counted, for tasks whose result is no file."""
    app.extensions.setdefault("lms.longjobs", {})[name] = Kind(
        function, title, allowed, single, progress_text, done_text
    )


def kinds() -> dict[str, Kind]:
    return current_app.extensions.get("lms.longjobs", {})


def start(user: Any, name: str, params: dict[str, Any]) -> JobRun:
    """Record job `name` for `user` and queue it (or run it now without a queue)."""
    kind = kinds()[name]
    if not kind.allowed(user, params):
        raise PermissionError(name)
    if kind.single:
        # A second click (or a second admin) while one runs watches that one.
        running = unfinished(name)
        if running is not None:
            return running
    job = JobRun(user_id=user.id, kind=name, params=params, single_run=kind.single)
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Two first clicks in the same instant: the database let one in (a unique index
        # over the kind's unfinished jobs); this one watches it.
        running = unfinished(name)
        if running is None:
            raise
        return running
    jobs.enqueue_after_commit("lms.longjobs.services.run", job.id)
    return job


def unfinished(name: str) -> JobRun | None:
    """The queued or running job of kind `name`, if any (the oldest)."""
    return db.session.scalar(
        select(JobRun)
        .where(JobRun.kind == name, JobRun.status.in_(("queued", "running")))
        .order_by(JobRun.id)
        .limit(1)
    )


def status_text(job: JobRun, kind: Kind | None) -> str:
    """What the job page says of a job not finished yet (the page and its JSON alike)."""
    if job.status == "queued":
        return str(_("Waiting for a free worker. This page updates by itself."))
    if kind is not None and kind.progress_text:
        counted = str(kind.progress_text) % {"done": job.done, "total": job.total}
    else:
        counted = str(_("Working: %(done)d of %(total)d rows.", done=job.done, total=job.total))
    return f"{counted} {_('This page updates by itself.')}"


class _Reporter:
    def __init__(self, job: JobRun) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        self.job.done, self.job.total = done, total
        now = time.monotonic()
        if now - self.last >= 0.5 or done >= total:
            self.last = now
            db.session.commit()


def run(job_id: int) -> None:
    """The job itself (on the worker, or inline): run the task, keep its result."""
    job = db.session.get(JobRun, job_id)
    if job is None or job.finished:
        return
    kind = kinds().get(job.kind)
    job.status = "running"
    db.session.commit()
    try:
        if kind is None:
            raise LookupError(f"unknown job kind {job.kind}")
        result = kind.function(dict(job.params), _Reporter(job))
        stored_name = None
        if result.content is not None:
            stored_name = secrets.token_hex(16)
            storage.backend().put_bytes(RESULTS, stored_name, result.content)
    except Exception as error:  # noqa: BLE001 - recorded on the job, shown on its page
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(JobRun, job_id)
        # A broken rule (DomainError: a translated message for the person) is shown on the
        # job page; anything else only in the log, never to the user.
        job.status = "failed"
        job.error = str(error)[:500] if isinstance(error, DomainError) else ""
        job.finished_at = utcnow()
        db.session.commit()
        return
    job.stored_name = stored_name
    job.download_name = result.download_name
    job.content_type = result.content_type
    job.status = "done"
    job.done = job.total = max(job.total, job.done, 1)
    job.finished_at = utcnow()
    db.session.commit()
    # Old results go as new ones arrive, so no cron is needed (`lms jobs prune` also does it).
    try:
        prune(utcnow(), current_app.config["JOB_RESULT_DAYS"])
        db.session.commit()
    except Exception:  # noqa: BLE001 - this job is done and kept; the next one tries again
        db.session.rollback()
        log.exception("pruning old job results failed")


def prune(now: datetime, days: int) -> int:
    """Delete the files of jobs that finished more than `days` ago; their pages then say the
    file is gone and offer to run the job again. Returns how many files were deleted."""
    cutoff = now - timedelta(days=days)
    old = db.session.scalars(
        select(JobRun)
        .where(JobRun.stored_name.is_not(None), JobRun.finished_at < cutoff)
        .with_for_update(skip_locked=True)
    ).all()
    for job in old:
        storage.delete(RESULTS, job.stored_name)  # a file already gone is no error
        job.stored_name = None
    return len(old)
