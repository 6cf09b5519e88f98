"""Background jobs: an RQ queue on Redis when one is configured and reachable, else inline.

A job is a module-level function named by its dotted path ("lms.notifications.jobs.send"),
called with JSON-friendly arguments. `enqueue_after_commit` is what services use: the job
is queued once the transaction that created its data commits (a worker must never look for
rows that are not there yet), and dropped if it rolls back. Without Redis the job runs at
once, inside the caller's transaction, and the log says so.

The worker (`lms worker`) builds the app once; each job runs in an app context of its own
and commits at its end, like a request.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("lms.jobs")

QUEUE_NAME = "lms"
_PENDING = "lms_pending_jobs"
_worker_app: Flask | None = None


def redis_url(app: Flask | None = None) -> str:
    """LMS_REDIS_URL, else REDIS_URL; empty when no queue is configured."""
    config = (app or current_app).config
    return str(config.get("LMS_REDIS_URL") or "")


def connection(app: Flask | None = None) -> Any | None:
    """A Redis connection that answers a PING, or None (not configured or unreachable)."""
    url = redis_url(app)
    if not url:
        return None
    import redis

    conn = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        conn.ping()
    except redis.RedisError as error:
        log.warning("job queue at %s unreachable (%s): running jobs inline", url, error)
        return None
    return conn


def queue(conn: Any) -> Any:
    from rq import Queue

    return Queue(QUEUE_NAME, connection=conn)


def _resolve(name: str) -> Callable[..., Any]:
    module, _, attr = name.rpartition(".")
    if not module.startswith(("lms.", "courses.", "quizzes.", "assignments.", "discussions.")):
        raise ValueError(f"not a job of this application: {name}")
    return getattr(importlib.import_module(module), attr)


def perform(name: str, *args: Any) -> Any:
    """Run job `name` inline, inside the caller's app context and transaction."""
    return _resolve(name)(*args)


def run_job(name: str, *args: Any) -> Any:
    """What the worker runs: job `name` in an app context of its own, committed at its end
    like a request (rolled back if it fails)."""
    func = _resolve(name)
    app = _worker_app or _make_app()
    from lms.extensions import db

    with app.app_context():
        try:
            result = func(*args)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    return result


def _make_app() -> Flask:
    global _worker_app
    from lms import create_app

    _worker_app = create_app()
    return _worker_app


def enqueue(name: str, *args: Any) -> str:
    """Queue job `name` now; without a reachable queue run it inline. Returns "queued" or
    "inline". Use `enqueue_after_commit` for jobs that read rows of the current transaction."""
    _resolve(name)  # fail here, not in the worker, on a bad name
    conn = connection()
    if conn is None:
        log.info("no job queue configured: running %s inline", name)
        perform(name, *args)
        return "inline"
    queue(conn).enqueue(run_job, name, *args, job_timeout=300)
    return "queued"


def enqueue_after_commit(
    name: str, *args: Any, inline: bool = True, retry: tuple[int, ...] = ()
) -> str:
    """Queue job `name` once the current transaction commits; without a queue run it now
    (or, with `inline=False`, leave it: "skipped", for jobs a cron command also does).
    `retry` gives the seconds to wait before each new try of a job that raised (the
    worker's scheduler requeues it)."""
    from lms.extensions import db

    _resolve(name)
    if not redis_url() or connection() is None:
        if not inline:
            log.info("no job queue configured: %s left to its command", name)
            return "skipped"
        log.info("no job queue configured: running %s inline", name)
        perform(name, *args)
        return "inline"
    db.session().info.setdefault(_PENDING, []).append((redis_url(), name, args, retry))
    return "queued"


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    import redis
    from rq import Retry

    for url, name, args, retry in pending:
        try:
            conn = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
            options: dict[str, Any] = {"job_timeout": 300}
            if retry:
                options["retry"] = Retry(max=len(retry), interval=list(retry))
            queue(conn).enqueue(run_job, name, *args, **options)
        except redis.RedisError:
            log.exception("could not queue %s after commit", name)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def run_worker(app: Flask, *, burst: bool = False) -> bool:
    """Process the queue until stopped (or, with `burst`, until it is empty)."""
    global _worker_app
    from rq import Worker

    conn = connection(app)
    if conn is None:
        raise RuntimeError("no reachable Redis: set LMS_REDIS_URL (or REDIS_URL)")
    _worker_app = app
    worker = Worker([queue(conn)], connection=conn)
    # The scheduler requeues the retries of failed jobs when their wait is over.
    return worker.work(burst=burst, with_scheduler=True)
