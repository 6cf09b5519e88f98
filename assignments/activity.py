"""The assignment activity type (*tugas praktik*): its settings and its place on a module page.

Settings (the keys of an `[[activities]]` table with `type = "assignment"`):

brief              the task, in Markdown                                        required
practices          slugs of catalog practices the task asks to adapt (studi tiru)
submission         "text", "files" or "both" (default)
file_types         allowed extensions, from: pdf docx xlsx pptx odt ods odp png jpg jpeg
                   txt csv (default pdf docx xlsx pptx png jpg)
max_file_mb        1-50 (default 10)
max_files          1-20 (default 5)
opens_on, due_on, cutoff_on
                   dates (in the cohort's time zone: opens at the start of the day, due
                   and cut off at its end); cohorts can override each. Nothing is accepted
                   after the cut-off; after the due time a submission is late.
late_policy        "accept" (default: late work is accepted and flagged) or "penalty"
penalty_per_day    percent of the grade taken per started day late (with "penalty")
penalty_floor      the penalty never takes the grade below this percent of what the
                   work earned (default 0)
resubmissions      how many times work returned for revision may be submitted again
                   (default 2)
rubric             [[activities.rubric]] tables: criterion (text), levels (descriptors,
                   worst first) and points (one number per level); or instead
points             plain points (a mentor gives 0 to this many)
pass_percent       0-100 (default 60)
blind              true: mentors do not see names until grades are released
for_coordinator    true: the region's coordination team receives the work (the cohort's
                   coordinator, mentors and admins can download every participant's latest
                   submission as one zip), as for the capstone Rencana Aksi SPBE
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from courses.activities import ConfigProblem

FILE_TYPES = (
    "pdf",
    "docx",
    "xlsx",
    "pptx",
    "odt",
    "ods",
    "odp",
    "png",
    "jpg",
    "jpeg",
    "txt",
    "csv",
)
DEFAULT_FILE_TYPES = ("pdf", "docx", "xlsx", "pptx", "png", "jpg")
_KNOWN = {
    "brief",
    "practices",
    "submission",
    "file_types",
    "max_file_mb",
    "max_files",
    "opens_on",
    "due_on",
    "cutoff_on",
    "late_policy",
    "penalty_per_day",
    "penalty_floor",
    "resubmissions",
    "rubric",
    "points",
    "pass_percent",
    "blind",
    "for_coordinator",
}


@dataclass(frozen=True)
class Criterion:
    name: str
    levels: tuple[str, ...]
    points: tuple[float, ...]

    @property
    def max_points(self) -> float:
        return max(self.points)


@dataclass(frozen=True)
class AssignmentSettings:
    brief: str
    practices: tuple[str, ...]
    submission: str
    file_types: tuple[str, ...]
    max_file_mb: int
    max_files: int
    opens_on: date | None
    due_on: date | None
    cutoff_on: date | None
    late_policy: str
    penalty_per_day: int
    penalty_floor: int
    resubmissions: int
    rubric: tuple[Criterion, ...]
    points: float
    pass_percent: int
    blind: bool
    for_coordinator: bool = False

    @property
    def max_points(self) -> float:
        if self.rubric:
            return float(sum(c.max_points for c in self.rubric))
        return float(self.points)

    @property
    def accepts_text(self) -> bool:
        return self.submission in ("text", "both")

    @property
    def accepts_files(self) -> bool:
        return self.submission in ("files", "both")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AssignmentSettings:
        return cls(
            brief=config.get("brief", ""),
            practices=tuple(config.get("practices", ())),
            submission=config.get("submission", "both"),
            file_types=tuple(t.lower() for t in config.get("file_types", DEFAULT_FILE_TYPES)),
            max_file_mb=int(config.get("max_file_mb", 10)),
            max_files=int(config.get("max_files", 5)),
            opens_on=config.get("opens_on"),
            due_on=config.get("due_on"),
            cutoff_on=config.get("cutoff_on"),
            late_policy=config.get("late_policy", "accept"),
            penalty_per_day=int(config.get("penalty_per_day", 0)),
            penalty_floor=int(config.get("penalty_floor", 0)),
            resubmissions=int(config.get("resubmissions", 2)),
            rubric=tuple(
                Criterion(
                    str(row["criterion"]),
                    tuple(str(x) for x in row["levels"]),
                    tuple(float(x) for x in row["points"]),
                )
                for row in config.get("rubric", ())
            ),
            points=float(config.get("points", 0)),
            pass_percent=int(config.get("pass_percent", 60)),
            blind=bool(config.get("blind", False)),
            for_coordinator=bool(config.get("for_coordinator", False)),
        )


def late_penalty(raw: float, late_days: int, settings: AssignmentSettings) -> float:
    """Points taken for lateness: `penalty_per_day` percent of `raw` per started day,
    but never so much that less than `penalty_floor` percent of `raw` remains."""
    if settings.late_policy != "penalty" or late_days <= 0 or raw <= 0:
        return 0.0
    percent = min(100.0 - settings.penalty_floor, late_days * settings.penalty_per_day)
    return round(raw * max(0.0, percent) / 100.0, 4)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return (_int(value) or isinstance(value, float)) and math.isfinite(value)


def validate_settings(config: Mapping[str, Any]) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []

    def add(key: str | None, message: Any) -> None:
        problems.append(ConfigProblem(key, str(message)))

    for key in sorted(set(config) - _KNOWN):
        add(key, _l("An assignment has no setting called “%(key)s”.", key=key))
    brief = config.get("brief")
    if not isinstance(brief, str) or not brief.strip():
        add("brief", _l("Write the task (brief) in Markdown."))
    practices = config.get("practices", [])
    if not isinstance(practices, list) or not all(isinstance(p, str) and p for p in practices):
        add("practices", _l("List the practices by their short names."))
    if config.get("submission", "both") not in ("text", "files", "both"):
        add("submission", _l("Submission is text, files or both."))
    types = config.get("file_types", list(DEFAULT_FILE_TYPES))
    if (
        not isinstance(types, list)
        or not types
        or not all(isinstance(t, str) and t.lower() in FILE_TYPES for t in types)
    ):
        add(
            "file_types",
            _l("Allowed file types are chosen from: %(types)s.", types=", ".join(FILE_TYPES)),
        )
    for key, low, high in (
        ("max_file_mb", 1, 50),
        ("max_files", 1, 20),
        ("penalty_per_day", 1, 100),
        ("penalty_floor", 0, 100),
        ("resubmissions", 0, 20),
        ("pass_percent", 0, 100),
    ):
        if key in config and (not _int(config[key]) or not low <= config[key] <= high):
            add(key, _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high))
    for key in ("opens_on", "due_on", "cutoff_on"):
        if key in config and not isinstance(config[key], date):
            add(key, _l("Write a date like 2027-02-01."))
    dates = [config.get(k) for k in ("opens_on", "due_on", "cutoff_on")]
    present = [d for d in dates if isinstance(d, date)]
    if present != sorted(present):
        add("cutoff_on", _l("The dates must run opens_on, due_on, cutoff_on."))
    policy = config.get("late_policy", "accept")
    if policy not in ("accept", "penalty"):
        add("late_policy", _l("Late work is either accepted (accept) or penalised (penalty)."))
    if (policy == "penalty") != ("penalty_per_day" in config):
        add("penalty_per_day", _l("A penalty per day goes with late_policy = penalty."))
    for key in ("blind", "for_coordinator"):
        if key in config and not isinstance(config[key], bool):
            add(key, _l("Write true or false."))
    rubric, points = config.get("rubric"), config.get("points")
    if (rubric is None) == (points is None):
        add(None, _l("Give either a rubric or plain points, not both."))
    if points is not None and (not _number(points) or not 0 < points <= 1000):
        add("points", _l("Give the points as a number above 0."))
    if rubric is not None:
        _check_rubric(rubric, add)
    return problems


def _check_rubric(rubric: Any, add: Any) -> None:
    if not isinstance(rubric, list) or not rubric:
        add("rubric", _l("A rubric needs at least one criterion."))
        return
    for i, row in enumerate(rubric):
        where = f"rubric[{i}]"
        if not isinstance(row, Mapping):
            add(where, _l("Each criterion is a table with criterion, levels and points."))
            continue
        for key in sorted(set(row) - {"criterion", "levels", "points"}):
            add(f"{where}.{key}", _l("A criterion has criterion, levels and points only."))
        if not isinstance(row.get("criterion"), str) or not row["criterion"].strip():
            add(f"{where}.criterion", _l("Name the criterion."))
        levels, points = row.get("levels"), row.get("points")
        if (
            not isinstance(levels, list)
            or len(levels) < 2
            or not all(isinstance(x, str) and x.strip() for x in levels)
        ):
            add(f"{where}.levels", _l("Describe at least two levels, worst first."))
        if not isinstance(points, list) or not all(_number(x) and x >= 0 for x in points):
            add(f"{where}.points", _l("Give one number (0 or more) per level."))
        elif isinstance(levels, list) and len(points) != len(levels):
            add(f"{where}.points", _l("Give exactly one number per level."))
        elif points != sorted(points) or len(set(points)) != len(points):
            add(f"{where}.points", _l("Points must rise from the worst level to the best."))
