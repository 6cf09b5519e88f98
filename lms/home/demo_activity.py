"""What the demo cohorts have done so far, written through the engine's own services, so
every dashboard has something true to show on the first `make run`.

Each cohort started some weeks before the current week; every session whose meeting is
already past was held: attendance taken, material read, pre-test, practice and post-test
taken (answers graded by the question types themselves, with a real gain from pre to
post), the practical assignment submitted and reviewed. Six participant profiles make the
figures varied and cover every at-risk reason and every submission state. Everything is
drawn from `random.Random` seeded by the cohort and participant, so the same week gives
the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from lms.extensions import db


@dataclass(frozen=True)
class Profile:
    """How one demo participant behaves."""

    ability: float
    """Chance of a right answer on a pre-test."""
    gain: float
    """Added to the chance on the practice quiz and post-test."""
    absent_last: int = 0
    """Meetings missed at the end (the most recent ones)."""
    stops_after: int | None = None
    """Sessions taken part in before going quiet (None: keeps going)."""
    returned_first: bool = False
    """The first assignment is returned for revision."""


# One per participant position in a cohort; cohorts have six participants.
PROFILES = (
    Profile(ability=0.55, gain=0.42),  # strong
    Profile(ability=0.45, gain=0.50),  # steady
    Profile(ability=0.40, gain=0.52, returned_first=True),
    Profile(ability=0.45, gain=0.50, absent_last=2),  # misses meetings
    Profile(ability=0.25, gain=0.15),  # fails post-tests
    Profile(ability=0.35, gain=0.50, stops_after=1),  # inactive, assignments overdue
)
FEEDBACK = {
    "grade": "Peta tindak lanjutnya runtut dan jujur. Lanjutkan dengan menetapkan penanggung "
    "jawab.",
    "return": "Tabel belum memuat bukti yang dapat diperiksa; lengkapi kolom bukti lalu kirim "
    "lagi.",
}
ANSWER = (
    "Peta tindak lanjut regulasi SPBE di daerah kami: status, bentuk tindak lanjut, OPD "
    "penanggung jawab dan bukti (tautan JDIH). Tiga kesenjangan utama beserta usulan langkah."
)


def week_start(today: date) -> date:
    """The Monday of `today`'s week: cohorts are dated from it, so a week's demo is stable."""
    return today - timedelta(days=today.weekday())


def _candidates(kind: str, config: Mapping[str, Any]) -> list[Any]:
    """Plausible responses of each built-in question type, in the stored (canonical) form."""
    if kind == "single_choice":
        return list(range(len(config.get("options", []))))
    if kind == "true_false":
        return [True, False]
    if kind == "multiple_response":
        options = config.get("options", [])
        right = [i for i, o in enumerate(options) if o.get("correct") is True]
        return [right, *([i] for i in range(len(options)))]
    if kind == "short_answer":
        texts = [str(a.get("text", "")).replace("*", "").strip() for a in config.get("answers", [])]
        return [t for t in texts if t] + ["tidak tahu"]
    if kind == "numeric":
        return [str(a.get("value")) for a in config.get("answers", [])] + ["0"]
    if kind == "matching":
        n = len(config.get("pairs", []))
        return [{str(i): i for i in range(n)}, {str(i): (i + 1) % n for i in range(n)}]
    if kind == "ordering":
        n = len(config.get("items", []))
        return [list(range(n)), list(range(n))[::-1]]
    return [None]


LEVEL_EASE = {"ranah-ingat": 0.08, "ranah-terap": -0.08}
"""Simulated item difficulty: recalling is easier than applying. Parallel forms pair items
of the same level, so the forms come out comparable on the demo's counterbalanced Tes Awal
(the forms comparison page), up to chance."""


def _ease(question: Any) -> float:
    return sum(LEVEL_EASE.get(tag, 0.0) for tag in question.tags)


class _Answers:
    """A right and a wrong answer for each question, graded by its own question type."""

    def __init__(self, types: Mapping[str, Any]) -> None:
        self.types = types
        self.cache: dict[int, tuple[Any, Any]] = {}

    def pick(self, question: Any, right: bool) -> Any:
        if question.id not in self.cache:
            qtype = self.types.get(question.type)
            graded = []
            for response in _candidates(question.type, question.config):
                grade = qtype.grade(question.config, response) if qtype else None
                if grade is not None:
                    graded.append((grade.fraction, response))
            graded.sort(key=lambda pair: pair[0])
            best = graded[-1][1] if graded else None
            worst = graded[0][1] if graded else None
            self.cache[question.id] = (best, worst)
        best, worst = self.cache[question.id]
        return best if right else worst


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone).astimezone(UTC)


def bring_to_life(cohort: Cohort, mentor: User, now: datetime) -> None:
    """Play the cohort's sessions whose meeting is past (see the module docstring)."""
    from assignments import services as assignments
    from courses import services as courses
    from courses.activities import CompletionEvent
    from courses.meetings import services as meetings
    from courses.meetings.models import AttendanceStatus
    from courses.models import ActivityCompletion
    from lms import plugins
    from lms.regions.models import Region
    from quizzes import services as quizzes
    from quizzes.models import AttemptStatus, QuizAttempt, QuizResponse

    registry = plugins.registry()
    zone_name = db.session.get(Region, cohort.region_code).timezone
    zone = ZoneInfo(zone_name)
    roster = meetings.roster(cohort.id)
    enrolments = [enrolment for enrolment, _user in roster]
    modules = {m.slug: m for m in courses.modules_of(cohort.course_version_id)}
    activities = courses.activities_by_module(m.id for m in modules.values())
    answers = _Answers(registry.question_types)
    held = [
        m for m in meetings.meetings_of(cohort.id) if m.starts_at and m.starts_at < now
    ]  # sessions held so far, oldest first
    bank = {q.id: q for q in quizzes.bank_of(cohort.course_version_id)}
    # A cohort whose last session is two weeks past has finished: every review is released.
    finished = len(held) == len(modules) and now - held[-1].starts_at > timedelta(days=14)
    for number, meeting in enumerate(held, start=1):
        module = modules.get(meeting.module_slug)
        if module is None:
            continue
        day = meeting.starts_at.astimezone(zone).date()
        left = 99 if finished else len(held) - number  # sessions held after this one
        statuses = {}
        for position, (_enrolment, user) in enumerate(roster):
            profile = PROFILES[position % len(PROFILES)]
            quiet = profile.stops_after is not None and number > profile.stops_after
            absent = quiet or len(held) - number < profile.absent_last
            statuses[user.id] = AttendanceStatus.ABSENT if absent else AttendanceStatus.PRESENT
        meetings.record_attendance(cohort, meeting, statuses, mentor.id, registry.activity_types)
        for activity in activities.get(module.id, []):
            if activity.type == "assignment":
                due = _at(day + timedelta(days=7), 23, zone)
                assignments.set_window(cohort, module, activity, None, due, None)
        for position, enrolment in enumerate(enrolments):
            profile = PROFILES[position % len(PROFILES)]
            if profile.stops_after is not None and number > profile.stops_after:
                continue
            rng = Random(f"{cohort.region_code}:{position}:{module.slug}")
            for activity in activities.get(module.id, []):
                if activity.type == "reading":
                    courses.record_completion(enrolment.id, activity.id, CompletionEvent.VIEW)
                elif activity.type == "quiz":
                    ctx = quizzes.quiz_context(cohort, module, activity, zone_name)
                    kind = ctx.settings.kind
                    chance = profile.ability + (0 if kind == "pre" else profile.gain)
                    hour = {"pre": 8, "practice": 11}.get(kind, 13)
                    moment = _at(day, hour, zone)
                    for number_ in (1, 2):
                        seed = f"demo-{cohort.region_code}-p{position}-m{module.position}-{kind}"
                        attempt = QuizAttempt(
                            activity_id=activity.id,
                            enrolment_id=enrolment.id,
                            number=number_,
                            seed=f"{seed}-{number_}",
                            question_ids=quizzes.choose_questions(
                                ctx, f"{seed}-{number_}", enrolment.id
                            ),
                            started_at=moment,
                            submitted_at=moment + timedelta(minutes=12),
                            status=AttemptStatus.SUBMITTED.value,
                        )
                        db.session.add(attempt)
                        db.session.flush()
                        for slot, question_id in enumerate(attempt.question_ids, start=1):
                            ease = _ease(bank[question_id])
                            right = rng.random() < min(chance + ease, 0.97)
                            db.session.add(
                                QuizResponse(
                                    attempt_id=attempt.id,
                                    slot=slot,
                                    question_id=question_id,
                                    response=answers.pick(bank[question_id], right),
                                )
                            )
                        db.session.flush()
                        quizzes.grade_attempt(attempt, registry.question_types)
                        percent = 100 * (attempt.score or 0) / (attempt.max_score or 1)
                        # A post-test failed once is taken again the next day (two allowed),
                        # except by the participant who struggles throughout.
                        if (
                            kind != "post"
                            or percent >= (ctx.settings.pass_percent or 0)
                            or profile.gain < 0.3
                            or (ctx.settings.attempts or 1) < 2
                        ):
                            break
                        moment += timedelta(days=1)
                        chance += 0.05
                    quizzes.update_completion(activity, ctx.settings, enrolment.id)
                elif activity.type == "assignment":
                    _assignment(
                        assignments,
                        cohort,
                        module,
                        activity,
                        enrolment,
                        position,
                        mentor,
                        profile,
                        number,
                        left,
                        _at(day + timedelta(days=2), 19, zone),
                        zone_name,
                        rng,
                    )
            # Completions carry the session's date, so "last active" tells the truth.
            db.session.execute(
                update(ActivityCompletion)
                .where(
                    ActivityCompletion.enrolment_id == enrolment.id,
                    ActivityCompletion.activity_id.in_([a.id for a in activities[module.id]]),
                )
                .values(completed_at=_at(day, 15, zone))
            )
    db.session.flush()


def _assignment(
    assignments: Any,
    cohort: Cohort,
    module: Any,
    activity: Any,
    enrolment: Enrolment,
    position: int,
    mentor: User,
    profile: Profile,
    number: int,
    left: int,
    moment: datetime,
    zone_name: str,
    rng: Random,
) -> None:
    """Submit and review the session's assignment; the newest sessions are still open:
    the latest has drafts and submissions waiting, the one before graded but unreleased."""
    ctx = assignments.context(cohort, module, activity, zone_name)
    if left == 0 and position % 3 == 1:
        assignments.save_draft(ctx, enrolment, ANSWER, None, moment)  # still a draft
        return
    assignments.save_draft(ctx, enrolment, ANSWER, None, moment)
    submission = assignments.submit(ctx, enrolment, None, moment)
    if left == 0:
        return  # waiting for the mentor
    action = "return" if profile.returned_first and number == 1 else "grade"
    criteria = len(ctx.settings.rubric)
    top = 3 if profile.ability >= 0.4 else 2
    levels = {i: max(1, min(3, top - (rng.random() < 0.3))) for i in range(criteria)}
    review = assignments.save_review(
        ctx,
        submission,
        assignments.ReviewInput(
            levels=levels,
            points=None if criteria else round(ctx.settings.max_points * 0.8, 1),
            comment=FEEDBACK[action],
            action=action,
            version=None,
        ),
        mentor.id,
        moment + timedelta(days=2),
    )
    if action == "return" and left > 1:
        # Revised and submitted again within the week; that version is graded.
        assignments.save_draft(ctx, enrolment, ANSWER + " Bukti sudah dilengkapi.", None, moment)
        submission = assignments.submit(ctx, enrolment, None, moment + timedelta(days=3))
        action = "grade"
        review = assignments.save_review(
            ctx,
            submission,
            assignments.ReviewInput(
                levels=levels,
                points=None if criteria else round(ctx.settings.max_points * 0.8, 1),
                comment=FEEDBACK[action],
                action=action,
                version=None,
            ),
            mentor.id,
            moment + timedelta(days=4),
        )
    if action == "grade" and left > 1:
        assignments.release(ctx, [review], mentor.id, moment + timedelta(days=5))


def self_assessments(
    cohort: Cohort, coordinator: User | None, mentor: User, finished: bool
) -> None:
    """The cohort's SPBE self-assessment at baseline (submitted and reviewed) and, once the
    course is over, at follow-up with the levels the course helped raise."""
    from lms import spbe
    from lms.maturity import services as maturity

    rng = Random(f"spbe-{cohort.region_code}")
    baseline = {i.number: rng.choice((1, 1, 2, 2, 2, 3)) for i in spbe.INDICATORS}
    phases = [("baseline", baseline)]
    if finished:
        raised = {n: min(5, level + (rng.random() < 0.6)) for n, level in baseline.items()}
        phases.append(("follow_up", raised))
    author = (
        coordinator if coordinator and coordinator.region_code == cohort.region_code else mentor
    )
    for phase, levels in phases:
        assessment = maturity.get_or_create_assessment(cohort, phase)
        if assessment.status != "draft":
            continue
        maturity.save_scores(
            assessment,
            {
                number: maturity.ScoreInput(
                    level, "Dinilai bersama OPD terkait berdasarkan dokumen yang ada."
                )
                for number, level in levels.items()
            },
        )
        maturity.submit(assessment, author)
        maturity.review(assessment, mentor, approve=True, comment="Sesuai bukti yang dilampirkan.")


# (slug of the practice adapted, region adapting it, title, summary)
ADAPTATIONS = [
    (
        "command-center-sumedang",
        "35.10",
        "Ruang kendali data Banyuwangi, studi tiru Command Center Sumedang",
        "Dasbor pimpinan yang menyatukan data layanan desa dan OPD, disesuaikan dari Command "
        "Center Sumedang dengan anggaran dan SDM Banyuwangi.",
    ),
    (
        "wakepo-sumedang",
        "73.71",
        "Layanan warga satu pintu lewat WhatsApp di Kota Makassar",
        "Satu nomor WhatsApp untuk informasi dan pengaduan warga, diadaptasi dari WAKEPO "
        "Sumedang dan disambungkan ke layanan kelurahan.",
    ),
]


def adapted_practices(curator: User) -> None:
    """Practices that regions adapted from others' (studi tiru), published; idempotent."""
    from lms.practices import services as practices
    from lms.practices.models import Practice

    for origin_slug, region, title, summary in ADAPTATIONS:
        origin = db.session.scalar(select(Practice).where(Practice.slug == origin_slug))
        slug = practices.slugify(title)
        if origin is None or db.session.scalar(select(Practice.id).where(Practice.slug == slug)):
            continue
        practices.create_practice(
            practices.PracticeInput(
                title=title,
                slug=slug,
                region_code=region,
                summary=summary,
                description=summary,
                domain=origin.domain,
                aspect=origin.aspect,
                derived_from_id=origin.id,
            ),
            creator_id=curator.id,
        )
