"""Signals of the course engine, for parts of the app that react to progress without the
course engine knowing them (certificates)."""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

activity_completed = _signals.signal("activity-completed")
"""Sent with `enrolment_id` and `activity_id` after a new completion is recorded."""

result_recorded = _signals.signal("result-recorded")
"""Sent with `enrolment_id` and `activity_id` after an activity type reports a result."""

learning_event = _signals.signal("learning-event")
"""Sent with `event` (a `LearningEvent`) when a participant does something a learning
record should tell (a quiz attempt started, a question answered, a post written, an
attempt failed). Activity types send it with `report_event`; lms.xapi turns it into a
statement in the same transaction."""


@dataclass(frozen=True)
class LearningEvent:
    """What happened, to which activity of which enrolment; `part_*` name a part of the
    activity (a question of a quiz, a thread of a session's discussion) the event is about."""

    verb: str
    """One of VERBS."""
    enrolment_id: int
    activity_id: int | None = None
    part_kind: str | None = None
    """"question" or "thread" (the object is then that part, not the activity)."""
    part_id: int | None = None
    part_title: str | None = None
    percent: float | None = None
    """The score of what the event is about (0-100), when it has one."""
    success: bool | None = None
    response: str | None = None
    attempt: int | None = None
    """The attempt's number, for events of a quiz attempt."""


VERBS = ("attempted", "answered", "commented", "failed")


def report_event(event: LearningEvent) -> None:
    """Tell the listeners (xAPI) what a participant did; call it inside the transaction
    that records it."""
    if event.verb not in VERBS:
        raise ValueError(f"verb must be one of {VERBS}")
    learning_event.send(None, event=event)


results_changed = _signals.signal("results-changed")
"""Sent with `enrolment_ids` whenever something a participant's results or completion are
computed from may have changed (a completion recorded or withdrawn, a result reported, a
review graded or released). Receivers must stay cheap: the maintained statistics only note
the enrolments and recompute their cohorts once, when the transaction commits."""
