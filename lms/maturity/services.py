"""SPBE maturity self-assessment rules: the index computation (pure), and saving, submitting
and reviewing a cohort's assessment. Services flush; the request boundary commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from courses.models import Module
from lms import spbe
from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.errors import DomainError
from lms.extensions import db
from lms.maturity.models import AssessmentStatus, IndicatorScore, Phase, SelfAssessment
from lms.models import utcnow

LEVELS = (
    (1, "Rintisan"),
    (2, "Terkelola"),
    (3, "Terdefinisi"),
    (4, "Terpadu dan Terukur"),
    (5, "Optimum"),
)
"""The capability levels of PermenPANRB 59/2020 (official names, not translated)."""
LEVEL_NAMES = dict(LEVELS)
MAX_JUSTIFICATION = 2000
MIN_JUSTIFICATION_WORDS = 3
"""A level needs a justification of at least this many words before it is submitted."""
WEAKEST = 5


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class IndexResult:
    """An SPBE index computed from the levels given so far.

    `index`, `domains` and `aspects` are weighted means of the levels (1-5) over the
    indicators given, rounded half up to two decimals as the index is published; they are
    None / absent when nothing of theirs is given. The predicate is that of the rounded index.
    """

    index: float | None
    predicate: str | None
    given: int
    complete: bool
    domains: dict[int, float] = field(default_factory=dict)
    aspects: dict[int, float] = field(default_factory=dict)


def _weight(indicator: int) -> Fraction:
    # Exact arithmetic: the weights are short decimals (1.3, 2.75, ...), so sums are exact.
    return Fraction(Decimal(str(spbe.INDICATOR_BY_NUMBER[indicator].weight)))


def _rounded(value: Fraction) -> float:
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    return float(quotient.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _weighted_mean(levels: Iterable[tuple[int, int]]) -> float | None:
    total = weights = Fraction(0)
    for indicator, level in levels:
        weight = _weight(indicator)
        total += weight * level
        weights += weight
    return _rounded(total / weights) if weights else None


def compute_index(levels: Mapping[int, int]) -> IndexResult:
    """The SPBE index of `levels` (indicator number -> level 1-5; any subset of the 47):
    Σ(weight × level) / Σ(weights of the indicators given), with the same weighted mean per
    domain and per aspect, and the predicate of the index."""
    for indicator, level in levels.items():
        if indicator not in spbe.INDICATOR_BY_NUMBER:
            raise ValueError(f"unknown SPBE indicator {indicator!r}")
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            raise ValueError(f"indicator {indicator}: level {level!r} is not 1-5")
    by_aspect: dict[int, list[tuple[int, int]]] = {}
    for indicator, level in sorted(levels.items()):
        aspect = spbe.INDICATOR_BY_NUMBER[indicator].aspect
        by_aspect.setdefault(aspect, []).append((indicator, level))
    aspects = {a: _weighted_mean(items) for a, items in by_aspect.items()}
    domains = {
        d.number: _weighted_mean(
            item
            for a in spbe.ASPECTS
            if a.domain == d.number
            for item in by_aspect.get(a.number, ())
        )
        for d in spbe.DOMAINS
    }
    index = _weighted_mean(levels.items())
    return IndexResult(
        index=index,
        predicate=spbe.predicate(index) if index is not None else None,
        given=len(levels),
        complete=len(levels) == len(spbe.INDICATORS),
        domains={d: v for d, v in domains.items() if v is not None},
        aspects={a: v for a, v in sorted(aspects.items()) if v is not None},
    )


@dataclass(frozen=True)
class AspectGroup:
    aspect: spbe.Aspect
    indicators: tuple[spbe.Indicator, ...]


@dataclass(frozen=True)
class DomainGroup:
    domain: spbe.Domain
    aspects: tuple[AspectGroup, ...]


def groups() -> tuple[DomainGroup, ...]:
    """The 47 indicators grouped by domain and aspect, in the regulation's order."""
    return tuple(
        DomainGroup(
            d,
            tuple(
                AspectGroup(a, tuple(i for i in spbe.INDICATORS if i.aspect == a.number))
                for a in spbe.ASPECTS
                if a.domain == d.number
            ),
        )
        for d in spbe.DOMAINS
    )


# --------------------------------------------------------------------------- errors


class AssessmentError(DomainError):
    """A self-assessment rule was broken."""


class StaleAssessment(AssessmentError):
    """The form was made from an older revision (another tab or person saved since)."""


class ScoreErrors(AssessmentError):
    """Several indicators are wrong; `problems` maps a form field (`level-<n>`,
    `justification-<n>`) to its message."""

    def __init__(self, message: str, problems: dict[str, str]) -> None:
        super().__init__(message)
        self.problems = problems


# --------------------------------------------------------------------------- reading


@dataclass
class Sheet:
    """One phase of a cohort's assessment as a page shows it: the row (None until the first
    save), its scores by indicator, who submitted and reviewed it, and the index so far."""

    phase: str
    assessment: SelfAssessment | None = None
    scores: dict[int, IndicatorScore] = field(default_factory=dict)
    submitted_by: str | None = None
    reviewed_by: str | None = None

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else AssessmentStatus.DRAFT.value

    @property
    def levels(self) -> dict[int, int]:
        return {n: s.level for n, s in self.scores.items()}

    @property
    def result(self) -> IndexResult:
        return compute_index(self.levels)


def sheets_of(cohort_id: int, phases: Iterable[str] = tuple(Phase)) -> dict[str, Sheet]:
    """The cohort's assessments of `phases` with their scores and people, in one query."""
    wanted = [str(p) for p in phases]
    sheets = {p: Sheet(p) for p in wanted}
    submitter = aliased(User)
    reviewer = aliased(User)
    rows = db.session.execute(
        select(SelfAssessment, IndicatorScore, submitter.name, reviewer.name)
        .outerjoin(IndicatorScore, IndicatorScore.assessment_id == SelfAssessment.id)
        .outerjoin(submitter, submitter.id == SelfAssessment.submitted_by_id)
        .outerjoin(reviewer, reviewer.id == SelfAssessment.reviewed_by_id)
        .where(SelfAssessment.cohort_id == cohort_id, SelfAssessment.phase.in_(wanted))
    )
    for assessment, score, submitted_by, reviewed_by in rows:
        sheet = sheets[assessment.phase]
        sheet.assessment = assessment
        sheet.submitted_by = submitted_by
        sheet.reviewed_by = reviewed_by
        if score is not None:
            sheet.scores[score.indicator] = score
    return sheets


def sheet_of(cohort_id: int, phase: str) -> Sheet:
    return sheets_of(cohort_id, [phase])[phase]


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class ScoreInput:
    """What was entered for one indicator: no level means "not assessed yet"."""

    level: int | None
    justification: str = ""


def locked_assessment(cohort_id: int, phase: str) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment)
        .where(SelfAssessment.cohort_id == cohort_id, SelfAssessment.phase == phase)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def get_or_create_assessment(cohort: Cohort, phase: str) -> SelfAssessment:
    """The cohort's assessment of `phase`, locked for writing; a new draft if there is none."""
    phase = Phase(phase).value
    assessment = locked_assessment(cohort.id, phase)
    if assessment is not None:
        return assessment
    assessment = SelfAssessment(
        cohort_id=cohort.id, phase=phase, status=AssessmentStatus.DRAFT.value, review_comment=""
    )
    try:
        # A concurrent first save of the same phase hits the unique constraint here.
        with db.session.begin_nested():
            db.session.add(assessment)
            db.session.flush()
    except IntegrityError:
        found = locked_assessment(cohort.id, phase)
        if found is None:  # pragma: no cover - the other writer rolled back
            raise
        return found
    return assessment


def _scores(assessment_id: int) -> dict[int, IndicatorScore]:
    return {
        s.indicator: s
        for s in db.session.scalars(
            select(IndicatorScore).where(IndicatorScore.assessment_id == assessment_id)
        )
    }


def _check_draft(assessment: SelfAssessment) -> None:
    from flask_babel import gettext as _

    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentError(_("This self-assessment was submitted and can no longer be changed."))


def _clean(text: str) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def save_scores(
    assessment: SelfAssessment, entries: Mapping[int, ScoreInput], revision: int | None = None
) -> IndexResult:
    """Save the levels of some indicators (partial saving is allowed; a None level removes
    the indicator's score); indicators not in `entries` are left as they are. Returns the
    index of everything saved; `index_value` is stored once all 47 have a level. A form
    made from another `revision` than the stored one is refused (StaleAssessment)."""
    from flask_babel import gettext as _

    _check_draft(assessment)
    if revision is not None and revision != assessment.revision:
        raise StaleAssessment(
            _(
                "Someone saved this self-assessment since you opened this page (perhaps you, "
                "in another tab). Nothing was saved: your text stays below; copy what you "
                "need, then reload the page."
            )
        )
    problems: dict[str, str] = {}
    for indicator, entry in entries.items():
        if indicator not in spbe.INDICATOR_BY_NUMBER:
            raise AssessmentError(_("Unknown indicator %(number)s.", number=indicator))
        if entry.level is None:
            if _clean(entry.justification):
                problems[f"level-{indicator}"] = _("Choose a level to save this justification.")
        elif isinstance(entry.level, bool) or entry.level not in LEVEL_NAMES:
            problems[f"level-{indicator}"] = _("Choose a level from 1 to 5.")
        if len(_clean(entry.justification)) > MAX_JUSTIFICATION:
            problems[f"justification-{indicator}"] = _(
                "At most %(num)d characters.", num=MAX_JUSTIFICATION
            )
    if problems:
        raise ScoreErrors(_("Correct the indicators marked below; nothing was saved."), problems)
    scores = _scores(assessment.id)
    for indicator, entry in entries.items():
        score = scores.get(indicator)
        if entry.level is None:
            if score is not None:
                db.session.delete(scores.pop(indicator))
            continue
        if score is None:
            score = scores[indicator] = IndicatorScore(
                assessment_id=assessment.id, indicator=indicator
            )
            db.session.add(score)
        score.level = entry.level
        score.justification = _clean(entry.justification)
    result = compute_index({n: s.level for n, s in scores.items()})
    assessment.index_value = result.index if result.complete else None
    assessment.updated_at = utcnow()
    assessment.revision += 1
    db.session.flush()
    return result


def submission_problems(scores: Mapping[int, IndicatorScore]) -> dict[str, str]:
    """What stops these scores from being submitted, by form field."""
    from flask_babel import gettext as _

    problems: dict[str, str] = {}
    for indicator in spbe.INDICATORS:
        score = scores.get(indicator.number)
        if score is None:
            problems[f"level-{indicator.number}"] = _("Choose a level before submitting.")
        elif len(score.justification.split()) < MIN_JUSTIFICATION_WORDS:
            problems[f"justification-{indicator.number}"] = _(
                "Justify the level in at least %(num)d words before submitting.",
                num=MIN_JUSTIFICATION_WORDS,
            )
    return problems


def submit(assessment: SelfAssessment, user: User) -> IndexResult:
    """Send a complete draft to the cohort's mentors for review; stores the index."""
    from flask_babel import gettext as _

    _check_draft(assessment)
    scores = _scores(assessment.id)
    problems = submission_problems(scores)
    if problems:
        raise ScoreErrors(
            _(
                "The self-assessment cannot be submitted yet: every indicator needs a level "
                "and a justification of a few words. Correct the indicators marked below."
            ),
            problems,
        )
    result = compute_index({n: s.level for n, s in scores.items()})
    assessment.status = AssessmentStatus.SUBMITTED.value
    assessment.index_value = result.index
    assessment.submitted_by_id = user.id
    assessment.submitted_at = assessment.updated_at = utcnow()
    db.session.flush()
    return result


def review(assessment: SelfAssessment, user: User, *, approve: bool, comment: str) -> None:
    """The mentor's review of a submitted assessment: approve it (reviewed), or send it back
    to the coordinator as a draft with a comment saying what to change."""
    from flask_babel import gettext as _

    if assessment.status != AssessmentStatus.SUBMITTED:
        raise AssessmentError(_("Only a submitted self-assessment can be reviewed."))
    comment = _clean(comment)
    if len(comment) > MAX_JUSTIFICATION:
        raise AssessmentError(_("At most %(num)d characters.", num=MAX_JUSTIFICATION), "comment")
    if not approve and not comment:
        raise AssessmentError(
            _("Say what the coordinator should change before sending it back."), "comment"
        )
    assessment.status = (AssessmentStatus.REVIEWED if approve else AssessmentStatus.DRAFT).value
    assessment.review_comment = comment
    assessment.reviewed_by_id = user.id
    assessment.reviewed_at = assessment.updated_at = utcnow()
    db.session.flush()


# --------------------------------------------------------------------------- advice


@dataclass(frozen=True)
class WeakIndicator:
    indicator: spbe.Indicator
    level: int
    modules: tuple[Module, ...]


def weakest(levels: Mapping[int, int], limit: int = WEAKEST) -> list[tuple[int, int]]:
    """The `limit` lowest levels as (indicator, level); among equal levels the heavier
    indicator (which moves the index more) first, then by number."""
    return sorted(levels.items(), key=lambda item: (item[1], -_weight(item[0]), item[0]))[:limit]


def weakest_with_modules(cohort: Cohort, levels: Mapping[int, int]) -> list[WeakIndicator]:
    """The weakest indicators, each with the modules of the cohort's course version that
    address it (the module's `indicators`), the version's modules loaded in one query."""
    chosen = weakest(levels)
    if not chosen:
        return []
    modules: list[Module] = []
    if cohort.course_version_id is not None:
        modules = list(
            db.session.scalars(
                select(Module)
                .where(Module.version_id == cohort.course_version_id)
                .order_by(Module.position)
            )
        )
    return [
        WeakIndicator(
            spbe.INDICATOR_BY_NUMBER[indicator],
            level,
            tuple(m for m in modules if indicator in (m.indicators or [])),
        )
        for indicator, level in chosen
    ]


def latest_levels(sheets: Mapping[str, Sheet]) -> tuple[str | None, dict[int, int]]:
    """The phase and levels of the latest assessment with any level: the follow-up once it
    has one, else the baseline."""
    for phase in (Phase.FOLLOW_UP, Phase.BASELINE):
        sheet = sheets.get(phase.value)
        if sheet is not None and sheet.scores:
            return phase.value, sheet.levels
    return None, {}
