"""A temporary question-type plugin, defined in the tests, works in a quiz end to end:
a package using it validates, an admin adds one in the bank, a participant answers it and
the engine grades it. No core code knows about it."""

from __future__ import annotations

import re
from importlib.metadata import EntryPoint

import pytest
from sqlalchemy import select

from courses import package as pkg
from courses import services as course_services
from courses.models import Activity, CourseVersion
from lms import create_app
from lms.extensions import db as _db
from quizzes.models import Question, QuizAttempt
from tests.conftest import PASSWORD, Client, course_package

QUESTION = {"key": "ya-tidak", "type": "yes_no", "config": {"answer": "ya"}}


@pytest.fixture
def plugin_app(app):
    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "SERVER_NAME")},
            "TESTING": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LMS_EXTRA_PLUGINS": [
                EntryPoint(
                    name="yes_no", value="tests.plugins.yes_no:YesNo", group="lms.question_types"
                )
            ],
        }
    )
    other.test_client_class = Client
    yield other
    with other.app_context():
        _db.engine.dispose()


def _login(client, user):
    assert (
        client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    )


def test_a_plugin_question_type_is_validated_authored_answered_and_graded(
    db, plugin_app, make_user, make_cohort, attach, tmp_path
):
    package = course_package(
        modules=1,
        activities=(("kuis", "quiz", {"kind": "post", "questions": ["ya-tidak"]}),),
        questions={1: [QUESTION]},
    )
    pkg.dump_package(package, tmp_path / "p")
    # Without the plugin the package is refused, naming the type; with it, it is valid.
    from lms import plugins

    _, problems = pkg.load_with(plugins.build_registry(), tmp_path / "p")
    assert any("yes_no" in p.message for p in problems)
    loaded, problems = pkg.load_with(plugin_app.extensions["lms.registry"], tmp_path / "p")
    assert problems == []
    version = course_services.import_package(loaded).version
    db.session.commit()

    admin = make_user("admin")
    author = plugin_app.test_client()
    _login(author, admin)
    assert author.post_form(f"/admin/courses/{version.course_id}/draft").status_code == 302
    draft = db.session.scalar(select(CourseVersion).where(CourseVersion.status == "draft"))
    new = f"/admin/courses/{draft.course_id}/versions/{draft.id}/questions/new"
    form = {
        "module_slug": "01-sesi",
        "type": "yes_no",
        "key": "kedua",
        "name": "Kedua",
        "text": "Apakah SPBE wajib?",
        "points": "1",
        "config": 'answer = "mungkin"',
    }
    bad = author.post_form(new, form)
    assert bad.status_code == 422 and "ya or tidak" in bad.get_data(as_text=True)
    assert author.post_form(new, {**form, "config": 'answer = "ya"'}).status_code == 302
    assert db.session.scalar(select(Question.type).where(Question.key == "kedua")) == "yes_no"

    participant = make_user("participant")
    cohort = make_cohort("32.11", participants=[participant])
    attach(cohort, version)
    activity = db.session.scalar(select(Activity).where(Activity.type == "quiz"))
    learner = plugin_app.test_client()
    _login(learner, participant)
    started = learner.post_form(f"/learn/{cohort.id}/quizzes/{activity.id}/start")
    attempt_url = started.headers["Location"]
    page = learner.get(attempt_url).get_data(as_text=True)
    token = re.search(r'value="([0-9a-f]{12})"> ya<', page).group(1)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    learner.post_form(attempt_url + "/submit", {"revision": revision, "q1": token})
    attempt = db.session.scalar(select(QuizAttempt))
    assert (attempt.status, attempt.score, attempt.max_score) == ("submitted", 1.0, 1.0)
