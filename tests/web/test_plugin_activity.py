"""A temporary activity-type plugin, defined in the tests, works end to end: an admin
authors it, a participant sees it and completes it. No core code knows about it."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from sqlalchemy import select

from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from lms import create_app
from lms.extensions import db as _db
from tests.conftest import PASSWORD, Client


@pytest.fixture
def plugin_app(app):
    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "SERVER_NAME")},
            "TESTING": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LMS_EXTRA_PLUGINS": [
                EntryPoint(
                    name="checklist",
                    value="tests.plugins.checklist:ChecklistActivity",
                    group="lms.activity_types",
                )
            ],
        }
    )
    other.test_client_class = Client
    yield other
    with other.app_context():
        _db.engine.dispose()


def _login(client, user):
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_plugin_activity_type_is_authored_delivered_and_completed(
    db, plugin_app, make_user, make_cohort, attach, client, login
):
    admin = make_user("admin")
    participant = make_user("participant")
    cohort = make_cohort("32.11", participants=[participant])
    author = plugin_app.test_client()
    _login(author, admin)

    response = author.post_form(
        "/admin/courses/new",
        {"slug": "dengan-plugin", "title": "Kursus", "label": "1.0.0", "language": "id"},
    )
    course_path = response.headers["Location"]
    course_id = int(course_path.rstrip("/").split("/")[-1])
    response = author.post_form(
        f"/admin/courses/{course_id}/modules/new",
        {
            "slug": "01-cek",
            "title": "Sesi cek",
            "summary": "Ringkasan",
            "objectives": "Tujuan",
            "duration_minutes": "30",
            "material": "Materi",
        },
    )
    assert response.status_code == 302
    module_id = db.session.scalar(select(Module.id).where(Module.slug == "01-cek"))
    new_activity = f"/admin/courses/{course_id}/modules/{module_id}/activities/new"

    # The plugin validates its own settings; the error lands next to the settings field.
    bad = author.post_form(
        new_activity, {"type": "checklist", "key": "cek", "title": "Daftar", "config": "items = 3"}
    )
    assert bad.status_code == 422
    assert 'data-testid="error-config"' in bad.get_data(as_text=True)
    assert "non-empty list" in bad.get_data(as_text=True)

    good = author.post_form(
        new_activity,
        {
            "type": "checklist",
            "key": "cek",
            "title": "Daftar periksa",
            "config": 'items = ["Baca regulasi", "Diskusikan dengan tim"]',
        },
    )
    assert good.status_code == 302
    assert (
        author.post_form(f"/admin/courses/{course_id}/publish", {"confirmed": "yes"}).status_code
        == 302
    )
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.course_id == course_id))
    assert version.status == "published"
    attach(cohort, version)

    learner = plugin_app.test_client()
    _login(learner, participant)
    page = learner.get(f"/learn/{cohort.id}/modules/{module_id}").get_data(as_text=True)
    assert page.count('data-testid="checklist-item"') == 2
    assert 'data-checklist="open"' in page
    activity_id = db.session.scalar(select(Activity.id).where(Activity.key == "cek"))
    done = learner.post_form(f"/learn/{cohort.id}/activities/{activity_id}/complete")
    assert done.status_code == 302
    page = learner.get(f"/learn/{cohort.id}/modules/{module_id}").get_data(as_text=True)
    assert 'data-checklist="done"' in page
    assert db.session.scalar(select(ActivityCompletion.source)) == "action"
    home = learner.get("/home").get_data(as_text=True)
    assert 'badge-complete" data-testid="module-state"' in home

    # On a server without the plugin the page still opens and says what is missing.
    login(participant)
    page = client.get(f"/learn/{cohort.id}/modules/{module_id}")
    assert page.status_code == 200
    assert 'data-activity-type="checklist"' in page.get_data(as_text=True)
