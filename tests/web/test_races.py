"""Double submits and races are closed in the database (run against PostgreSQL in CI)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.cohorts import services as cohort_services
from lms.cohorts.models import Cohort, Enrolment
from lms.extensions import db as _db
from lms.users import services as user_services


@pytest.fixture
def postgres_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip(
            "needs concurrent writers: runs in the PostgreSQL suite (LMS_TEST_DATABASE_URL)"
        )


def _race(app, first, second):
    """Run `first` up to its flush, start `second` (which must wait on the database), then
    commit `first`; return what each raised (or None)."""
    flushed = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def run_first():
        with app.app_context():
            try:
                first()
                flushed.set()
                threading.Event().wait(0.5)  # let the second writer block on our row
                _db.session.commit()
                outcome["first"] = None
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                flushed.set()
                outcome["first"] = exc
                _db.session.rollback()

    def run_second():
        flushed.wait(5)
        with app.app_context():
            try:
                second()
                _db.session.commit()
                outcome["second"] = None
            except BaseException as exc:  # noqa: BLE001
                outcome["second"] = exc
                _db.session.rollback()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return outcome


def test_concurrent_enrolment_creates_one_row(app, db, postgres_only, make_user, make_cohort):
    participant_id = make_user("participant").id
    cohort_id = make_cohort().id

    def enrol():
        cohort_services.enrol(
            _db.session.get(Cohort, cohort_id), _db.session.get(User, participant_id)
        )

    outcome = _race(app, enrol, enrol)
    assert outcome["first"] is None
    assert isinstance(outcome["second"], cohort_services.CohortError)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1


def test_concurrent_account_creation_with_same_email(app, db, postgres_only):
    def create(name):
        def run():
            user_services.create_user(
                user_services.UserInput(email="same@example.org", name=name, role=Role.MENTOR)
            )

        return run

    outcome = _race(app, create("First"), create("Second"))
    assert outcome["first"] is None
    assert isinstance(outcome["second"], user_services.UserError)
    assert db.session.scalars(select(User.name)).all() == ["First"]


def test_concurrent_quiz_starts_make_one_attempt(
    app, db, postgres_only, make_user, make_cohort, make_course, attach
):
    """Two tabs press Start at once: the enrolment row lock makes the second wait and then
    find the first's attempt, so one attempt exists and the limit is never exceeded."""
    from courses.models import Activity, Module
    from lms import plugins
    from lms.models import utcnow
    from quizzes import services as quiz_services
    from quizzes.models import QuizAttempt

    participant = make_user("participant")
    cohort = make_cohort(participants=[participant])
    question = {
        "key": "q",
        "type": "true_false",
        "config": {"answer": True},
    }
    version = make_course(
        modules=1,
        activities=(("kuis", "quiz", {"kind": "post", "questions": ["q"], "attempts": 1}),),
        questions={1: [question]},
    )
    attach(cohort, version)
    activity_id = db.session.scalar(select(Activity.id).where(Activity.type == "quiz"))
    enrolment_id = db.session.scalar(select(Enrolment.id))
    cohort_id = cohort.id
    seen = []

    def start():
        activity = _db.session.get(Activity, activity_id)
        module = _db.session.get(Module, activity.module_id)
        this_cohort = _db.session.get(Cohort, cohort_id)
        ctx = quiz_services.quiz_context(this_cohort, module, activity, "Asia/Jakarta")
        attempt = quiz_services.start_attempt(
            ctx,
            _db.session.get(Enrolment, enrolment_id),
            plugins.registry().question_types,
            utcnow(),
        )
        _db.session.flush()
        seen.append(attempt.id)

    outcome = _race(app, start, start)
    assert outcome == {"first": None, "second": None}
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    assert len(set(seen)) == 1


def test_two_mentors_saving_one_review_at_once(
    app, db, postgres_only, make_user, make_cohort, make_course, attach
):
    """Both open the grading page before either saves; the first wins, the second gets a
    conflict, and the review holds exactly the first mentor's grade."""
    from assignments import services as assignments
    from assignments.models import Review, Submission
    from courses.models import Activity, Module
    from lms.models import utcnow

    participant = make_user("participant")
    first_mentor, second_mentor = make_user("mentor"), make_user("mentor")
    cohort = make_cohort(mentors=[first_mentor, second_mentor], participants=[participant])
    settings = {"brief": "Tugas", "points": 10}
    attach(cohort, make_course(modules=1, activities=(("tugas", "assignment", settings),)))
    activity = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    enrolment = db.session.scalar(select(Enrolment))
    submission = Submission(
        activity_id=activity.id, enrolment_id=enrolment.id, number=1, text="Jawaban"
    )
    db.session.add(submission)
    db.session.commit()
    ids = (cohort.id, activity.id, submission.id)

    def grade(mentor_id, points):
        def run():
            this_cohort = _db.session.get(Cohort, ids[0])
            this_activity = _db.session.get(Activity, ids[1])
            module = _db.session.get(Module, this_activity.module_id)
            ctx = assignments.context(this_cohort, module, this_activity, "Asia/Jakarta")
            assignments.save_review(
                ctx,
                _db.session.get(Submission, ids[2]),
                assignments.ReviewInput({}, points, "", "grade", None),
                mentor_id,
                utcnow(),
            )

        return run

    outcome = _race(app, grade(first_mentor.id, 8.0), grade(second_mentor.id, 3.0))
    assert outcome["first"] is None
    assert isinstance(outcome["second"], assignments.ReviewConflict)
    review = db.session.scalar(select(Review))
    assert (review.points, review.grader_id) == (8.0, first_mentor.id)


def test_two_authors_saving_one_module_at_once(app, db, postgres_only, make_user, make_course):
    """Both opened revision 1 and press Save together: the revision check in the UPDATE's
    WHERE makes the second wait for the first's row lock and then be refused."""
    from dataclasses import replace

    from courses import services as course_services
    from courses.models import Course, Module

    version = make_course()
    course = db.session.get(Course, version.course_id)
    draft = course_services.start_draft(course)
    db.session.commit()
    module_id = db.session.scalar(
        select(Module.id).where(Module.version_id == draft.id, Module.position == 1)
    )
    base = db.session.get(Module, module_id)
    data = course_services.ModuleInput(
        slug=base.slug,
        title=base.title,
        summary=base.summary,
        objectives=list(base.objectives),
        duration_minutes=base.duration_minutes,
        indicators=list(base.indicators),
        material="",
        unlock_on=None,
        unlock_after=[],
        meeting_minutes=base.meeting_minutes,
        meeting_agenda=list(base.meeting_agenda),
    )

    def save(text):
        def run():
            module = _db.session.get(Module, module_id)
            course_services.update_module(
                _db.session.get(type(draft), draft.id),
                module,
                replace(data, material=text),
                expected_revision=1,
            )

        return run

    outcome = _race(app, save("Teks pertama"), save("Teks kedua"))
    assert outcome["first"] is None
    assert isinstance(outcome["second"], course_services.EditConflict)
    db.session.expire_all()
    saved = db.session.get(Module, module_id)
    assert saved.material == "Teks pertama" and saved.revision == 2


def test_a_double_submitted_module_copy_is_copied_once(
    app, db, postgres_only, make_user, make_course
):
    """The same reuse form sent twice at once: the second waits on the draft's row lock, then
    finds the first copy by its form token and copies nothing."""
    from courses import reuse
    from courses import services as course_services
    from courses.models import Course, CourseVersion, Module

    source = make_course(slug="sumber", modules=1)
    target = make_course(slug="tujuan", modules=1)
    draft = course_services.start_draft(db.session.get(Course, target.course_id))
    db.session.commit()
    module_id = db.session.scalar(select(Module.id).where(Module.version_id == source.id))
    outcomes = []

    def copy():
        result = reuse.copy_module(
            _db.session.get(CourseVersion, draft.id), module_id, token="sekali"
        )
        outcomes.append(result.repeated)

    outcome = _race(app, copy, copy)
    assert outcome == {"first": None, "second": None}
    assert sorted(outcomes) == [False, True]
    count = select(func.count()).where(Module.version_id == draft.id)
    assert db.session.scalar(count) == 2
