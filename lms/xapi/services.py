"""Queue statements when progress happens (course engine signals) in the outbox table, in
the same transaction, and deliver them to the LRS: by a job on the RQ queue once the
transaction commits (retried with growing waits), or by `lms xapi send` from cron when there
is no queue (and as the fallback for what the queue gave up on). Without `LMS_XAPI_URL`
nothing is queued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g
from sqlalchemy import select

from courses.signals import LearningEvent
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import XapiStatement
from lms.xapi.statements import Statement

BATCH = 50
MAX_ATTEMPTS = 12
MAX_DELAY = timedelta(hours=6)
DEFAULT_RETRY = (60, 300, 1800, 7200, 21600)
"""The job queue's waits (seconds) before each new try: 1 and 5 minutes, 0.5, 2 and 6 hours."""


def enabled() -> bool:
    return bool(current_app.config.get("LMS_XAPI_URL"))


def retry_intervals() -> tuple[int, ...]:
    """Seconds the queue waits before each new try of a failed delivery (LMS_XAPI_RETRY)."""
    raw = str(current_app.config.get("LMS_XAPI_RETRY") or "")
    return tuple(int(part) for part in raw.replace(",", " ").split()) or DEFAULT_RETRY


_JOB_KEY = "lms_xapi_delivery"


def queue(statements: list[Statement]) -> list[XapiStatement]:
    """Store the statements in the outbox (this transaction) and have them delivered by a
    job queued once it commits; without a job queue `lms xapi send` delivers them."""
    from lms import jobs

    if not statements:
        return []
    base = current_app.config["LMS_XAPI_ACTIVITY_BASE"]
    rows = []
    for statement in statements:
        body = statement.to_json(base)
        rows.append(XapiStatement(statement_id=body["id"], body=body))
    db.session.add_all(rows)
    db.session.flush()
    session = db.session()
    transaction = session.get_transaction()
    if session.info.get(_JOB_KEY) is not transaction:  # one delivery job per transaction
        session.info[_JOB_KEY] = transaction
        jobs.enqueue_after_commit(
            "lms.xapi.services.deliver", inline=False, retry=retry_intervals()
        )
    return rows


@dataclass(frozen=True)
class _Who:
    user_id: int
    user_name: str
    cohort_id: int
    course_title: str


def _who(enrolment_id: int) -> _Who | None:
    """The enrolment's person and cohort, looked up once per request or job."""
    from courses.models import CourseVersion
    from lms.auth.models import User
    from lms.cohorts.models import Cohort, Enrolment

    cache = g.setdefault("xapi_who", {})
    if enrolment_id not in cache:
        row = db.session.execute(
            select(User.id, User.name, Cohort.id, CourseVersion.title)
            .select_from(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .outerjoin(CourseVersion, CourseVersion.id == Cohort.course_version_id)
            .where(Enrolment.id == enrolment_id)
        ).first()
        cache[enrolment_id] = None if row is None else _Who(row[0], row[1], row[2], row[3] or "")
    return cache[enrolment_id]


def _activity(activity_id: int) -> tuple[str, str] | None:
    """(type, title) of an activity, looked up once per request or job."""
    from courses.models import Activity

    cache = g.setdefault("xapi_activity", {})
    if activity_id not in cache:
        row = db.session.execute(
            select(Activity.type, Activity.title).where(Activity.id == activity_id)
        ).first()
        cache[activity_id] = None if row is None else (row[0], row[1])
    return cache[activity_id]


def statements_for_completion(
    enrolment_id: int, activity_id: int, now: datetime
) -> list[Statement]:
    """What a new completion says: completed (attended for a meeting) and, for a graded
    activity, passed or failed with the score, read through the activity-type contract."""
    from courses.grades import graded_items, results
    from courses.models import Activity, ActivityCompletion, CourseVersion, Module
    from lms.auth.models import User
    from lms.cohorts.models import Enrolment

    row = db.session.execute(
        select(Enrolment, User, Activity, Module, CourseVersion)
        .join(User, User.id == Enrolment.user_id)
        .join(Activity, Activity.id == activity_id)
        .join(Module, Module.id == Activity.module_id)
        .join(CourseVersion, CourseVersion.id == Module.version_id)
        .where(Enrolment.id == enrolment_id)
    ).first()
    if row is None:
        return []
    enrolment, user, activity, _module, version = row
    source = db.session.scalar(
        select(ActivityCompletion.source).where(
            ActivityCompletion.enrolment_id == enrolment_id,
            ActivityCompletion.activity_id == activity_id,
        )
    )
    common = {
        "user_id": user.id,
        "user_name": user.name,
        "activity_id": activity.id,
        "activity_type": activity.type,
        "activity_title": activity.title,
        "course_title": version.title,
        "cohort_id": enrolment.cohort_id,
        "enrolment_id": enrolment.id,
        "timestamp": now,
    }
    verb = "attended" if source == "attendance" else "completed"
    found = [Statement(verb=verb, **common)]
    item = next((i for i in graded_items(version) if i.activity.id == activity.id), None)
    if item is not None:
        answers, _failed = results([item], [enrolment_id])
        result = answers.get((enrolment_id, activity.id))
        if result is not None and result.percent is not None:
            passed = result.percent + 1e-9 >= item.pass_percent
            found.append(
                Statement(
                    verb="passed" if passed else "failed",
                    score_percent=result.percent,
                    success=passed,
                    **common,
                )
            )
    return found


def statement_for_event(event: LearningEvent, now: datetime) -> Statement | None:
    """The statement of a learning event an activity type reported (attempted, answered,
    commented, failed)."""
    who = _who(event.enrolment_id)
    if who is None:
        return None
    kind, title = "module", ""
    if event.activity_id is not None:
        found = _activity(event.activity_id)
        if found is None:
            return None
        kind, title = found
    return Statement(
        verb=event.verb,
        user_id=who.user_id,
        user_name=who.user_name,
        activity_id=event.activity_id,
        activity_type=kind,
        activity_title=title,
        course_title=who.course_title,
        cohort_id=who.cohort_id,
        enrolment_id=event.enrolment_id,
        timestamp=now,
        score_percent=event.percent,
        success=event.success,
        response=event.response,
        part_kind=event.part_kind,
        part_id=event.part_id,
        part_title=event.part_title,
        attempt=event.attempt,
    )


def on_completion(_sender: Any, *, enrolment_id: int, activity_id: int) -> None:
    if enabled():
        queue(statements_for_completion(enrolment_id, activity_id, utcnow()))


def on_event(_sender: Any, *, event: LearningEvent) -> None:
    if enabled():
        statement = statement_for_event(event, utcnow())
        queue([statement] if statement is not None else [])


class DeliveryFailed(RuntimeError):
    """The LRS refused or could not be reached; the queue tries again later."""


def deliver() -> int:
    """The job: send every statement not yet delivered (due or not: the queue's retry is
    the schedule here). A failure is kept on the rows (committed) and raised, so the queue
    tries again after its next interval; `lms xapi send` remains the fallback."""
    if not enabled():
        return 0
    sent, failed = send(utcnow(), due_only=False)
    db.session.commit()
    if failed:
        raise DeliveryFailed(f"{failed} statements wait for a retry")
    return sent


def send(now: datetime, session: Any = None, *, due_only: bool = True) -> tuple[int, int]:
    """Deliver due statements (all waiting ones without `due_only`) in batches; a failed
    batch waits longer each time (1, 2, 4 … minutes, at most 6 hours) before the next
    `lms xapi send` and is given up after 12 tries. Returns (sent, failed)."""
    import requests

    config = current_app.config
    url = config["LMS_XAPI_URL"].rstrip("/") + "/statements"
    auth = (config.get("LMS_XAPI_USERNAME") or "", config.get("LMS_XAPI_PASSWORD") or "")
    http = session or requests.Session()
    sent = failed = 0
    while True:
        stmt = select(XapiStatement).where(
            XapiStatement.sent_at.is_(None), XapiStatement.attempts < MAX_ATTEMPTS
        )
        if due_only:
            stmt = stmt.where(XapiStatement.next_attempt_at <= now)
        # A job and the command never send the same rows at once (PostgreSQL row locks).
        due = list(
            db.session.scalars(
                stmt.order_by(XapiStatement.id).limit(BATCH).with_for_update(skip_locked=True)
            )
        )
        if not due:
            return sent, failed
        error = None
        try:
            response = http.post(
                url,
                json=[row.body for row in due],
                auth=auth,
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=30,
            )
            if response.status_code not in (200, 204):
                error = f"HTTP {response.status_code}: {response.text[:500]}"
        except requests.RequestException as exc:
            error = str(exc)[:500]
        for row in due:
            row.attempts += 1
            if error is None:
                row.sent_at, row.last_error = now, None
            else:
                row.last_error = error
                row.next_attempt_at = now + min(
                    timedelta(minutes=2 ** (row.attempts - 1)), MAX_DELAY
                )
        db.session.flush()
        if error is not None:
            return sent, failed + len(due)
        sent += len(due)
