"""What changed: publishing and moving a cohort first show the difference between versions
(sessions added, removed and reordered, material as a line diff, activity and question
settings) and what happens to completions."""

from __future__ import annotations

import html

from sqlalchemy import select

from courses import services
from courses.models import Activity, Course, Module
from lms import plugins

QUIZ = {"kind": "post", "questions": ["q1"]}
ACTIVITIES = (("bacaan", "reading"), ("pertemuan", "meeting"), ("kuis", "quiz", QUIZ))
QUESTIONS = {1: [{"key": "q1", "type": "true_false", "config": {"answer": True}}]}


def _module_input(module: Module, **changes) -> services.ModuleInput:
    data = {
        "slug": module.slug,
        "title": module.title,
        "summary": module.summary,
        "objectives": list(module.objectives),
        "duration_minutes": module.duration_minutes,
        "indicators": list(module.indicators),
        "material": module.material,
        "unlock_on": module.unlock_on,
        "unlock_after": list(module.unlock_after),
        "meeting_minutes": module.meeting_minutes,
        "meeting_agenda": list(module.meeting_agenda),
    }
    data.update(changes)
    return services.ModuleInput(**data)


def _changed_draft(db, version):
    """A draft of `version` with session 1's material and quiz changed, session 3 removed,
    sessions 1 and 2 swapped and a new session added."""
    draft = services.start_draft(db.session.get(Course, version.course_id))
    modules = services.modules_of(draft.id)
    first = modules[0]
    services.update_module(
        draft, first, _module_input(first, material="## Materi\n\nIsi materi yang diperbarui.\n")
    )
    quiz = db.session.scalar(
        select(Activity).where(Activity.module_id == first.id, Activity.key == "kuis")
    )
    services.update_activity(
        draft,
        first,
        quiz,
        services.ActivityInput("kuis", "quiz", quiz.title, {**QUIZ, "time_limit_minutes": 15}),
        plugins.registry().activity_types,
    )
    services.delete_module(draft, modules[2])
    services.move_module(draft, first, 1)
    added = services.add_module(
        draft, _module_input(first, slug="04-sesi-baru", title="Sesi Baru", unlock_after=[])
    )
    services.add_activity(
        draft,
        added,
        services.ActivityInput("bacaan", "reading", "Bacaan", {}),
        plugins.registry().activity_types,
    )
    db.session.commit()
    return draft


def test_publishing_shows_what_changed_since_the_last_version(
    db, client, login, make_user, make_cohort, make_course, attach
):
    version = make_course(activities=ACTIVITIES, questions=QUESTIONS)
    attach(make_cohort("32.11", name="Angkatan Sumedang"), version)
    _changed_draft(db, version)
    login(make_user("admin"))
    asked = client.post_form(f"/admin/courses/{version.course_id}/publish")
    assert asked.status_code == 200, asked.get_data(as_text=True)[-3000:]
    page = html.unescape(asked.get_data(as_text=True))
    assert 'data-testid="version-changes"' in page
    assert "sejak versi 1.0.0" in page
    added = page.split('data-testid="modules-added"')[1].split("</ul>")[0]
    assert "Sesi Baru" in added
    removed = page.split('data-testid="modules-removed"')[1].split("</ul>")[0]
    assert "Sesi 3" in removed
    assert 'data-testid="new-order"' in page
    diff = page.split('data-testid="material-diff"')[1].split("</div>\n</div>")[0]
    assert "Isi materi yang diperbarui." in diff and "Isi materi sesi." in diff
    assert "time_limit_minutes" in page and "15" in page
    assert "1 angkatan" in page  # the cohort that stays on 1.0.0


def test_the_first_version_has_nothing_to_compare_with(db, client, login, make_user):
    draft = services.create_course(
        "baru", services.CourseInput(title="Baru", label="1.0.0", language="id", description="")
    )
    module = services.add_module(
        draft,
        services.ModuleInput(
            slug="01-sesi",
            title="Sesi Pertama",
            summary="Ringkasan.",
            objectives=["Tujuan."],
            duration_minutes=60,
            indicators=[1],
            material="Materi.",
            unlock_on=None,
            unlock_after=[],
            meeting_minutes=None,
            meeting_agenda=[],
        ),
    )
    services.add_activity(
        draft,
        module,
        services.ActivityInput("bacaan", "reading", "Bacaan", {}),
        plugins.registry().activity_types,
    )
    db.session.commit()
    login(make_user("admin"))
    asked = client.post_form(f"/admin/courses/{draft.course_id}/publish")
    assert asked.status_code == 200, asked.get_data(as_text=True)[-2000:]
    page = html.unescape(asked.get_data(as_text=True))
    assert "Tidak ada versi sebelumnya" in page and 'data-testid="modules-added"' not in page


def test_nothing_changed_is_said_plainly(db, client, login, make_user, make_course):
    version = make_course()
    services.start_draft(db.session.get(Course, version.course_id))
    db.session.commit()
    login(make_user("admin"))
    page = client.post_form(f"/admin/courses/{version.course_id}/publish").get_data(True)
    assert 'data-testid="no-changes"' in page


def test_moving_a_cohort_shows_the_changes_and_what_happens_to_completions(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant = make_user("participant")
    cohort = make_cohort("32.11", participants=[participant])
    v1 = make_course(activities=ACTIVITIES, questions=QUESTIONS)
    attach(cohort, v1)
    login(participant)
    modules = services.modules_of(v1.id)
    for module in modules[:3]:  # opening a session completes its reading
        client.get(f"/learn/{cohort.id}/modules/{module.id}")
    client.post_form("/logout")
    draft = _changed_draft(db, v1)
    services.publish(
        db.session.get(Course, v1.course_id),
        draft,
        __import__("lms").plugins.registry(),
        actor_id=None,
    )
    db.session.commit()
    login(make_user("admin"))
    asked = client.post_form(f"/cohorts/{cohort.id}/course", {"version_id": str(draft.id)})
    assert asked.status_code == 200
    page = html.unescape(asked.get_data(as_text=True))
    assert 'data-testid="version-changes"' in page and "Sesi Baru" in page
    carry = page.split('data-testid="carry-over"')[1].split("</section>")[0]
    # readings of sessions 1 and 2 carry over; session 3 is gone; session 4 is new
    assert "2 penyelesaian" in carry and "1 penyelesaian" in carry
    assert db.session.get(type(cohort), cohort.id).course_version_id == v1.id  # not yet
