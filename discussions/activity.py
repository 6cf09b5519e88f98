"""`discussion`: a graded discussion activity, added only through the activity-type
contract (`courses.contract`).

Settings (module.toml `[[activities]]`):
    prompt      what to discuss (Markdown)
    min_posts   substantive posts needed to complete it (threads, answers or comments in the
                session's Q&A of the participant's cohort), default 2
    min_words   words a post needs to count as substantive, default 20
    rubric      optional participation rubric: [[rubric]] criterion, levels (worst first),
                points (one per level, rising). With a rubric the mentor grades participation
                on `/activities/discussion/<id>/cohorts/<cohort>` and the grade counts in the
                `discussion` category of `[grading]`; without one the activity is ungraded.
    pass_percent  the participation grade's pass mark, default 60

Completion follows the posts: it is recorded when a participant reaches `min_posts`
substantive visible posts and withdrawn if hiding posts takes them under it. Grades are kept
in the engine's records (`contract.report_result`), so the gradebook, dashboard, exports and
certificates see them without any engine edit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from courses import contract
from courses.activities import ActivityType, ActivityView, ConfigProblem
from courses.contract import GradeCategory, GradedActivity, Risk, RiskContext
from discussions import participation
from discussions.participation import (
    SETTINGS,
    TYPE_NAME,
    min_posts,
    min_words,
    pass_mark,
    rubric_of,
)


def _int_between(config: Mapping[str, Any], key: str, low: int, high: int) -> list[ConfigProblem]:
    value = config.get(key)
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return [
            ConfigProblem(
                key,
                _(
                    "%(key)s must be a whole number from %(low)d to %(high)d.",
                    key=key,
                    low=low,
                    high=high,
                ),
            )
        ]
    return []


def _rubric_problems(rubric: Any) -> list[ConfigProblem]:
    if rubric is None:
        return []
    if not isinstance(rubric, list) or not rubric:
        return [ConfigProblem("rubric", _("A rubric needs at least one criterion."))]
    problems = []
    for criterion in rubric:
        if not isinstance(criterion, Mapping) or set(criterion) != {
            "criterion",
            "levels",
            "points",
        }:
            problems.append(
                ConfigProblem(
                    "rubric", _("Each criterion is a table with criterion, levels and points.")
                )
            )
            continue
        levels, points = criterion["levels"], criterion["points"]
        if not isinstance(criterion["criterion"], str) or not criterion["criterion"].strip():
            problems.append(ConfigProblem("rubric", _("Name the criterion.")))
        if (
            not isinstance(levels, list)
            or len(levels) < 2
            or not all(isinstance(x, str) for x in levels)
        ):
            problems.append(
                ConfigProblem("rubric", _("Describe at least two levels, worst first."))
            )
            continue
        if (
            not isinstance(points, list)
            or len(points) != len(levels)
            or not all(
                isinstance(p, int | float) and not isinstance(p, bool) and p >= 0 for p in points
            )
        ):
            problems.append(ConfigProblem("rubric", _("Give one number (0 or more) per level.")))
        elif list(points) != sorted(points) or points[-1] <= 0:
            problems.append(
                ConfigProblem("rubric", _("Points must rise from the worst level to the best."))
            )
    return problems


class DiscussionActivity(ActivityType):
    name = TYPE_NAME
    risks_many_cohorts = True
    label = _l("Graded discussion")
    completion_events = frozenset()
    grade_categories = (GradeCategory("discussion", _l("Discussion")),)

    @property
    def blueprint(self) -> Any:
        """The mentor's grading page (imported late: it uses this module)."""
        from discussions.grading import bp

        return bp

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = [
            ConfigProblem(key, _("A graded discussion has no setting called “%(key)s”.", key=key))
            for key in sorted(set(config) - SETTINGS)
        ]
        if not isinstance(config.get("prompt", ""), str):
            problems.append(ConfigProblem("prompt", _("Write the prompt as text.")))
        problems += _int_between(config, "min_posts", 1, 50)
        problems += _int_between(config, "min_words", 1, 1000)
        problems += _int_between(config, "pass_percent", 0, 100)
        problems += _rubric_problems(config.get("rubric"))
        return problems

    def prepare(self, activity_ids: list[int], enrolment_id: int | None) -> dict[int, Any]:
        """Each activity's count of the participant's substantive posts, the Q&A's address
        and their recorded grade (a fixed number of statements)."""
        return participation.overview(activity_ids, enrolment_id)

    def render(self, view: ActivityView) -> Markup:
        from lms.markdown import render_markdown

        return Markup(  # noqa: S704 - a rendered template
            render_template(
                "discussions/activity.html",
                view=view,
                prompt=render_markdown(view.config.get("prompt", "")),
                min_posts=min_posts(view.config),
                min_words=min_words(view.config),
                graded=bool(rubric_of(view.config)),
                info=view.extra.get("data") or {},
            )
        )

    # ------------------------------------------------------------------ contract

    def category(self, config: Mapping[str, Any]) -> str | None:
        return "discussion" if rubric_of(config) else None

    def pass_percent(self, config: Mapping[str, Any]) -> float:
        return pass_mark(config)

    def result_query(self, activities: Sequence[GradedActivity], enrolments: Any) -> Any:
        return contract.record_query(activities, enrolments)

    def last_activity_query(self, enrolments: Any) -> Any:
        return contract.record_activity_query(self.name, enrolments)

    def state_label(self, state: str) -> str:
        return {"graded": _("graded by the mentor")}.get(state, state)

    def risks(
        self, activities: Sequence[GradedActivity], context: RiskContext
    ) -> dict[int, list[Risk]]:
        found: dict[int, list[Risk]] = {}
        groups = {cohort_id: ids for cohort_id, (_c, ids) in context.by_cohort().items()}
        for activity in activities:
            short = participation.short_of_posts_in(
                groups, activity.module_slug, activity.config, context.now
            )
            for enrolment_id, posts in short.items():
                result = context.results.get((enrolment_id, activity.id))
                if result is not None and result.percent is not None:
                    continue  # graded: the grade speaks (below)
                found.setdefault(enrolment_id, []).append(
                    Risk(
                        "discussion_few_posts",
                        _(
                            "%(title)s: %(posts)d of %(needed)d posts after the meeting",
                            title=activity.title,
                            posts=posts,
                            needed=participation.min_posts(activity.config),
                        ),
                    )
                )
            mark = pass_mark(activity.config)
            for enrolment_id in context.enrolment_ids:
                result = context.results.get((enrolment_id, activity.id))
                if result is not None and result.percent is not None and result.percent < mark:
                    found.setdefault(enrolment_id, []).append(
                        Risk(
                            "discussion_low",
                            _(
                                "%(title)s: participation %(score)d%% below %(mark)d%%",
                                title=activity.title,
                                score=round(result.percent),
                                mark=round(mark),
                            ),
                        )
                    )
        return found
