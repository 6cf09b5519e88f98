"""Course grade and at-risk rules, pinned through the pages people read (issue 18): the
participant's gradebook (/learn/<cohort>/gradebook), the cohort dashboard and its CSV
exports. The tests set up the recorded facts (attempts, submissions, reviews, completions,
attendance) as rows and read only the pages, so they hold whatever the services look like
inside. Every number is worked out in the comments.

Course weights are the defaults: pass mark 60 %, post-tests 40 %, assignments 60 %, pre-tests
0 %; at-risk: 2 missed meetings, 7 days overdue, a failed post-test, 14 days inactive.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal_column, select
from sqlalchemy.orm import joinedload

from assignments.models import Review, Submission
from courses.meetings import services as meetings
from courses.meetings.models import AttendanceStatus
from courses.models import Activity, ActivityCompletion, Module
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from quizzes.models import QuizAttempt

QUESTION = {
    "key": "a",
    "type": "single_choice",
    "config": {
        "shuffle": False,
        "options": [{"text": "Benar", "fraction": 1.0}, {"text": "Salah", "fraction": 0.0}],
    },
}


def _now():
    return datetime.now(UTC)


class Class:
    """A cohort of named participants on a one-module (or more) course."""

    def __init__(self, db, make_user, make_cohort, make_course, attach, names, **course):
        self.db = db
        self.mentor = make_user("mentor", name="Mentor Kelas")
        self.users = {name: make_user("participant", name=name) for name in names}
        cohort = make_cohort("32.11", mentors=[self.mentor], participants=list(self.users.values()))
        self.version = make_course(
            questions={1: [QUESTION]} | course.pop("questions", {}), **course
        )
        attach(cohort, self.version)
        self.cohort_id = cohort.id
        self.activities = {
            (a.module_id, a.key): a
            for a in db.session.scalars(select(Activity).order_by(Activity.module_id))
        }
        first_module = min(m for m, _k in self.activities)
        self.first = {k: a.id for (m, k), a in self.activities.items() if m == first_module}
        self.enrolments = {
            name: db.session.scalar(
                select(Enrolment).where(
                    Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id
                )
            )
            for name, user in self.users.items()
        }

    def enrolment(self, name):
        return self.enrolments[name].id

    def quiz(self, name, key, score, max_score=5.0, number=1, **fields):
        self.db.session.add(
            QuizAttempt(
                activity_id=self.first[key],
                enrolment_id=self.enrolment(name),
                number=number,
                status=fields.pop("status", "submitted"),
                seed=f"{name}{number}",
                question_ids=[],
                score=score,
                max_score=max_score,
                submitted_at=_now(),
                **fields,
            )
        )
        self.db.session.flush()

    def submit(self, name, key="tugas", *, number=1, review=None, **fields):
        """A submission; `review` = (state, points, max_points, released)."""
        submission = Submission(
            activity_id=self.first[key],
            enrolment_id=self.enrolment(name),
            number=number,
            text="Laporan.",
            status=review[0] if review else "submitted",
            **fields,
        )
        self.db.session.add(submission)
        self.db.session.flush()
        if review:
            state, points, maximum, released = review
            self.db.session.add(
                Review(
                    submission_id=submission.id,
                    state=state,
                    raw_points=points,
                    points=points,
                    max_points=maximum,
                    released=released,
                    released_at=_now() if released else None,
                )
            )
            self.db.session.flush()

    def complete(self, name, *keys, at=None):
        for key in keys:
            self.db.session.add(
                ActivityCompletion(
                    enrolment_id=self.enrolment(name),
                    activity_id=self.first[key],
                    source="action",
                    completed_at=at or _now(),
                )
            )
        self.db.session.flush()

    def commit(self):
        self.db.session.commit()


def _gradebook(client, login, klass, name):
    login(klass.users[name])
    page = client.get(f"/learn/{klass.cohort_id}/gradebook")
    client.post_form("/logout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    summary = html.split('data-testid="course-grade"', 1)[1].split("</article>", 1)[0]
    return summary, html


def _staff_pages(client, login, klass):
    """The dashboard HTML and the progress and gradebook CSV exports ({name: {column: value}})."""
    login(klass.mentor)
    html = client.get(f"/cohorts/{klass.cohort_id}/dashboard").get_data(as_text=True)
    tables = {}
    for kind in ("progress", "gradebook"):
        response = client.get(f"/cohorts/{klass.cohort_id}/export/{kind}.csv")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        tables[kind] = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    client.post_form("/logout")
    return html, tables


def _risks(html):
    """{participant name: their at-risk text} from the dashboard's at-risk list."""
    if 'data-testid="at-risk"' not in html:
        return {}
    block = html.split('data-testid="at-risk"', 1)[1].split("</article>", 1)[0]
    found = {}
    for item in block.split('data-testid="at-risk-row"')[1:]:
        name = item.split("<strong>", 1)[1].split("</strong>", 1)[0]
        found[name] = item.split("</strong>:", 1)[1].split("</li>", 1)[0].strip()
    return found


# --------------------------------------------------------------------------- course grade

GRADED = (
    ("pre-test", "quiz", {"kind": "pre", "questions": ["a"], "pass_percent": 60}),
    ("bacaan", "reading"),
    ("post-test", "quiz", {"kind": "post", "questions": ["a"], "pass_percent": 70}),
    ("tugas", "assignment", {"brief": "Petakan regulasi.", "points": 10}),
)
ALL = ("pre-test", "bacaan", "post-test", "tugas")
# Weights: post-test 40 %, assignment 60 %, pre-test 0 % (the reading is not graded).
NAMES = (
    "Peserta Sebagian",
    "Peserta Pas",
    "Peserta Belum Lengkap",
    "Peserta Belum Dirilis",
    "Peserta Revisi",
    "Peserta Pra Gagal",
    "Peserta Dikembalikan",
    "Peserta Mundur",
)


@pytest.fixture
def graded(db, make_user, make_cohort, make_course, attach):
    k = Class(db, make_user, make_cohort, make_course, attach, NAMES, modules=1, activities=GRADED)
    # Sebagian: post-test 3/5 = 60 %, nothing else graded.
    #   Course grade 40 × 60 / 100 = 24 %; graded so far 40 × 60 / 40 = 60 % (not / 100 = 24).
    k.quiz("Peserta Sebagian", "post-test", 3.0)
    # Pas: everything complete, post 3.75/5 = 75 %, assignment 5/10 = 50 % released:
    #   (40 × 75 + 60 × 50) / 100 = 60 %, exactly the pass mark: passed (at, not above).
    k.quiz("Peserta Pas", "post-test", 3.75)
    k.submit("Peserta Pas", review=("graded", 5.0, 10.0, True))
    k.complete("Peserta Pas", *ALL)
    # Belum Lengkap: 100 % everywhere but the reading is not done (3 of 4): not passed.
    k.quiz("Peserta Belum Lengkap", "post-test", 5.0)
    k.submit("Peserta Belum Lengkap", review=("graded", 10.0, 10.0, True))
    k.complete("Peserta Belum Lengkap", "pre-test", "post-test", "tugas")
    # Belum Dirilis: post 75 %, assignment graded 10/10 but not released: it does not count.
    #   Course grade 40 × 75 / 100 = 30 % (not 90); graded so far 75 %.
    k.quiz("Peserta Belum Dirilis", "post-test", 3.75)
    k.submit("Peserta Belum Dirilis", review=("graded", 10.0, 10.0, False))
    # Revisi: first submission returned (3/10), the resubmission graded 9/10: 90 % counts.
    #   Course grade 60 × 90 / 100 = 54 %; graded so far 90 %.
    k.submit("Peserta Revisi", number=1, review=("returned", 3.0, 10.0, True))
    k.submit("Peserta Revisi", number=2, review=("graded", 9.0, 10.0, True))
    # Pra Gagal: 0 % on the pre-test, below its own pass mark of 60, is expected before the
    # course (nobody knows it yet): not at risk as a failed post-test would be.
    k.quiz("Peserta Pra Gagal", "pre-test", 0.0)
    # Dikembalikan: the only submission was returned for revision with 3/10: not a grade.
    k.submit("Peserta Dikembalikan", review=("returned", 3.0, 10.0, True))
    # Mundur: withdrawn, with a 100 % post-test: on no staff page.
    k.quiz("Peserta Mundur", "post-test", 5.0)
    k.enrolments["Peserta Mundur"].status = EnrolmentStatus.WITHDRAWN.value
    k.commit()
    return k


@pytest.mark.parametrize(
    ("name", "course_grade", "so_far", "state"),
    [
        ("Peserta Sebagian", "24%", "60%", "Sedang berjalan"),
        ("Peserta Pas", "60%", "60%", "Lulus"),
        ("Peserta Belum Lengkap", "100%", "100%", "Sedang berjalan"),
        ("Peserta Belum Dirilis", "30%", "75%", "Sedang berjalan"),
        ("Peserta Revisi", "54%", "90%", "Sedang berjalan"),
        ("Peserta Pra Gagal", "0%", "—", "Sedang berjalan"),  # a pre-test weighs 0
        ("Peserta Dikembalikan", "0%", "—", "Sedang berjalan"),
    ],
)
def test_the_gradebook_page_shows_the_course_grade_rules(
    client, login, graded, name, course_grade, so_far, state
):
    summary, _ = _gradebook(client, login, graded, name)
    assert f"Nilai kursus: {course_grade}" in summary
    assert f"nilai sejauh ini: {so_far}" in summary
    pass_state = summary.split('data-testid="pass-state"', 1)[1].split("</span>", 1)[0]
    assert pass_state.endswith(state)


def test_the_gradebook_shows_an_unreleased_grade_as_not_graded(client, login, graded):
    _, html = _gradebook(client, login, graded, "Peserta Belum Dirilis")
    lines = html.split('data-testid="grade-line"')[1:]
    assignment = next(line for line in lines if "assignment 1" in line)  # its title
    assert "100%" not in assignment
    assert "—" in assignment


def test_the_dashboard_and_exports_agree_on_the_rules(client, login, graded):
    html, tables = _staff_pages(client, login, graded)
    progress, book = tables["progress"], tables["gradebook"]
    # Withdrawn participants are on no staff page.
    assert "Peserta Mundur" not in html
    assert "Peserta Mundur" not in progress and "Peserta Mundur" not in book
    assert html.count('data-testid="dashboard-row"') == 7
    expected = {
        # name: (graded so far, course grade, passed)
        "Peserta Sebagian": ("60.0", "24.0", "tidak"),
        "Peserta Pas": ("60.0", "60.0", "ya"),
        "Peserta Belum Lengkap": ("100.0", "100.0", "tidak"),
        "Peserta Belum Dirilis": ("75.0", "30.0", "tidak"),
        "Peserta Revisi": ("90.0", "54.0", "tidak"),
        "Peserta Pra Gagal": ("", "0.0", "tidak"),  # nothing with weight graded yet
        "Peserta Dikembalikan": ("", "0.0", "tidak"),
    }
    for name, (so_far, grade, passed) in expected.items():
        assert progress[name]["Nilai sejauh ini (%)"] == so_far, name
        assert progress[name]["Nilai kursus (%)"] == grade, name
        assert book[name]["Nilai kursus (%)"] == grade, name
        assert book[name]["Lulus"] == passed, name
    # The dashboard grid shows the grade so far (an unreleased grade is not in it).
    grid = html.split('data-testid="dashboard-grid"', 1)[1]
    unreleased = grid.split("Peserta Belum Dirilis", 1)[1].split("</tr>", 1)[0]
    assert "<td>75</td>" in unreleased
    assert "<td>90</td>" in grid.split("Peserta Revisi", 1)[1].split("</tr>", 1)[0]


def test_only_a_post_test_below_the_quizs_own_pass_mark_puts_at_risk(client, login, graded):
    html, tables = _staff_pages(client, login, graded)
    risks = _risks(html)
    # (Every quiz of the test course is titled "quiz 1".)
    # Sebagian: 60 % on a post-test whose pass mark is 70 (the course's is 60): at risk.
    # Pas and Belum Dirilis (75 %) are above 70; Pra Gagal's 0 % is a pre-test.
    assert set(risks) == {"Peserta Sebagian"}
    assert risks["Peserta Sebagian"] == "quiz 1 di bawah nilai lulus (60%)"
    assert tables["progress"]["Peserta Pra Gagal"]["Berisiko"] == ""
    assert tables["progress"]["Peserta Sebagian"]["Berisiko"] == (
        "quiz 1 di bawah nilai lulus (60%)"
    )


def test_a_post_test_exactly_at_its_pass_mark_is_not_failed(
    db, client, login, make_user, make_cohort, make_course, attach
):
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Tepat"],
        modules=1,
        activities=GRADED,
    )
    k.quiz("Peserta Tepat", "post-test", 3.5)  # 3.5 / 5 = 70 %, the quiz's pass mark
    k.commit()
    html, _ = _staff_pages(client, login, k)
    assert _risks(html) == {}


@pytest.mark.parametrize(
    ("grading", "grade"),
    [("highest", "90%"), ("average", "63%"), ("first", "40%"), ("last", "60%")],
)
def test_the_quiz_grading_method_decides_the_course_grade(
    db, client, login, make_user, make_cohort, make_course, attach, grading, grade
):
    # Attempts of 5 points: 1 waits for an essay grade (no score), 2 scores 2 (40 %),
    # 3 scores 4.5 (90 %), 4 scores 3 (60 %), 5 is still open with 5 (100 %) saved so far.
    # Only 2-4 count: highest 90, average (40 + 90 + 60) / 3 = 63.3, first 40, last 60.
    # The quiz is the only graded item (weight 100), so the course grade is that result.
    activities = (("post-test", "quiz", {"kind": "post", "questions": ["a"], "grading": grading}),)
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Ulang"],
        modules=1,
        activities=activities,
    )
    k.quiz("Peserta Ulang", "post-test", None, number=1, needs_grading=True)
    k.quiz("Peserta Ulang", "post-test", 2.0, number=2)
    k.quiz("Peserta Ulang", "post-test", 4.5, number=3)
    k.quiz("Peserta Ulang", "post-test", 3.0, number=4)
    k.quiz("Peserta Ulang", "post-test", 5.0, number=5, status="in_progress")
    k.commit()
    summary, _ = _gradebook(client, login, k, "Peserta Ulang")
    assert f"Nilai kursus: {grade}" in summary


def test_the_newest_quiz_attempt_counts_for_last_grading(
    db, client, login, make_user, make_cohort, make_course, attach
):
    activities = (("post-test", "quiz", {"kind": "post", "questions": ["a"], "grading": "last"}),)
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Ulang"],
        modules=1,
        activities=activities,
    )
    k.quiz("Peserta Ulang", "post-test", 5.0, number=1)
    k.quiz("Peserta Ulang", "post-test", 2.0, number=2)  # 40 %: the last counts
    k.commit()
    summary, _ = _gradebook(client, login, k, "Peserta Ulang")
    # The only graded item weighs 100: course grade = 40 %.
    assert "Nilai kursus: 40%" in summary


# --------------------------------------------------------------------------- at risk


def _jakarta_today():
    return _now().astimezone(ZoneInfo("Asia/Jakarta")).date()


def _due_course(days_ago):
    """An assignment due `days_ago` days ago (at the end of that day, Jakarta time)."""
    due = _jakarta_today() - timedelta(days=days_ago)
    settings = {"brief": "Laporan.", "points": 10, "due_on": due}
    return (("tugas", "assignment", settings),)


def test_overdue_only_when_nothing_was_submitted_and_more_than_7_days_after_the_due_time(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Due 8 days ago at 23:59:59: now is 7 days and some hours later: more than 7 days.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Lalai", "Peserta Terlambat"],
        modules=1,
        activities=_due_course(8),
        slug="kursus-tenggat",
    )
    k.submit("Peserta Terlambat", late_days=6)  # submitted late, not yet reviewed
    k.commit()
    risks = _risks(_staff_pages(client, login, k)[0])
    assert risks == {"Peserta Lalai": "“assignment 1” terlambat 7 hari"}


def test_not_overdue_within_7_days_of_the_due_time(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Due 7 days ago at 23:59:59: now is 6 days and some hours later: not yet.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Lalai"],
        modules=1,
        activities=_due_course(7),
        slug="kursus-tenggat",
    )
    k.commit()
    assert _risks(_staff_pages(client, login, k)[0]) == {}


def test_inactive_after_14_days_counting_from_enrolment_for_the_never_active(
    db, client, login, make_user, make_cohort, make_course, attach
):
    activities = (("bacaan", "reading"), ("tugas", "assignment", {"brief": "B", "points": 5}))
    names = ["Peserta Diam", "Peserta Baru", "Peserta Aktif", "Peserta Lama"]
    k = Class(
        db, make_user, make_cohort, make_course, attach, names, modules=1, activities=activities
    )
    now = _now()
    for name, days in (
        ("Peserta Diam", 15),
        ("Peserta Baru", 13),
        ("Peserta Aktif", 30),
        ("Peserta Lama", 30),
    ):
        k.enrolments[name].enrolled_at = now - timedelta(days=days)
    # Diam: enrolled 15 days ago, never did anything: inactive for 15 days.
    # Baru: enrolled 13 days ago, never active: not yet.
    # Aktif: enrolled 30 days ago, read something 3 days ago: active.
    k.complete("Peserta Aktif", "bacaan", at=now - timedelta(days=3))
    # Lama: last submitted 20 days ago: inactive for 20 days.
    k.submit("Peserta Lama", submitted_at=now - timedelta(days=20))
    k.commit()
    risks = _risks(_staff_pages(client, login, k)[0])
    assert risks == {
        "Peserta Diam": "tidak ada aktivitas selama 15 hari",
        "Peserta Lama": "tidak ada aktivitas selama 20 hari",
    }


def test_two_absences_put_at_risk_and_late_counts_as_present(
    db, client, login, make_user, make_cohort, make_course, attach
):
    names = ["Peserta Absen", "Peserta Telat", "Peserta Campur", "Peserta Hadir"]
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        names,
        modules=2,
        activities=(("pertemuan", "meeting"),),
    )
    cohort = db.session.get(Cohort, k.cohort_id)
    meetings.generate_schedule(
        cohort,
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", k.mentor.id),
        "Asia/Jakarta",
    )
    S = AttendanceStatus
    plan = {
        # two meetings: absent twice → at risk; late twice → present; absent + late → 1 missed
        "Peserta Absen": (S.ABSENT, S.ABSENT),
        "Peserta Telat": (S.LATE, S.LATE),
        "Peserta Campur": (S.ABSENT, S.LATE),
        "Peserta Hadir": (S.PRESENT, S.EXCUSED),
    }
    for index, meeting in enumerate(meetings.meetings_of(k.cohort_id)):
        statuses = {k.users[name].id: marks[index] for name, marks in plan.items()}
        meetings.record_attendance(cohort, meeting, statuses, k.mentor.id, {})
    db.session.commit()
    html, _ = _staff_pages(client, login, k)
    assert _risks(html) == {"Peserta Absen": "tidak hadir di 2 pertemuan"}


# --------------------------------------------------------------------------- learning gain

GAIN = (
    ("pre-test", "quiz", {"kind": "pre", "questions": ["a"]}),
    ("pre-ulang", "quiz", {"kind": "pre", "questions": ["a"]}),
    ("bacaan", "reading"),
    ("post-test", "quiz", {"kind": "post", "questions": ["a"]}),
    ("post-ulang", "quiz", {"kind": "post", "questions": ["a"]}),
)


def _my_gain(client, login, klass, name):
    """The cells of the participant's own learning-gain table on their plan, or None."""
    login(klass.users[name])
    page = client.get(f"/learn/{klass.cohort_id}").get_data(as_text=True)
    client.post_form("/logout")
    if 'data-testid="my-gain"' not in page:
        return None
    body = page.split('data-testid="my-gain"', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    return [
        [cell.rsplit(">", 1)[1].strip() for cell in row.split("</td>")[:-1]]
        for row in body.split("</tr>")[:-1]
    ]


def test_my_learning_gain_from_the_first_pre_test_and_the_first_post_test(
    db, client, login, make_user, make_cohort, make_course, attach
):
    names = ["Peserta Naik", "Peserta Sempurna", "Peserta Tanpa Akhir", "Peserta Turun"]
    k = Class(db, make_user, make_cohort, make_course, attach, names, modules=1, activities=GAIN)
    # Naik: first pre-test 2/5 = 40 %, first post-test 4/5 = 80 %: gain (80 − 40) / (100 − 40)
    #   = 0.67. The second pre-test (5/5) and second post-test (1/5) are not the session's
    #   before and after.
    k.quiz("Peserta Naik", "pre-test", 2.0)
    k.quiz("Peserta Naik", "pre-ulang", 5.0)
    k.quiz("Peserta Naik", "post-test", 4.0)
    k.quiz("Peserta Naik", "post-ulang", 1.0)
    # Sempurna: 100 % before: nothing left to learn, no gain (not a division by zero).
    k.quiz("Peserta Sempurna", "pre-test", 5.0)
    k.quiz("Peserta Sempurna", "post-test", 5.0)
    # Tanpa Akhir: 20 % before, no Tes Akhir yet: no gain.
    k.quiz("Peserta Tanpa Akhir", "pre-test", 1.0)
    # Turun: 60 % before, 30 % after (1.5/5): gain (30 − 60) / 40 = −0.75.
    k.quiz("Peserta Turun", "pre-test", 3.0)
    k.quiz("Peserta Turun", "post-test", 1.5)
    k.commit()
    module = db.session.get(Module, db.session.get(Activity, k.first["pre-test"]).module_id)
    session = f"1. {module.title}"
    assert _my_gain(client, login, k, "Peserta Naik") == [[session, "40%", "80%", "0,67"]]
    assert _my_gain(client, login, k, "Peserta Sempurna") == [[session, "100%", "100%", "—"]]
    assert _my_gain(client, login, k, "Peserta Tanpa Akhir") == [[session, "20%", "—", "—"]]
    assert _my_gain(client, login, k, "Peserta Turun") == [[session, "60%", "30%", "-0,75"]]


def test_no_learning_gain_without_a_tes_akhir_in_the_session(
    db, client, login, make_user, make_cohort, make_course, attach
):
    activities = (("pre-test", "quiz", {"kind": "pre", "questions": ["a"]}), ("bacaan", "reading"))
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Awal"],
        modules=1,
        activities=activities,
    )
    k.quiz("Peserta Awal", "pre-test", 2.0)
    k.commit()
    assert _my_gain(client, login, k, "Peserta Awal") is None


# --------------------------------------------------------------------------- overdue, more


def _two_due(first_days_ago, second_days_ago):
    """Two assignments of one session: `tugas` and `tugas-2`, due so many days ago."""
    today = _jakarta_today()
    return (
        (
            "tugas",
            "assignment",
            {"brief": "A.", "points": 10, "due_on": today - timedelta(days=first_days_ago)},
        ),
        (
            "tugas-2",
            "assignment",
            {"brief": "B.", "points": 10, "due_on": today - timedelta(days=second_days_ago)},
        ),
    )


def test_each_assignment_is_checked_even_after_one_not_yet_overdue(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # tugas was due 2 days ago (not yet 7 days late); tugas-2 was due 10 days ago (9 days and
    # some hours later: overdue by 9 days). The first one does not stop the check.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Lalai"],
        modules=1,
        activities=_two_due(2, 10),
        slug="kursus-tenggat",
    )
    k.commit()
    risks = _risks(_staff_pages(client, login, k)[0])
    assert list(risks) == ["Peserta Lalai"]
    assert "terlambat 9 hari" in risks["Peserta Lalai"]
    assert risks["Peserta Lalai"].count("terlambat") == 1


def test_the_cohorts_own_due_date_decides_overdue(
    db, client, login, make_user, make_cohort, make_course, attach
):
    from assignments.models import AssignmentWindow

    # The course says due 10 days ago, but this cohort's own date for tugas is in 3 days:
    # not overdue. tugas-2 keeps the course's date (10 days ago): overdue by 9 days.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Lalai"],
        modules=1,
        activities=_two_due(10, 10),
        slug="kursus-tenggat",
    )
    db.session.add(
        AssignmentWindow(
            cohort_id=k.cohort_id,
            module_slug="01-sesi",
            activity_key="tugas",
            due_at=_now() + timedelta(days=3),
        )
    )
    k.commit()
    risks = _risks(_staff_pages(client, login, k)[0])
    assert risks["Peserta Lalai"].count("terlambat 9 hari") == 1


def test_no_overdue_flag_when_the_course_turns_the_rule_off(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # overdue_days = 0 in the course's [at_risk]: no participant is flagged for an assignment
    # due 10 days ago (not "more than 0 days", nor the default 7).
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Lalai"],
        modules=1,
        activities=_two_due(10, 10),
        slug="kursus-tenggat",
    )
    k.version.at_risk = {"overdue_days": 0}
    k.commit()
    assert _risks(_staff_pages(client, login, k)[0]) == {}


def test_a_post_test_a_point_below_its_pass_mark_is_failed(
    db, client, login, make_user, make_cohort, make_course, attach
):
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Nyaris"],
        modules=1,
        activities=GRADED,
    )
    k.quiz("Peserta Nyaris", "post-test", 3.45)  # 3.45 / 5 = 69 %, below the quiz's 70
    k.commit()
    assert _risks(_staff_pages(client, login, k)[0]) == {
        "Peserta Nyaris": "quiz 1 di bawah nilai lulus (69%)"
    }


# --------------------------------------------------------------------------- dashboard


def test_the_dashboard_lists_its_own_cohort_by_name_with_each_gain(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Participants made in the order Citra, Adi, Budi; listed by name: Adi, Budi, Citra.
    # Adi: pre 2/5 = 40 %, post 4/5 = 80 %: gain 40/60 = 0.67. Budi: pre 60 %, post 30 %:
    # −30/40 = −0.75. Citra: pre only: no gain.
    # A participant of another cohort on the same course is on neither page.
    names = ["Peserta Citra", "Peserta Adi", "Peserta Budi"]
    k = Class(db, make_user, make_cohort, make_course, attach, names, modules=1, activities=GAIN)
    other = make_cohort("32.11", participants=[make_user("participant", name="Peserta Lain")])
    attach(other, k.version)
    for name, pre, post in (
        ("Peserta Adi", 2.0, 4.0),
        ("Peserta Budi", 3.0, 1.5),
        ("Peserta Citra", 1.0, None),
    ):
        k.quiz(name, "pre-test", pre)
        if post is not None:
            k.quiz(name, "post-test", post)
    k.commit()
    html, tables = _staff_pages(client, login, k)
    assert list(tables["progress"]) == ["Peserta Adi", "Peserta Budi", "Peserta Citra"]
    assert list(tables["gradebook"]) == ["Peserta Adi", "Peserta Budi", "Peserta Citra"]
    gains = {n: row["Peningkatan hasil belajar"] for n, row in tables["progress"].items()}
    assert gains == {"Peserta Adi": "0.67", "Peserta Budi": "-0.75", "Peserta Citra": ""}
    assert "Peserta Lain" not in html


def test_completion_per_session_and_over_the_course_and_the_session_means(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Two sessions of five activities each (pre-test, pre-ulang, reading, post-test,
    # post-ulang). Rina completes 1 in session 1 and 4 in session 2: "1/5" and "4/5", course
    # completion 5 / 10 = 50 % (the sessions added, not the last one's 4 / 10 = 40 %).
    # Sinta completes the reading of session 1: "1/5", "0/5", 1 / 10 = 10 % (each counts
    # their own: not the session's 2 completions together).
    # Session 1's Tes Awal results: Rina 2/5 = 40 %, Sinta 4/5 = 80 %: mean 60 %; its Tes
    # Akhir: Rina 3/5 = 60 % only: mean 60 %; the second tests and session 2: no results, "—".
    # Session completion: the mean of each one's share, (20 + 20) / 2 = 20 % and
    # (80 + 0) / 2 = 40 %.
    names = ["Peserta Rina", "Peserta Sinta"]
    k = Class(db, make_user, make_cohort, make_course, attach, names, modules=2, activities=GAIN)
    k.complete("Peserta Rina", "bacaan")
    k.complete("Peserta Sinta", "bacaan")
    second = {key: a.id for (m, key), a in k.activities.items() if a.id not in k.first.values()}
    for key in ("pre-test", "pre-ulang", "bacaan", "post-test"):
        db.session.add(
            ActivityCompletion(
                enrolment_id=k.enrolment("Peserta Rina"),
                activity_id=second[key],
                source="action",
                completed_at=_now(),
            )
        )
    k.quiz("Peserta Rina", "pre-test", 2.0)
    k.quiz("Peserta Sinta", "pre-test", 4.0)
    k.quiz("Peserta Rina", "post-test", 3.0)
    k.commit()
    html, tables = _staff_pages(client, login, k)
    progress = tables["progress"]
    assert [
        (progress[n]["1. Sesi 1"], progress[n]["2. Sesi 2"], progress[n]["Penyelesaian (%)"])
        for n in names
    ] == [("1/5", "4/5", "50.0"), ("1/5", "0/5", "10.0")]
    averages = [
        cell.split("<small>", 1)[1].split("</small>", 1)[0]
        for cell in html.split('data-testid="module-average"')[1:]
    ]
    assert averages == [
        "20% · Tes Awal 60 · Tes Awal — · Tes Akhir 60 · Tes Akhir —",
        "40% · Tes Awal — · Tes Awal — · Tes Akhir — · Tes Akhir —",
    ]


# --------------------------------------------------------------------------- at-risk edges
# (session 8, issue 18: the survivors of the tracking mutation run, each by a worked example)

POST_ONLY = (("post-test", "quiz", {"kind": "post", "questions": ["a"], "pass_percent": 70}),)


def _telling_hook(self, activities, context):
    """A stand-in `risks` of the quiz type that flags every enrolment it is asked about with
    what the engine told it: one cohort ("satu") or several ("banyak"), the enrolment's cohort,
    how many enrolments the call covers and the result it was given."""
    found = {}
    for enrolment_id in context.enrolment_ids:
        result = context.results[(enrolment_id, activities[0].id)]
        text = (
            f"{'satu' if context.cohort is not None else 'banyak'} "
            f"{context.cohort_of(enrolment_id).name} {len(context.enrolment_ids)} {result.percent}"
        )
        found[enrolment_id] = [__import__("courses.contract").contract.Risk("uji", text)]
    return found


def _two_cohorts(db, make_user, make_cohort, make_course, attach):
    """Cohort A: Ani (post-test 3/5 = 60 %) and Ari (nothing); cohort B, same course: Budi."""
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Ani", "Peserta Ari"],
        modules=1,
        activities=POST_ONLY,
    )
    other = make_cohort(
        "32.11", mentors=[k.mentor], participants=[make_user("participant", name="Peserta Budi")]
    )
    attach(other, k.version)
    k.quiz("Peserta Ani", "post-test", 3.0)
    k.commit()
    return k, db.session.get(Cohort, k.cohort_id), db.session.get(Cohort, other.id)


def _risk_texts(found):
    return {row.user.name: [r.text for r in row.risks] for rows in found.values() for row in rows}


@pytest.mark.parametrize("many", [False, True])
def test_each_type_is_asked_per_cohort_unless_it_takes_many_cohorts(
    db, monkeypatch, make_user, make_cohort, make_course, attach, many
):
    from lms.tracking.services import cohort_risks
    from quizzes.plugin import QuizActivity

    monkeypatch.setattr(QuizActivity, "risks", _telling_hook)
    if not many:
        monkeypatch.delattr(QuizActivity, "risks_many_cohorts")  # a type that never says
    k, a, b = _two_cohorts(db, make_user, make_cohort, make_course, attach)
    found = cohort_risks([a, b], datetime.now(UTC))
    if many:
        # One call for the three enrolments of both cohorts, with each one's cohort.
        expected = {
            "Peserta Ani": [f"banyak {a.name} 3 60.0"],
            "Peserta Ari": [f"banyak {a.name} 3 None"],
            "Peserta Budi": [f"banyak {b.name} 3 None"],
        }
    else:
        # One call per cohort: A's two enrolments, then B's one, each with its cohort.
        expected = {
            "Peserta Ani": [f"satu {a.name} 2 60.0"],
            "Peserta Ari": [f"satu {a.name} 2 None"],
            "Peserta Budi": [f"satu {b.name} 1 None"],
        }
    assert _risk_texts(found) == expected


@pytest.mark.parametrize("many", [False, True])
def test_a_single_cohorts_dashboard_asks_each_type_about_that_cohort(
    db, client, login, monkeypatch, make_user, make_cohort, make_course, attach, many
):
    from quizzes.plugin import QuizActivity

    monkeypatch.setattr(QuizActivity, "risks", _telling_hook)
    if not many:
        monkeypatch.delattr(QuizActivity, "risks_many_cohorts")
    k, a, _b = _two_cohorts(db, make_user, make_cohort, make_course, attach)
    # The dashboard of A alone: one call about A (its cohort given, no mapping), whether or
    # not the type could take several cohorts.
    assert _risks(_staff_pages(client, login, k)[0]) == {
        "Peserta Ani": f"satu {a.name} 2 60.0",
        "Peserta Ari": f"satu {a.name} 2 None",
    }


def test_a_graded_type_without_a_risks_hook_is_passed_over_quietly(
    db, client, login, monkeypatch, caplog, make_user, make_cohort, make_course, attach
):
    from quizzes.plugin import QuizActivity

    # The quiz type (first in the course) has no `risks`: nothing is asked of it, no error is
    # logged, and the assignment after it is still checked: tugas due 10 days ago, nothing
    # submitted, overdue by 9 days (and some hours).
    monkeypatch.delattr(QuizActivity, "risks")
    monkeypatch.delattr(QuizActivity, "last_activity_query")  # nor a last-activity query
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Lalai"],
        modules=1,
        activities=POST_ONLY + _two_due(10, 2)[:1],
        slug="kursus-tanpa-hook",
    )
    k.quiz("Peserta Lalai", "post-test", 0.0)  # 0 % under the 70 % mark: nobody asks
    k.commit()
    caplog.set_level("ERROR")
    risks = _risks(_staff_pages(client, login, k)[0])
    assert list(risks) == ["Peserta Lalai"]
    assert "terlambat 9 hari" in risks["Peserta Lalai"]
    assert "nilai lulus" not in risks["Peserta Lalai"]
    assert not [r for r in caplog.records if "failed in" in r.getMessage()]


def test_no_flags_when_the_course_turns_the_meeting_and_inactivity_rules_off(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # missed_meetings = 0 and inactive_days = 0: a participant absent from the one meeting
    # and enrolled 30 days ago without any activity is flagged by neither rule (with the
    # defaults, 2 meetings and 14 days, they would be inactive for 30 days; a limit of 1
    # meeting would flag the one absence).
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Absen"],
        modules=1,
        activities=(("pertemuan", "meeting"),),
    )
    k.version.at_risk = {"missed_meetings": 0, "inactive_days": 0}
    k.enrolments["Peserta Absen"].enrolled_at = _now() - timedelta(days=30)
    cohort = db.session.get(Cohort, k.cohort_id)
    meetings.generate_schedule(
        cohort,
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", k.mentor.id),
        "Asia/Jakarta",
    )
    for meeting in meetings.meetings_of(k.cohort_id):
        meetings.record_attendance(
            cohort, meeting, {k.users["Peserta Absen"].id: AttendanceStatus.ABSENT}, k.mentor.id, {}
        )
    k.commit()
    assert _risks(_staff_pages(client, login, k)[0]) == {}
    # The same participant with the defaults back: 30 days inactive (the check is live).
    k.version.at_risk = {"missed_meetings": 0}
    k.commit()
    assert _risks(_staff_pages(client, login, k)[0]) == {
        "Peserta Absen": "tidak ada aktivitas selama 30 hari"
    }


def test_overdue_is_more_than_7_days_to_the_microsecond(
    db, make_user, make_cohort, make_course, attach
):
    from assignments.models import AssignmentWindow
    from lms.tracking.services import cohort_dashboard

    # The cohort's due time for tugas: 1 December 2026, 10:00 UTC. With a frozen clock:
    # 8 December 10:00:00 exactly is 7 days late, not more: not overdue; one microsecond
    # later it is "overdue by 7 days".
    due = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Tepat"],
        modules=1,
        activities=_two_due(10, 10)[:1],
        slug="kursus-tepat",
    )
    db.session.add(
        AssignmentWindow(
            cohort_id=k.cohort_id, module_slug="01-sesi", activity_key="tugas", due_at=due
        )
    )
    k.enrolments["Peserta Tepat"].enrolled_at = due
    k.commit()
    db.session.expunge_all()
    cohort = db.session.scalar(
        select(Cohort).options(joinedload(Cohort.region)).where(Cohort.id == k.cohort_id)
    )

    def texts(now):
        board = cohort_dashboard(cohort, now)  # outside a request: the English msgid
        return [r.text for row in board.rows for r in row.risks]

    assert texts(due + timedelta(days=7)) == []
    assert texts(due + timedelta(days=7, microseconds=1)) == ["“assignment 1” overdue by 7 days"]


def test_a_post_test_within_its_float_slack_of_the_pass_mark_is_not_failed(app):
    from courses.contract import GradedActivity, Result, RiskContext
    from quizzes.plugin import QuizActivity

    # A result of 70 − 1e-9 % (a rounding error of 70 %) against a 70 % mark: 69.999999999
    # + 1e-9 = 70.0 exactly, not below the mark: not failed. 69.9 % is failed.
    post = GradedActivity(
        id=1,
        key="post-test",
        title="Tes Akhir",
        module_id=1,
        module_slug="01-sesi",
        config={"kind": "post", "questions": ["a"], "pass_percent": 70},
    )
    context = RiskContext(
        None,
        datetime.now(UTC),
        {"failed_post_test": True},
        [10, 11],
        {(10, 1): Result(70 - 1e-9), (11, 1): Result(69.9)},
        {},
    )
    with app.test_request_context():
        found = QuizActivity().risks([post], context)
    assert list(found) == [11]


def _same_names(db, make_user, make_cohort, make_course, attach):
    """Two participants both named "Peserta Sama", NIP 1001 made first (lower id) and NIP 1002
    second, enrolled the other way round (1002's enrolment first), and Peserta Ani made
    last, on a one-reading course."""
    first = make_user("participant", name="Peserta Sama", nip="199001012020011001")
    second = make_user("participant", name="Peserta Sama", nip="199001012020011002")
    ani = make_user("participant", name="Peserta Ani", nip="199001012020011003")  # made last
    mentor = make_user("mentor", name="Mentor Kelas")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[second, first, ani])
    version = make_course(modules=1, activities=(("bacaan", "reading"),))
    attach(cohort, version)
    return mentor, cohort, first, second, ani


def test_participants_of_the_same_name_are_listed_in_a_fixed_order(
    db, client, login, make_user, make_cohort, make_course, attach
):
    from lms.tracking.services import cohort_risks

    # By name (Ani, made last, first), then for the same name the one made first (NIP …1001),
    # on the dashboard's exports and in the mentor's at-risk list, whatever the order of
    # enrolment.
    mentor, cohort, first, second, ani = _same_names(
        db, make_user, make_cohort, make_course, attach
    )
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id)):
        enrolment.enrolled_at = _now() - timedelta(days=20)  # both inactive for 20 days
    db.session.commit()
    login(mentor)
    for kind in ("progress", "gradebook"):
        response = client.get(f"/cohorts/{cohort.id}/export/{kind}.csv")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert [row[:2] for row in rows[1:]] == [
            ["Peserta Ani", "199001012020011003"],
            ["Peserta Sama", "199001012020011001"],
            ["Peserta Sama", "199001012020011002"],
        ], kind
    client.post_form("/logout")
    cohort = db.session.scalar(
        select(Cohort).options(joinedload(Cohort.region)).where(Cohort.id == cohort.id)
    )
    found = cohort_risks([cohort], _now())
    assert [row.user.id for row in found[cohort.id]] == [ani.id, first.id, second.id]


def test_the_gradebook_lists_only_weighted_items_not_yet_graded_as_still_to_do(
    client, login, graded
):
    # Sebagian has the post-test (40 %) graded, nothing else: still to do is the assignment
    # (60 %) only; not the pre-test (weight 0, no result) nor the graded post-test.
    _, html = _gradebook(client, login, graded, "Peserta Sebagian")
    todo = html.split('data-testid="remaining"', 1)[1].split("</ul>", 1)[0]
    assert todo.count("<li>") == 1
    assert "assignment 1 (60" in todo
    # Pas has everything graded: no list at all.
    _, html = _gradebook(client, login, graded, "Peserta Pas")
    assert 'data-testid="remaining"' not in html


def test_completions_counted_per_participant_on_this_version_only(
    db, client, login, make_user, make_cohort, make_course, attach
):
    from courses.grades import activity_total, gradebooks
    from courses.models import CourseVersion

    # The gradebooks of three participants at once (as the API and the LTI grade return
    # read them): Pas completed all 4 activities, Sebagian 3 of 4 (all but the assignment),
    # Nihil none. A completion of an activity of another course's version is not one of
    # this course's: Sebagian stays at 3 / 4 = 75 % (not 4 / 4 and complete); Pas 100 % and
    # complete; Nihil 0 %.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Pas", "Peserta Sebagian", "Peserta Nihil"],
        modules=1,
        activities=GRADED,
    )
    k.complete("Peserta Pas", *ALL)
    k.complete("Peserta Sebagian", "pre-test", "bacaan", "post-test")
    elsewhere = make_course(slug="kursus-lain", modules=1, activities=(("bacaan", "reading"),))
    foreign = db.session.scalar(
        select(Activity)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == elsewhere.id)
    )
    db.session.add(
        ActivityCompletion(
            enrolment_id=k.enrolment("Peserta Sebagian"),
            activity_id=foreign.id,
            source="action",
            completed_at=_now(),
        )
    )
    k.commit()
    ids = [k.enrolment(n) for n in ("Peserta Pas", "Peserta Sebagian", "Peserta Nihil")]
    books = gradebooks(db.session.get(CourseVersion, k.version.id), ids)
    assert [(books[i].completion_percent, books[i].complete) for i in ids] == [
        (100.0, True),
        (75.0, False),
        (0.0, False),
    ]
    # The dashboard's progress export says the same: 100.0, 75.0 (not 100.0 with the other
    # course's reading counted) and 0.0; the session's mean completion (100 + 75 + 0) / 3 =
    # 58.3 %: "58%".
    html, tables = _staff_pages(client, login, k)
    assert [
        tables["progress"][n]["Penyelesaian (%)"]
        for n in ("Peserta Pas", "Peserta Sebagian", "Peserta Nihil")
    ] == [
        "100.0",
        "75.0",
        "0.0",
    ]
    average = html.split('data-testid="module-average"', 1)[1].split("</small>", 1)[0]
    assert average.split("<small>", 1)[1].startswith("58% ·")
    # The certificate check's activity count: this version's 4 activities (not 5 with the
    # other course's reading).
    assert activity_total(k.version.id) == 4


def test_my_learning_gain_per_session_over_two_sessions(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Session 1: pre 2/5 = 40 %, post 4/5 = 80 %: gain 40 / 60 = 0.67. Session 2: pre 1/5 =
    # 20 %, post 3/5 = 60 %: gain 40 / 80 = 0.50. One row per session, not one for both.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Dua"],
        modules=2,
        activities=GAIN,
    )
    k.quiz("Peserta Dua", "pre-test", 2.0)
    k.quiz("Peserta Dua", "post-test", 4.0)
    second = {key: a.id for (m, key), a in k.activities.items() if a.id not in k.first.values()}
    for key, score in (("pre-test", 1.0), ("post-test", 3.0)):
        db.session.add(
            QuizAttempt(
                activity_id=second[key],
                enrolment_id=k.enrolment("Peserta Dua"),
                number=1,
                status="submitted",
                seed="dua",
                question_ids=[],
                score=score,
                max_score=5.0,
                submitted_at=_now(),
            )
        )
    k.commit()
    rows = _my_gain(client, login, k, "Peserta Dua")
    assert [row[1:] for row in rows] == [["40%", "80%", "0,67"], ["20%", "60%", "0,50"]]


def test_each_session_keeps_its_own_attendance(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Three sessions with a meeting each: absent, absent, present. Two missed meetings:
    # at risk ("tidak hadir di 2 pertemuan"); each mark counts for its own session only (a
    # mark read for the other sessions would leave one absence: not at risk).
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Absen"],
        modules=3,
        activities=(("pertemuan", "meeting"),),
    )
    cohort = db.session.get(Cohort, k.cohort_id)
    meetings.generate_schedule(
        cohort,
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", k.mentor.id),
        "Asia/Jakarta",
    )
    S = AttendanceStatus
    for meeting, mark in zip(
        meetings.meetings_of(k.cohort_id), (S.ABSENT, S.ABSENT, S.PRESENT), strict=True
    ):
        meetings.record_attendance(
            cohort, meeting, {k.users["Peserta Absen"].id: mark}, k.mentor.id, {}
        )
    db.session.commit()
    html, _ = _staff_pages(client, login, k)
    assert _risks(html) == {"Peserta Absen": "tidak hadir di 2 pertemuan"}


PRE_POST = (
    ("pre-test", "quiz", {"kind": "pre", "questions": ["a"]}),
    ("post-test", "quiz", {"kind": "post", "questions": ["a"]}),
)


def test_results_on_the_old_version_count_for_the_same_activity_of_the_new(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Version 1.0.0, two sessions with a Tes Awal and a Tes Akhir each. On it: session 1
    # pre 1/5 = 20 %, post 4/5 = 80 %; session 2 pre 2/5 = 40 %, post 3/5 = 60 %. The cohort
    # then moves to 1.1.0 (same sessions and keys, new activity ids): each result stays with
    # the activity of the same session and key: 20, 80, 40, 60 (not another session's nor
    # the other test's of the same session).
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Pindah"],
        modules=2,
        activities=PRE_POST,
        slug="kursus-versi",
    )
    plan = {
        (1, "pre-test"): 1.0,
        (1, "post-test"): 4.0,
        (2, "pre-test"): 2.0,
        (2, "post-test"): 3.0,
    }
    positions = {
        m.id: m.position
        for m in db.session.scalars(select(Module).where(Module.version_id == k.version.id))
    }
    for (module_id, key), activity in k.activities.items():
        db.session.add(
            QuizAttempt(
                activity_id=activity.id,
                enrolment_id=k.enrolment("Peserta Pindah"),
                number=1,
                status="submitted",
                seed=key,
                question_ids=[],
                score=plan[(positions[module_id], key)],
                max_score=5.0,
                submitted_at=_now(),
            )
        )
    k.commit()
    v2 = make_course(
        slug="kursus-versi",
        version="1.1.0",
        modules=2,
        activities=PRE_POST,
        questions={1: [QUESTION]},
    )
    assert v2.id != k.version.id
    attach(db.session.get(Cohort, k.cohort_id), v2)
    _, html = _gradebook(client, login, k, "Peserta Pindah")
    lines = html.split('data-testid="grade-line"')[1:]
    assert [line.split("</tr>", 1)[0].rsplit("<td>", 1)[1].split("<", 1)[0] for line in lines] == [
        "20%",
        "80%",
        "40%",
        "60%",
    ]


def test_the_latest_of_completions_and_each_types_work_decides_inactivity(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Inactive after 14 days. Everyone enrolled 30 days ago.
    # Baca Dulu: read something 20 days ago, submitted 2 days ago: active (the latest counts).
    # Kirim Dulu: submitted 20 days ago, read something 2 days ago: active.
    # Kuis: read 20 days ago, started a quiz 3 days ago: active.
    # Lama: submitted 20 days ago, read 16 days ago: inactive for 16 days (the later of the
    # two; each participant's own latest completion, not the cohort's).
    names = ["Peserta Baca Dulu", "Peserta Kirim Dulu", "Peserta Kuis", "Peserta Lama"]
    k = Class(db, make_user, make_cohort, make_course, attach, names, modules=1, activities=GRADED)
    now = _now()
    for name in names:
        k.enrolments[name].enrolled_at = now - timedelta(days=30)
    plan = {
        "Peserta Baca Dulu": (20, 2),
        "Peserta Kirim Dulu": (2, 20),
        "Peserta Lama": (16, 20),
    }
    for name, (read, submitted) in plan.items():
        k.complete(name, "bacaan", at=now - timedelta(days=read))
        k.submit(name, submitted_at=now - timedelta(days=submitted))
    k.complete("Peserta Kuis", "bacaan", at=now - timedelta(days=20))
    k.quiz("Peserta Kuis", "pre-test", 1.0, started_at=now - timedelta(days=3))
    k.commit()
    assert _risks(_staff_pages(client, login, k)[0]) == {
        "Peserta Lama": "tidak ada aktivitas selama 16 hari"
    }


def test_a_mentors_running_cohorts_end_today_or_later_by_start_and_name(db, make_user, make_cohort):
    from lms.tracking.services import running_cohorts_of_mentor

    # Today 15 January 2027. Ended yesterday: not running. Ends today: running (to the end
    # of its last day). Order: by start date, then name: Oktober (1 Oct), then Alfa and
    # Beta (both 2 Nov, by name). Another mentor's cohort is not listed.
    mentor, other = make_user("mentor"), make_user("mentor")
    today = date(2027, 1, 15)
    make_cohort(
        "32.11",
        name="Kemarin",
        mentors=[mentor],
        start=date(2026, 11, 2),
        end=today - timedelta(days=1),
    )
    beta = make_cohort("32.11", name="Beta", mentors=[mentor], start=date(2026, 11, 2), end=today)
    alfa = make_cohort(
        "32.11", name="Alfa", mentors=[mentor], start=date(2026, 11, 2), end=date(2027, 2, 26)
    )
    oktober = make_cohort(
        "32.11", name="Oktober", mentors=[mentor], start=date(2026, 10, 1), end=date(2027, 2, 26)
    )
    make_cohort(
        "32.11", name="Lain", mentors=[other], start=date(2026, 9, 1), end=date(2027, 2, 26)
    )
    found = running_cohorts_of_mentor(mentor.id, today)
    assert [c.id for c in found] == [oktober.id, alfa.id, beta.id]
    assert [c.region.code for c in found] == ["32.11"] * 3  # loaded with them


def test_the_mentors_risk_list_skips_cohorts_without_a_course_and_old_sessions_meetings(
    db, make_user, make_cohort, make_course, attach
):
    from courses.meetings.models import Attendance, Meeting
    from lms.tracking.services import cohort_risks

    # A cohort without a course yet (one participant): an empty list, no error. On the
    # course's cohort, Peserta Absen missed the meeting of session 1 and of a session
    # "99-lama" that the course no longer has: one missed meeting of the course, under the
    # 2 that put at risk.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Absen"],
        modules=1,
        activities=(("pertemuan", "meeting"),),
    )
    bare = make_cohort(
        "32.11", mentors=[k.mentor], participants=[make_user("participant", name="Peserta Dini")]
    )
    user_id = k.users["Peserta Absen"].id
    # Enrolled 30 days ago, last active (a completion) 2 days ago: not inactive.
    k.enrolments["Peserta Absen"].enrolled_at = _now() - timedelta(days=30)
    k.complete("Peserta Absen", "pertemuan", at=_now() - timedelta(days=2))
    for slug in ("01-sesi", "99-lama"):
        meeting = Meeting(
            cohort_id=k.cohort_id,
            module_slug=slug,
            starts_at=_now() - timedelta(days=3),
            duration_minutes=60,
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add(Attendance(meeting_id=meeting.id, user_id=user_id, status="absent"))
    k.commit()
    cohorts = list(
        db.session.scalars(
            select(Cohort)
            .options(joinedload(Cohort.region))
            .where(Cohort.id.in_([k.cohort_id, bare.id]))
        )
    )
    assert cohort_risks(cohorts, _now()) == {k.cohort_id: [], bare.id: []}
    # A second absence in a session of the course would put at risk: the check is live.
    k.version.at_risk = {"missed_meetings": 1}
    k.commit()
    found = cohort_risks(cohorts, _now())
    assert [[r.text for r in row.risks] for row in found[k.cohort_id]] == [["missed 1 meetings"]]


def test_a_released_grade_without_points_is_0_and_a_0_point_review_no_grade(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # The assignment is the only graded item (weight 100 %). Tanpa Poin: graded and released
    # with no points written: 0 of 10 = 0 %. Nol: graded and released out of 0 points: no
    # percentage can be made: not graded ("—"), not an error.
    names = ["Peserta Tanpa Poin", "Peserta Nol"]
    activities = (("tugas", "assignment", {"brief": "Petakan regulasi.", "points": 10}),)
    k = Class(
        db, make_user, make_cohort, make_course, attach, names, modules=1, activities=activities
    )
    k.submit("Peserta Tanpa Poin", review=("graded", None, 10.0, True))
    k.submit("Peserta Nol", review=("graded", 0.0, 0.0, True))
    k.commit()
    summary, _ = _gradebook(client, login, k, "Peserta Tanpa Poin")
    assert "Nilai kursus: 0%" in summary and "nilai sejauh ini: 0%" in summary
    summary, html = _gradebook(client, login, k, "Peserta Nol")
    assert "nilai sejauh ini: —" in summary
    assert "tidak dapat ditampilkan" not in html.lower()
    # Nobody completed anything: the session's mean completion is 0 %.
    board, _ = _staff_pages(client, login, k)
    average = board.split('data-testid="module-average"', 1)[1].split("</small>", 1)[0]
    assert average.split("<small>", 1)[1].startswith("0% ·")


@pytest.mark.parametrize(
    ("activities", "scores", "grade"),
    [
        # No assignment in the course: its 60 % passes to the post-tests, which share the
        # course's post-test weight: each 40 × 100 / 40 / 2 = 50 %. Pre-test 1/5 (weight 0),
        # post 3/5 = 60 %, post-ulang 4/5 = 80 %: 0.5 × 60 + 0.5 × 80 = 70 %.
        (GAIN, {"pre-test": 1.0, "post-test": 3.0, "post-ulang": 4.0}, "70%"),
        # Only pre-tests (weight 0 each): every item weighs the same, 100 / 2 = 50 %:
        # 0.5 × 40 + 0.5 × 80 = 60 %.
        (GAIN[:2], {"pre-test": 2.0, "pre-ulang": 4.0}, "60%"),
    ],
)
def test_the_weights_of_categories_the_course_lacks_pass_to_the_others(
    db, client, login, make_user, make_cohort, make_course, attach, activities, scores, grade
):
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Bobot"],
        modules=1,
        activities=activities,
    )
    for key, score in scores.items():
        k.quiz("Peserta Bobot", key, score)
    k.commit()
    summary, _ = _gradebook(client, login, k, "Peserta Bobot")
    assert f"Nilai kursus: {grade}" in summary


def test_the_dashboard_names_its_course_version_and_the_types_that_cannot_answer(
    db, client, login, monkeypatch, make_user, make_cohort, make_course, attach
):
    from quizzes.plugin import QuizActivity

    # The quiz type's results cannot be read (its query raises): the dashboard still opens,
    # names the course version it shows, and says which type's cells cannot be shown
    # ("quiz"); the assignment's grade still counts.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Ada"],
        modules=1,
        activities=GRADED,
        slug="kursus-gagal",
    )
    k.submit("Peserta Ada", review=("graded", 8.0, 10.0, True))
    k.commit()
    html, tables = _staff_pages(client, login, k)
    assert 'data-testid="unavailable"' not in html  # nothing failed yet
    assert f"{k.version.title} {k.version.label} ·" in html

    def broken(self, *args):
        raise RuntimeError("the quiz tables are being migrated")

    # Its results, its at-risk check and its last-activity statement all fail (the last
    # one only when run); the participant, enrolled 20 days ago, submitted 2 days ago: not
    # inactive, no risk, and the page still opens.
    monkeypatch.setattr(QuizActivity, "result_query", broken)
    monkeypatch.setattr(QuizActivity, "risks", broken)
    monkeypatch.setattr(
        QuizActivity, "last_activity_query", lambda self, e: select(literal_column("no_such"))
    )
    k.enrolments["Peserta Ada"].enrolled_at = _now() - timedelta(days=20)
    db.session.scalar(select(Submission)).submitted_at = _now() - timedelta(days=2)
    k.commit()
    html, tables = _staff_pages(client, login, k)
    notice = html.split('data-testid="unavailable">', 1)[1].split("</p>", 1)[0]
    assert notice == "Aktivitas ini tidak dapat ditampilkan sekarang. (quiz)"
    assert tables["progress"]["Peserta Ada"]["Nilai kursus (%)"] == "48.0"  # 60 × 80 / 100
    assert _risks(html) == {}


def test_inactive_is_more_than_14_days_to_the_microsecond(
    db, monkeypatch, make_user, make_cohort, make_course, attach
):
    from courses.contract import Risk
    from lms.tracking.services import cohort_dashboard
    from quizzes.plugin import QuizActivity

    # Enrolled 1 December 2026 10:00 UTC, never active. With a frozen clock: 15 December
    # 10:00:00 is 14 days exactly: not inactive; 1 µs later: "no activity for 14 days".
    # A type that flags an enrolment it was not asked about (id 0) changes nothing.
    monkeypatch.setattr(
        QuizActivity, "risks", lambda self, a, c: {0: [Risk("uji", "bukan peserta ini")]}
    )
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Diam"],
        modules=1,
        activities=POST_ONLY,
    )
    k.enrolments["Peserta Diam"].enrolled_at = start
    k.commit()
    cohort = db.session.get(Cohort, k.cohort_id)

    def texts(now):
        board = cohort_dashboard(cohort, now)  # outside a request: the English msgid
        return [r.text for row in board.rows for r in row.risks]

    assert texts(start + timedelta(days=14)) == []
    assert texts(start + timedelta(days=14, microseconds=1)) == ["no activity for 14 days"]
    assert texts(start + timedelta(days=15, hours=23)) == ["no activity for 15 days"]


def test_the_gradebook_shows_the_state_of_work_not_graded_yet(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Kirim: the assignment submitted, not reviewed: "(dikumpulkan)". Balik: returned for
    # revision: "(dikembalikan)". The quizzes before it, not taken, show no state.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Kirim", "Peserta Balik"],
        modules=1,
        activities=GRADED,
    )
    k.submit("Peserta Kirim")
    k.submit("Peserta Balik", review=("returned", 3.0, 10.0, True))
    k.commit()
    for name, label in (("Peserta Kirim", "dikumpulkan"), ("Peserta Balik", "dikembalikan")):
        _, html = _gradebook(client, login, k, name)
        states = re.findall(r'data-testid="work-state">\(([^)]*)\)', html)
        assert states == [label], name


def test_two_assignments_each_keep_their_newest_submissions_grade(
    db, client, login, make_user, make_cohort, make_course, attach
):
    # Two assignments of 50 % each. Dua: tugas 8/10 = 80 %, then tugas-2 6/10 = 60 %:
    # 0.5 × 80 + 0.5 × 60 = 70 % (not only the newest submission of the two). Satu: a
    # review out of 1 point, 1/1: 100 % on tugas, nothing on tugas-2: 50 %.
    k = Class(
        db,
        make_user,
        make_cohort,
        make_course,
        attach,
        ["Peserta Dua", "Peserta Satu"],
        modules=1,
        activities=_two_due(30, 30),
        slug="kursus-dua-tugas",
    )
    k.submit("Peserta Dua", "tugas", review=("graded", 8.0, 10.0, True))
    k.submit("Peserta Dua", "tugas-2", review=("graded", 6.0, 10.0, True))
    k.submit("Peserta Satu", "tugas", review=("graded", 1.0, 1.0, True))
    k.commit()
    assert "Nilai kursus: 70%" in _gradebook(client, login, k, "Peserta Dua")[0]
    assert "Nilai kursus: 50%" in _gradebook(client, login, k, "Peserta Satu")[0]


def test_the_assignment_result_statement_has_the_contract_columns(app):
    from assignments.plugin import AssignmentActivity
    from courses.contract import RESULT_COLUMNS, GradedActivity

    # Reports read the statement's columns by name (the national figures select
    # part.c.percent): enrolment_id, activity_id, percent, state.
    graded = GradedActivity(1, "tugas", "Tugas", 1, "01-sesi", {"brief": "A."})
    query = AssignmentActivity().result_query([graded], [1])
    assert tuple(c.name for c in query.selected_columns) == RESULT_COLUMNS
