"""xAPI 1.0.3 statements as a small typed module: who (an account on this site, never an
email address), which verb (ADL's vocabulary), which activity, and the result."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "attended": "http://adlnet.gov/expapi/verbs/attended",
}
ACTIVITY_TYPES = {
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "assignment": "http://adlnet.gov/expapi/activities/performance",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "reading": "http://adlnet.gov/expapi/activities/lesson",
}


@dataclass(frozen=True)
class Statement:
    verb: str
    user_id: int
    user_name: str
    activity_id: int
    activity_type: str
    activity_title: str
    course_title: str
    cohort_id: int
    timestamp: datetime
    score_percent: float | None = None
    success: bool | None = None

    def to_json(self, base_url: str) -> dict[str, Any]:
        base = base_url.rstrip("/")
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "actor": {
                "objectType": "Agent",
                "name": self.user_name,
                "account": {"homePage": base, "name": str(self.user_id)},
            },
            "verb": {"id": VERBS[self.verb], "display": {"en-US": self.verb}},
            "object": {
                "objectType": "Activity",
                "id": f"{base}/xapi/activities/{self.activity_id}",
                "definition": {
                    "name": {"id-ID": self.activity_title},
                    "type": ACTIVITY_TYPES.get(
                        self.activity_type, "http://adlnet.gov/expapi/activities/module"
                    ),
                },
            },
            "context": {
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
            },
            "timestamp": self.timestamp.isoformat(),
        }
        if self.score_percent is not None or self.success is not None:
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
            body["result"] = result
        return body
