"""View as participant: an author sees the draft or a version's sessions as a new
participant would on a chosen day, and nothing is recorded."""

from __future__ import annotations

import html
from datetime import date

from sqlalchemy import func, select

from courses import package as pkg
from courses.models import ActivityCompletion, Module
from lms.authors import CourseAuthor


def test_view_as_shows_locks_by_date_and_order_and_records_nothing(
    db, client, login, make_user, make_course
):
    version = make_course(
        material="## Materi\n\nIsi <script>alert(1)</script> materi.\n",
        unlock={
            2: pkg.UnlockRule(on=date(2027, 3, 1), after=()),
            3: pkg.UnlockRule(on=None, after=("01-sesi",)),
        },
    )
    login(make_user("admin"))
    url = f"/admin/courses/{version.course_id}/versions/{version.id}/view-as"
    early = html.unescape(client.get(f"{url}?on=2027-02-01").get_data(as_text=True))
    assert 'data-testid="view-as-banner"' in early
    rows = early.split('data-testid="plan-row"')[1:]
    assert "badge-available" in rows[0]
    assert "badge-locked" in rows[1] and "2027" in rows[1]
    assert "badge-locked" in rows[2] and "Sesi 1" in rows[2]  # waits for session 1
    later = client.get(f"{url}?on=2027-03-02").get_data(as_text=True)
    assert "badge-available" in later.split('data-testid="plan-row"')[2]
    module = db.session.scalar(
        select(Module.id).where(Module.version_id == version.id, Module.position == 1)
    )
    page = client.get(f"{url}/modules/{module}?on=2027-02-01").get_data(as_text=True)
    assert "Isi" in page and "<script>alert" not in page  # sanitized as for participants
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 0


def test_an_author_views_only_their_courses_as_participant(
    db, client, login, make_user, make_course
):
    mine = make_course(slug="kursus-a")
    other = make_course(slug="kursus-b")
    author = make_user("mentor")
    db.session.add(CourseAuthor(course_id=mine.course_id, user_id=author.id))
    db.session.commit()
    login(author)
    assert (
        client.get(f"/admin/courses/{mine.course_id}/versions/{mine.id}/view-as").status_code == 200
    )
    response = client.get(f"/admin/courses/{other.course_id}/versions/{other.id}/view-as")
    assert response.status_code == 403
    # a version of another course through this course's address is not found
    crossed = f"/admin/courses/{mine.course_id}/versions/{other.id}/view-as"
    assert client.get(crossed).status_code == 404


def test_a_quiz_tried_in_the_sandbox_is_graded_and_never_recorded(
    db, client, login, make_user, make_course
):
    from courses.models import Activity
    from quizzes.models import QuizAttempt, QuizResponse

    quiz = {"kind": "post", "questions": ["q1", "q2"]}
    version = make_course(
        activities=(("bacaan", "reading"), ("kuis", "quiz", quiz)),
        questions={
            1: [
                {
                    "key": "q1",
                    "type": "true_false",
                    "text": "SPBE itu daring?",
                    "config": {"answer": True},
                },
                {
                    "key": "q2",
                    "type": "true_false",
                    "text": "Sumedang di Jawa Timur?",
                    "config": {"answer": False},
                },
            ]
        },
    )
    activity = db.session.scalar(select(Activity).where(Activity.key == "kuis").limit(1))
    module = db.session.get(Module, activity.module_id)
    login(make_user("admin"))
    course = version.course_id
    view = f"/admin/courses/{course}/versions/{version.id}/view-as/modules/{module.id}"
    assert 'data-testid="sandbox-link"' in client.get(view).get_data(as_text=True)
    url = f"/admin/courses/{course}/versions/{version.id}/view-as/quizzes/{activity.id}"
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "SPBE itu daring?" in page and "Sumedang di Jawa Timur?" in page
    answered = client.post_form(url, {"seed": "abc", "q1": "true", "q2": "true"})
    assert answered.status_code == 200
    result = html.unescape(answered.get_data(as_text=True))
    assert 'data-testid="sandbox-result"' in result
    assert "1 dari 2" in result
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0
    assert db.session.scalar(select(func.count(QuizResponse.id))) == 0
    assert db.session.scalar(select(func.count(ActivityCompletion.id))) == 0
    # a reading is not a quiz; and another course's author may not try it
    reading = db.session.scalar(select(Activity.id).where(Activity.key == "bacaan").limit(1))
    other = f"/admin/courses/{course}/versions/{version.id}/view-as/quizzes/{reading}"
    assert client.get(other).status_code == 404
    client.post_form("/logout")
    login(make_user("mentor"))
    assert client.get(url).status_code == 403
