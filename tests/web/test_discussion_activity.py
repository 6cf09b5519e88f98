"""The graded discussion activity type, added only through the activity-type contract:
completion by substantive posts, a mentor's rubric grade that shows in the gradebook, the
cohort dashboard and its at-risk list, with no engine edit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from courses import package as pkg
from courses.models import Activity, ActivityCompletion, Module
from lms import plugins
from tests.conftest import course_package

RUBRIC = [
    {"criterion": "Kualitas gagasan", "levels": ["Kurang", "Cukup", "Baik"], "points": [0, 5, 10]},
    {"criterion": "Menanggapi rekan", "levels": ["Belum", "Sudah"], "points": [0, 10]},
]
SETTINGS = {"prompt": "Bagikan rencana SPBE daerah Anda.", "min_posts": 2, "min_words": 3}


@pytest.fixture
def course(db, make_user, make_cohort):
    from courses import services

    weights = (("pre", 0), ("practice", 0), ("post", 0), ("assignment", 0), ("discussion", 100))
    package = replace(
        course_package(
            modules=1,
            activities=(
                ("bacaan", "reading"),
                ("diskusi", "discussion", {**SETTINGS, "rubric": RUBRIC}),
            ),
        ),
        grading=pkg.GradingWeights(pass_percent=60, weights=weights),
    )
    version = services.import_package(package).version
    participant = make_user("participant", name="Rina Marlina")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    services.attach_cohort(db.session.merge(cohort), version)
    db.session.commit()
    activity, module = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Activity.type == "discussion")
    ).one()
    world = {
        "participant": participant,
        "mentor": mentor,
        "cohort": cohort.id,
        "activity": activity.id,
        "module": module.id,
        "slug": module.slug,
    }
    db.session.rollback()
    return world


def completed(db, activity_id):
    value = db.session.scalar(
        select(ActivityCompletion.source).where(ActivityCompletion.activity_id == activity_id)
    )
    db.session.rollback()
    return value


def test_the_type_is_registered_through_its_entry_point_and_checks_settings(app):
    with app.app_context():
        discussion = plugins.registry().activity_types["discussion"]
        assert discussion.validate_config({**SETTINGS, "rubric": RUBRIC}) == []
        problems = discussion.validate_config(
            {
                "min_posts": 0,
                "colour": "red",
                "rubric": [{"criterion": "x", "levels": ["a"], "points": [1]}],
            }
        )
        assert {p.key for p in problems} == {"min_posts", "colour", "rubric"}
        assert discussion.category({}) is None  # without a rubric it is not graded
        assert discussion.category({"rubric": RUBRIC}) == "discussion"


def test_completion_follows_substantive_posts_and_the_grade_counts(client, login, course, db):
    login(course["participant"])
    space = f"/discussions/cohorts/{course['cohort']}/modules/{course['slug']}"
    page = client.get(f"/learn/{course['cohort']}/modules/{course['module']}").get_data(
        as_text=True
    )
    assert 'data-testid="discussion-count">0<' in page
    first = client.post_form(
        space + "/new",
        {"kind": "discussion", "title": "Rencana kami", "body": "Kami mulai dari arsitektur SPBE."},
    )
    thread = first.headers["Location"].rsplit("/", 1)[1]
    client.post_form(f"/discussions/threads/{thread}/reply", {"body": "Ok"})  # too short
    assert completed(db, course["activity"]) is None
    response = client.post_form(
        f"/discussions/threads/{thread}/reply",
        {"body": "Lalu menyusun peta rencana bersama Bappeda."},
    )
    assert completed(db, course["activity"]) == "discussion"
    page = client.get(f"/learn/{course['cohort']}/modules/{course['module']}").get_data(
        as_text=True
    )
    assert 'data-testid="discussion-count">2<' in page

    client.post_form("/logout")
    login(course["mentor"])
    post_id = response.headers["Location"].rsplit("#post-", 1)[1]
    client.post_form(f"/discussions/posts/{post_id}/hide", {"value": "on"})
    assert completed(db, course["activity"]) is None  # under the count again
    grading = f"/activities/discussion/{course['activity']}/cohorts/{course['cohort']}"
    assert 'data-testid="grade-participation"' in client.get(space).get_data(as_text=True)
    page = client.get(grading).get_data(as_text=True)
    assert 'data-testid="post-count">1<' in page
    enrolment = page.split('name="enrolment" value="')[1].split('"')[0]
    assert client.post_form(grading, {"enrolment": enrolment, "level-0": "1"}).status_code == 422
    saved = client.post_form(grading, {"enrolment": enrolment, "level-0": "1", "level-1": "0"})
    assert saved.status_code == 302
    assert completed(db, course["activity"]) == "result:graded"

    board = client.get(f"/cohorts/{course['cohort']}/dashboard").get_data(as_text=True)
    assert "25%" in board
    assert "participation 25% below 60%" in board or "partisipasi 25% di bawah 60%" in board
    client.post_form("/logout")
    login(course["participant"])
    book = client.get(f"/learn/{course['cohort']}/gradebook").get_data(as_text=True)
    assert "25" in book and "Diskusi" in book
    page = client.get(f"/learn/{course['cohort']}/modules/{course['module']}").get_data(
        as_text=True
    )
    assert 'data-testid="discussion-grade">25%<' in page
    levels = page.split('data-testid="discussion-levels"')[1].split("</ul>")[0]
    assert "Kualitas gagasan: <strong>Cukup</strong> (5 / 10)" in levels
    assert "Menanggapi rekan: <strong>Belum</strong> (0 / 10)" in levels


def test_grading_page_is_for_the_cohorts_mentor(client, login, course, make_user):
    grading = f"/activities/discussion/{course['activity']}/cohorts/{course['cohort']}"
    login(course["participant"])
    assert client.get(grading).status_code == 403
    client.post_form("/logout")
    login(make_user("mentor"))
    assert client.get(grading).status_code == 403
    client.post_form("/logout")
    login(make_user("admin"))
    assert client.get(grading).status_code == 200


def test_too_few_posts_a_day_after_the_meeting_is_a_risk(client, login, course, db):
    """Before the session's meeting nobody is short of posts; a day after it, a participant
    with fewer substantive posts than asked is on the at-risk list, until they write."""
    from datetime import timedelta

    from courses.models import Meeting
    from lms.models import utcnow

    login(course["participant"])
    space = f"/discussions/cohorts/{course['cohort']}/modules/{course['slug']}"
    client.post_form(
        space + "/new",
        {"kind": "discussion", "title": "Rencana kami", "body": "Kami mulai dari arsitektur SPBE."},
    )
    client.post_form("/logout")
    meeting = Meeting(
        cohort_id=course["cohort"],
        module_slug=course["slug"],
        starts_at=utcnow() + timedelta(days=2),
        duration_minutes=90,
    )
    db.session.add(meeting)
    db.session.commit()
    login(course["mentor"])
    dashboard = f"/cohorts/{course['cohort']}/dashboard"
    short = ("1 of 2 posts after the meeting", "1 dari 2 tulisan setelah pertemuan")
    board = client.get(dashboard).get_data(as_text=True)
    assert not any(text in board for text in short)
    meeting = db.session.merge(meeting)
    meeting.starts_at = utcnow() - timedelta(days=2)
    db.session.commit()
    board = client.get(dashboard).get_data(as_text=True)
    assert any(text in board for text in short)
    client.post_form("/logout")
    login(course["participant"])
    thread = client.get(space).get_data(as_text=True).split('href="/discussions/threads/')[1]
    client.post_form(
        f"/discussions/threads/{thread.split(chr(34))[0]}/reply",
        {"body": "Lalu menyusun peta rencana bersama Bappeda."},
    )
    client.post_form("/logout")
    login(course["mentor"])
    board = client.get(dashboard).get_data(as_text=True)
    assert not any(text in board for text in short)


def test_too_few_posts_counts_each_cohorts_own_qa_on_the_mentors_todo(
    client, login, course, db, make_user, make_cohort
):
    """The to-do asks the discussion type once for all the mentor's cohorts: posts count in
    each cohort's own Q&A (someone in two cohorts who wrote in one is short in the other),
    only after that cohort's meeting, and the count equals the dashboards' at-risk lists."""
    from datetime import timedelta

    from courses import services
    from courses.models import CourseVersion, Meeting
    from lms.models import utcnow
    from tests.web.test_todo_risk import _dashboard_count, _todo_count

    both = make_user("participant", name="Dua Angkatan")
    quiet = make_user("participant", name="Belum Menulis")
    later = make_user("participant", name="Pertemuan Nanti")
    mentor = course["mentor"]
    version = db.session.scalar(select(CourseVersion))
    second = make_cohort("32.11", mentors=[mentor], participants=[both, quiet])
    third = make_cohort("32.11", mentors=[mentor], participants=[both])
    fourth = make_cohort("32.11", mentors=[mentor], participants=[later])
    for cohort in (second, third, fourth):
        services.attach_cohort(db.session.merge(cohort), version)
    for cohort_id, days in (
        (course["cohort"], -2),
        (second.id, -2),
        (third.id, -2),
        (fourth.id, 2),
    ):
        db.session.add(
            Meeting(
                cohort_id=cohort_id,
                module_slug=course["slug"],
                starts_at=utcnow() + timedelta(days=days),
                duration_minutes=90,
            )
        )
    db.session.commit()
    login(both)
    space = f"/discussions/cohorts/{second.id}/modules/{course['slug']}"
    for title in ("Rencana kami", "Langkah kedua"):
        client.post_form(
            space + "/new",
            {"kind": "discussion", "title": title, "body": "Kami mulai dari arsitektur SPBE."},
        )
    client.post_form("/logout")
    login(mentor)
    page = client.get("/home").get_data(as_text=True)
    boards = {
        c: _dashboard_count(client, c) for c in (course["cohort"], second.id, third.id, fourth.id)
    }
    # Rina (no post), Belum Menulis; Dua Angkatan only in the third; nobody before the meeting
    assert boards == {course["cohort"]: 1, second.id: 1, third.id: 1, fourth.id: 0}
    assert _todo_count(page) == sum(boards.values()) == 3
