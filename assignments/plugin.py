"""The assignment activity type as registered (entry point `assignment`): settings, the
participant's view, and its side of the activity-type contract (grades, activity, risks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Float, case, cast, func, select

from assignments.activity import AssignmentSettings, validate_settings
from assignments.models import Review, ReviewState, Submission, SubmissionStatus
from courses.activities import ActivityType, ActivityView, ConfigProblem
from courses.contract import GradeCategory, GradedActivity, Risk, RiskContext, ids_of
from lms.extensions import db

_STATES = {
    SubmissionStatus.SUBMITTED.value: _l("submitted"),
    SubmissionStatus.IN_REVIEW.value: _l("in review"),
    SubmissionStatus.RETURNED.value: _l("returned"),
    SubmissionStatus.GRADED.value: _l("graded"),
}


class AssignmentActivity(ActivityType):
    """A practical assignment: participants submit, mentors review with a rubric. Completion
    is recorded by the engine when a released grade reaches the pass mark."""

    name = "assignment"
    risks_many_cohorts = True
    label = _l("Practical assignment")
    completion_events = frozenset()
    grade_categories = (GradeCategory("assignment", _l("Practical assignment")),)
    at_risk_rules = ("overdue_days",)

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return validate_settings(config)

    def check_package(
        self, config: Mapping[str, Any], module: Any, course: Any
    ) -> list[ConfigProblem]:
        """Every practice the task names is in the shipped practice catalogue."""
        from lms.practices.catalog import shipped_slugs, unknown_practice

        known = shipped_slugs()
        practices = config.get("practices") or ()
        return [
            ConfigProblem("practices", unknown_practice(slug, known), value=slug)
            for slug in practices
            if isinstance(slug, str) and slug not in known
        ]

    def prepare(self, activity_ids: list[int], enrolment_id: int | None) -> dict[int, Any]:
        """The participant's latest submission per assignment, in one query."""
        from assignments import services

        return services.latest_by_activity(activity_ids, enrolment_id)

    def render(self, view: ActivityView) -> Markup:
        return Markup(  # noqa: S704 (a rendered template)
            render_template(
                "assignments/_activity.html",
                view=view,
                settings=AssignmentSettings.from_config(view.config),
                latest=view.extra.get("data"),
            )
        )

    # ------------------------------------------------------------------ contract

    def category(self, config: Mapping[str, Any]) -> str:
        return "assignment"

    def pass_percent(self, config: Mapping[str, Any]) -> float:
        return float(AssignmentSettings.from_config(config).pass_percent)

    def result_query(self, activities: Sequence[GradedActivity], enrolments: Any) -> Any:
        """The newest submission of each participant per assignment: its state, and the
        released grade as a percentage (None until a graded review is released)."""
        newest = (
            select(func.max(Submission.id).label("id"))
            .where(
                Submission.activity_id.in_(ids_of(activities)),
                Submission.enrolment_id.in_(enrolments),
            )
            .group_by(Submission.activity_id, Submission.enrolment_id)
            .subquery()
        )
        released = (Review.released.is_(True)) & (Review.state == ReviewState.GRADED.value)
        percent = case(
            (
                released & (Review.max_points > 0),
                100.0 * func.coalesce(Review.points, 0) / Review.max_points,
            ),
            else_=None,
        )
        return (
            select(
                Submission.enrolment_id,
                Submission.activity_id,
                cast(percent, Float).label("percent"),
                Submission.status.label("state"),
            )
            .join(newest, newest.c.id == Submission.id)
            .outerjoin(Review, Review.submission_id == Submission.id)
        )

    def last_activity_query(self, enrolments: Any) -> Any:
        return (
            select(Submission.enrolment_id, func.max(Submission.submitted_at))
            .where(Submission.enrolment_id.in_(enrolments))
            .group_by(Submission.enrolment_id)
        )

    def state_label(self, state: str) -> str:
        return str(_STATES.get(state, state))

    def risks(
        self, activities: Sequence[GradedActivity], context: RiskContext
    ) -> dict[int, list[Risk]]:
        """Overdue: nothing submitted more than `[at_risk] overdue_days` after the due date
        (one statement for any number of assignments and cohorts: the cohorts' own dates)."""
        from assignments.models import AssignmentWindow
        from assignments.services import window

        overdue_days = int(context.rules.get("overdue_days") or 0)
        if not overdue_days or not activities or not context.enrolment_ids:
            return {}
        groups = context.by_cohort()
        overrides = {
            (w.cohort_id, w.module_slug, w.activity_key): w
            for w in db.session.scalars(
                select(AssignmentWindow).where(
                    AssignmentWindow.cohort_id.in_(list(groups)),
                    AssignmentWindow.module_slug.in_({g.module_slug for g in activities}),
                )
            )
        }
        found: dict[int, list[Risk]] = {}
        for graded in activities:
            settings = AssignmentSettings.from_config(graded.config)
            for cohort, enrolment_ids in groups.values():
                override = overrides.get((cohort.id, graded.module_slug, graded.key))
                due = window(settings, override, cohort.region.timezone)[1]
                if due is None or context.now - due <= timedelta(days=overdue_days):
                    continue
                days = (context.now - due).days
                for enrolment_id in enrolment_ids:
                    result = context.results.get((enrolment_id, graded.id))
                    if result is None or result.state is None:
                        found.setdefault(enrolment_id, []).append(
                            Risk(
                                "overdue",
                                _(
                                    "“%(assignment)s” overdue by %(days)d days",
                                    assignment=graded.title,
                                    days=days,
                                ),
                            )
                        )
        return found
