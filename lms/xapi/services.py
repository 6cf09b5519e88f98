"""Queue statements when progress happens (course engine signals) and deliver them to the
LRS with retries. Without `LMS_XAPI_URL` nothing is queued."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import XapiStatement
from lms.xapi.statements import Statement

BATCH = 50
MAX_ATTEMPTS = 12
MAX_DELAY = timedelta(hours=6)


def enabled() -> bool:
    return bool(current_app.config.get("LMS_XAPI_URL"))


def queue(statements: list[Statement]) -> list[XapiStatement]:
    base = current_app.config["LMS_XAPI_ACTIVITY_BASE"]
    rows = []
    for statement in statements:
        body = statement.to_json(base)
        rows.append(XapiStatement(statement_id=body["id"], body=body))
    db.session.add_all(rows)
    db.session.flush()
    return rows


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


def on_completion(_sender: Any, *, enrolment_id: int, activity_id: int) -> None:
    if enabled():
        queue(statements_for_completion(enrolment_id, activity_id, utcnow()))


def send(now: datetime, session: Any = None) -> tuple[int, int]:
    """Deliver due statements in batches; a failed batch waits longer each time (1, 2, 4 …
    minutes, at most 6 hours) and is given up after 12 tries. Returns (sent, failed)."""
    import requests

    config = current_app.config
    url = config["LMS_XAPI_URL"].rstrip("/") + "/statements"
    auth = (config.get("LMS_XAPI_USERNAME") or "", config.get("LMS_XAPI_PASSWORD") or "")
    http = session or requests.Session()
    sent = failed = 0
    while True:
        due = list(
            db.session.scalars(
                select(XapiStatement)
                .where(
                    XapiStatement.sent_at.is_(None),
                    XapiStatement.attempts < MAX_ATTEMPTS,
                    XapiStatement.next_attempt_at <= now,
                )
                .order_by(XapiStatement.id)
                .limit(BATCH)
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
