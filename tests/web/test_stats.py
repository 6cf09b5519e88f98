"""Maintained dashboard statistics: after any sequence of events the rows kept in the same
transaction equal a fresh `lms stats rebuild`; the region and national dashboards read them
with a fixed number of statements; the national weekly trend follows the completions."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from courses import contract
from courses import package as pkg
from courses import services as course_services
from courses.models import Activity, ActivityCompletion, Module
from lms.auth.models import User
from lms.cohorts import services as cohorts
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.tracking import stats
from lms.tracking.models import AreaStats, CohortStats, CohortWeekStats
from tests.conftest import course_package
from tests.web.test_assignments import RUBRIC
from tests.web.test_discussion_activity import RUBRIC as DISCUSSION_RUBRIC
from tests.web.test_discussion_activity import SETTINGS
from tests.web.test_races import postgres_only  # noqa: F401 - a fixture

ACTIVITIES = (
    ("pre-test", "quiz", {"kind": "pre", "draw": 1}),
    ("bacaan", "reading"),
    ("post-test", "quiz", {"kind": "post", "draw": 1, "pass_percent": 70}),
    ("tugas", "assignment", {"brief": "Tugas", "rubric": RUBRIC}),
    ("diskusi", "discussion", {**SETTINGS, "rubric": DISCUSSION_RUBRIC}),
)


def _version(db):
    from tests.web.test_quizzes import _choice

    weights = (("pre", 0), ("practice", 0), ("post", 40), ("assignment", 40), ("discussion", 20))
    package = replace(
        course_package(
            slug="kursus-statistik",
            modules=2,
            activities=ACTIVITIES,
            questions={n: [_choice(f"m{n}-a"), _choice(f"m{n}-b")] for n in (1, 2)},
        ),
        grading=pkg.GradingWeights(pass_percent=60, weights=weights),
    )
    version = course_services.import_package(package).version
    db.session.commit()
    return version


def _activities(db, version):
    rows = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version.id)
        .order_by(Module.position, Activity.position)
    ).all()
    return [(a, m) for a, m in rows]


def _rounded(snapshot):
    return {
        name: [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
        for name, rows in snapshot.items()
    }


class World:
    """Plays random events through the services, committing like a request would."""

    def __init__(self, db, make_user, make_cohort, version, rng):
        self.db, self.make_user, self.rng = db, make_user, rng
        self.mentor = make_user("mentor")
        self.cohorts = []
        for code in ("32.11", "35.10"):
            people = [make_user("participant", region=code) for _ in range(3)]
            cohort = make_cohort(code, mentors=[self.mentor], participants=people)
            course_services.attach_cohort(db.session.get(Cohort, cohort.id), version)
            db.session.commit()
            self.cohorts.append(cohort.id)
        self.activities = _activities(db, version)
        self.attempts: dict[tuple[int, int], int] = {}

    def enrolments(self, *, active=True):
        query = select(Enrolment).where(Enrolment.cohort_id.in_(self.cohorts))
        if active:
            query = query.where(Enrolment.status != EnrolmentStatus.WITHDRAWN.value)
        return list(self.db.session.scalars(query.order_by(Enrolment.id)))

    def of_type(self, type_name, key=None):
        return [
            (a, m)
            for a, m in self.activities
            if a.type == type_name and (key is None or a.key == key)
        ]

    def cohort(self, enrolment):
        return self.db.session.get(Cohort, enrolment.cohort_id)

    # ---------------------------------------------------------------- events

    def enrol(self):
        cohort = self.db.session.get(Cohort, self.rng.choice(self.cohorts))
        person = self.make_user("participant", region=cohort.region_code)
        cohorts.enrol(cohort, person)

    def withdraw(self):
        people = self.enrolments()
        if people:
            cohorts.withdraw(self.rng.choice(people))

    def come_back(self):
        gone = [e for e in self.enrolments(active=False) if e.status == "withdrawn"]
        if gone:
            enrolment = self.rng.choice(gone)
            cohorts.enrol(self.cohort(enrolment), self.db.session.get(User, enrolment.user_id))

    def quiz(self):
        from quizzes import services as quizzes
        from quizzes.models import AttemptStatus, QuizAttempt

        enrolment = self.rng.choice(self.enrolments())
        activity, _module = self.rng.choice(self.of_type("quiz"))
        number = self.attempts.get((enrolment.id, activity.id), 0) + 1
        self.attempts[(enrolment.id, activity.id)] = number
        when = datetime.now(UTC) - timedelta(days=self.rng.randrange(0, 40))
        self.db.session.add(
            QuizAttempt(
                activity_id=activity.id,
                enrolment_id=enrolment.id,
                number=number,
                seed=f"s{number}",
                question_ids=[],
                started_at=when,
                submitted_at=when,
                status=AttemptStatus.SUBMITTED.value,
                score=float(self.rng.choice((0, 1, 2))),
                max_score=2.0,
            )
        )
        self.db.session.flush()
        quizzes.update_completion(activity, quizzes.settings_of(activity), enrolment.id)

    def assignment(self):
        from assignments import services as assignments

        enrolment = self.rng.choice(self.enrolments())
        activity, module = self.rng.choice(self.of_type("assignment"))
        ctx = assignments.context(self.cohort(enrolment), module, activity, "Asia/Jakarta")
        now = datetime.now(UTC)
        try:  # a first submission, or a resubmission of returned work
            assignments.save_draft(ctx, enrolment, "Rencana kerja SPBE daerah kami.", None, now)
        except assignments.AssignmentError:
            return self.regrade()
        submission = assignments.submit(ctx, enrolment, None, now)
        levels = {i: self.rng.randrange(0, 3) for i in range(len(ctx.settings.rubric))}
        action = "return" if self.rng.random() < 0.2 else "grade"
        review = assignments.save_review(
            ctx,
            submission,
            assignments.ReviewInput(
                levels=levels, points=None, comment="Baik.", action=action, version=None
            ),
            self.mentor.id,
            now,
        )
        if action == "grade" and self.rng.random() < 0.7:
            assignments.release(ctx, [review], self.mentor.id, now)

    def regrade(self):
        """A released review graded again: the grade is taken back until released."""
        from assignments import services as assignments
        from assignments.models import Review, Submission

        found = self.db.session.execute(
            select(Submission, Review)
            .join(Review, Review.submission_id == Submission.id)
            .where(Review.released.is_(True))
            .order_by(Submission.id)
        ).all()
        if not found:
            return
        submission, review = self.rng.choice(found)
        enrolment = self.db.session.get(Enrolment, submission.enrolment_id)
        activity = self.db.session.get(Activity, submission.activity_id)
        module = self.db.session.get(Module, activity.module_id)
        ctx = assignments.context(self.cohort(enrolment), module, activity, "Asia/Jakarta")
        assignments.save_review(
            ctx,
            submission,
            assignments.ReviewInput(
                levels={i: 0 for i in range(len(ctx.settings.rubric))},
                points=None,
                comment="Dinilai ulang.",
                action="grade",
                version=review.version,
            ),
            self.mentor.id,
            datetime.now(UTC),
        )

    def reading(self):
        enrolment = self.rng.choice(self.enrolments())
        activity, _module = self.rng.choice(self.of_type("reading"))
        course_services.record_completion(enrolment.id, activity.id, "view")
        self.db.session.flush()
        # an earlier day, so that days and weeks differ (through the ORM, as any edit)
        done = self.db.session.scalar(
            select(ActivityCompletion).where(
                ActivityCompletion.enrolment_id == enrolment.id,
                ActivityCompletion.activity_id == activity.id,
            )
        )
        done.completed_at = datetime.now(UTC) - timedelta(days=self.rng.randrange(0, 60))

    def plugin_result(self):
        """A graded discussion (an activity-type plugin) reports through the contract."""
        enrolment = self.rng.choice(self.enrolments())
        activity, _module = self.rng.choice(self.of_type("discussion"))
        contract.report_result(
            enrolment.id,
            activity.id,
            percent=float(self.rng.choice((20, 55, 80, 100))),
            state="graded",
            complete_when="graded",
        )


EVENTS = (
    "enrol",
    "withdraw",
    "come_back",
    "quiz",
    "quiz",
    "quiz",
    "assignment",
    "assignment",
    "regrade",
    "reading",
    "reading",
    "plugin_result",
)


@pytest.mark.parametrize("seed", [1, 2])
def test_maintained_statistics_equal_a_rebuild_after_random_events(
    db, make_user, make_cohort, seed
):
    rng = random.Random(seed)
    world = World(db, make_user, make_cohort, _version(db), rng)
    played = []
    for step in range(60):
        # mostly one event per transaction (a request), sometimes several in one
        for _ in range(1 if rng.random() < 0.8 else 3):
            event = rng.choice(EVENTS)
            getattr(world, event)()
            played.append(event)
        db.session.commit()
        if step % 20 == 19:
            maintained = _rounded(stats.snapshot())
            stats.rebuild()
            db.session.commit()
            assert _rounded(stats.snapshot()) == maintained, f"after {played}"
    # Not vacuous: every kind of figure was exercised.
    snapshot = stats.snapshot()
    rows = list(db.session.scalars(select(CohortStats)))
    assert len(rows) == 2
    assert sum(r.enrolled for r in rows) >= 6
    assert sum(r.pre_n for r in rows) and sum(r.post_n for r in rows)
    assert sum(r.gain_loss + r.gain_low + r.gain_medium + r.gain_high for r in rows)
    categories = {row[1] for row in snapshot["stats_cohort_category"]}
    assert {"pre", "post", "assignment", "discussion"} <= categories
    assert len(snapshot["stats_cohort_week"]) > 2 and snapshot["stats_cohort_day"]
    assert "withdraw" in played and "regrade" in played
    # The roll-ups were compared too, and hold the cohorts' sums: two regions in two provinces.
    nation = db.session.get(AreaStats, ("nation", ""))
    assert (nation.regions, nation.cohorts) == (2, 2)
    assert nation.enrolled == sum(r.enrolled for r in rows)
    assert nation.post_n == sum(r.post_n for r in rows)
    provinces = db.session.scalars(select(AreaStats).where(AreaStats.level == "province")).all()
    assert sorted(p.code for p in provinces) == ["32", "35"]
    assert sum(p.completion_sum for p in provinces) == pytest.approx(
        sum(r.completion_sum for r in rows)
    )
    weeks = snapshot["stats_area_week"]
    assert {w[0] for w in weeks} == {"nation", "province"}
    assert sum(w[3] for w in weeks if w[0] == "nation") == sum(
        w[2] for w in snapshot["stats_cohort_week"]
    )
    assert snapshot["stats_area_day"]


def test_an_edit_past_the_hooks_is_caught_by_the_comparison(db, make_user, make_cohort):
    """The comparison can fail: a completion deleted behind the ORM's and the engine's back
    leaves the maintained rows stale until a rebuild."""
    from sqlalchemy import delete

    world = World(db, make_user, make_cohort, _version(db), random.Random(3))
    for _ in range(4):
        world.reading()
        db.session.commit()
    db.session.execute(delete(ActivityCompletion))
    db.session.commit()
    maintained = _rounded(stats.snapshot())
    stats.rebuild()
    db.session.commit()
    assert _rounded(stats.snapshot()) != maintained


def test_stats_rebuild_command_reports_progress(app, db, make_user, make_cohort):
    world = World(db, make_user, make_cohort, _version(db), random.Random(4))
    for _ in range(5):
        world.quiz()
        db.session.commit()
    maintained = _rounded(stats.snapshot())
    db.session.execute(CohortWeekStats.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the statistics of 2 cohorts" in result.output
    assert "Cohorts" in result.stderr  # the progress bar
    db.session.expire_all()
    assert _rounded(stats.snapshot()) == maintained


def _complete(db, enrolment_id, activity_id, at):
    course_services.record_completion(enrolment_id, activity_id, "view")
    db.session.flush()
    done = db.session.scalar(
        select(ActivityCompletion).where(
            ActivityCompletion.enrolment_id == enrolment_id,
            ActivityCompletion.activity_id == activity_id,
        )
    )
    done.completed_at = at


def test_the_weekly_trend_follows_completions_and_post_tests(
    db, client, login, make_user, make_cohort
):
    from lms.tracking import national
    from quizzes import services as quizzes
    from quizzes.models import AttemptStatus, QuizAttempt

    world = World(db, make_user, make_cohort, _version(db), random.Random(5))
    (first, second, *_rest) = world.enrolments()
    readings = [a for a, _m in world.of_type("reading")]
    now = datetime.now(UTC)
    three_weeks_ago = now - timedelta(weeks=3)
    _complete(db, first.id, readings[0].id, three_weeks_ago)
    _complete(db, second.id, readings[0].id, three_weeks_ago)
    _complete(db, first.id, readings[1].id, now)
    post = [a for a, _m in world.of_type("quiz", "post-test")][0]
    db.session.add(
        QuizAttempt(
            activity_id=post.id,
            enrolment_id=first.id,
            number=1,
            seed="s",
            question_ids=[],
            started_at=now,
            submitted_at=now,
            status=AttemptStatus.SUBMITTED.value,
            score=2.0,
            max_score=2.0,
        )
    )
    db.session.flush()
    quizzes.update_completion(post, quizzes.settings_of(post), first.id)
    db.session.commit()

    points = national.weekly_trend(now=now)
    assert len(points) == 12
    # 2 cohorts × 3 participants × 10 activities = 60; two done three weeks ago, two now
    by_offset = {11 - i: p for i, p in enumerate(points)}
    assert by_offset[3].completions == 2 and by_offset[3].completion == pytest.approx(200 / 60)
    assert by_offset[1].completion == pytest.approx(200 / 60)  # cumulative
    assert by_offset[0].completions == 2 and by_offset[0].completion == pytest.approx(400 / 60)
    assert by_offset[1].post is None and by_offset[0].post == pytest.approx(100.0)
    assert by_offset[4].completion == 0

    login(make_user("admin"))
    page = client.get("/admin/dashboard").get_data(as_text=True)
    chart = page.split('data-testid="weekly-trend"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in chart and "<polyline" in chart
    table = page.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    last = table.split("<tr>")[-1]
    assert points[-1].label in last and "7%" in last and "100%" in last


def test_region_dashboard_statements_do_not_grow_with_the_data(
    db, client, login, make_user, make_cohort, count_queries
):
    world = World(db, make_user, make_cohort, _version(db), random.Random(6))
    admin = make_user("admin")
    counts = []
    for events in (2, 30):
        for _ in range(events):
            getattr(world, world.rng.choice(("enrol", "quiz", "assignment", "reading")))()
            db.session.commit()
        login(admin)
        for url in ("/regions/32.11/dashboard", "/admin/dashboard"):
            client.get(url)
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            counts.append((url, counted.n))
        client.post_form("/logout")
    assert counts[:2] == counts[2:]


def test_the_national_table_pages_while_totals_and_exports_take_every_region(
    db, client, login, make_user, make_cohort, monkeypatch
):
    from lms.tracking import views

    World(db, make_user, make_cohort, _version(db), random.Random(7))  # 32.11 and 35.10
    monkeypatch.setattr(views, "PER_PAGE", 1)
    login(make_user("admin"))
    first = client.get("/admin/dashboard?sort=name").get_data(as_text=True)
    assert first.count('data-testid="figures-row"') == 1
    assert "2 daerah dengan angkatan · 6 peserta" in first  # totals over both regions
    assert 'rel="next"' in first and "page=2" in first
    second = client.get("/admin/dashboard?sort=name&page=2").get_data(as_text=True)
    assert second.count('data-testid="figures-row"') == 1
    assert 'rel="prev"' in second and 'rel="next"' not in second
    rows = [
        first.split('data-testid="figures-row"')[1],
        second.split('data-testid="figures-row"')[1],
    ]
    assert "Sumedang" in rows[1] and "Banyuwangi" in rows[0]
    csv = client.get("/admin/dashboard?format=csv").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 3  # header + both regions


def _enrol_at_once(app, db, monkeypatch, first, second):
    """Enrol two (cohort id, user id) pairs in two threads: the first transaction holds
    itself open for a second after refreshing the statistics, while the second goes on.
    Returns the errors either raised."""
    import threading
    import time

    original = stats.refresh
    refreshed = threading.Event()

    def slow_refresh(*args, **kwargs):
        original(*args, **kwargs)
        if threading.current_thread().name == "first":
            refreshed.set()
            time.sleep(1.0)  # hold the transaction open after refreshing

    monkeypatch.setattr(stats, "refresh", slow_refresh)
    errors = []

    def enrol(cohort_id, user_id):
        try:
            with app.app_context():
                if threading.current_thread().name == "second":
                    refreshed.wait(10)
                cohorts.enrol(db.session.get(Cohort, cohort_id), db.session.get(User, user_id))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [
        threading.Thread(target=enrol, args=first, name="first"),
        threading.Thread(target=enrol, args=second, name="second"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.setattr(stats, "refresh", original)
    db.session.expire_all()
    return errors


@pytest.mark.usefixtures("postgres_only")
def test_two_transactions_refreshing_one_cohort_take_turns(
    app, db, make_user, make_cohort, monkeypatch
):
    """While one transaction has refreshed a cohort but not committed, a second one that
    changes the same cohort waits, then counts both changes (PostgreSQL, real concurrency)."""
    version = _version(db)
    cohort = make_cohort("32.11", participants=[make_user("participant", region="32.11")])
    course_services.attach_cohort(db.session.get(Cohort, cohort.id), version)
    first, second = (make_user("participant", region="32.11") for _ in range(2))
    db.session.commit()
    assert _enrol_at_once(app, db, monkeypatch, (cohort.id, first.id), (cohort.id, second.id)) == []
    assert db.session.get(CohortStats, cohort.id).enrolled == 3
    maintained = _rounded(stats.snapshot())
    stats.rebuild()
    db.session.commit()
    assert _rounded(stats.snapshot()) == maintained


@pytest.mark.usefixtures("postgres_only")
def test_two_cohorts_of_one_province_changed_at_once_both_count_in_its_totals(
    app, db, make_user, make_cohort, monkeypatch
):
    """Two transactions change two cohorts in two regions of one province at the same time:
    the province's and the nation's rows count both (one refresh at a time: without the
    lock, the second would miss the first's region or fail on the province's row)."""
    version = _version(db)
    ids = []
    for region in ("32.11", "32.04"):
        cohort = make_cohort(region, participants=[make_user("participant", region=region)])
        course_services.attach_cohort(db.session.get(Cohort, cohort.id), version)
        ids.append((cohort.id, make_user("participant", region=region).id))
    db.session.commit()
    assert _enrol_at_once(app, db, monkeypatch, *ids) == []
    assert db.session.get(AreaStats, ("region", "32.04")).enrolled == 2
    assert db.session.get(AreaStats, ("region", "32.11")).enrolled == 2
    assert db.session.get(AreaStats, ("province", "32")).enrolled == 4
    nation = db.session.get(AreaStats, ("nation", ""))
    assert (nation.enrolled, nation.regions, nation.cohorts) == (4, 2, 2)
