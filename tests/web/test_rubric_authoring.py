"""An admin authors an assignment's rubric in the activity form, as [[rubric]] tables."""

from __future__ import annotations

from sqlalchemy import select

from assignments.activity import AssignmentSettings
from courses.models import Activity, CourseVersion, Module
from courses.services import decode_settings

RUBRIC_TOML = """brief = "Petakan layanan publik daerah Anda."
pass_percent = 60

[[rubric]]
criterion = "Analisis"
levels = ["Kurang", "Cukup", "Baik"]
points = [0, 2, 4]

[[rubric]]
criterion = "Rencana"
levels = ["Kurang", "Baik"]
points = [0, 3]
"""


def test_the_activity_form_authors_an_assignment_rubric(db, client, login, make_user, make_course):
    version = make_course(modules=1)
    login(make_user("admin"))
    course_id = version.course_id
    assert client.post_form(f"/admin/courses/{course_id}/draft").status_code == 302
    draft = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.status == "draft", CourseVersion.course_id == course_id
        )
    )
    module_id = db.session.scalar(select(Module.id).where(Module.version_id == draft.id))
    url = f"/admin/courses/{course_id}/modules/{module_id}/activities/new"
    form = {"type": "assignment", "key": "tugas", "title": "Tugas praktik", "config": RUBRIC_TOML}
    response = client.post_form(url, form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    activity = db.session.scalar(select(Activity).where(Activity.key == "tugas"))
    settings = AssignmentSettings.from_config(decode_settings(activity.config))
    assert [c.name for c in settings.rubric] == ["Analisis", "Rencana"]
    assert settings.max_points == 7

    # The edit page gives the rubric back as tables, and saving it unchanged keeps it.
    edit = f"/admin/courses/{course_id}/modules/{module_id}/activities/{activity.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "[[rubric]]" in page and "Rencana" in page
    again = client.post_form(edit, {**form, "config": RUBRIC_TOML})
    assert again.status_code == 302
    db.session.expire_all()
    assert (
        AssignmentSettings.from_config(
            decode_settings(db.session.get(Activity, activity.id).config)
        ).max_points
        == 7
    )

    # A broken rubric is refused next to the settings field, with the text kept.
    bad = RUBRIC_TOML.replace("points = [0, 3]", "points = [3, 0]")
    refused = client.post_form(url, {**form, "key": "tugas-2", "config": bad})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'data-testid="error-config"' in body and "points = [3, 0]" in body
    assert (
        client.post_form(f"/admin/courses/{course_id}/publish", {"confirmed": "yes"}).status_code
        == 302
    )
