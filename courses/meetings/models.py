"""Meetings of a cohort's schedule and the attendance recorded at them: the tables live
with the engine's others in `courses.models` (the session plan reads them too)."""

from courses.models import ATTENDED, Attendance, AttendanceStatus, Meeting  # noqa: F401
