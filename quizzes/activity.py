"""The quiz activity type: its settings and how a package's quizzes are checked.

Settings (the keys of an `[[activities]]` table with `type = "quiz"`):

kind                 "pre" (pre-test), "practice" or "post" (post-test)             required
questions            question keys from the course's bank, in order                  one of
draw                 how many questions to draw at random for each attempt           these two
draw_tag             the tag to draw from (default: the module's slug)
shuffle_questions    bool, default false (drawn questions are always in random order)
shuffle_options      bool, default true
time_limit_minutes   0 (none) to 600
attempts             attempts allowed, 0 = unlimited (default 1; practice 0)
grading              "highest" (default), "average", "first" or "last"
pass_percent         0-100 (default 60 for a post-test, else 0)
review_correctness, review_points, review_feedback, review_answers
                     when the participant may see each: "immediately" (after submitting),
                     "after_close" or "never"; defaults immediately, immediately,
                     immediately, after_close
on_timeout           "submit" (default: the answers so far are graded), "grace" (the
                     participant may still submit within grace_minutes, nothing after) or
                     "discard" (an attempt not submitted in time is not counted)
grace_minutes        1-1440, only with on_timeout = "grace"
opens_on, closes_on  dates; cohorts can override both
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from courses.activities import ActivityType, ActivityView, ConfigProblem

KINDS = ("pre", "practice", "post")
GRADING = ("highest", "average", "first", "last")
REVIEW_WHEN = ("immediately", "after_close", "never")
REVIEW_KEYS = ("review_correctness", "review_points", "review_feedback", "review_answers")
ON_TIMEOUT = ("submit", "grace", "discard")
_KNOWN = {
    "kind",
    "questions",
    "draw",
    "draw_tag",
    "shuffle_questions",
    "shuffle_options",
    "time_limit_minutes",
    "attempts",
    "grading",
    "pass_percent",
    *REVIEW_KEYS,
    "on_timeout",
    "grace_minutes",
    "opens_on",
    "closes_on",
    "counterbalance",
}


@dataclass(frozen=True)
class QuizSettings:
    kind: str
    questions: tuple[str, ...]
    draw: int
    draw_tag: str | None
    shuffle_questions: bool
    shuffle_options: bool
    time_limit_minutes: int
    attempts: int
    grading: str
    pass_percent: int
    review_correctness: str
    review_points: str
    review_feedback: str
    review_answers: str
    on_timeout: str
    grace_minutes: int
    opens_on: date | None
    closes_on: date | None
    counterbalance: bool = False
    """On a Tes Awal: half of each cohort takes the session's Tes Akhir items as its Tes Awal
    and these items as its Tes Akhir (a crossover), so both forms are taken before learning
    and their difficulty can be compared (quizzes.analysis.form_comparison)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> QuizSettings:
        """Settings with defaults filled in; `config` must have passed validation."""
        kind = config["kind"]
        return cls(
            kind=kind,
            questions=tuple(config.get("questions", ())),
            draw=int(config.get("draw", 0)),
            draw_tag=config.get("draw_tag"),
            shuffle_questions=bool(config.get("shuffle_questions", False)),
            shuffle_options=bool(config.get("shuffle_options", True)),
            time_limit_minutes=int(config.get("time_limit_minutes", 0)),
            attempts=int(config.get("attempts", 0 if kind == "practice" else 1)),
            grading=config.get("grading", "highest"),
            pass_percent=int(config.get("pass_percent", 60 if kind == "post" else 0)),
            review_correctness=config.get("review_correctness", "immediately"),
            review_points=config.get("review_points", "immediately"),
            review_feedback=config.get("review_feedback", "immediately"),
            review_answers=config.get("review_answers", "after_close"),
            on_timeout=config.get("on_timeout", "submit"),
            grace_minutes=int(config.get("grace_minutes", 0)),
            opens_on=config.get("opens_on"),
            closes_on=config.get("closes_on"),
            counterbalance=bool(config.get("counterbalance", False)),
        )


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_settings(config: Mapping[str, Any]) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []

    def add(key: str | None, message: Any) -> None:
        problems.append(ConfigProblem(key, str(message)))

    for key in sorted(set(config) - _KNOWN):
        add(key, _l("A quiz has no setting called “%(key)s”.", key=key))
    kind = config.get("kind")
    if kind not in KINDS:
        add("kind", _l("Say which kind of quiz this is: pre, practice or post."))
    questions, draw = config.get("questions"), config.get("draw")
    if (questions is None) == (draw is None):
        add(None, _l("Give either the list of questions or how many to draw, not both."))
    if questions is not None and (
        not isinstance(questions, list)
        or not questions
        or not all(isinstance(q, str) and q for q in questions)
        or len(set(questions)) != len(questions)
    ):
        add("questions", _l("List the question keys, each once."))
    if draw is not None and (not _int(draw) or not 1 <= draw <= 200):
        add("draw", _l("Draw between 1 and 200 questions."))
    if "draw_tag" in config and (draw is None or not isinstance(config["draw_tag"], str)):
        add("draw_tag", _l("draw_tag needs draw, and must be a tag (text)."))
    for key in ("shuffle_questions", "shuffle_options"):
        if key in config and not isinstance(config[key], bool):
            add(key, _l("Write true or false."))
    checks = (
        ("time_limit_minutes", 0, 600),
        ("attempts", 0, 100),
        ("pass_percent", 0, 100),
        ("grace_minutes", 1, 1440),
    )
    for key, low, high in checks:
        if key in config and (not _int(config[key]) or not low <= config[key] <= high):
            add(key, _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high))
    if "grading" in config and config["grading"] not in GRADING:
        add("grading", _l("Grading is highest, average, first or last."))
    for key in REVIEW_KEYS:
        if key in config and config[key] not in REVIEW_WHEN:
            add(key, _l("Say immediately, after_close or never."))
    on_timeout = config.get("on_timeout", "submit")
    if on_timeout not in ON_TIMEOUT:
        add("on_timeout", _l("When time runs out: submit, grace or discard."))
    if (on_timeout == "grace") != ("grace_minutes" in config):
        add("grace_minutes", _l("A grace period needs on_timeout = grace, and the reverse."))
    if "counterbalance" in config:
        if not isinstance(config["counterbalance"], bool):
            add("counterbalance", _l("Write true or false."))
        elif config["counterbalance"] and kind != "pre":
            add(
                "counterbalance",
                _l("Only a Tes Awal swaps forms with the session's Tes Akhir (kind = pre)."),
            )
    for key in ("opens_on", "closes_on"):
        if key in config and not isinstance(config[key], date):
            add(key, _l("Write a date like 2027-02-01."))
    opens, closes = config.get("opens_on"), config.get("closes_on")
    if isinstance(opens, date) and isinstance(closes, date) and closes < opens:
        add("closes_on", _l("The quiz cannot close before it opens."))
    return problems


class QuizActivity(ActivityType):
    """A pre-test, practice quiz or post-test. Completion is recorded by the quiz engine:
    a practice quiz on submission, the others once the pass mark is reached."""

    name = "quiz"
    label = _l("Quiz")
    completion_events = frozenset()

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return validate_settings(config)

    def check_package(
        self, config: Mapping[str, Any], module: Any, course: Any
    ) -> list[ConfigProblem]:
        """Cross-file checks: listed questions exist in the course's bank, and the tag to
        draw from holds enough questions."""
        bank = {q.key: q for m in course.modules for q in getattr(m, "questions", ())}
        problems = []
        for key in config.get("questions") or ():
            if key not in bank:
                problems.append(
                    ConfigProblem("questions", f"no question {key!r} in the course's questions")
                )
        draw = config.get("draw")
        if isinstance(draw, int) and not isinstance(draw, bool):
            tag = config.get("draw_tag") or module.slug
            available = sum(
                1
                for m in course.modules
                for q in getattr(m, "questions", ())
                if tag in q.tags or (tag == m.slug)
            )
            if available < draw:
                problems.append(
                    ConfigProblem(
                        "draw", f"only {available} questions are tagged {tag!r}; cannot draw {draw}"
                    )
                )
        if config.get("counterbalance") is True:
            posts = [
                a
                for a in getattr(module, "activities", ())
                if a.type == self.name and dict(a.settings).get("kind") == "post"
            ]
            if len(posts) != 1:
                problems.append(
                    ConfigProblem(
                        "counterbalance",
                        "counterbalance needs exactly one post-test (kind = post) in the module, "
                        f"found {len(posts)}",
                    )
                )
        return problems

    def prepare(self, activity_ids: list[int], enrolment_id: int | None) -> dict[int, Any]:
        """Attempts of the participant on these quizzes, in one query."""
        from sqlalchemy import select

        from lms.extensions import db
        from quizzes.models import QuizAttempt

        found: dict[int, Any] = {activity_id: [] for activity_id in activity_ids}
        if enrolment_id is None:
            return found
        rows = db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.enrolment_id == enrolment_id,
                QuizAttempt.activity_id.in_(activity_ids),
            )
            .order_by(QuizAttempt.number)
        )
        for attempt in rows:
            found[attempt.activity_id].append(attempt)
        return found

    def render(self, view: ActivityView) -> Markup:
        from flask import render_template

        settings = QuizSettings.from_config(view.config)
        return Markup(  # noqa: S704 (a rendered template)
            render_template(
                "quizzes/_activity.html",
                view=view,
                settings=settings,
                attempts=view.extra.get("data") or [],
            )
        )
