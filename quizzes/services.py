"""Quiz rules: the bank, windows, the attempt lifecycle (start, autosave, submit, time
running out), grading, results, completion, review policy and learning gain.

Times come in as arguments (`now`), deadlines are the server's, and every rule that
allocates something (an attempt number, a grade) is closed by a constraint or a row lock.
Services only flush.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from courses import services as course_services
from courses.models import Activity, Module
from courses.signals import LearningEvent, report_event, result_recorded
from lms.cohorts.models import Cohort, Enrolment
from lms.errors import DomainError
from lms.extensions import db
from quizzes.activity import QuizSettings
from quizzes.models import AttemptStatus, Question, QuizAttempt, QuizResponse, QuizWindow
from quizzes.types.base import RenderContext, ResponseRefused

SUBMIT_SLACK = timedelta(seconds=30)
"""Answers sent with a submit that reaches the server this soon after the deadline still
count: the participant pressed the button in time, the network was slow."""


class QuizError(DomainError):
    """A quiz rule was broken; the message says what the participant can do."""


class StaleForm(QuizError):
    """The form was made from an older state of the attempt (back button, another tab)."""


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class QuizContext:
    """One quiz as one cohort sees it."""

    activity: Activity
    module: Module
    cohort: Cohort
    settings: QuizSettings
    opens_at: datetime | None
    closes_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        return (self.opens_at is None or now >= self.opens_at) and (
            self.closes_at is None or now < self.closes_at
        )

    def is_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at


def settings_of(activity: Activity) -> QuizSettings:
    return QuizSettings.from_config(course_services.decode_settings(activity.config))


def window(
    settings: QuizSettings, override: QuizWindow | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """When a quiz opens and closes for a cohort: its dates (from the start of the opening
    day to the end of the closing day, in the cohort's time zone) unless overridden."""
    zone = ZoneInfo(timezone)
    opens = (
        datetime.combine(settings.opens_on, time(0, 0), tzinfo=zone).astimezone(UTC)
        if settings.opens_on
        else None
    )
    closes = (
        datetime.combine(settings.closes_on, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
        if settings.closes_on
        else None
    )
    if override is not None:
        opens = override.opens_at if override.opens_at is not None else opens
        closes = override.closes_at if override.closes_at is not None else closes
    return opens, closes


def quiz_context(cohort: Cohort, module: Module, activity: Activity, timezone: str) -> QuizContext:
    """The quiz's settings and its window for the cohort (one query for an override)."""
    settings = settings_of(activity)
    override = db.session.scalar(
        select(QuizWindow).where(
            QuizWindow.cohort_id == cohort.id,
            QuizWindow.module_slug == module.slug,
            QuizWindow.activity_key == activity.key,
        )
    )
    return QuizContext(activity, module, cohort, settings, *window(settings, override, timezone))


def set_window(
    cohort: Cohort,
    module: Module,
    activity: Activity,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> None:
    """A cohort's own open and close times for a quiz (None clears the override)."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise QuizError(_("The quiz must close after it opens."), "closes_at")
    row = db.session.scalar(
        select(QuizWindow).where(
            QuizWindow.cohort_id == cohort.id,
            QuizWindow.module_slug == module.slug,
            QuizWindow.activity_key == activity.key,
        )
    )
    if row is None:
        row = QuizWindow(cohort_id=cohort.id, module_slug=module.slug, activity_key=activity.key)
        db.session.add(row)
    row.opens_at, row.closes_at = opens_at, closes_at
    db.session.flush()


# --------------------------------------------------------------------------- bank


def bank_of(version_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.version_id == version_id)
            .order_by(Question.module_slug, Question.position)
        )
    )


def _pool(version_id: int, module: Module, settings: QuizSettings) -> list[Question]:
    bank = bank_of(version_id)
    if settings.questions:
        by_key = {q.key: q for q in bank}
        return [by_key[k] for k in settings.questions if k in by_key]
    tag = settings.draw_tag or module.slug
    return [q for q in bank if q.module_slug == tag or tag in q.tags]


def _forms_of(module: Module) -> tuple[Activity, Activity] | None:
    """The session's Tes Awal and Tes Akhir when the Tes Awal counterbalances them."""
    found: dict[str, Activity] = {}
    for activity in db.session.scalars(
        select(Activity)
        .where(Activity.module_id == module.id, Activity.type == "quiz")
        .order_by(Activity.position)
    ):
        found.setdefault(settings_of(activity).kind, activity)
    pre, post = found.get("pre"), found.get("post")
    if pre is None or post is None or not settings_of(pre).counterbalance:
        return None
    return pre, post


def in_second_group(cohort_id: int, enrolment_id: int) -> bool:
    """Counterbalancing halves a cohort at random but evenly: its enrolments in the order of
    a hash of their ids, every second one in the second half. Who takes which form is thus
    unrelated to when or how anyone enrolled. A later enrolment can move someone who has not
    yet taken the Tes Awal; once it is taken, their Tes Akhir follows that attempt."""
    ids = db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)).all()
    order = sorted(ids, key=lambda i: hashlib.sha256(f"form:{i}".encode()).digest())
    return enrolment_id in order[1::2]


def form_settings(ctx: QuizContext, enrolment_id: int) -> QuizSettings:
    """The settings whose question selection this participant's attempt draws from.

    Without counterbalancing, the quiz's own. With it (`counterbalance = true` on the Tes
    Awal), the second half of the cohort takes the Tes Akhir's items as its Tes Awal, and
    every participant's Tes Akhir is the form they did not meet on their Tes Awal. Only the
    selection (questions, draw, tag, order) is swapped; attempts, time and pass mark stay
    the quiz's own."""
    if ctx.settings.kind not in ("pre", "post"):
        return ctx.settings
    forms = _forms_of(ctx.module)
    if forms is None:
        return ctx.settings
    pre, post = forms
    pre_settings, post_settings = settings_of(pre), settings_of(post)
    if ctx.settings.kind == "pre":
        swapped = in_second_group(ctx.cohort.id, enrolment_id)
    else:
        first = db.session.scalar(
            select(QuizAttempt.question_ids)
            .where(QuizAttempt.activity_id == pre.id, QuizAttempt.enrolment_id == enrolment_id)
            .order_by(QuizAttempt.number)
            .limit(1)
        )
        if first is None:
            swapped = in_second_group(ctx.cohort.id, enrolment_id)
        else:
            # The Tes Awal was the Tes Akhir's form: this Tes Akhir is the Tes Awal's.
            own = {q.id for q in _pool(ctx.module.version_id, ctx.module, post_settings)}
            swapped = bool(own & set(first))
    if not swapped:
        return ctx.settings
    other = post_settings if ctx.settings.kind == "pre" else pre_settings
    return replace(
        ctx.settings,
        questions=other.questions,
        draw=other.draw,
        draw_tag=other.draw_tag,
        shuffle_questions=other.shuffle_questions,
    )


def choose_questions(ctx: QuizContext, seed: str, enrolment_id: int | None = None) -> list[int]:
    """The question ids of a new attempt: the quiz's selection (or, for a participant of a
    counterbalanced session, the form `form_settings` gives them), drawn or shuffled by
    `seed`."""
    settings = ctx.settings if enrolment_id is None else form_settings(ctx, enrolment_id)
    pool = _pool(ctx.module.version_id, ctx.module, settings)
    rng = random.Random(seed)
    if settings.draw:
        return [q.id for q in rng.sample(pool, min(settings.draw, len(pool)))]
    ids = [q.id for q in pool]
    if settings.shuffle_questions:
        rng.shuffle(ids)
    return ids


# --------------------------------------------------------------------------- sandbox
# An author tries a quiz as a participant would (view as participant): the same questions
# drawn the same way, graded by the same pure functions, and nothing is ever written.


def sandbox_questions(activity: Activity, module: Module, seed: str) -> list[Question]:
    """The questions an attempt with `seed` would get (one query, no attempt made)."""
    settings = settings_of(activity)
    pool = _pool(module.version_id, module, settings)
    rng = random.Random(seed)
    if settings.draw:
        return rng.sample(pool, min(settings.draw, len(pool)))
    if settings.shuffle_questions:
        pool = list(pool)
        rng.shuffle(pool)
    return pool


def sandbox_context(activity: Activity, seed: str, slot: int, response: Any) -> RenderContext:
    return RenderContext(
        name=f"q{slot}",
        seed=f"{seed}:{slot}",
        shuffle=settings_of(activity).shuffle_options,
        response=response,
    )


@dataclass(frozen=True)
class SandboxAnswer:
    slot: int
    question: Question
    response: Any
    fraction: float | None
    """None when a mentor would grade it, or the answer was refused."""
    feedback: str
    refused: str = ""


def grade_sandbox(
    activity: Activity, questions: list[Question], form: Any, types: Mapping[str, Any], seed: str
) -> tuple[list[SandboxAnswer], float, float]:
    """Parse and grade the form's answers in memory: (answers, score, maximum)."""
    answers: list[SandboxAnswer] = []
    score = maximum = 0.0
    for slot, question in enumerate(questions, start=1):
        qtype = types.get(question.type)
        if qtype is None or not getattr(qtype, "scored", True):
            continue
        maximum += question.points
        try:
            response = qtype.parse_response(
                question.config, form, sandbox_context(activity, seed, slot, None)
            )
        except ResponseRefused as error:
            answers.append(SandboxAnswer(slot, question, None, None, "", str(error)))
            continue
        if qtype.manual:
            answers.append(SandboxAnswer(slot, question, response, None, ""))
            continue
        grade = qtype.grade(question.config, response)
        fraction = max(0.0, min(1.0, grade.fraction))
        score += fraction * question.points
        answers.append(SandboxAnswer(slot, question, response, fraction, grade.feedback))
    return answers, round(score, 4), maximum


def questions_of(attempt: QuizAttempt) -> list[Question]:
    """The attempt's questions in slot order (one query)."""
    found = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))
    }
    return [found[i] for i in attempt.question_ids if i in found]


def responses_of(attempt: QuizAttempt) -> dict[int, QuizResponse]:
    """The attempt's saved answers by slot, fresh from the database (bulk writes bypass the
    session's copies)."""
    return {
        r.slot: r
        for r in db.session.scalars(
            select(QuizResponse)
            .where(QuizResponse.attempt_id == attempt.id)
            .execution_options(populate_existing=True)
        )
    }


@dataclass(frozen=True)
class SlotSummary:
    slot: int
    answered: bool
    flagged: bool


def attempt_summary(attempt: QuizAttempt, types: Mapping[str, Any]) -> list[SlotSummary]:
    """Every question of the attempt that takes an answer: answered yet, flagged."""
    saved = responses_of(attempt)
    flagged = set(attempt.flagged or ())
    summary = []
    for slot, question in enumerate(questions_of(attempt), start=1):
        qtype = types.get(question.type)
        if qtype is not None and not getattr(qtype, "scored", True):
            continue
        row = saved.get(slot)
        summary.append(
            SlotSummary(slot, row is not None and row.response is not None, slot in flagged)
        )
    return summary


def attempts_of(enrolment_id: int, activity_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.enrolment_id == enrolment_id, QuizAttempt.activity_id == activity_id)
            .order_by(QuizAttempt.number)
        )
    )


def render_context(
    attempt: QuizAttempt, slot: int, ctx: QuizContext, response: Any
) -> RenderContext:
    return RenderContext(
        name=f"q{slot}",
        seed=f"{attempt.seed}:{slot}",
        shuffle=ctx.settings.shuffle_options,
        response=response,
    )


# --------------------------------------------------------------------------- lifecycle


def _lock_enrolment(enrolment_id: int) -> None:
    db.session.execute(select(Enrolment.id).where(Enrolment.id == enrolment_id).with_for_update())


def open_attempt(enrolment_id: int, activity_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.enrolment_id == enrolment_id,
            QuizAttempt.activity_id == activity_id,
            QuizAttempt.status == AttemptStatus.IN_PROGRESS.value,
        )
    )


def start_attempt(
    ctx: QuizContext, enrolment: Enrolment, types: Mapping[str, Any], now: datetime
) -> QuizAttempt:
    """The participant's attempt in progress, or a new one. Idempotent: a double click or a
    second tab gets the same attempt, and the attempts allowed are never exceeded."""
    _lock_enrolment(enrolment.id)
    current = open_attempt(enrolment.id, ctx.activity.id)
    if current is not None:
        if finalize_if_overdue(ctx, current, types, now):
            raise QuizError(_("Your time ran out; the attempt was closed."))
        return current
    if not ctx.is_open(now):
        raise QuizError(_("This quiz is not open now."))
    used = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(
            QuizAttempt.enrolment_id == enrolment.id,
            QuizAttempt.activity_id == ctx.activity.id,
            QuizAttempt.status == AttemptStatus.SUBMITTED.value,
        )
    )
    if ctx.settings.attempts and used >= ctx.settings.attempts:
        raise QuizError(_("You have used all the attempts allowed."))
    number = (
        db.session.scalar(
            select(func.max(QuizAttempt.number)).where(
                QuizAttempt.enrolment_id == enrolment.id,
                QuizAttempt.activity_id == ctx.activity.id,
            )
        )
        or 0
    ) + 1
    seed = secrets.token_hex(8)
    question_ids = choose_questions(ctx, seed, enrolment.id)
    if not question_ids:
        raise QuizError(_("This quiz has no questions yet."))
    deadline = None
    if ctx.settings.time_limit_minutes:
        deadline = now + timedelta(minutes=ctx.settings.time_limit_minutes)
    if ctx.closes_at is not None:
        deadline = min(deadline, ctx.closes_at) if deadline else ctx.closes_at
    attempt = QuizAttempt(
        activity_id=ctx.activity.id,
        enrolment_id=enrolment.id,
        number=number,
        seed=seed,
        question_ids=question_ids,
        started_at=now,
        deadline_at=deadline,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another request started it first (SQLite has no row lock): use that one.
        existing = open_attempt(enrolment.id, ctx.activity.id)
        if existing is None:
            raise
        return existing
    report_event(LearningEvent("attempted", enrolment.id, ctx.activity.id, attempt=attempt.number))
    return attempt


def _check_revision(attempt: QuizAttempt, revision: int | None) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise StaleForm(_("This attempt was already submitted; nothing was changed."))
    if revision is not None and revision != attempt.revision:
        raise StaleForm(
            _(
                "This page is out of date: the attempt was changed in another tab or window. "
                "Your latest saved answers are shown."
            )
        )


def _store_answers(
    ctx: QuizContext,
    attempt: QuizAttempt,
    form: Any,
    types: Mapping[str, Any],
    now: datetime,
) -> dict[int, str]:
    """Parse every question's answer from the form and store what changed, in two bulk
    statements at most (however many questions the quiz has). Returns the answers refused
    by their type, by slot; those slots keep what was saved before."""
    questions = questions_of(attempt)
    saved = responses_of(attempt)
    inserts, updates = [], []
    refused: dict[int, str] = {}
    for slot, question in enumerate(questions, start=1):
        qtype = types.get(question.type)
        if qtype is None or not getattr(qtype, "scored", True):
            continue
        render = render_context(attempt, slot, ctx, None)
        try:
            response = qtype.parse_response(question.config, form, render)
        except ResponseRefused as error:
            refused[slot] = str(error)
            continue
        row = saved.get(slot)
        if row is None:
            if response is not None:
                inserts.append(
                    {
                        "attempt_id": attempt.id,
                        "slot": slot,
                        "question_id": question.id,
                        "response": response,
                        "saved_at": now,
                    }
                )
        elif row.response != response:
            updates.append({"id": row.id, "response": response, "saved_at": now})
    _bulk_write(inserts, updates)
    return refused


def _bulk_write(inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    if inserts:
        db.session.execute(insert(QuizResponse), inserts)
    if updates:
        db.session.execute(update(QuizResponse), updates)


def save_answers(
    ctx: QuizContext,
    attempt: QuizAttempt,
    form: Any,
    types: Mapping[str, Any],
    now: datetime,
    revision: int | None,
    flags: Iterable[int] | None = None,
) -> dict[int, str]:
    """Autosave: store the answers as they are, and the flagged slots when `flags` is given.
    Refused after the deadline. Returns the answers their type refused (by slot, with the
    message); everything else is saved."""
    _lock_attempt(attempt)
    _check_revision(attempt, revision)
    if finalize_if_overdue(ctx, attempt, types, now):
        raise QuizError(_("Your time ran out; the attempt was closed."))
    if attempt.deadline_at is not None and now > attempt.deadline_at:
        raise QuizError(_("Time is up: answers can no longer be changed, only submitted."))
    refused = _store_answers(ctx, attempt, form, types, now)
    if flags is not None:
        slots = range(1, len(attempt.question_ids) + 1)
        attempt.flagged = sorted({slot for slot in flags if slot in slots})
    attempt.revision += 1
    db.session.flush()
    return refused


def _lock_attempt(attempt: QuizAttempt) -> None:
    db.session.execute(select(QuizAttempt.id).where(QuizAttempt.id == attempt.id).with_for_update())
    db.session.refresh(attempt)


def submit_attempt(
    ctx: QuizContext,
    attempt: QuizAttempt,
    form: Any,
    types: Mapping[str, Any],
    now: datetime,
    revision: int | None,
) -> QuizAttempt:
    """Submit once: store the final answers (if still in time; `form` None submits what was
    saved, as from the summary page), grade, record completion."""
    _lock_attempt(attempt)
    _check_revision(attempt, revision)
    deadline = attempt.deadline_at
    if form is None:
        if finalize_if_overdue(ctx, attempt, types, now):
            raise QuizError(_("Your time ran out; the attempt was closed."))
    elif deadline is None or now <= deadline + SUBMIT_SLACK:
        _store_answers(ctx, attempt, form, types, now)
    elif ctx.settings.on_timeout == "grace" and now <= deadline + timedelta(
        minutes=ctx.settings.grace_minutes
    ):
        pass  # in the grace period: submit what was saved, accept no new answers
    elif finalize_if_overdue(ctx, attempt, types, now):
        raise QuizError(_("Your time ran out; the attempt was closed."))
    _finish(ctx, attempt, types, now)
    return attempt


def finalize_if_overdue(
    ctx: QuizContext, attempt: QuizAttempt, types: Mapping[str, Any], now: datetime
) -> bool:
    """Close an attempt whose time is over, by the quiz's rule. True if it was closed."""
    if attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline_at is None:
        return False
    rule = ctx.settings.on_timeout
    limit = attempt.deadline_at + SUBMIT_SLACK
    if rule == "grace":
        limit = attempt.deadline_at + timedelta(minutes=ctx.settings.grace_minutes)
    if now <= limit:
        return False
    if rule == "submit":
        _finish(ctx, attempt, types, attempt.deadline_at)
    else:
        attempt.status = AttemptStatus.DISCARDED.value
        attempt.revision += 1
        db.session.flush()
    return True


def _finish(
    ctx: QuizContext, attempt: QuizAttempt, types: Mapping[str, Any], when: datetime
) -> None:
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.submitted_at = when
    attempt.revision += 1
    db.session.flush()
    grade_attempt(attempt, types)
    _report_answers(ctx, attempt, types)
    update_completion(ctx.activity, ctx.settings, attempt.enrolment_id)
    _report_outcome(ctx, attempt)


def _response_text(response: Any) -> str | None:
    if response is None or response == "":
        return None
    text = response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
    return text[:1000]


def _report_answers(ctx: QuizContext, attempt: QuizAttempt, types: Mapping[str, Any]) -> None:
    """An "answered" event for each scored question of a submitted attempt, with its
    response and (once graded) its score."""
    saved = responses_of(attempt)
    for slot, question in enumerate(questions_of(attempt), start=1):
        qtype = types.get(question.type)
        if qtype is None or not getattr(qtype, "scored", True):
            continue
        row = saved.get(slot)
        fraction = row.fraction if row is not None else None
        report_event(
            LearningEvent(
                "answered",
                attempt.enrolment_id,
                ctx.activity.id,
                part_kind="question",
                part_id=question.id,
                part_title=question.name or question.key,
                percent=None if fraction is None else round(100 * fraction, 2),
                success=None if fraction is None else fraction + 1e-9 >= 1.0,
                response=_response_text(row.response if row is not None else None),
                attempt=attempt.number,
            )
        )


def _report_outcome(ctx: QuizContext, attempt: QuizAttempt) -> None:
    """A graded attempt changes the result: listeners (grade passback) hear of it, and an
    attempt below the pass mark of a graded quiz is "failed" (a pass completes the quiz and
    is told by the completion)."""
    if attempt.percent is None:
        return
    result_recorded.send(None, enrolment_id=attempt.enrolment_id, activity_id=ctx.activity.id)
    if ctx.settings.kind != "practice" and not passed(ctx.settings, attempt.percent):
        report_event(
            LearningEvent(
                "failed",
                attempt.enrolment_id,
                ctx.activity.id,
                percent=round(attempt.percent, 2),
                success=False,
                attempt=attempt.number,
            )
        )


def grade_attempt(attempt: QuizAttempt, types: Mapping[str, Any]) -> None:
    """(Re)grade every automatically graded answer and total the attempt (bulk writes)."""
    questions = questions_of(attempt)
    saved = responses_of(attempt)
    total = 0.0
    maximum = 0.0
    waiting = False
    inserts, updates = [], []
    for slot, question in enumerate(questions, start=1):
        qtype = types.get(question.type)
        if qtype is None or not getattr(qtype, "scored", True):
            continue
        maximum += question.points
        row = saved.get(slot)
        if qtype.manual:
            fraction = row.fraction if row is not None else None
            if fraction is None:
                if row is not None and row.response not in (None, ""):
                    waiting = True
                    continue
                fraction = 0.0  # nothing written: nothing to grade
                feedback = ""
            else:
                total += fraction * question.points
                continue
        else:
            grade = qtype.grade(question.config, row.response if row else None)
            fraction = max(0.0, min(1.0, grade.fraction))
            feedback = grade.feedback
        total += fraction * question.points
        if row is None:
            inserts.append(
                {
                    "attempt_id": attempt.id,
                    "slot": slot,
                    "question_id": question.id,
                    "response": None,
                    "fraction": fraction,
                    "feedback": feedback,
                }
            )
        elif row.fraction != fraction or row.feedback != feedback:
            updates.append({"id": row.id, "fraction": fraction, "feedback": feedback})
    _bulk_write(inserts, updates)
    attempt.max_score = maximum
    attempt.needs_grading = waiting
    attempt.score = None if waiting else round(total, 4)
    db.session.flush()


def close_overdue(types: Mapping[str, Any], now: datetime) -> int:
    """Finalise every attempt whose time is over (the `lms quizzes close-overdue` job)."""
    rows = db.session.execute(
        select(QuizAttempt, Activity, Module, Cohort)
        .join(Activity, Activity.id == QuizAttempt.activity_id)
        .join(Module, Module.id == Activity.module_id)
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            QuizAttempt.status == AttemptStatus.IN_PROGRESS.value,
            QuizAttempt.deadline_at.is_not(None),
            QuizAttempt.deadline_at < now,
        )
    ).all()
    closed = 0
    from lms.regions.models import Region

    zones: dict[str, str] = {}
    for attempt, activity, module, cohort in rows:
        if cohort.region_code not in zones:
            zones[cohort.region_code] = db.session.get(Region, cohort.region_code).timezone
        ctx = quiz_context(cohort, module, activity, zones[cohort.region_code])
        if finalize_if_overdue(ctx, attempt, types, now):
            closed += 1
    return closed


# --------------------------------------------------------------------------- results


def result_percent(settings: QuizSettings, attempts: Iterable[QuizAttempt]) -> float | None:
    """The quiz's result by its grading method, over submitted and fully graded attempts."""
    done = [a for a in attempts if a.status == AttemptStatus.SUBMITTED and a.percent is not None]
    if not done:
        return None
    done.sort(key=lambda a: a.number)
    values = [a.percent for a in done]
    if settings.grading == "average":
        return statistics.fmean(values)
    if settings.grading == "first":
        return values[0]
    if settings.grading == "last":
        return values[-1]
    return max(values)


def passed(settings: QuizSettings, percent: float | None) -> bool:
    return percent is not None and percent + 1e-9 >= settings.pass_percent


def update_completion(activity: Activity, settings: QuizSettings, enrolment_id: int) -> None:
    """Practice quizzes complete on submission; the others once the pass mark is reached."""
    attempts = attempts_of(enrolment_id, activity.id)
    if settings.kind == "practice":
        if any(a.status == AttemptStatus.SUBMITTED for a in attempts):
            course_services.record_completion(enrolment_id, activity.id, "quiz")
        return
    if passed(settings, result_percent(settings, attempts)):
        course_services.record_completion(enrolment_id, activity.id, "quiz")
    else:  # a regrade can take a pass away again
        course_services.withdraw_completion([enrolment_id], [activity.id], "quiz")


@dataclass(frozen=True)
class ReviewPolicy:
    correctness: bool
    points: bool
    feedback: bool
    answers: bool


def review_policy(ctx: QuizContext, attempt: QuizAttempt, now: datetime) -> ReviewPolicy:
    """What the participant may see of a finished attempt, now."""
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return ReviewPolicy(False, False, False, False)
    closed = ctx.is_closed(now)

    def allowed(when: str) -> bool:
        return when == "immediately" or (when == "after_close" and closed)

    s = ctx.settings
    return ReviewPolicy(
        correctness=allowed(s.review_correctness),
        points=allowed(s.review_points),
        feedback=allowed(s.review_feedback),
        answers=allowed(s.review_answers),
    )


# --------------------------------------------------------------------------- manual grading


@dataclass(frozen=True)
class ManualGrade:
    slot: int
    points: float
    comment: str


def manual_slots(attempt: QuizAttempt, types: Mapping[str, Any]) -> list[tuple[int, Question]]:
    """The slots of an attempt a mentor grades (essays), with their questions."""
    return [
        (slot, question)
        for slot, question in enumerate(questions_of(attempt), start=1)
        if getattr(types.get(question.type), "manual", False)
    ]


def grade_manually(
    ctx: QuizContext,
    attempt: QuizAttempt,
    grades: Iterable[ManualGrade],
    grader_id: int,
    types: Mapping[str, Any],
    now: datetime,
) -> None:
    """A mentor's points and comments on written answers; the attempt's score is final once
    every one is graded."""
    _lock_attempt(attempt)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise QuizError(_("Only a submitted attempt can be graded."))
    slots = dict(manual_slots(attempt, types))
    saved = responses_of(attempt)
    for grade in grades:
        question = slots.get(grade.slot)
        if question is None:
            raise QuizError(_("That question is not graded by hand."))
        if not 0 <= grade.points <= question.points:
            raise QuizError(
                _("Give between 0 and %(max)s points.", max=f"{question.points:g}"),
                f"points-{grade.slot}",
            )
        row = saved.get(grade.slot)
        if row is None:
            row = QuizResponse(
                attempt_id=attempt.id, slot=grade.slot, question_id=question.id, response=None
            )
            db.session.add(row)
        row.fraction = grade.points / question.points if question.points else 0.0
        row.comment = grade.comment.strip()
        row.graded_by_id = grader_id
        row.graded_at = now
    db.session.flush()
    grade_attempt(attempt, types)
    update_completion(ctx.activity, ctx.settings, attempt.enrolment_id)
    _report_outcome(ctx, attempt)


def grading_queue(cohort_id: int) -> Any:
    """Attempts of the cohort waiting for a mentor, oldest first (a statement to paginate)."""
    return (
        select(QuizAttempt)
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .where(Enrolment.cohort_id == cohort_id, QuizAttempt.needs_grading.is_(True))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    )


def queue_details(attempts: list[QuizAttempt]) -> dict[int, tuple[Any, Activity, Module]]:
    """{attempt id: (participant, quiz, module)} for a page of the queue, in one query."""
    from lms.auth.models import User

    if not attempts:
        return {}
    rows = db.session.execute(
        select(QuizAttempt.id, User, Activity, Module)
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .join(Activity, Activity.id == QuizAttempt.activity_id)
        .join(Module, Module.id == Activity.module_id)
        .where(QuizAttempt.id.in_([a.id for a in attempts]))
    ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


# --------------------------------------------------------------------------- corrections


def fix_question(
    question: Question,
    config: Mapping[str, Any],
    actor_id: int,
    reason: str,
    types: Mapping[str, Any],
) -> int:
    """Correct a question in place (a wrong answer key) and regrade every submitted attempt
    that holds it; an audit entry keeps the old and new configuration. Returns how many
    attempts were regraded."""
    from courses.services import _json_settings
    from quizzes.models import QuizAudit

    qtype = types.get(question.type)
    if qtype is None:
        raise QuizError(_("This question type is not installed on this server."))
    problems = qtype.validate_config(config)
    if problems:
        raise QuizError(
            "; ".join(f"{p.key}: {p.message}" if p.key else str(p.message) for p in problems),
            "config",
        )
    before = question.config
    question.config = _json_settings(dict(config))
    db.session.flush()
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.id.in_(
                    select(QuizResponse.attempt_id).where(QuizResponse.question_id == question.id)
                ),
                QuizAttempt.status == AttemptStatus.SUBMITTED.value,
            )
            .order_by(QuizAttempt.id)
        )
    )
    changes = []
    for attempt in attempts:
        old = attempt.score
        grade_attempt(attempt, types)
        activity = db.session.get(Activity, attempt.activity_id)
        update_completion(activity, settings_of(activity), attempt.enrolment_id)
        changes.append({"attempt": attempt.id, "from": old, "to": attempt.score})
    db.session.add(
        QuizAudit(
            actor_id=actor_id,
            question_id=question.id,
            action="fix_and_regrade",
            details={
                "reason": reason,
                "before": before,
                "after": question.config,
                "attempts": changes,
            },
        )
    )
    db.session.flush()
    return len(attempts)


# --------------------------------------------------------------------------- bank authoring


@dataclass(frozen=True)
class QuestionInput:
    module_slug: str
    key: str
    type: str
    name: str
    text: str
    points: float
    tags: list[str]
    feedback: str
    config: dict[str, Any]


def _check_question(
    version_id: int, data: QuestionInput, types: Mapping[str, Any], exclude: int | None
) -> None:
    qtype = types.get(data.type)
    if qtype is None:
        raise QuizError(_("Unknown question type."), "type")
    problems = qtype.validate_config(data.config)
    if problems:
        raise QuizError(
            "; ".join(f"{p.key}: {p.message}" if p.key else str(p.message) for p in problems),
            "config",
        )
    stmt = select(Question.id).where(Question.version_id == version_id, Question.key == data.key)
    if exclude is not None:
        stmt = stmt.where(Question.id != exclude)
    if db.session.scalar(stmt) is not None:
        raise QuizError(_("Another question of this course already uses this key."), "key")
    exists = db.session.scalar(
        select(Module.id).where(Module.version_id == version_id, Module.slug == data.module_slug)
    )
    if exists is None:
        raise QuizError(_("Choose a session of this course."), "module_slug")


def _apply_question(question: Question, data: QuestionInput) -> None:
    from courses.services import _json_settings

    question.module_slug = data.module_slug
    question.key = data.key
    question.type = data.type
    question.name = data.name.strip()
    question.text = data.text
    question.points = data.points
    question.tags = list(dict.fromkeys(t.strip() for t in data.tags if t.strip()))
    question.feedback = data.feedback.strip()
    question.config = _json_settings(data.config)


def add_question(version: Any, data: QuestionInput, types: Mapping[str, Any]) -> Question:
    if not version.is_draft:
        raise QuizError(_("A published version cannot be changed; start a new draft."))
    _check_question(version.id, data, types, None)
    position = (
        db.session.scalar(
            select(func.max(Question.position)).where(
                Question.version_id == version.id, Question.module_slug == data.module_slug
            )
        )
        or 0
    ) + 1
    question = Question(version_id=version.id, position=position)
    _apply_question(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(
    version: Any, question: Question, data: QuestionInput, types: Mapping[str, Any]
) -> None:
    if not version.is_draft:
        raise QuizError(_("A published version cannot be changed; start a new draft."))
    _check_question(version.id, data, types, question.id)
    _apply_question(question, data)
    db.session.flush()


def delete_question(version: Any, question: Question) -> None:
    if not version.is_draft:
        raise QuizError(_("A published version cannot be changed; start a new draft."))
    db.session.delete(question)
    db.session.flush()


# --------------------------------------------------------------------------- GIFT / Moodle XML


def _key_from(name: str, taken: set[str], prefix: str) -> str:
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "soal"
    base = f"{prefix}-{base}"[:60].strip("-")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # the question form's rule for keys


def _key_for(item: Any, taken: set[str], prefix: str) -> str:
    idnumber = getattr(item, "idnumber", "")
    if len(idnumber) <= 64 and _KEY.fullmatch(idnumber) and idnumber not in taken:
        taken.add(idnumber)
        return idnumber
    return _key_from(item.name, taken, prefix)


def import_questions(
    version: Any, module_slug: str, imported: Iterable[Any], types: Mapping[str, Any]
) -> list[Question]:
    """Add parsed GIFT/XML questions to a draft's session. A question's Moodle ID number
    is its key when it is a free, valid key; other keys are made from names."""
    if not version.is_draft:
        raise QuizError(_("A published version cannot be changed; start a new draft."))
    taken = set(db.session.scalars(select(Question.key).where(Question.version_id == version.id)))
    prefix = module_slug.split("-", 1)[0] if module_slug[:2].isdigit() else "q"
    created = []
    for item in imported:
        created.append(
            add_question(
                version,
                QuestionInput(
                    module_slug=module_slug,
                    key=_key_for(item, taken, f"m{prefix}"),
                    type=item.type,
                    name=item.name[:200],
                    text=item.text,
                    points=float(item.points),
                    tags=list(item.tags),
                    feedback=item.feedback,
                    config=dict(item.config),
                ),
                types,
            )
        )
    return created


def exportable(questions: Iterable[Question]) -> list[Any]:
    """The bank's questions in the shape the GIFT and Moodle XML writers take."""
    from courses.services import decode_settings
    from quizzes.formats import ImportedQuestion

    return [
        ImportedQuestion(
            name=q.name,
            type=q.type,
            text=q.text,
            points=q.points,
            config=decode_settings(q.config),
            feedback=q.feedback,
            tags=tuple(q.tags),
            line=None,
            idnumber=q.key,
        )
        for q in questions
    ]
