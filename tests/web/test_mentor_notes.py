"""Mentor notes (a module's mentor.md): imported with the package, shown to the cohort's
mentors, its region's coordinator and admins, never to participants."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from courses.models import Module
from tests.conftest import course_package

NOTES = "## Jawaban model\n\nRahasia mentor: tingkat 2, bukan tingkat 3.\n"


def _course_with_notes(db):
    from courses import services

    package = course_package(slug="bermentor", modules=2)
    first = replace(package.modules[0], mentor_notes=NOTES)
    result = services.import_package(replace(package, modules=(first, *package.modules[1:])))
    db.session.commit()
    return result.version


def test_mentor_notes_reach_staff_and_never_participants(
    db, client, login, make_user, make_cohort, attach
):
    participant = make_user("participant", region="32.11")
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor], participants=[participant])
    version = _course_with_notes(db)
    attach(cohort, version)
    first, second = db.session.scalars(
        select(Module).where(Module.version_id == version.id).order_by(Module.position)
    ).all()
    page = f"/learn/{cohort.id}/modules/{first.id}"
    notes = f"/cohorts/{cohort.id}/modules/{first.id}/mentor-notes"

    login(participant)
    body = client.get(page).get_data(as_text=True)
    assert "Rahasia mentor" not in body and "mentor-notes-link" not in body
    assert client.get(notes).status_code == 403
    client.post_form("/logout")

    for viewer in (mentor, make_user("coordinator", region="32.11"), make_user("admin")):
        login(viewer)
        body = client.get(page).get_data(as_text=True)
        assert 'data-testid="mentor-notes-link"' in body
        shown = client.get(notes)
        assert shown.status_code == 200 and "Rahasia mentor" in shown.get_data(as_text=True)
        # a session without notes offers no link
        other = client.get(f"/learn/{cohort.id}/modules/{second.id}").get_data(as_text=True)
        assert "mentor-notes-link" not in other
        client.post_form("/logout")

    login(make_user("coordinator", region="35.10"))
    assert client.get(notes).status_code == 403


def test_a_module_of_another_course_has_no_notes_here(
    db, client, login, make_user, make_cohort, make_course, attach
):
    mentor = make_user("mentor")
    cohort = make_cohort("32.11", mentors=[mentor])
    attach(cohort, make_course(slug="lain"))
    version = _course_with_notes(db)
    module = db.session.scalar(select(Module.id).where(Module.version_id == version.id))
    login(mentor)
    assert client.get(f"/cohorts/{cohort.id}/modules/{module}/mentor-notes").status_code == 404
