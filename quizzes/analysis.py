"""Results computed in SQL: quiz results by grading method, learning gain, item analysis.

Every function here issues a fixed number of statements whatever the number of attempts:
aggregation happens in the database (GROUP BY, window functions); Python only combines
a handful of sums per question into the statistics.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Text, and_, case, cast, func, select, true

from courses.grades import normalised_gain  # noqa: F401  (one definition, the engine's)
from courses.models import Activity, Module
from lms.extensions import db
from quizzes.activity import QuizSettings
from quizzes.models import AttemptStatus, Question, QuizAttempt, QuizResponse

# --------------------------------------------------------------------------- results


def _finished(activity_ids: Iterable[int], enrolment_ids: Iterable[int] | None) -> Any:
    conditions = [
        QuizAttempt.status == AttemptStatus.SUBMITTED.value,
        QuizAttempt.score.is_not(None),
        QuizAttempt.max_score > 0,
        QuizAttempt.activity_id.in_(list(activity_ids)),
    ]
    if enrolment_ids is not None:
        conditions.append(QuizAttempt.enrolment_id.in_(list(enrolment_ids)))
    return and_(*conditions)


def results(
    activities: Mapping[int, QuizSettings], enrolment_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], float]:
    """{(enrolment id, activity id): result percent} by each quiz's grading method, in one
    statement (`result_query`)."""
    if not activities:
        return {}
    enrolments = None if enrolment_ids is None else list(enrolment_ids)
    return {
        (enrolment_id, activity_id): float(percent)
        for enrolment_id, activity_id, percent, _state in db.session.execute(
            result_query(activities, enrolments)
        )
        if percent is not None
    }


def result_query(activities: Mapping[int, QuizSettings], enrolments: Any) -> Any:
    """The same results as `results` as one SQL statement with the columns of the
    activity-type contract (enrolment_id, activity_id, percent, state): `enrolments` may be
    a list of ids or a selectable of ids, so a report can aggregate it in SQL. The window
    functions that first/last need are only computed when a quiz uses them."""
    by_method: dict[str, list[int]] = {}
    for activity_id, settings in activities.items():
        by_method.setdefault(settings.grading, []).append(activity_id)
    pct = (100.0 * QuizAttempt.score / QuizAttempt.max_score).label("pct")
    columns: list[Any] = [QuizAttempt.enrolment_id, QuizAttempt.activity_id, pct]
    ranks = {"first": QuizAttempt.number, "last": QuizAttempt.number.desc()}
    for method, order in ranks.items():
        if method in by_method:
            columns.append(
                func.row_number()
                .over(
                    partition_by=(QuizAttempt.enrolment_id, QuizAttempt.activity_id), order_by=order
                )
                .label(f"rank_{method}")
            )
    ranked = (
        select(*columns)
        .where(
            QuizAttempt.status == AttemptStatus.SUBMITTED.value,
            QuizAttempt.score.is_not(None),
            QuizAttempt.max_score > 0,
            QuizAttempt.activity_id.in_(list(activities)),
            QuizAttempt.enrolment_id.in_(enrolments) if enrolments is not None else true(),
        )
        .subquery()
    )
    aggregate = {
        "highest": func.max(ranked.c.pct),
        "average": func.avg(ranked.c.pct),
    }
    for method in ranks:
        if method in by_method:
            aggregate[method] = func.max(case((ranked.c[f"rank_{method}"] == 1, ranked.c.pct)))
    others = [(m, ids) for m, ids in by_method.items() if m != "highest"]
    percent = (
        case(
            *[(ranked.c.activity_id.in_(ids), aggregate[m]) for m, ids in others],
            else_=aggregate["highest"],
        )
        if others
        else aggregate["highest"]
    )
    return select(
        ranked.c.enrolment_id,
        ranked.c.activity_id,
        cast(percent, Float).label("percent"),
        cast(None, Text).label("state"),
    ).group_by(ranked.c.enrolment_id, ranked.c.activity_id)


@dataclass
class ModuleGain:
    module: Module
    pre_activity: Activity | None
    post_activity: Activity | None
    pre: dict[int, float] = field(default_factory=dict)
    """{enrolment id: pre-test result percent}"""
    post: dict[int, float] = field(default_factory=dict)

    def gain(self, enrolment_id: int) -> float | None:
        return normalised_gain(self.pre.get(enrolment_id), self.post.get(enrolment_id))

    def cohort_gain(self, enrolment_ids: Iterable[int]) -> float | None:
        """The class-average gain (Hake): from the means of those who took both tests."""
        both = [e for e in enrolment_ids if e in self.pre and e in self.post]
        if not both:
            return None
        pre = sum(self.pre[e] for e in both) / len(both)
        post = sum(self.post[e] for e in both) / len(both)
        return normalised_gain(pre, post)


def learning_gain(version_id: int, enrolment_ids: Iterable[int]) -> list[ModuleGain]:
    """Pre/post results and gains per module of a course version (three statements)."""
    from courses.services import decode_settings

    enrolment_ids = list(enrolment_ids)
    modules = list(
        db.session.scalars(
            select(Module).where(Module.version_id == version_id).order_by(Module.position)
        )
    )
    quizzes = db.session.scalars(
        select(Activity)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version_id, Activity.type == "quiz")
        .order_by(Activity.position)
    ).all()
    settings = {a.id: QuizSettings.from_config(decode_settings(a.config)) for a in quizzes}
    gains = {m.id: ModuleGain(m, None, None) for m in modules}
    for activity in quizzes:
        row = gains[activity.module_id]
        kind = settings[activity.id].kind
        if kind == "pre" and row.pre_activity is None:
            row.pre_activity = activity
        elif kind == "post" and row.post_activity is None:
            row.post_activity = activity
    wanted = {
        a.id: settings[a.id]
        for g in gains.values()
        for a in (g.pre_activity, g.post_activity)
        if a is not None
    }
    found = results(wanted, enrolment_ids) if enrolment_ids else {}
    for row in gains.values():
        for (enrolment_id, activity_id), value in found.items():
            if row.pre_activity and activity_id == row.pre_activity.id:
                row.pre[enrolment_id] = value
            elif row.post_activity and activity_id == row.post_activity.id:
                row.post[enrolment_id] = value
    return [g for g in gains.values() if g.pre_activity and g.post_activity]


# --------------------------------------------------------------------------- item analysis


@dataclass
class ItemStats:
    question: Question
    answered: int
    facility: float | None
    """Mean fraction of the points earned (0 to 1): how easy the question was."""
    discrimination: float | None
    """Correlation between the question's score and the attempt's total (point-biserial
    for right/wrong questions): do stronger participants do better on it?"""
    variance: float | None
    choices: list[tuple[str, int]] = field(default_factory=list)
    """(option text, how many picked it) for choice-type questions."""


@dataclass
class QuizStats:
    attempts: int
    mean: float | None
    median: float | None
    stdev: float | None
    alpha: float | None
    """Cronbach's alpha (KR-20 when every question is right/wrong); None below 2 items."""
    items: list[ItemStats]


def _variance(n: int, total: float, squares: float) -> float | None:
    if n < 2:
        return None
    return max(0.0, (squares - total * total / n) / (n - 1))


def item_analysis(activity_id: int, types: Mapping[str, Any]) -> QuizStats:
    """Statistics of one quiz over its submitted, graded attempts (five statements)."""
    finished = _finished([activity_id], None)
    pct = 100.0 * QuizAttempt.score / QuizAttempt.max_score
    n, mean, mean_sq = db.session.execute(
        select(func.count(QuizAttempt.id), func.avg(pct), func.avg(pct * pct)).where(finished)
    ).one()
    median = None
    if n:
        ordered = (
            select(pct.label("p"))
            .where(finished)
            .order_by(pct)
            .offset((n - 1) // 2)
            .limit(2 - n % 2)
        )
        middle = [float(v) for v in db.session.scalars(ordered)]
        median = sum(middle) / len(middle) if middle else None
    stdev = None
    if n and n > 1 and mean is not None:
        stdev = math.sqrt(max(0.0, (float(mean_sq) - float(mean) ** 2) * n / (n - 1)))

    x = cast(QuizResponse.fraction, Float) * Question.points
    y = cast(QuizAttempt.score, Float)
    per_item = db.session.execute(
        select(
            Question,
            func.count(QuizResponse.id),
            func.sum(cast(QuizResponse.fraction, Float)),
            func.sum(x),
            func.sum(x * x),
            func.sum(y),
            func.sum(y * y),
            func.sum(x * y),
        )
        .join(QuizResponse, QuizResponse.question_id == Question.id)
        .join(QuizAttempt, QuizAttempt.id == QuizResponse.attempt_id)
        .where(finished, QuizResponse.fraction.is_not(None))
        .group_by(Question.id)
        .order_by(Question.module_slug, Question.position)
    ).all()
    total_n, total_sum, total_sq = db.session.execute(
        select(func.count(QuizAttempt.id), func.sum(y), func.sum(y * y)).where(finished)
    ).one()
    picks = db.session.execute(
        select(QuizResponse.question_id, cast(QuizResponse.response, Text), func.count())
        .join(QuizAttempt, QuizAttempt.id == QuizResponse.attempt_id)
        .where(finished, QuizResponse.response.is_not(None))
        .group_by(QuizResponse.question_id, cast(QuizResponse.response, Text))
    ).all()
    by_question: dict[int, list[tuple[Any, int]]] = {}
    for question_id, raw, count in picks:
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            continue
        by_question.setdefault(question_id, []).append((value, count))

    items = []
    variances = []
    for question, count, fractions, sx, sxx, sy, syy, sxy in per_item:
        facility = float(fractions) / count if count else None
        variance = _variance(count, float(sx or 0), float(sxx or 0))
        if variance is not None:
            variances.append(variance)
        discrimination = None
        if count and count > 1:
            num = count * float(sxy) - float(sx) * float(sy)
            den = math.sqrt(
                max(0.0, count * float(sxx) - float(sx) ** 2)
                * max(0.0, count * float(syy) - float(sy) ** 2)
            )
            discrimination = num / den if den > 1e-12 else None
        items.append(
            ItemStats(
                question=question,
                answered=count,
                facility=facility,
                discrimination=discrimination,
                variance=variance,
                choices=_choices(question, by_question.get(question.id, [])),
            )
        )
    alpha = None
    total_var = _variance(int(total_n or 0), float(total_sum or 0), float(total_sq or 0))
    k = len(variances)
    if k >= 2 and total_var and total_var > 1e-12:
        alpha = (k / (k - 1)) * (1 - sum(variances) / total_var)
    return QuizStats(
        attempts=int(n or 0),
        mean=float(mean) if mean is not None else None,
        median=median,
        stdev=stdev,
        alpha=alpha,
        items=items,
    )


def _choices(question: Question, picked: list[tuple[Any, int]]) -> list[tuple[str, int]]:
    """How often each option was chosen, for the option-based types."""
    options = question.config.get("options")
    if question.type == "true_false":
        counts = {True: 0, False: 0}
        for value, count in picked:
            if isinstance(value, bool):
                counts[value] += count
        return [("true", counts[True]), ("false", counts[False])]
    if not isinstance(options, list):
        return []
    counts = [0] * len(options)
    for value, count in picked:
        chosen = value if isinstance(value, list) else [value]
        for index in chosen:
            if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(counts):
                counts[index] += count
    return [(str(o.get("text", "")), counts[i]) for i, o in enumerate(options)]


# --------------------------------------------------------------------------- parallel forms


@dataclass
class FormStats:
    """One form (Tes Awal or Tes Akhir) of a session: its items and their statistics."""

    activity: Activity
    questions: list[Question]
    stats: QuizStats
    objectives: list[str]
    """The objective tags (tujuan-N) its items cover, in order."""
    mean_facility: float | None
    """Mean of the item facilities over the items answered at least once."""
    mean_discrimination: float | None


@dataclass
class BlueprintRow:
    """One objective of the blueprint: the item testing it in each form."""

    objective: str
    pre: Question | None
    post: Question | None
    pre_facility: float | None
    post_facility: float | None
    crossed_facility: float | None = None
    """Counterbalanced sessions: the Tes Akhir item's facility when it was taken as a Tes
    Awal (by the other half of the cohort), comparable with `pre_facility`."""


@dataclass
class Crossover:
    """Both forms taken before learning (counterbalanced): their difficulty compared."""

    own_facility: float | None
    """Mean facility of the Tes Awal's items, taken as a Tes Awal."""
    own_answers: int
    crossed_facility: float | None
    """Mean facility of the Tes Akhir's items, taken as a Tes Awal by the other half."""
    crossed_answers: int

    TOLERANCE = 0.10
    """Forms whose mean facilities before learning differ by at most this are comparable."""
    ENOUGH = 20
    """Answers per form below which no verdict is given."""

    @property
    def difference(self) -> float | None:
        if self.own_facility is None or self.crossed_facility is None:
            return None
        return self.crossed_facility - self.own_facility

    @property
    def standard_error(self) -> float | None:
        """Approximate standard error of the difference (each facility as a proportion)."""
        if self.difference is None or not self.own_answers or not self.crossed_answers:
            return None
        own, crossed = self.own_facility or 0.0, self.crossed_facility or 0.0
        return math.sqrt(
            own * (1 - own) / self.own_answers + crossed * (1 - crossed) / self.crossed_answers
        )

    @property
    def verdict(self) -> str:
        """ "few" (not enough answers yet), "comparable" (within the tolerance), "differ"
        (beyond it, and by more than twice the standard error) or "unclear" (beyond it, but
        chance could explain it: more answers will tell)."""
        difference = self.difference
        if difference is None or min(self.own_answers, self.crossed_answers) < self.ENOUGH:
            return "few"
        if abs(difference) <= self.TOLERANCE:
            return "comparable"
        if abs(difference) > 2 * (self.standard_error or 0.0):
            return "differ"
        return "unclear"


@dataclass
class FormComparison:
    module: Module
    pre: FormStats
    post: FormStats
    rows: list[BlueprintRow]
    crossover: Crossover | None = None
    """Set when the Tes Awal counterbalances the forms."""


def _objective(question: Question) -> str:
    return next((t for t in question.tags if t.startswith("tujuan-")), "")


def level_of(question: Question | None) -> str:
    """The item's cognitive level tag (ranah-...), or "" when it has none."""
    if question is None:
        return ""
    return next((t for t in question.tags if t.startswith("ranah-")), "")


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _form(
    module: Module, activity: Activity, bank: list[Question], types: Mapping[str, Any]
) -> FormStats:
    from courses.services import decode_settings

    settings = QuizSettings.from_config(decode_settings(activity.config))
    if settings.questions:
        by_key = {q.key: q for q in bank}
        questions = [by_key[k] for k in settings.questions if k in by_key]
    else:
        tag = settings.draw_tag or module.slug
        questions = [q for q in bank if q.module_slug == tag or tag in q.tags]
    stats = item_analysis(activity.id, types)
    objectives = sorted(
        {o for o in map(_objective, questions) if o},
        key=lambda t: (len(t), t),  # tujuan-2 before tujuan-10
    )
    own = {q.id for q in questions}
    # A counterbalanced Tes Awal also holds the other form's items: the means are this form's.
    mine = [i for i in stats.items if i.question.id in own]
    return FormStats(
        activity=activity,
        questions=questions,
        stats=stats,
        objectives=objectives,
        mean_facility=_mean(i.facility for i in mine),
        mean_discrimination=_mean(i.discrimination for i in mine),
    )


def form_comparison(module: Module, types: Mapping[str, Any]) -> FormComparison | None:
    """Tes Awal against Tes Akhir of one session, item by item along the blueprint (the
    objective tags); None when the session lacks either form. Twelve statements."""
    from courses.services import decode_settings

    quizzes = db.session.scalars(
        select(Activity)
        .where(Activity.module_id == module.id, Activity.type == "quiz")
        .order_by(Activity.position)
    ).all()
    by_kind: dict[str, Activity] = {}
    for activity in quizzes:
        kind = QuizSettings.from_config(decode_settings(activity.config)).kind
        by_kind.setdefault(kind, activity)
    if "pre" not in by_kind or "post" not in by_kind:
        return None
    bank = list(
        db.session.scalars(
            select(Question)
            .where(Question.version_id == module.version_id)
            .order_by(Question.module_slug, Question.position)
        )
    )
    pre = _form(module, by_kind["pre"], bank, types)
    post = _form(module, by_kind["post"], bank, types)
    pre_facility = {i.question.id: i.facility for i in pre.stats.items}
    post_facility = {i.question.id: i.facility for i in post.stats.items}
    counterbalanced = QuizSettings.from_config(
        decode_settings(by_kind["pre"].config)
    ).counterbalance
    rows: list[BlueprintRow] = []
    for objective in sorted(set(pre.objectives) | set(post.objectives), key=lambda t: (len(t), t)):
        first = next((q for q in pre.questions if _objective(q) == objective), None)
        second = next((q for q in post.questions if _objective(q) == objective), None)
        rows.append(
            BlueprintRow(
                objective=objective,
                pre=first,
                post=second,
                pre_facility=pre_facility.get(first.id) if first else None,
                post_facility=post_facility.get(second.id) if second else None,
                crossed_facility=(
                    pre_facility.get(second.id) if second and counterbalanced else None
                ),
            )
        )
    untagged = [q for q in pre.questions + post.questions if not _objective(q)]
    for question in untagged:
        in_pre = question in pre.questions
        rows.append(
            BlueprintRow(
                objective="",
                pre=question if in_pre else None,
                post=None if in_pre else question,
                pre_facility=pre_facility.get(question.id) if in_pre else None,
                post_facility=None if in_pre else post_facility.get(question.id),
            )
        )
    crossover = None
    if counterbalanced:
        answered = {i.question.id: i for i in pre.stats.items}
        own = [answered[q.id] for q in pre.questions if q.id in answered]
        crossed = [answered[q.id] for q in post.questions if q.id in answered]
        crossover = Crossover(
            own_facility=_mean(i.facility for i in own),
            own_answers=sum(i.answered for i in own),
            crossed_facility=_mean(i.facility for i in crossed),
            crossed_answers=sum(i.answered for i in crossed),
        )
    return FormComparison(module=module, pre=pre, post=post, rows=rows, crossover=crossover)
