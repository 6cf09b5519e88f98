"""Activity types whose code fails, installed only by the tests that show the engine keeps
a plugin's error in its place (issue: one activity must not take down a page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from courses.activities import ActivityType, ActivityView, ConfigProblem
from courses.contract import GradeCategory


class Exploding(ActivityType):
    """Renders with an error."""

    name = "exploding"
    label = "Meledak"

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return []

    def render(self, view: ActivityView) -> Markup:
        raise RuntimeError("render is broken")


class BadPrepare(ActivityType):
    """Fails while loading its data for the page."""

    name = "bad_prepare"
    label = "Persiapan rusak"

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return []

    def prepare(self, activity_ids: list[int], enrolment_id: int | None) -> dict[int, Any]:
        raise KeyError("prepare is broken")

    def render(self, view: ActivityView) -> Markup:
        return Markup("<p>ok</p>")


class BadGrades(ActivityType):
    """A graded type whose results cannot be read."""

    name = "bad_grades"
    label = "Nilai rusak"
    grade_categories = (GradeCategory("broken", "Rusak"),)

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return []

    def render(self, view: ActivityView) -> Markup:
        return Markup("<p>nilai</p>")

    def category(self, config: Mapping[str, Any]) -> str:
        return "broken"

    def pass_percent(self, config: Mapping[str, Any]) -> float:
        return 50.0

    def result_query(self, activities: Sequence[Any], enrolments: Any) -> Any:
        raise ZeroDivisionError("results are broken")


class MissingResults(ActivityType):
    """Declares grade categories but has no result_query: refused at start-up."""

    name = "missing_results"
    label = "Tanpa hasil"
    grade_categories = (GradeCategory("lonely", "Sendiri"),)

    def category(self, config: Mapping[str, Any]) -> str:
        return "lonely"

    def pass_percent(self, config: Mapping[str, Any]) -> float:
        return 0.0


class ClashingCategory(BadGrades):
    """Declares the quiz type's `post` category again: refused at start-up."""

    name = "clashing"
    grade_categories = (GradeCategory("post", "Tes akhir lain"),)
