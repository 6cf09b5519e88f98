"""Signals of the course engine, for parts of the app that react to progress without the
course engine knowing them (certificates)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

activity_completed = _signals.signal("activity-completed")
"""Sent with `enrolment_id` and `activity_id` after a new completion is recorded."""

result_recorded = _signals.signal("result-recorded")
"""Sent with `enrolment_id` and `activity_id` after an activity type reports a result."""

results_changed = _signals.signal("results-changed")
"""Sent with `enrolment_ids` whenever something a participant's results or completion are
computed from may have changed (a completion recorded or withdrawn, a result reported, a
review graded or released). Receivers must stay cheap: the maintained statistics only note
the enrolments and recompute their cohorts once, when the transaction commits."""
