"""The quiz activity type as registered (entry point `quiz`): `quizzes.activity` holds its
settings and the participant's view; this adds its side of the activity-type contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from courses.contract import GradeCategory, GradedActivity, Risk, RiskContext
from quizzes import activity
from quizzes.activity import QuizSettings
from quizzes.analysis import result_query
from quizzes.models import QuizAttempt


class QuizActivity(activity.QuizActivity):
    grade_categories = (
        GradeCategory("pre", _l("Pre-test"), gain="before"),
        GradeCategory("practice", _l("Practice quiz")),
        GradeCategory("post", _l("Post-test"), gain="after"),
    )
    at_risk_rules = ("failed_post_test",)
    risks_many_cohorts = True

    def category(self, config: Mapping[str, Any]) -> str:
        return QuizSettings.from_config(config).kind

    def pass_percent(self, config: Mapping[str, Any]) -> float:
        return float(QuizSettings.from_config(config).pass_percent)

    def result_query(self, activities: Sequence[GradedActivity], enrolments: Any) -> Any:
        """Each participant's result by the quiz's grading method (highest, average, first,
        last) over submitted attempts, also on the same quiz in earlier versions."""
        settings = {}
        for graded in activities:
            quiz = QuizSettings.from_config(graded.config)
            for activity_id in graded.all_ids:
                settings[activity_id] = quiz
        return result_query(settings, enrolments)

    def last_activity_query(self, enrolments: Any) -> Any:
        return (
            select(QuizAttempt.enrolment_id, func.max(QuizAttempt.started_at))
            .where(QuizAttempt.enrolment_id.in_(enrolments))
            .group_by(QuizAttempt.enrolment_id)
        )

    def risks(
        self, activities: Sequence[GradedActivity], context: RiskContext
    ) -> dict[int, list[Risk]]:
        """A post-test result below the quiz's own pass mark (`[at_risk] failed_post_test`)."""
        if not context.rules.get("failed_post_test"):
            return {}
        found: dict[int, list[Risk]] = {}
        for graded in activities:
            quiz = QuizSettings.from_config(graded.config)
            if quiz.kind != "post":
                continue
            for enrolment_id in context.enrolment_ids:
                result = context.results.get((enrolment_id, graded.id))
                if result is None or result.percent is None:
                    continue
                if result.percent + 1e-9 < quiz.pass_percent:
                    found.setdefault(enrolment_id, []).append(
                        Risk(
                            "failed_post_test",
                            _(
                                "%(quiz)s below the pass mark (%(percent)d%%)",
                                quiz=graded.title,
                                percent=round(result.percent),
                            ),
                        )
                    )
        return found
