"""A published version's graded items are read once per process (issue 14): they never
change, the cohort dashboard, the mentor's home and the session plan all start from them.
Kept items must outlive the request that read them, follow the reader's language, and a
draft's items are read afresh every time (an author is still changing them)."""

from __future__ import annotations

import time

import flask_babel
from sqlalchemy import select

from courses import grades, kept, services
from courses.models import Activity, Course, CourseVersion, Module
from lms import plugins
from lms.web import LANG_COOKIE
from tests.web.test_tracking import _course


def _titles(db, version_id):
    return dict(
        db.session.execute(
            select(Activity.id, Activity.title)
            .join(Module, Module.id == Activity.module_id)
            .where(Module.version_id == version_id)
        ).all()
    )


def test_a_published_versions_items_are_read_once_and_outlive_the_request(
    app, db, make_course, count_queries
):
    version = db.session.get(CourseVersion, _course(make_course).id)
    version_id = version.id
    with app.test_request_context():
        with count_queries() as first:
            items = grades.graded_items(version)
        with count_queries() as again:
            still = grades.graded_items(version)
    assert first.n == 2 and again.n == 0
    assert len(items) == 6  # pre-test, post-test and assignment in each of 2 sessions
    assert [(i.activity.id, i.weight, i.category) for i in still] == [
        (i.activity.id, i.weight, i.category) for i in items
    ]
    # The request ends: its work is committed and its session closed. The kept items'
    # activities and sessions belong to no session, so they are still readable.
    db.session.commit()
    db.session.close()
    titles = _titles(db, version_id)
    db.session.close()
    with app.test_request_context():
        still = grades.graded_items(db.session.get(CourseVersion, version_id))
        assert [i.activity.title for i in still] == [titles[i.activity.id] for i in still]
        assert [i.module.position for i in still] == [1, 1, 1, 2, 2, 2]


def test_kept_items_follow_the_readers_language(app, db, make_course):
    version = _course(make_course)
    labels = {}
    for language in ("id", "en", "id"):
        with app.test_request_context(headers={"Cookie": f"{LANG_COOKIE}={language}"}):
            flask_babel.refresh()  # the test's app context is shared by these requests
            found = grades.graded_items(db.session.get(CourseVersion, version.id))
            labels.setdefault(language, set()).add(
                tuple(i.category_label for i in found if i.category == "pre")
            )
    assert labels == {"id": {("Tes Awal", "Tes Awal")}, "en": {("Pre-test", "Pre-test")}}


def test_a_drafts_items_are_read_every_time_and_show_an_edit_at_once(
    app, db, make_course, count_queries
):
    version = _course(make_course)
    draft = services.start_draft(db.session.get(Course, version.course_id))
    db.session.commit()
    db.session.refresh(draft)
    with app.test_request_context():
        with count_queries() as first:
            before = grades.graded_items(draft)
        post_test = next(i for i in before if i.category == "post")
        activity = db.session.get(Activity, post_test.activity.id)
        module = db.session.get(Module, activity.module_id)
        services.update_activity(
            draft,
            module,
            activity,
            services.ActivityInput(activity.key, activity.type, "Tes akhir baru", activity.config),
            plugins.registry().activity_types,
        )
        with count_queries() as again:
            after = grades.graded_items(draft)
    assert first.n == again.n == 2
    assert next(i for i in after if i.activity.id == activity.id).activity.title == (
        "Tes akhir baru"
    )


def test_kept_items_take_in_a_later_version_within_a_minute(app, db, make_course, monkeypatch):
    """Results recorded on a later version of the course count for this version too (its
    items' lineage). A process keeps a version's items at most `LINEAGE_SECONDS`, so a
    version published meanwhile, here or in another process, joins their lineage then."""
    version = db.session.get(CourseVersion, _course(make_course).id)
    with app.test_request_context():
        before = {i.activity.id: i.graded.ids for i in grades.graded_items(version)}
        course = db.session.get(Course, version.course_id)
        draft = services.start_draft(course)
        draft.label = "9.9.9"
        services.publish(course, draft, plugins.registry(), actor_id=None)
        db.session.commit()
        later = {(i.activity.key, i.module.slug): i.activity.id for i in grades.graded_items(draft)}
        still = grades.graded_items(version)
        assert {i.activity.id: i.graded.ids for i in still} == before
        clock = time.monotonic() + grades.LINEAGE_SECONDS + 1
        monkeypatch.setattr(kept.time, "monotonic", lambda: clock)
        fresh = grades.graded_items(version)
    for item in fresh:
        assert item.graded.ids == (item.activity.id, later[(item.activity.key, item.module.slug)])


def test_a_published_versions_sessions_are_read_once_and_a_drafts_every_time(
    app, db, make_course, count_queries
):
    version = db.session.get(CourseVersion, _course(make_course).id)
    draft = services.start_draft(db.session.get(Course, version.course_id))
    ids = (version.id, draft.id)
    db.session.commit()
    with app.test_request_context():
        with count_queries() as first:
            read = services.version_structure(ids)
        with count_queries() as again:
            still = services.version_structure(ids)
        # the versions, then the draft's sessions and activities again; the published ones kept
        assert (first.n, again.n) == (3, 3)
        assert still[ids[0]] is read[ids[0]] and still[ids[1]] is not read[ids[1]]
        with count_queries() as published_only:
            services.version_structure([ids[0]])
        assert published_only.n == 1
    db.session.commit()
    db.session.close()
    with app.test_request_context():
        modules, activities = services.version_structure([ids[0]])[ids[0]]
        assert [m.position for m in modules] == [1, 2]
        assert [a.key for a in activities[modules[0].id]] == [
            "pre-test",
            "bacaan",
            "pertemuan",
            "post-test",
            "tugas",
        ]


def test_the_store_keeps_the_most_recently_used_versions_only(app, db):
    limit = kept.VERSIONS * 4
    with app.test_request_context():
        for n in range(limit):
            kept.put("structure", (n,), n)
        assert kept.peek("structure", (0,)) == 0  # used again: now the most recent
        kept.put("structure", (limit,), limit)  # one too many: the least recent goes
        assert kept.peek("structure", (1,)) is None
        assert kept.peek("structure", (0,)) == 0 and kept.peek("structure", (limit,)) == limit
        assert len(app.extensions["courses.kept"]) == limit
