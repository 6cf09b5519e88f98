"""Who may open which page: one row per page, one column per kind of user.

The cast: two regions (A = 32.11 Sumedang, B = 35.10 Banyuwangi), cohort X in A with
mentor X, cohort Y in B with mentor Y, a participant and a coordinator in each region,
an admin. `302` for anonymous means "sent to the login page".
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

ROLES = [
    "anonymous",
    "participant_a",
    "participant_b",
    "mentor_x",
    "mentor_other",
    "coordinator_a",
    "coordinator_b",
    "admin",
]

# page -> expected status per role, in ROLES order
PAGES = {
    "/home": [302, 200, 200, 200, 200, 200, 200, 200],
    "/account": [302, 200, 200, 200, 200, 200, 200, 200],
    "/account/password": [302, 200, 200, 200, 200, 200, 200, 200],
    "/cohorts/": [302, 403, 403, 200, 200, 200, 200, 200],
    "/cohorts/{x}": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/edit": [302, 403, 403, 403, 403, 200, 403, 200],
    "/cohorts/{x}/enrol": [302, 403, 403, 403, 403, 200, 403, 200],
    "/cohorts/{x}/mentors": [302, 403, 403, 403, 403, 403, 403, 200],
    "/cohorts/new": [302, 403, 403, 403, 403, 200, 200, 200],
    "/users/": [302, 403, 403, 403, 403, 200, 200, 200],
    "/users/new": [302, 403, 403, 403, 403, 200, 200, 200],
    "/users/{participant_a}/edit": [302, 403, 403, 403, 403, 200, 403, 200],
    "/users/{mentor_x}/edit": [302, 403, 403, 403, 403, 403, 403, 200],
    "/users/import": [302, 403, 403, 403, 403, 200, 200, 200],
    "/admin/regions/": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/audit/": [302, 403, 403, 403, 403, 200, 200, 200],
    "/privacy": [200, 200, 200, 200, 200, 200, 200, 200],
    "/account/data": [302, 200, 200, 200, 200, 200, 200, 200],
    "/account/confirm": [302, 200, 200, 200, 200, 200, 200, 200],
    "/account/two-factor": [302, 403, 403, 403, 403, 200, 200, 200],
    "/login/code": [302, 302, 302, 302, 302, 302, 302, 302],
    "/users/{participant_a}/erase": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/new": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/{course}": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/{course}/edit": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/courses/{course}/modules/{module}/history": [302, 403, 403, 403, 403, 403, 403, 200],
    # reuse copies into a draft only: without one the admin is sent back to the course
    "/admin/courses/{course}/reuse": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/courses/{course}/versions/{version}/copy": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/{course}/versions/{version}/view-as": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/{course}/versions/{version}/view-as/quizzes/{quiz}": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ],
    "/admin/courses/{course}/versions/{version}/view-as/modules/{module}": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ],
    "/admin/courses/{course}/versions/{version}/package.zip": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ],
    "/learn/{x}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/learn/{x}/modules/{module}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/learn/{x}/modules/{module}/summary.pdf": [302, 200, 403, 200, 403, 200, 403, 200],
    "/learn/{x}/meetings/{meeting}.ics": [302, 200, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/course": [302, 403, 403, 403, 403, 403, 403, 200],
    "/cohorts/{x}/schedule": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/meetings/{meeting}/edit": [302, 403, 403, 403, 403, 200, 403, 200],
    "/cohorts/{x}/meetings/{meeting}/attendance": [302, 403, 403, 200, 403, 403, 403, 200],
    "/cohorts/{x}/meetings/{meeting}/notes": [302, 403, 403, 200, 403, 403, 403, 200],
    # mentor notes: never a participant, not even the cohort's own
    "/cohorts/{x}/modules/{module}/mentor-notes": [302, 403, 403, 200, 403, 200, 403, 200],
    "/account/calendar": [302, 200, 200, 200, 200, 200, 200, 200],
    "/learn/{x}/quizzes/{quiz}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/learn/{x}/attempts/{attempt}": [302, 200, 403, 302, 403, 302, 403, 302],
    "/learn/{x}/attempts/{attempt}/review": [302, 302, 403, 200, 403, 200, 403, 200],
    "/learn/{x}/attempts/{attempt}/summary": [302, 200, 403, 302, 403, 302, 403, 302],
    "/cohorts/{x}/quiz-grading": [302, 403, 403, 200, 403, 403, 403, 200],
    "/cohorts/{x}/attempts/{attempt}/grade": [302, 403, 403, 200, 403, 403, 403, 200],
    "/cohorts/{x}/learning-gain": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/quizzes": [302, 403, 403, 200, 403, 200, 403, 200],
    "/admin/courses/{course}/versions/{version}/questions": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ],
    "/admin/courses/{course}/versions/{version}/questions/{question}/fix": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ],
    "/admin/courses/{course}/quizzes/{quiz}/analysis": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/{course}/modules/{quiz_module}/forms": [302, 403, 403, 403, 403, 403, 403, 200],
    "/practices/": [302, 200, 200, 200, 200, 200, 200, 200],
    "/practices/new": [302, 403, 403, 200, 200, 403, 403, 200],
    "/practices/{practice}": [302, 200, 200, 200, 200, 200, 200, 200],
    "/practices/{proposed}": [302, 200, 403, 200, 200, 403, 403, 200],
    "/practices/{practice}/edit": [302, 403, 403, 200, 200, 403, 403, 200],
    "/practices/{proposed}/edit": [302, 403, 403, 200, 200, 403, 403, 200],
    "/practices/attachments/{practice_attachment}": [302, 200, 200, 200, 200, 200, 200, 200],
    "/learn/{x}/assignments/{task}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/files/submissions/{submission_file}": [302, 200, 403, 200, 403, 403, 403, 200],
    "/grading/": [302, 403, 403, 200, 200, 403, 403, 200],
    "/grading/submissions/{submission}": [302, 403, 403, 200, 403, 403, 403, 200],
    "/cohorts/{x}/assignments": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/assignments/{task}/work.zip": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/maturity": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/maturity/baseline": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/maturity/follow_up": [302, 403, 403, 200, 403, 200, 403, 200],
    "/notifications/": [302, 200, 200, 200, 200, 200, 200, 200],
    "/learn/{x}/gradebook": [302, 200, 403, 403, 403, 403, 403, 403],
    "/cohorts/{x}/dashboard": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/export/progress.xlsx": [302, 403, 403, 200, 403, 200, 403, 200],
    "/cohorts/{x}/export/attendance.csv": [302, 403, 403, 200, 403, 200, 403, 200],
    "/admin/dashboard": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/dashboard?format=csv": [302, 403, 403, 403, 403, 403, 403, 200],
    # a long job (here the admin's national export) is its starter's alone
    "/jobs/{admin_job}": [302, 404, 404, 404, 404, 404, 404, 200],
    "/jobs/{admin_job}/download": [302, 404, 404, 404, 404, 404, 404, 200],
    "/regions/32.11/dashboard": [302, 403, 403, 403, 403, 200, 403, 200],
    "/certificates/{certificate}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/certificates/{certificate}.pdf": [302, 200, 403, 200, 403, 200, 403, 200],
    "/verify/{certificate}": [200, 200, 200, 200, 200, 200, 200, 200],
    "/verify/ZZZZ-ZZZZ-ZZZZ": [404, 404, 404, 404, 404, 404, 404, 404],
    "/verify": [200, 200, 200, 200, 200, 200, 200, 200],
    "/verify?code=abc": [422, 422, 422, 422, 422, 422, 422, 422],
    "/healthz": [200, 200, 200, 200, 200, 200, 200, 200],
    "/login": [200, 302, 302, 302, 302, 302, 302, 302],
    "/account/tokens": [302, 403, 403, 403, 403, 200, 200, 200],
    # the API's documentation and OpenAPI document are public (they hold no data); every
    # /api/v1 resource has its own table per token in tests/web/test_api.py
    "/api/v1/docs": [200, 200, 200, 200, 200, 200, 200, 200],
    "/api/v1/openapi.json": [200, 200, 200, 200, 200, 200, 200, 200],
    "/api/v1/regions": [401, 401, 401, 401, 401, 401, 401, 401],  # a session is not a token
    "/admin/lti/platforms": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/settings/video": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/lti/platforms/{lti_platform}/edit": [302, 403, 403, 403, 403, 403, 403, 200],
    "/lti/jwks.json": [200, 200, 200, 200, 200, 200, 200, 200],
    # an LTI login names its platform; without one it is refused (tests/web/test_lti.py)
    "/lti/login": [400, 400, 400, 400, 400, 400, 400, 400],
    "/lti/deep-link/unknown-token": [404, 404, 404, 404, 404, 404, 404, 404],
    # discussions: a session's Q&A is the cohort's; the forum everyone's on the course
    "/discussions/cohorts/{x}/modules/01-sesi": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/cohorts/{x}/modules/01-sesi/new": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/cohorts/{x}/modules/99-none": [302, 404, 403, 404, 403, 404, 403, 404],
    "/discussions/cohorts/{x}/forum": [302, 302, 403, 302, 403, 302, 403, 302],
    "/discussions/courses/{course}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/courses/{course}/new": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/practices/{practice}": [302, 200, 200, 200, 200, 200, 200, 200],
    "/discussions/practices/{practice}/new": [302, 200, 200, 200, 200, 200, 200, 200],
    "/discussions/practices/{proposed}": [302, 404, 404, 404, 404, 404, 404, 404],
    "/discussions/threads/{thread}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/threads/{forum_thread}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/threads/{practice_thread}": [302, 200, 200, 200, 200, 200, 200, 200],
    "/discussions/threads/{hidden_thread}": [302, 404, 403, 200, 403, 200, 403, 200],
    "/discussions/posts/{response}/edit": [302, 403, 403, 200, 403, 403, 403, 403],
    "/discussions/posts/{response}/history": [302, 200, 403, 200, 403, 200, 403, 200],
    "/discussions/spaces/{space}/moderation": [302, 403, 403, 200, 403, 200, 403, 200],
    "/discussions/spaces/{practice_space}/moderation": [302, 403, 403, 200, 200, 200, 403, 200],
    "/discussions/unanswered": [302, 200, 200, 200, 200, 200, 200, 200],
    "/discussions/attachments/{discussion_file}": [302, 200, 403, 200, 403, 200, 403, 200],
    "/notifications/settings": [302, 200, 200, 200, 200, 200, 200, 200],
    "/activities/discussion/{discussion_activity}/cohorts/{x}": [
        302,
        403,
        403,
        200,
        403,
        403,
        403,
        200,
    ],
}

PAGES["/learn/assets/{asset}/{asset_digest}/bagan.png"] = [302, 200, 403, 200, 403, 200, 403, 200]
"""A module's file: whoever may see a cohort on its course version, and admins."""
PAGES["/learn/course-assets/{course_asset}/{course_asset_digest}/logo.png"] = [
    302,
    200,
    403,
    200,
    403,
    200,
    403,
    200,
]
"""A file of the whole course: the same rule as a module's file."""

# state-changing endpoints: expected status of a valid POST per role
POSTS = {
    "/cohorts/{x}/enrolments/{enrolment_a}/withdraw": [302, 403, 403, 403, 403, 302, 403, 302],
    "/users/{participant_a}/reset-link": [302, 403, 403, 403, 403, 200, 403, 200],
    # deactivation first shows what will happen (a confirmation page)
    "/users/{participant_a}/active": [302, 403, 403, 403, 403, 200, 403, 200],
    # admins only; this participant has no two-factor sign-in: told so, back to the form
    "/users/{participant_a}/two-factor/reset": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/courses/{course}/publish": [302, 403, 403, 403, 403, 403, 403, 302],
    "/account/data": [302, 200, 200, 200, 200, 200, 200, 200],
    "/jobs/start/national_export": [302, 403, 403, 403, 403, 403, 403, 302],
    "/jobs/start/stats_rebuild": [302, 403, 403, 403, 403, 403, 403, 302],
    "/users/{participant_a}/erase": [302, 403, 403, 403, 403, 403, 403, 422],
    "/admin/courses/preview": [302, 403, 403, 403, 403, 403, 403, 200],
    "/admin/courses/{course}/draft": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/courses/{course}/reuse/module": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/courses/{course}/reuse/activity": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/courses/{course}/reuse/questions": [302, 403, 403, 403, 403, 403, 403, 302],
    # no short name given: the form comes back with the error next to it
    "/admin/courses/{course}/versions/{version}/copy": [302, 403, 403, 403, 403, 403, 403, 422],
    # answers tried in the quiz sandbox are graded on the page, never recorded
    "/admin/courses/{course}/versions/{version}/view-as/quizzes/{quiz}": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ],
    # a published version's module has a history but nothing to restore into
    "/admin/courses/{course}/modules/{module}/history/1/restore": [
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        302,
    ],
    "/admin/courses/import": [302, 403, 403, 403, 403, 403, 403, 422],
    "/cohorts/{x}/schedule": [302, 403, 403, 403, 403, 422, 403, 422],
    "/cohorts/{x}/course": [302, 403, 403, 403, 403, 403, 403, 422],
    "/cohorts/{x}/meetings/{meeting}/attendance": [302, 403, 403, 422, 403, 403, 403, 422],
    "/meetings/notes-preview": [302, 403, 403, 200, 200, 403, 403, 200],
    "/learn/{x}/quizzes/{quiz}/start": [302, 302, 403, 403, 403, 403, 403, 403],
    "/learn/{x}/attempts/{attempt}/save": [302, 302, 403, 403, 403, 403, 403, 403],
    "/learn/{x}/attempts/{attempt}/submit": [302, 302, 403, 403, 403, 403, 403, 403],
    "/learn/{x}/attempts/{attempt}/summary": [302, 302, 403, 403, 403, 403, 403, 403],
    "/cohorts/{x}/attempts/{attempt}/grade": [302, 403, 403, 200, 403, 403, 403, 200],
    "/cohorts/{x}/quizzes": [302, 403, 403, 403, 403, 200, 403, 200],
    "/practices/new": [302, 403, 403, 422, 422, 403, 403, 422],
    "/practices/{practice}/edit": [302, 403, 403, 422, 422, 403, 403, 422],
    "/practices/{proposed}/status": [302, 403, 403, 400, 400, 403, 403, 400],
    "/practices/{practice}/attachments": [302, 403, 403, 422, 422, 403, 403, 422],
    "/learn/{x}/assignments/{task}/draft": [302, 409, 403, 403, 403, 403, 403, 403],
    "/learn/{x}/assignments/{task}/submit": [302, 422, 403, 403, 403, 403, 403, 403],
    # a draft review may be saved without levels yet
    "/grading/submissions/{submission}": [302, 403, 403, 302, 403, 403, 403, 302],
    "/grading/submissions/{submission}/release": [302, 403, 403, 302, 403, 403, 403, 302],
    "/grading/cohorts/{x}/assignments/{task}/release": [302, 403, 403, 302, 403, 403, 403, 302],
    "/cohorts/{x}/assignments": [302, 403, 403, 403, 403, 200, 403, 200],
    # an empty save starts the draft; there is nothing submitted to review yet
    "/cohorts/{x}/maturity/baseline": [302, 403, 403, 403, 403, 302, 403, 302],
    "/cohorts/{x}/maturity/baseline/review": [302, 403, 403, 404, 403, 403, 403, 404],
    "/notifications/read": [302, 302, 302, 302, 302, 302, 302, 302],
    "/discussions/cohorts/{x}/modules/01-sesi/new": [302, 422, 403, 422, 403, 422, 403, 422],
    "/discussions/courses/{course}/new": [302, 422, 403, 422, 403, 422, 403, 422],
    "/discussions/practices/{practice}/new": [302, 422, 422, 422, 422, 422, 422, 422],
    "/discussions/threads/{thread}/reply": [302, 422, 403, 422, 403, 422, 403, 422],
    "/discussions/threads/{thread}/follow": [302, 302, 403, 302, 403, 302, 403, 302],
    "/discussions/threads/{thread}/lock": [302, 403, 403, 302, 403, 302, 403, 302],
    "/discussions/threads/{thread}/pin": [302, 403, 403, 302, 403, 302, 403, 302],
    "/discussions/threads/{practice_thread}/pin": [302, 403, 403, 302, 302, 302, 403, 302],
    "/discussions/posts/{response}/edit": [302, 403, 403, 422, 403, 403, 403, 403],
    "/discussions/posts/{response}/helpful": [302, 302, 403, 302, 403, 302, 403, 302],
    "/discussions/posts/{response}/endorse": [302, 403, 403, 302, 403, 403, 403, 302],
    "/discussions/posts/{response}/accept": [302, 302, 403, 403, 403, 403, 403, 403],
    "/discussions/posts/{response}/report": [302, 302, 403, 302, 403, 302, 403, 302],
    "/discussions/posts/{response}/hide": [302, 403, 403, 302, 403, 302, 403, 302],
    "/discussions/posts/{response}/dismiss": [302, 403, 403, 302, 403, 302, 403, 302],
    "/notifications/settings": [302, 422, 422, 422, 422, 422, 422, 422],
    # the mentor grades participation; a POST naming no participant finds none
    "/activities/discussion/{discussion_activity}/cohorts/{x}": [
        302,
        403,
        403,
        404,
        403,
        403,
        403,
        404,
    ],
    # a reading activity is completed by opening the module, not by a button
    "/learn/{x}/activities/{activity}/complete": [302, 400, 403, 403, 403, 403, 403, 403],
    # a token needs a name; only its owner (coordinator A) can revoke it
    "/account/tokens": [302, 403, 403, 403, 403, 422, 422, 422],
    "/account/tokens/{token}/revoke": [302, 403, 403, 403, 403, 302, 404, 404],
    # the API never takes a session cookie (nor CSRF): a token is the only way in
    "/api/v1/users/{participant_a}/deactivate": [401, 401, 401, 401, 401, 401, 401, 401],
    "/admin/lti/platforms": [302, 403, 403, 403, 403, 403, 403, 422],
    # an empty POST ticks nothing: no outside player allowed, saved
    "/admin/settings/video": [302, 403, 403, 403, 403, 403, 403, 302],
    "/admin/lti/platforms/{lti_platform}/edit": [302, 403, 403, 403, 403, 403, 403, 422],
    # a launch is its signed id_token, whoever is logged in: none here, so refused
    "/lti/launch": [403, 403, 403, 403, 403, 403, 403, 403],
}


DISCUSSION_RUBRIC = [{"criterion": "Partisipasi", "levels": ["Kurang", "Baik"], "points": [0, 10]}]


@pytest.fixture
def cast(db, make_user, make_cohort, make_course, attach):
    people = {
        "participant_a": make_user("participant", region="32.11"),
        "participant_b": make_user("participant", region="35.10"),
        "mentor_x": make_user("mentor"),
        "mentor_other": make_user("mentor"),
        "coordinator_a": make_user("coordinator", region="32.11"),
        "coordinator_b": make_user("coordinator", region="35.10"),
        "admin": make_user("admin"),
    }
    x = make_cohort("32.11", mentors=[people["mentor_x"]], participants=[people["participant_a"]])
    make_cohort("35.10", mentors=[people["mentor_other"]], participants=[people["participant_b"]])
    from sqlalchemy import select

    from lms.cohorts.models import Enrolment

    enrolment_a = db.session.scalar(select(Enrolment.id).where(Enrolment.cohort_id == x.id))
    quiz = {"kind": "post", "questions": ["q1"]}
    version = make_course(
        modules=2,
        activities=(
            ("bacaan", "reading"),
            ("pertemuan", "meeting"),
            ("kuis", "quiz", quiz),
            ("tugas", "assignment", {"brief": "Tugas", "points": 10, "for_coordinator": True}),
            ("diskusi", "discussion", {"min_posts": 1, "rubric": DISCUSSION_RUBRIC}),
            ("awal", "quiz", {"kind": "pre", "questions": ["q2"]}),
        ),
        questions={
            1: [
                {"key": "q1", "type": "true_false", "config": {"answer": True}},
                {"key": "q2", "type": "true_false", "config": {"answer": True}},
            ]
        },
    )
    attach(x, version)
    from courses import services as course_services
    from courses.models import Module as _Module
    from tests.web.test_module_assets import png

    first_module = db.session.scalar(
        select(_Module.id).where(_Module.version_id == version.id, _Module.position == 1)
    )
    asset = course_services._asset_row(first_module, "assets/bagan.png", png())
    db.session.add(asset)
    course_asset = course_services._course_asset_row(version.id, "assets/logo.png", png(3, 3))
    db.session.add(course_asset)
    db.session.commit()
    from datetime import date, time

    from courses.meetings import services as meetings
    from courses.models import Activity, Module
    from lms.cohorts.models import Cohort

    meetings.generate_schedule(
        db.session.get(Cohort, x.id),
        meetings.ScheduleInput(date(2026, 12, 7), time(9), 7, "", "", None),
        "Asia/Jakarta",
    )
    db.session.commit()
    module = db.session.scalar(select(Module.id).where(Module.version_id == version.id))
    db.session.get(Module, module).summary_page = "## Ringkasan\n\nSatu halaman.\n"
    db.session.commit()
    activity = db.session.scalar(
        select(Activity.id).where(Activity.module_id == module, Activity.type == "reading")
    )
    from lms import plugins
    from lms.models import utcnow
    from quizzes import services as quizzes
    from quizzes.models import Question

    quiz_activity = db.session.scalar(
        select(Activity).where(Activity.type == "quiz").order_by(Activity.id)
    )
    quiz_module = db.session.get(Module, quiz_activity.module_id)
    cohort_x = db.session.get(Cohort, x.id)
    attempt = quizzes.start_attempt(
        quizzes.quiz_context(cohort_x, quiz_module, quiz_activity, "Asia/Jakarta"),
        db.session.get(Enrolment, enrolment_a),
        plugins.registry().question_types,
        utcnow(),
    )
    db.session.commit()
    import secrets
    from pathlib import Path

    from flask import current_app

    from lms.practices.models import Practice, PracticeAttachment

    published = Practice(slug="praktik-uji", title="Praktik Uji", region_code="32.11")
    proposed = Practice(
        slug="usulan-uji",
        title="Usulan Uji",
        status="proposed",
        created_by_id=people["participant_a"].id,
    )
    db.session.add_all([published, proposed])
    db.session.flush()
    practice_attachment = PracticeAttachment(
        practice_id=published.id,
        stored_name=secrets.token_hex(16),
        original_name="uji.pdf",
        size=9,
        content_type="application/pdf",
    )
    db.session.add(practice_attachment)
    db.session.commit()
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "practices"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / practice_attachment.stored_name).write_bytes(b"%PDF-1.4\n")
    ids = {name: user.id for name, user in people.items()}
    from assignments.models import Submission, SubmissionFile
    from lms.certificates.models import Certificate

    db.session.add(
        Certificate(
            enrolment_id=enrolment_a,
            code="ABCD-EFGH-JKLM",
            participant_name="Peserta A",
            course_title="Kursus",
            cohort_name="Angkatan",
            region_name="Kabupaten Sumedang",
        )
    )

    task = db.session.scalar(select(Activity).where(Activity.type == "assignment"))
    submission = Submission(activity_id=task.id, enrolment_id=enrolment_a, number=1, text="x")
    db.session.add(submission)
    db.session.flush()
    stored = SubmissionFile(
        submission_id=submission.id,
        stored_name="akses-uji.pdf",
        original_name="tugas.pdf",
        size=4,
        content_type="application/pdf",
        sha256="0" * 64,
    )
    db.session.add(stored)
    from lms.lti import services as lti_services

    lti_platform = lti_services.register_platform(
        lti_services.PlatformInput(
            "Moodle Sumedang",
            "https://moodle.sumedangkab.go.id",
            "akses-uji",
            "1",
            "https://moodle.sumedangkab.go.id/auth",
            "https://moodle.sumedangkab.go.id/token",
            "https://moodle.sumedangkab.go.id/jwks",
            x.id,
        )
    )
    from lms.api.tokens import TokenInput, create_token

    api_token, _secret = create_token(
        people["coordinator_a"], TokenInput("uji", False, 30), utcnow()
    )
    db.session.commit()
    from flask import current_app

    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "akses-uji.pdf").write_bytes(b"%PDF")
    discussion = _discussions(db, people, x.id, version.course_id, published)
    from lms.longjobs.models import JobRun

    admin_job = JobRun(
        user_id=people["admin"].id,
        kind="national_export",
        status="done",
        done=1,
        total=1,
        stored_name="akses-uji-ekspor",
        download_name="nasional.csv",
        content_type="text/csv",
    )
    db.session.add(admin_job)
    db.session.commit()
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "akses-uji-ekspor").write_bytes(b"Daerah\n")
    return {
        "people": people,
        "ids": {
            **discussion,
            **ids,
            "task": task.id,
            "certificate": "ABCD-EFGH-JKLM",
            "submission": submission.id,
            "submission_file": stored.id,
            "x": x.id,
            "enrolment_a": enrolment_a,
            "course": version.course_id,
            "version": version.id,
            "module": module,
            "activity": activity,
            "meeting": meetings.meetings_of(x.id)[0].id,
            "quiz": quiz_activity.id,
            "quiz_module": quiz_module.id,
            "attempt": attempt.id,
            "question": db.session.scalar(select(Question.id)),
            "practice": published.slug,
            "proposed": proposed.slug,
            "practice_attachment": practice_attachment.id,
            "token": api_token.id,
            "lti_platform": lti_platform.id,
            "admin_job": admin_job.id,
            "asset": asset.id,
            "asset_digest": asset.sha256[:16],
            "course_asset": course_asset.id,
            "course_asset_digest": course_asset.sha256[:16],
        },
    }


def _discussions(db, people, cohort_id, course_id, practice):
    """A question with a mentor's answer and a file in cohort X's first session, a hidden
    question there, a forum thread and a practice thread."""
    import io

    from courses.models import Activity
    from discussions import services
    from discussions.models import Post, PostAttachment
    from discussions.policy import SpaceKind, SpaceRef
    from lms.models import utcnow

    now = utcnow()
    module = SpaceRef(
        SpaceKind.MODULE, f"module:{cohort_id}:01-sesi", "Sesi 1", cohort_id, "01-sesi"
    )
    forum = SpaceRef(SpaceKind.COURSE, f"course:{course_id}", "Forum", course_id=course_id)
    place = SpaceRef(
        SpaceKind.PRACTICE, f"practice:{practice.id}", "Praktik", practice_id=practice.id
    )
    asker, mentor = people["participant_a"], people["mentor_x"]
    thread = services.create_thread(
        module, asker, services.ThreadInput("Tanya", "Bagaimana?"), [], now
    )
    response = services.reply(
        module,
        thread,
        mentor,
        "Begini.",
        None,
        [services.Upload(io.BytesIO(b"%PDF-1.4\n"), "jawaban.pdf")],
        now,
    )
    hidden = services.create_thread(module, asker, services.ThreadInput("Lain", "Isi."), [], now)
    opening = db.session.scalar(select(Post).where(Post.thread_id == hidden.id))
    services.set_hidden(hidden, opening, mentor, True, "uji", now)
    forum_thread = services.create_thread(
        forum, asker, services.ThreadInput("Forum", "Halo semua."), [], now
    )
    practice_thread = services.create_thread(
        place, people["participant_b"], services.ThreadInput("Praktik", "Berapa biayanya?"), [], now
    )
    db.session.commit()
    return {
        "thread": thread.id,
        "response": response.id,
        "hidden_thread": hidden.id,
        "forum_thread": forum_thread.id,
        "practice_thread": practice_thread.id,
        "space": thread.space_id,
        "practice_space": practice_thread.space_id,
        "discussion_file": db.session.scalar(select(PostAttachment.id)),
        "discussion_activity": db.session.scalar(
            select(Activity.id).where(Activity.type == "discussion")
        ),
    }


def _as(role, cast, login):
    if role != "anonymous":
        login(cast["people"][role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_access(client, cast, login, role, path):
    _as(role, cast, login)
    response = client.get(path.format(**cast["ids"]))
    response.close()  # file downloads stream from disk
    assert response.status_code == PAGES[path][ROLES.index(role)], (path, role)
    if response.status_code == 302 and role == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(POSTS))
def test_post_access(client, cast, login, role, path):
    _as(role, cast, login)
    response = client.post_form(path.format(**cast["ids"]), {"active": "0", "confirm": "1"})
    assert response.status_code == POSTS[path][ROLES.index(role)], (path, role)


def test_unknown_objects_are_404_for_admin(client, cast, login):
    login(cast["people"]["admin"])
    assert client.get("/cohorts/999999").status_code == 404
    assert client.get("/users/999999/edit").status_code == 404


def test_post_without_csrf_token_is_refused(client, cast, login):
    login(cast["people"]["admin"])
    path = "/users/{participant_a}/active".format(**cast["ids"])
    response = client.post(path, data={"active": "0"})
    assert response.status_code == 400
    assert "formulir" in response.get_data(as_text=True).lower() or "form" in response.get_data(
        as_text=True
    )


def test_login_post_without_csrf_is_refused(client, cast):
    user = cast["people"]["admin"]
    response = client.post("/login", data={"email": user.email, "password": "x"})
    assert response.status_code == 400


# Course authors (*Penulis Materi*): author_a (a mentor of no cohort) writes course A (the
# cast's course, with a draft) and nothing else; course B has a draft too. mentor_x is a
# mentor who writes nothing. Publishing stays with admins while the course says so.
AUTHOR_ROLES = ["author_a", "mentor_x", "admin"]

AUTHOR_PAGES = {
    "/home": [200, 200, 200],
    "/admin/courses/": [200, 403, 200],
    "/admin/courses/new": [403, 403, 200],
    "/admin/courses/{course}": [200, 403, 200],
    "/admin/courses/{course_b}": [403, 403, 200],
    "/admin/courses/{course}/edit": [200, 403, 200],
    "/admin/courses/{course_b}/edit": [403, 403, 200],
    "/admin/courses/{course}/modules/new": [200, 403, 200],
    "/admin/courses/{course}/modules/{draft_module}/edit": [200, 403, 200],
    "/admin/courses/{course_b}/modules/{draft_module_b}/edit": [403, 403, 200],
    "/admin/courses/{course}/modules/{draft_module}/history": [200, 403, 200],
    "/admin/courses/{course_b}/modules/{draft_module_b}/history": [403, 403, 200],
    "/admin/courses/{course}/modules/{draft_module}/activities/new": [200, 403, 200],
    "/admin/courses/{course}/versions/{draft}/questions": [200, 403, 200],
    "/admin/courses/{course}/versions/{draft}/questions/new": [200, 403, 200],
    "/admin/courses/{course_b}/versions/{draft_b}/questions": [403, 403, 200],
    "/admin/courses/{course_b}/versions/{draft_b}/questions/new": [403, 403, 200],
    "/admin/courses/{course}/versions/{draft}/package.zip": [200, 403, 200],
    "/admin/courses/{course}/versions/{draft}/view-as": [200, 403, 200],
    "/admin/courses/{course}/versions/{draft}/view-as/modules/{draft_module}": [200, 403, 200],
    "/admin/courses/{course_b}/versions/{draft_b}/view-as": [403, 403, 200],
    "/admin/courses/{course}/versions/{version}/view-as/quizzes/{quiz}": [200, 403, 200],
    "/admin/courses/{course_b}/versions/{draft_b}/package.zip": [403, 403, 200],
    # reuse: into a draft the user writes, from a version of a course they may read
    "/admin/courses/{course}/reuse": [200, 403, 200],
    "/admin/courses/{course}/reuse?from={version}": [200, 403, 200],
    "/admin/courses/{course}/reuse?from={draft_b}": [403, 403, 200],
    "/admin/courses/{course_b}/reuse": [403, 403, 200],
    "/admin/courses/{course}/reuse?from=999999": [404, 403, 404],
    # a new course is an admin's decision, as creating one is
    "/admin/courses/{course}/versions/{version}/copy": [403, 403, 200],
    # correcting a published answer key regrades attempts; item analysis shows cohorts
    "/admin/courses/{course}/versions/{version}/questions/{question}/fix": [403, 403, 200],
    "/admin/courses/{course}/quizzes/{quiz}/analysis": [403, 403, 200],
    "/admin/courses/{course}/modules/{quiz_module}/forms": [403, 403, 200],
}

AUTHOR_POSTS = {
    "/admin/courses/preview": [200, 403, 200],
    # the admin is asked to confirm first; an author may not publish unless the course allows
    "/admin/courses/{course}/publish": [403, 403, 200],
    "/admin/courses/{course_b}/publish": [403, 403, 200],
    "/admin/courses/{course}/modules/{draft_module}/move": [302, 403, 302],
    "/admin/courses/{course_b}/modules/{draft_module_b}/move": [403, 403, 302],
    "/admin/courses/{course_b}/draft/discard": [403, 403, 302],
    "/admin/courses/{course}/authors": [403, 403, 302],
    "/admin/courses/{course}/authors/{author_a}/remove": [403, 403, 302],
    "/admin/courses/{course}/publishing": [403, 403, 302],
    "/admin/courses/import": [403, 403, 422],
    # nothing chosen: the reuse page comes back with the error (422)
    "/admin/courses/{course}/reuse/module": [422, 403, 422],
    "/admin/courses/{course_b}/reuse/module": [403, 403, 422],
    "/admin/courses/{course}/reuse/activity": [422, 403, 422],
    "/admin/courses/{course_b}/reuse/activity": [403, 403, 422],
    "/admin/courses/{course}/reuse/questions": [422, 403, 422],
    "/admin/courses/{course_b}/reuse/questions": [403, 403, 422],
    "/admin/courses/{course}/versions/{version}/copy": [403, 403, 422],
    # a module's files: a post without a file is refused next to the field
    "/admin/courses/{course}/modules/{draft_module}/assets": [422, 403, 422],
    "/admin/courses/{course_b}/modules/{draft_module_b}/assets": [403, 403, 422],
    "/admin/courses/{course}/modules/{draft_module}/assets/{draft_asset}/delete": [302, 403, 302],
    # the course's own files: likewise
    "/admin/courses/{course}/assets": [422, 403, 422],
    "/admin/courses/{course_b}/assets": [403, 403, 422],
    "/admin/courses/{course}/assets/{draft_course_asset}/delete": [302, 403, 302],
}


@pytest.fixture
def author_cast(db, cast, make_user, make_course):
    from courses import services
    from courses.models import Course, CourseAsset, Module, ModuleAsset
    from lms.authors import CourseAuthor

    author = make_user("mentor", name="Penulis A")
    course_a = db.session.get(Course, cast["ids"]["course"])
    draft_a = services.start_draft(course_a)
    version_b = make_course(slug="kursus-b", modules=1)
    draft_b = services.start_draft(db.session.get(Course, version_b.course_id))
    db.session.add(CourseAuthor(course_id=course_a.id, user_id=author.id))
    db.session.commit()

    def first_module(version_id):
        return db.session.scalar(
            select(Module.id).where(Module.version_id == version_id, Module.position == 1)
        )

    ids = {
        **cast["ids"],
        "author_a": author.id,
        "draft": draft_a.id,
        "draft_module": first_module(draft_a.id),
        "course_b": version_b.course_id,
        "draft_b": draft_b.id,
        "draft_module_b": first_module(draft_b.id),
        "draft_asset": db.session.scalar(
            select(ModuleAsset.id).where(ModuleAsset.module_id == first_module(draft_a.id))
        ),
        "draft_course_asset": db.session.scalar(
            select(CourseAsset.id).where(CourseAsset.version_id == draft_a.id)
        ),
    }
    return {"people": {**cast["people"], "author_a": author}, "ids": ids}


@pytest.mark.parametrize("role", AUTHOR_ROLES)
@pytest.mark.parametrize("path", list(AUTHOR_PAGES))
def test_course_author_page_access(client, author_cast, login, role, path):
    login(author_cast["people"][role])
    response = client.get(path.format(**author_cast["ids"]))
    response.close()
    assert response.status_code == AUTHOR_PAGES[path][AUTHOR_ROLES.index(role)], (path, role)


@pytest.mark.parametrize("role", AUTHOR_ROLES)
@pytest.mark.parametrize("path", list(AUTHOR_POSTS))
def test_course_author_post_access(client, author_cast, login, role, path):
    login(author_cast["people"][role])
    data = {"email": author_cast["people"]["participant_b"].email, "text": "x"}
    response = client.post_form(path.format(**author_cast["ids"]), data)
    assert response.status_code == AUTHOR_POSTS[path][AUTHOR_ROLES.index(role)], (path, role)
