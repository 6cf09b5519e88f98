"""Assignment rules: windows, drafts, files, submitting and resubmitting, the grading queue,
reviews with rubrics and late penalties, release, and the audit trail. Services only flush.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from assignments.activity import AssignmentSettings, late_penalty
from assignments.models import (
    AssignmentWindow,
    Review,
    ReviewAudit,
    ReviewState,
    Submission,
    SubmissionDraft,
    SubmissionFile,
    SubmissionStatus,
)
from courses import services as course_services
from courses.models import Activity, Module
from courses.signals import LearningEvent, report_event, result_recorded
from lms import storage
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment, cohort_mentor
from lms.errors import DomainError
from lms.extensions import db
from lms.models import utcnow

FILES = "submissions"
"""The folder of submitted files under the upload folder."""


class AssignmentError(DomainError):
    """An assignment rule was broken; the message says what to do."""


class StaleDraft(AssignmentError):
    """The draft was saved elsewhere since this form was made."""


class ReviewConflict(AssignmentError):
    """Another mentor saved this review first; `current` is what they saved."""

    def __init__(self, message: str, current: Review) -> None:
        super().__init__(message)
        self.current = current


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class AssignmentContext:
    activity: Activity
    module: Module
    cohort: Cohort
    settings: AssignmentSettings
    opens_at: datetime | None
    due_at: datetime | None
    cutoff_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        return self.opens_at is None or now >= self.opens_at

    def is_cut_off(self, now: datetime) -> bool:
        return self.cutoff_at is not None and now >= self.cutoff_at

    def late_days(self, now: datetime) -> int:
        if self.due_at is None or now <= self.due_at:
            return 0
        return math.ceil((now - self.due_at) / timedelta(days=1))


def settings_of(activity: Activity) -> AssignmentSettings:
    return AssignmentSettings.from_config(course_services.decode_settings(activity.config))


def window(
    settings: AssignmentSettings, override: AssignmentWindow | None, timezone: str
) -> tuple[datetime | None, datetime | None, datetime | None]:
    zone = ZoneInfo(timezone)

    def at(day: Any, moment: time) -> datetime | None:
        return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC) if day else None

    opens = at(settings.opens_on, time(0, 0))
    due = at(settings.due_on, time(23, 59, 59))
    cutoff = at(settings.cutoff_on, time(23, 59, 59))
    if override is not None:
        opens = override.opens_at or opens
        due = override.due_at or due
        cutoff = override.cutoff_at or cutoff
    return opens, due, cutoff


def context(cohort: Cohort, module: Module, activity: Activity, timezone: str) -> AssignmentContext:
    settings = settings_of(activity)
    override = db.session.scalar(
        select(AssignmentWindow).where(
            AssignmentWindow.cohort_id == cohort.id,
            AssignmentWindow.module_slug == module.slug,
            AssignmentWindow.activity_key == activity.key,
        )
    )
    return AssignmentContext(
        activity, module, cohort, settings, *window(settings, override, timezone)
    )


# --------------------------------------------------------------------------- reading


def submissions_of(enrolment_id: int, activity_id: int) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.enrolment_id == enrolment_id, Submission.activity_id == activity_id)
            .order_by(Submission.number)
        )
    )


def latest_by_activity(
    activity_ids: Iterable[int], enrolment_id: int | None
) -> dict[int, Submission | None]:
    """The latest submission of the enrolment for each assignment, in one query."""
    ids = list(activity_ids)
    found: dict[int, Submission | None] = {i: None for i in ids}
    if enrolment_id is None or not ids:
        return found
    newest = (
        select(Submission.activity_id, func.max(Submission.number).label("number"))
        .where(Submission.enrolment_id == enrolment_id, Submission.activity_id.in_(ids))
        .group_by(Submission.activity_id)
        .subquery()
    )
    for submission in db.session.scalars(
        select(Submission)
        .join(
            newest,
            and_(
                newest.c.activity_id == Submission.activity_id,
                newest.c.number == Submission.number,
            ),
        )
        .where(Submission.enrolment_id == enrolment_id)
    ):
        found[submission.activity_id] = submission
    return found


def files_of_submissions(submission_ids: Iterable[int]) -> dict[int, list[SubmissionFile]]:
    ids = list(submission_ids)
    found: dict[int, list[SubmissionFile]] = {i: [] for i in ids}
    if ids:
        for row in db.session.scalars(
            select(SubmissionFile)
            .where(SubmissionFile.submission_id.in_(ids))
            .order_by(SubmissionFile.id)
        ):
            found[row.submission_id].append(row)
    return found


def reviews_of(submission_ids: Iterable[int]) -> dict[int, Review]:
    ids = list(submission_ids)
    if not ids:
        return {}
    return {
        r.submission_id: r
        for r in db.session.scalars(select(Review).where(Review.submission_id.in_(ids)))
    }


def draft_for(activity_id: int, enrolment_id: int) -> SubmissionDraft | None:
    return db.session.scalar(
        select(SubmissionDraft).where(
            SubmissionDraft.activity_id == activity_id,
            SubmissionDraft.enrolment_id == enrolment_id,
        )
    )


def draft_files(draft: SubmissionDraft | None) -> list[SubmissionFile]:
    if draft is None:
        return []
    return list(
        db.session.scalars(
            select(SubmissionFile)
            .where(SubmissionFile.draft_id == draft.id)
            .order_by(SubmissionFile.id)
        )
    )


# --------------------------------------------------------------------------- drafts


def check_can_submit(ctx: AssignmentContext, enrolment_id: int, now: datetime) -> None:
    if not ctx.is_open(now):
        raise AssignmentError(_("This assignment is not open yet."))
    if ctx.is_cut_off(now):
        raise AssignmentError(_("The cut-off date has passed: no more work is accepted."))
    submissions = submissions_of(enrolment_id, ctx.activity.id)
    if not submissions:
        return
    latest = submissions[-1]
    if latest.status != SubmissionStatus.RETURNED:
        raise AssignmentError(
            _("Your work was submitted; you can change it only if your mentor returns it.")
        )
    if len(submissions) - 1 >= ctx.settings.resubmissions:
        raise AssignmentError(_("You have used all the resubmissions allowed."))


def _draft(ctx: AssignmentContext, enrolment_id: int) -> SubmissionDraft:
    draft = draft_for(ctx.activity.id, enrolment_id)
    if draft is None:
        draft = SubmissionDraft(activity_id=ctx.activity.id, enrolment_id=enrolment_id, text="")
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:
            draft = draft_for(ctx.activity.id, enrolment_id)
            assert draft is not None
    return draft


def save_draft(
    ctx: AssignmentContext, enrolment: Enrolment, text: str, revision: int | None, now: datetime
) -> SubmissionDraft:
    """Save the draft text; a form made from an older revision is refused (StaleDraft)."""
    check_can_submit(ctx, enrolment.id, now)
    draft = _draft(ctx, enrolment.id)
    if revision is not None and revision != draft.revision:
        raise StaleDraft(
            _(
                "Your draft was changed in another tab or window since this page was opened. "
                "Your text below was not saved; copy what you need, then reload."
            ),
            "text",
        )
    if not ctx.settings.accepts_text and text.strip():
        raise AssignmentError(_("This assignment takes files only."), "text")
    draft.text = text[:200_000]
    draft.revision += 1
    draft.updated_at = now
    db.session.flush()
    return draft


def add_files(
    ctx: AssignmentContext,
    enrolment: Enrolment,
    uploads: Iterable[tuple[str, BinaryIO]],
    now: datetime,
) -> list[SubmissionFile]:
    """Check and attach uploaded files to the draft; all of them or none."""
    if not ctx.settings.accepts_files:
        raise AssignmentError(_("This assignment takes text only."), "files")
    check_can_submit(ctx, enrolment.id, now)
    draft = _draft(ctx, enrolment.id)
    uploads = [(name, stream) for name, stream in uploads if name]
    if not uploads:
        raise AssignmentError(_("Choose a file to upload."), "files")
    existing = len(draft_files(draft))
    if existing + len(uploads) > ctx.settings.max_files:
        raise AssignmentError(
            _("At most %(count)d files can be attached.", count=ctx.settings.max_files), "files"
        )
    added = []
    for name, stream in uploads:
        stored = storage.store(
            stream,
            name,
            kind=FILES,
            allowed=ctx.settings.file_types,
            max_bytes=ctx.settings.max_file_mb * 1024 * 1024,
        )
        row = SubmissionFile(
            draft_id=draft.id,
            stored_name=stored.stored_name,
            original_name=stored.original_name,
            size=stored.size,
            content_type=stored.content_type,
            sha256=stored.sha256,
        )
        db.session.add(row)
        added.append(row)
    draft.revision += 1
    db.session.flush()
    return added


def remove_file(ctx: AssignmentContext, enrolment: Enrolment, file_id: int) -> None:
    draft = draft_for(ctx.activity.id, enrolment.id)
    row = db.session.get(SubmissionFile, file_id)
    if draft is None or row is None or row.draft_id != draft.id:
        raise AssignmentError(_("That file is not in your draft."))
    db.session.delete(row)
    draft.revision += 1
    db.session.flush()


def check_submittable(
    ctx: AssignmentContext, draft: SubmissionDraft | None, files: list[SubmissionFile]
) -> None:
    """Refuse a draft that the assignment's settings do not accept as a submission."""
    if draft is None:
        raise AssignmentError(_("Write your answer or attach a file first."), "text")
    has_text = bool(draft.text.strip())
    settings = ctx.settings
    if settings.submission == "text" and not has_text:
        raise AssignmentError(_("Write your answer before submitting."), "text")
    if settings.submission == "files" and not files:
        raise AssignmentError(_("Attach at least one file before submitting."), "files")
    if not has_text and not files:
        raise AssignmentError(_("Write your answer or attach a file first."), "text")


def submit(
    ctx: AssignmentContext, enrolment: Enrolment, revision: int | None, now: datetime
) -> Submission:
    """Turn the draft into the next submission (a new version; earlier ones stay)."""
    db.session.execute(select(Enrolment.id).where(Enrolment.id == enrolment.id).with_for_update())
    check_can_submit(ctx, enrolment.id, now)
    draft = draft_for(ctx.activity.id, enrolment.id)
    if draft is None:
        raise AssignmentError(_("Write your answer or attach a file first."))
    if revision is not None and revision != draft.revision:
        raise StaleDraft(
            _("Your draft changed since this page was opened; check it and submit again.")
        )
    files = draft_files(draft)
    check_submittable(ctx, draft, files)
    number = (
        db.session.scalar(
            select(func.max(Submission.number)).where(
                Submission.enrolment_id == enrolment.id, Submission.activity_id == ctx.activity.id
            )
        )
        or 0
    ) + 1
    submission = Submission(
        activity_id=ctx.activity.id,
        enrolment_id=enrolment.id,
        number=number,
        text=draft.text,
        submitted_at=now,
        late_days=ctx.late_days(now),
    )
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError as error:
        raise AssignmentError(_("This work was already submitted.")) from error
    for row in files:
        row.submission_id = submission.id
        row.draft_id = None
    draft.revision += 1
    db.session.flush()
    _notify_mentors(ctx, enrolment, submission)
    return submission


def _notify_mentors(ctx: AssignmentContext, enrolment: Enrolment, submission: Submission) -> None:
    from flask import url_for

    from lms.notifications import services as notifications

    mentor_ids = list(
        db.session.scalars(
            select(cohort_mentor.c.user_id).where(cohort_mentor.c.cohort_id == ctx.cohort.id)
        )
    )
    notifications.notify(
        mentor_ids,
        "submission_received",
        {"assignment": ctx.activity.title, "cohort": ctx.cohort.name},
        url_for("assignments.grade", submission_id=submission.id),
    )


# --------------------------------------------------------------------------- grading


def latest_submissions_query(cohort_ids: Any = None) -> Any:
    """Each participant's latest submission per assignment (a subquery of ids), limited to
    the given cohorts so the database groups only their rows."""
    stmt = select(func.max(Submission.id).label("id"))
    if cohort_ids is not None:
        stmt = stmt.join(Enrolment, Enrolment.id == Submission.enrolment_id).where(
            Enrolment.cohort_id.in_(cohort_ids)
        )
    return stmt.group_by(Submission.activity_id, Submission.enrolment_id).subquery()


@dataclass(frozen=True)
class HandedIn:
    """A participant's latest submission of one assignment, with its files."""

    participant: str
    nip: str | None
    submission: Submission
    files: list[SubmissionFile]


def latest_of_cohort(cohort_id: int, activity_id: int) -> list[HandedIn]:
    """Every enrolled participant's latest submission of the assignment, by name, in three
    queries whatever the cohort's size."""
    latest = (
        select(func.max(Submission.id))
        .join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .where(Enrolment.cohort_id == cohort_id, Submission.activity_id == activity_id)
        .group_by(Submission.enrolment_id)
    )
    rows = db.session.execute(
        select(Submission, User.name, User.nip)
        .join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .where(Submission.id.in_(latest))
        .order_by(User.name, Submission.id)
    ).all()
    files = files_of_submissions(row[0].id for row in rows)
    return [HandedIn(name, nip, sub, files.get(sub.id, [])) for sub, name, nip in rows]


def queue(
    cohort_ids: Select | list[int],
    *,
    cohort_id: int | None = None,
    activity_key: str | None = None,
    status: str | None = None,
) -> Select:
    """The grading queue: latest submissions of the given cohorts, oldest first."""
    newest = latest_submissions_query([cohort_id] if cohort_id is not None else cohort_ids)
    stmt = (
        select(Submission)
        .join(newest, newest.c.id == Submission.id)
        .join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .join(Activity, Activity.id == Submission.activity_id)
        .where(Enrolment.cohort_id.in_(cohort_ids))
    )
    if cohort_id is not None:
        stmt = stmt.where(Enrolment.cohort_id == cohort_id)
    if activity_key:
        stmt = stmt.where(Activity.key == activity_key)
    if status:
        stmt = stmt.where(Submission.status == status)
    return stmt.order_by(Submission.submitted_at, Submission.id)


def queue_counts(cohort_ids: Select | list[int], cohort_id: int | None = None) -> dict[str, int]:
    """How many latest submissions are in each state (one GROUP BY)."""
    newest = latest_submissions_query([cohort_id] if cohort_id is not None else cohort_ids)
    stmt = (
        select(Submission.status, func.count())
        .join(newest, newest.c.id == Submission.id)
        .join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .where(Enrolment.cohort_id.in_(cohort_ids))
        .group_by(Submission.status)
    )
    if cohort_id is not None:
        stmt = stmt.where(Enrolment.cohort_id == cohort_id)
    counts = {s.value: 0 for s in SubmissionStatus}
    counts.update(dict(db.session.execute(stmt).all()))
    return counts


def queue_details(
    submissions: list[Submission],
) -> dict[int, tuple[Any, Activity, Module, Cohort, Review | None]]:
    """{submission id: (participant, assignment, module, cohort, review)} for a page, in
    one query."""
    from lms.auth.models import User

    if not submissions:
        return {}
    rows = db.session.execute(
        select(Submission.id, User, Activity, Module, Cohort, Review)
        .join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Activity, Activity.id == Submission.activity_id)
        .join(Module, Module.id == Activity.module_id)
        .outerjoin(Review, Review.submission_id == Submission.id)
        .where(Submission.id.in_([s.id for s in submissions]))
    ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


@dataclass(frozen=True)
class ReviewInput:
    levels: dict[int, int]
    """{criterion index: level index} for a rubric."""
    points: float | None
    """For plain-points assignments."""
    comment: str
    action: str
    """save, return or grade."""
    version: int | None
    """The review version the form was made from (None for a new review)."""


def _snapshot(review: Review) -> dict[str, Any]:
    return {
        "state": review.state,
        "levels": dict(review.levels or {}),
        "raw_points": review.raw_points,
        "points": review.points,
        "comment": review.comment,
        "released": review.released,
    }


def score(settings: AssignmentSettings, data: ReviewInput) -> float:
    if settings.rubric:
        total = 0.0
        for index, criterion in enumerate(settings.rubric):
            level = data.levels.get(index)
            if level is None:
                if data.action == "save":
                    continue
                raise AssignmentError(
                    _("Choose a level for “%(criterion)s”.", criterion=criterion.name),
                    f"criterion-{index}",
                )
            if not 0 <= level < len(criterion.points):
                raise AssignmentError(_("Choose one of the levels."), f"criterion-{index}")
            total += criterion.points[level]
        return total
    if data.points is None:
        if data.action == "save":
            return 0.0
        raise AssignmentError(_("Give the points."), "points")
    if not 0 <= data.points <= settings.points:
        raise AssignmentError(
            _("Give between 0 and %(max)s points.", max=f"{settings.points:g}"), "points"
        )
    return data.points


def save_review(
    ctx: AssignmentContext,
    submission: Submission,
    data: ReviewInput,
    grader_id: int,
    now: datetime,
) -> Review:
    """Save a mentor's review. The second of two mentors saving at once gets ReviewConflict
    (with what the first saved) instead of silently overwriting it."""
    review = db.session.scalar(select(Review).where(Review.submission_id == submission.id))
    if review is not None and data.version != review.version:
        raise ReviewConflict(
            _(
                "Another mentor saved this review while you were working on it. "
                "Their version is shown; your changes were not saved."
            ),
            review,
        )
    if review is None and data.version not in (None, 0):
        raise AssignmentError(_("This review no longer exists; reload the page."))
    if data.action not in ("save", "return", "grade"):
        raise AssignmentError(_("Unknown action."))
    raw = score(ctx.settings, data)
    penalty = late_penalty(raw, submission.late_days, ctx.settings)
    before: dict[str, Any] = {}
    if review is None:
        review = Review(submission_id=submission.id, max_points=ctx.settings.max_points)
        try:
            with db.session.begin_nested():
                db.session.add(review)
        except IntegrityError as error:
            # Another mentor created the review at the same moment.
            current = db.session.scalar(select(Review).where(Review.submission_id == submission.id))
            raise ReviewConflict(
                _("Another mentor saved this review at the same moment; their version is shown."),
                current,
            ) from error
    else:
        before = _snapshot(review)
    review.grader_id = grader_id
    review.levels = {str(k): v for k, v in data.levels.items()}
    review.raw_points = raw
    review.penalty_points = penalty
    review.points = round(raw - penalty, 4)
    review.max_points = ctx.settings.max_points
    review.comment = data.comment.strip()[:20000]
    review.updated_at = now
    state = {"save": ReviewState.DRAFT, "return": ReviewState.RETURNED, "grade": ReviewState.GRADED}
    review.state = state[data.action].value
    submission.status = {
        "save": SubmissionStatus.IN_REVIEW,
        "return": SubmissionStatus.RETURNED,
        "grade": SubmissionStatus.GRADED,
    }[data.action].value
    if data.action == "return":
        # Work sent back must carry its feedback, so returning releases the review.
        review.released = True
        review.released_at = now
    elif data.action == "grade" and review.released:
        review.released = False  # a changed grade waits for its own release
    try:
        db.session.flush()
    except StaleDataError as error:
        db.session.rollback()
        current = db.session.scalar(select(Review).where(Review.submission_id == submission.id))
        raise ReviewConflict(
            _("Another mentor saved this review at the same moment; their version is shown."),
            current,
        ) from error
    db.session.add(
        ReviewAudit(
            review_id=review.id,
            actor_id=grader_id,
            action=data.action,
            before=before,
            after=_snapshot(review),
            at=now,
        )
    )
    db.session.flush()
    # A new grade takes the released one back until it is released itself.
    course_services.results_changed([submission.enrolment_id])
    if data.action == "return":
        _notify_participant(submission, "work_returned", ctx)
    return review


def release(ctx: AssignmentContext, reviews: Iterable[Review], actor_id: int, now: datetime) -> int:
    """Release graded reviews to their participants; records completion at the pass mark."""
    count = 0
    for review in reviews:
        if review.state != ReviewState.GRADED or review.released:
            continue
        before = _snapshot(review)
        review.released = True
        review.released_at = now
        db.session.flush()
        db.session.add(
            ReviewAudit(
                review_id=review.id,
                actor_id=actor_id,
                action="release",
                before=before,
                after=_snapshot(review),
                at=now,
            )
        )
        submission = db.session.get(Submission, review.submission_id)
        update_completion(ctx, submission.enrolment_id)
        _report_release(ctx, submission.enrolment_id, review)
        _notify_participant(submission, "feedback_released", ctx)
        count += 1
    db.session.flush()
    return count


def _report_release(ctx: AssignmentContext, enrolment_id: int, review: Review) -> None:
    """A released grade is a result (grade passback hears of it); one below the pass mark
    is "failed" (a pass completes the assignment and is told by the completion)."""
    result_recorded.send(None, enrolment_id=enrolment_id, activity_id=ctx.activity.id)
    if not review.max_points:
        return
    percent = 100 * (review.points or 0) / review.max_points
    if percent + 1e-9 < ctx.settings.pass_percent:
        report_event(
            LearningEvent(
                "failed", enrolment_id, ctx.activity.id, percent=round(percent, 2), success=False
            )
        )


def graded_unreleased(ctx: AssignmentContext) -> list[Review]:
    newest = latest_submissions_query([ctx.cohort.id])
    return list(
        db.session.scalars(
            select(Review)
            .join(Submission, Submission.id == Review.submission_id)
            .join(newest, newest.c.id == Submission.id)
            .join(Enrolment, Enrolment.id == Submission.enrolment_id)
            .where(
                Enrolment.cohort_id == ctx.cohort.id,
                Submission.activity_id == ctx.activity.id,
                Review.state == ReviewState.GRADED.value,
                Review.released.is_(False),
            )
        )
    )


def update_completion(ctx: AssignmentContext, enrolment_id: int) -> None:
    """Complete at a released grade of at least the pass mark on the latest submission."""
    submissions = submissions_of(enrolment_id, ctx.activity.id)
    latest = submissions[-1] if submissions else None
    review = reviews_of([latest.id]).get(latest.id) if latest else None
    passed = (
        review is not None
        and review.released
        and review.state == ReviewState.GRADED
        and review.max_points > 0
        and 100 * (review.points or 0) / review.max_points + 1e-9 >= ctx.settings.pass_percent
    )
    if passed:
        course_services.record_completion(enrolment_id, ctx.activity.id, "assignment")
    else:
        course_services.withdraw_completion([enrolment_id], [ctx.activity.id], "assignment")


def _notify_participant(submission: Submission, kind: str, ctx: AssignmentContext) -> None:
    from flask import url_for

    from lms.notifications import services as notifications

    user_id = db.session.scalar(
        select(Enrolment.user_id).where(Enrolment.id == submission.enrolment_id)
    )
    notifications.notify(
        [user_id],
        kind,
        {"assignment": ctx.activity.title},
        url_for("assignments.assignment", cohort_id=ctx.cohort.id, activity_id=ctx.activity.id),
    )


def audit_of(review: Review | None) -> list[ReviewAudit]:
    if review is None:
        return []
    return list(
        db.session.scalars(
            select(ReviewAudit).where(ReviewAudit.review_id == review.id).order_by(ReviewAudit.at)
        )
    )


# --------------------------------------------------------------------------- studi tiru


def passed_review(ctx: AssignmentContext, submission: Submission) -> Review | None:
    """The submission's released, passing grade, if it has one."""
    review = reviews_of([submission.id]).get(submission.id)
    if (
        review is None
        or not review.released
        or review.state != ReviewState.GRADED
        or not review.max_points
        or 100 * (review.points or 0) / review.max_points + 1e-9 < ctx.settings.pass_percent
    ):
        return None
    return review


def propose_practice(
    ctx: AssignmentContext,
    enrolment: Enrolment,
    submission: Submission,
    *,
    title: str,
    summary: str,
    derived_from_slug: str | None,
    consent: bool,
) -> Any:
    """Offer accepted work to the catalog as a new practice (proposed until a curator
    approves it), recording which practice it adapted."""
    from lms.practices import services as practices
    from lms.practices.models import Practice

    if not consent:
        raise AssignmentError(
            _("Tick the box to agree that your work is shared in the catalog."), "consent"
        )
    if submission.enrolment_id != enrolment.id or passed_review(ctx, submission) is None:
        raise AssignmentError(_("Only work that passed can be proposed as a practice."))
    if db.session.scalar(select(Practice.id).where(Practice.source_submission_id == submission.id)):
        raise AssignmentError(_("This work was already proposed."))
    origin = None
    if derived_from_slug:
        if derived_from_slug not in ctx.settings.practices:
            raise AssignmentError(_("Choose one of the practices of this assignment."), "origin")
        origin = db.session.scalar(select(Practice.id).where(Practice.slug == derived_from_slug))
    practice = practices.propose_from_submission(
        title=title,
        summary=summary,
        description=submission.text,
        region_code=ctx.cohort.region_code,
        indicators=list(ctx.module.indicators),
        derived_from_id=origin,
        submission_id=submission.id,
        proposer_id=enrolment.user_id,
    )
    practice.consent_at = utcnow()
    return practice


def set_window(
    cohort: Cohort,
    module: Module,
    activity: Activity,
    opens_at: datetime | None,
    due_at: datetime | None,
    cutoff_at: datetime | None,
) -> None:
    """A cohort's own open, due and cut-off times for one assignment."""
    present = [t for t in (opens_at, due_at, cutoff_at) if t is not None]
    if present != sorted(present):
        raise AssignmentError(_("The times must run: opens, due, cut-off."), "cutoff_at")
    row = db.session.scalar(
        select(AssignmentWindow).where(
            AssignmentWindow.cohort_id == cohort.id,
            AssignmentWindow.module_slug == module.slug,
            AssignmentWindow.activity_key == activity.key,
        )
    )
    if row is None:
        row = AssignmentWindow(
            cohort_id=cohort.id, module_slug=module.slug, activity_key=activity.key
        )
        db.session.add(row)
    row.opens_at, row.due_at, row.cutoff_at = opens_at, due_at, cutoff_at
    db.session.flush()
