"""List and dashboard pages issue a bounded number of SQL statements whatever the data size."""

from __future__ import annotations

import pytest


def _grow(make_user, make_cohort, mentor, n_cohorts, per_cohort):
    participants = []
    for _ in range(n_cohorts):
        people = [make_user("participant", region="32.11") for _ in range(per_cohort)]
        participants += people
        make_cohort("32.11", mentors=[mentor], participants=people)
    return participants


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("admin", "/home"),
        ("admin", "/cohorts/"),
        ("admin", "/users/"),
        ("admin", "/admin/regions/"),
        ("mentor", "/home"),
        ("mentor", "/cohorts/"),
        ("coordinator", "/cohorts/"),
        ("coordinator", "/users/"),
    ],
)
def test_list_pages_are_bounded(client, make_user, make_cohort, login, count_queries, role, path):
    mentor = make_user("mentor")
    user = (
        mentor
        if role == "mentor"
        else make_user(role, region="32.11" if role == "coordinator" else None)
    )
    login(user)
    _grow(make_user, make_cohort, mentor, 2, 2)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _grow(make_user, make_cohort, mentor, 8, 6)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert large.n == small.n, large.statements
    # the mentor's home: + the running cohorts for the to-do's at-risk count
    assert large.n <= (9 if (role, path) == ("mentor", "/home") else 8)


def test_cohort_roster_is_bounded(client, make_user, make_cohort, login, count_queries):
    mentor = make_user("mentor")
    small_cohort = make_cohort(
        "32.11", mentors=[mentor], participants=[make_user("participant") for _ in range(2)]
    )
    big_cohort = make_cohort(
        "32.11",
        mentors=[mentor, make_user("mentor")],
        participants=[make_user("participant") for _ in range(60)],
    )
    login(mentor)
    with count_queries() as small:
        client.get(f"/cohorts/{small_cohort.id}")
    with count_queries() as large:
        page = client.get(f"/cohorts/{big_cohort.id}").get_data(as_text=True)
    assert page.count('data-testid="roster-row"') == 50  # paginated
    assert large.n == small.n <= 10


def test_participant_home_is_bounded(client, make_user, make_cohort, login, count_queries):
    participant = make_user("participant")
    make_cohort(participants=[participant], mentors=[make_user("mentor")])
    login(participant)
    with count_queries() as small:
        client.get("/home")
    for _ in range(5):
        make_cohort(participants=[participant], mentors=[make_user("mentor"), make_user("mentor")])
    with count_queries() as large:
        page = client.get("/home").get_data(as_text=True)
    assert page.count('data-testid="enrolment"') == 6
    assert large.n == small.n <= 5


def test_reuse_page_is_bounded(db, client, make_user, make_course, login, count_queries):
    """The reuse page lists versions, a source's modules, activities and bank in fixed queries."""
    from courses import services
    from courses.models import Course
    from tests.web.test_quizzes import _choice

    quiz = ("kuis", "quiz", {"kind": "post", "questions": ["q1"], "attempts": 0})
    target = make_course(slug="tujuan", modules=1)
    services.start_draft(db.session.get(Course, target.course_id))
    db.session.commit()
    small = make_course(
        slug="kecil",
        modules=1,
        questions={1: [_choice("q1")]},
        activities=(("bacaan", "reading"), quiz),
    )
    login(make_user("admin"))
    url = f"/admin/courses/{target.course_id}/reuse?from="
    with count_queries() as few:
        assert client.get(url + str(small.id)).status_code == 200
    many = make_course(
        slug="besar",
        modules=8,
        activities=(("bacaan", "reading"), quiz),
        questions={n: [_choice(f"q{n}" if n > 1 else "q1")] for n in range(1, 9)},
    )
    for n in range(4):
        make_course(slug=f"lain-{n}", modules=2)
    with count_queries() as lots:
        assert client.get(url + str(many.id)).status_code == 200
    assert lots.n == few.n, lots.statements
    assert lots.n <= 12


def test_mentor_home_with_at_risk_count_is_bounded(
    db, client, login, make_user, make_cohort, make_course, attach, count_queries
):
    """1 cohort of 2 (one at risk) vs 5 cohorts, 4 of them of 6 (25 at risk): the same
    statements. A new course version among the cohorts adds its graded items and results."""
    from tests.web.test_todo_risk import _absent, _cohort, _course, _overdue, _todo_count

    mentor = make_user("mentor")
    version = _course(make_course)
    cohort, people = _cohort(db, make_user, make_cohort, attach, version, mentor, 2)
    _absent(db, cohort, mentor, people[:1])
    login(mentor)
    client.get("/home")  # a published version's graded items are kept after the first look
    with count_queries() as small:
        page = client.get("/home").get_data(as_text=True)
    assert _todo_count(page) == 1
    for _ in range(4):
        cohort, people = _cohort(db, make_user, make_cohort, attach, version, mentor, 6)
        _absent(db, cohort, mentor, people[:3])
        _overdue(db, cohort, version)
    with count_queries() as large:
        page = client.get("/home").get_data(as_text=True)
    assert _todo_count(page) == 1 + 4 * 6
    assert large.n == small.n <= 23, large.statements
