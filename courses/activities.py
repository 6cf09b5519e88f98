"""Activity types: the contract a plugin fulfils, and the built-in reading and meeting types.

An activity type is a small object registered under the `lms.activity_types` entry-point
group (see `lms.plugins`). It needs:

``name``
    the registry key, also written as `type = "..."` in module.toml.
``label``
    what authors and participants read (a lazily translated string).
``completion_events``
    which events complete an activity of this type, drawn from `CompletionEvent`:
    ``view`` (the participant opened the module page), ``attendance`` (the mentor recorded
    the participant present, late or excused at the module's meeting) and ``action`` (the
    participant pressed the activity's button: the type's `action_label` names it). An
    empty set means some other part of the engine records completion (quizzes and
    assignments do, through `courses.services.record_completion`).
``validate_config(config) -> list[ConfigProblem]``
    checks the type's own settings: the keys of an `[[activities]]` table besides `key`,
    `type` and `title`, or the settings an author types in. An empty list means valid.
``render(view) -> Markup``
    the body of the activity on the participant's module page. It receives an
    `ActivityView` and must never show what the participant is not yet entitled to see.

Optional: ``requires_meeting = True`` when the module must have a `[meeting]` plan for this
type to make sense; ``action_label`` for types completed by an action;
``prepare(activity_ids, enrolment_id) -> {activity_id: data}`` to load what the module page
shows for all activities of the type at once (the data arrives as `view.extra["data"]`);
``check_package(settings, module, course) -> list[ConfigProblem]`` for checks across files
of a package.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup


class CompletionEvent(enum.StrEnum):
    VIEW = "view"
    ATTENDANCE = "attendance"
    ACTION = "action"


class ActivityState(enum.StrEnum):
    NOT_STARTED = "not_started"
    COMPLETE = "complete"


@dataclass(frozen=True)
class ConfigProblem:
    """A problem with one setting (`key` None when it concerns the settings as a whole);
    `value`, when given, is the string in that setting the problem is about, so that a
    package problem points at the line where it is written."""

    key: str | None
    message: str
    value: str | None = None


@dataclass(frozen=True)
class ActivityView:
    """What an activity type may use to draw itself on the participant's module page."""

    activity_id: int
    key: str
    title: str
    config: Mapping[str, Any]
    complete: bool
    completed_at: datetime | None
    action_url: str | None
    meeting: Any | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class ActivityType:
    """A convenient base: no settings, nothing extra to draw."""

    name: str = ""
    label: Any = ""
    completion_events: frozenset[CompletionEvent] = frozenset()
    requires_meeting: bool = False
    action_label: Any = None

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return [
            ConfigProblem(key, _l("This activity type has no setting called “%(key)s”.", key=key))
            for key in sorted(config)
        ]

    def render(self, view: ActivityView) -> Markup:
        return Markup("")


class ReadingActivity(ActivityType):
    """Read the module's material: complete once the participant opens the module page."""

    name = "reading"
    label = _l("Reading")
    completion_events = frozenset({CompletionEvent.VIEW})

    def render(self, view: ActivityView) -> Markup:
        return Markup(render_template("activities/reading.html", view=view))  # noqa: S704


class MeetingActivity(ActivityType):
    """Attend the module's live meeting: complete when the mentor records attendance."""

    name = "meeting"
    label = _l("Live meeting")
    completion_events = frozenset({CompletionEvent.ATTENDANCE})
    requires_meeting = True

    def render(self, view: ActivityView) -> Markup:
        return Markup(render_template("activities/meeting.html", view=view))  # noqa: S704
