"""xAPI 1.0.3 statements as a small typed module: who (an account on this site, never an
email address), which verb (ADL's vocabulary), which activity (or part of one: a question,
a discussion thread), the result, and the context (the enrolment as the registration, the
cohort as the grouping)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    name: ADL_VERB + name
    for name in ("attempted", "answered", "completed", "passed", "failed", "commented", "attended")
}
ACTIVITY_TYPES = {
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "assignment": "http://adlnet.gov/expapi/activities/performance",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "reading": "http://adlnet.gov/expapi/activities/lesson",
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
PART_TYPES = {
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "thread": "http://id.tincanapi.com/activitytype/discussion",
}
ATTEMPT_EXTENSION = "http://id.tincanapi.com/extension/attempt-id"


def registration(base_url: str, enrolment_id: int) -> str:
    """The enrolment's registration UUID: the same for every statement of one enrolment."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url.rstrip('/')}/enrolments/{enrolment_id}"))


@dataclass(frozen=True)
class Statement:
    verb: str
    user_id: int
    user_name: str
    activity_id: int | None
    activity_type: str
    activity_title: str
    course_title: str
    cohort_id: int
    timestamp: datetime
    enrolment_id: int | None = None
    score_percent: float | None = None
    success: bool | None = None
    response: str | None = None
    part_kind: str | None = None
    part_id: int | None = None
    part_title: str | None = None
    attempt: int | None = None

    def _activity(self, base: str) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": f"{base}/xapi/activities/{self.activity_id}",
            "definition": {
                "name": {"id-ID": self.activity_title},
                "type": ACTIVITY_TYPES.get(self.activity_type, MODULE_TYPE),
            },
        }

    def _object(self, base: str) -> dict[str, Any]:
        if self.part_kind == "question":
            path = f"activities/{self.activity_id}/questions/{self.part_id}"
        elif self.part_kind == "thread":
            path = f"discussions/threads/{self.part_id}"
        else:
            return self._activity(base)
        return {
            "objectType": "Activity",
            "id": f"{base}/xapi/{path}",
            "definition": {
                "name": {"id-ID": self.part_title or str(self.part_id)},
                "type": PART_TYPES[self.part_kind],
            },
        }

    def to_json(self, base_url: str) -> dict[str, Any]:
        base = base_url.rstrip("/")
        context: dict[str, Any] = {
            "platform": "Living Lab LMS",
            "contextActivities": {
                "grouping": [
                    {
                        "objectType": "Activity",
                        "id": f"{base}/xapi/cohorts/{self.cohort_id}",
                        "definition": {"name": {"id-ID": self.course_title}},
                    }
                ]
            },
        }
        if self.enrolment_id is not None:
            context["registration"] = registration(base, self.enrolment_id)
        if self.part_kind == "question" and self.activity_id is not None:
            context["contextActivities"]["parent"] = [self._activity(base)]
        if self.attempt is not None:
            context["extensions"] = {ATTEMPT_EXTENSION: self.attempt}
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "actor": {
                "objectType": "Agent",
                "name": self.user_name,
                "account": {"homePage": base, "name": str(self.user_id)},
            },
            "verb": {"id": VERBS[self.verb], "display": {"en-US": self.verb}},
            "object": self._object(base),
            "context": context,
            "timestamp": self.timestamp.isoformat(),
        }
        result: dict[str, Any] = {}
        if self.score_percent is not None:
            result["score"] = {
                "scaled": round(self.score_percent / 100, 4),
                "raw": round(self.score_percent, 2),
                "min": 0,
                "max": 100,
            }
        if self.success is not None:
            result["success"] = self.success
        if self.response is not None:
            result["response"] = self.response
        if result:
            body["result"] = result
        return body
