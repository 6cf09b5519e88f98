"""Reuse: copy modules, activities and questions from another course into a draft, or start a
new course from a version; copies say where they came from."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from courses.models import Activity, Course, CourseVersion, Module, Question
from lms.audit.models import AuditEvent
from lms.authors import CourseAuthor
from tests.web.test_quizzes import _choice

QUIZ = ("kuis", "quiz", {"kind": "post", "questions": ["a", "b"], "attempts": 0})


def _draft(db, course_id):
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "draft"
        )
    )


def _token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _courses(make_course, client, login, make_user):
    """A source course with a quiz (questions a, b) and a target course with a draft."""
    source = make_course(
        slug="sumber",
        title="Kursus Sumber",
        modules=2,
        activities=(("bacaan", "reading"), QUIZ),
        questions={1: [_choice("a"), _choice("b")]},
    )
    target = make_course(slug="tujuan", title="Kursus Tujuan", modules=1)
    admin = make_user("admin")
    login(admin)
    assert client.post_form(f"/admin/courses/{target.course_id}/draft").status_code == 302
    return source, target


def _module(db, version_id, position=1):
    return db.session.scalar(
        select(Module).where(Module.version_id == version_id, Module.position == position)
    )


def test_a_module_is_copied_with_its_quiz_and_questions_and_says_where_from(
    db, client, login, make_user, make_course
):
    source, target = _courses(make_course, client, login, make_user)
    draft = _draft(db, target.course_id)
    page = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('data-testid="source-module"') == 2
    # The target draft already has 01-sesi: the copy is renamed, and the author is told.
    module = _module(db, source.id)
    module.mentor_notes, module.summary_page = "Catatan mentor.", "## Ringkasan\n\nSatu halaman."
    db.session.commit()
    done = client.post_form(
        f"/admin/courses/{target.course_id}/reuse/module",
        {"module": module.id, "token": _token(text)},
    )
    assert done.status_code == 302
    copied = _module(db, draft.id, position=2)
    assert copied.slug == "01-sesi-2" and copied.title == module.title
    assert copied.material == module.material
    assert (copied.mentor_notes, copied.summary_page) == (module.mentor_notes, module.summary_page)
    assert copied.copied_from["course"] == "sumber" and copied.copied_from["key"] == "01-sesi"
    activities = db.session.scalars(
        select(Activity).where(Activity.module_id == copied.id).order_by(Activity.position)
    ).all()
    assert [a.key for a in activities] == ["bacaan", "kuis"]
    assert activities[1].config["questions"] == ["a", "b"]
    questions = db.session.scalars(select(Question).where(Question.version_id == draft.id)).all()
    assert {q.key for q in questions} == {"a", "b"}
    assert {q.module_slug for q in questions} == {"01-sesi-2"}
    shown = html.unescape(client.get(done.location).get_data(as_text=True))
    assert "01-sesi → 01-sesi-2" in shown
    assert 'data-testid="copied-from"' in shown and "sumber" in shown
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.copy"))
    assert event.after["modules"] == ["01-sesi-2"] and event.after["from"] == "sumber 1.0.0"
    # The source is untouched, and the draft still passes the package checks.
    assert db.session.scalar(select(func.count()).where(Module.version_id == source.id)) == 2
    from courses import services
    from lms import plugins

    assert services.check_draft(draft, "tujuan", plugins.registry()) == []


def test_a_double_submit_copies_once(db, client, login, make_user, make_course):
    source, target = _courses(make_course, client, login, make_user)
    draft = _draft(db, target.course_id)
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}").get_data(True)
    form = {"module": _module(db, source.id, 2).id, "token": _token(text)}
    url = f"/admin/courses/{target.course_id}/reuse/module"
    assert client.post_form(url, form).status_code == 302
    assert client.post_form(url, form).status_code == 302
    assert db.session.scalar(select(func.count()).where(Module.version_id == draft.id)) == 2


def test_question_keys_are_renamed_on_collision_and_the_quiz_follows(
    db, client, login, make_user, make_course
):
    source, target = _courses(make_course, client, login, make_user)
    draft = _draft(db, target.course_id)
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}").get_data(True)
    bank = db.session.scalars(select(Question).where(Question.version_id == source.id)).all()
    url = f"/admin/courses/{target.course_id}/reuse/questions"
    form = {"source": source.id, "token": _token(text), "module_slug": "01-sesi"}
    # No question ticked: an error next to the list, in Indonesian, nothing copied.
    refused = client.post_form(url, form)
    assert refused.status_code == 422
    assert "Centang sedikitnya satu pertanyaan." in html.unescape(refused.get_data(as_text=True))
    assert client.post_form(url, {**form, "questions": [q.id for q in bank]}).status_code == 302
    # Copy the quiz activity on its own: its questions a, b now collide and are renamed.
    quiz = db.session.scalar(
        select(Activity).join(Module).where(Module.version_id == source.id, Activity.key == "kuis")
    )
    target_module = _module(db, draft.id)
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}").get_data(True)
    done = client.post_form(
        f"/admin/courses/{target.course_id}/reuse/activity",
        {"activity": quiz.id, "target": target_module.id, "token": _token(text)},
    )
    assert done.status_code == 302
    keys = set(db.session.scalars(select(Question.key).where(Question.version_id == draft.id)))
    assert keys == {"a", "b", "a-2", "b-2"}
    copy = db.session.scalar(
        select(Activity).where(Activity.module_id == target_module.id, Activity.key == "kuis")
    )
    assert copy.config["questions"] == ["a-2", "b-2"]
    assert copy.copied_from["key"] == "kuis" and copy.copied_from["course"] == "sumber"
    bank_page = client.get(f"/admin/courses/{target.course_id}/versions/{draft.id}/questions")
    assert bank_page.get_data(as_text=True).count('data-testid="copied-from"') == 4


def test_an_author_copies_only_from_courses_they_may_read_and_only_into_a_draft(
    db, client, login, make_user, make_course
):
    source, target = _courses(make_course, client, login, make_user)
    other = make_course(slug="rahasia", title="Kursus Rahasia", modules=1)
    author = make_user("mentor", email="penulis@example.org")
    db.session.add(CourseAuthor(course_id=target.course_id, user_id=author.id))
    db.session.add(CourseAuthor(course_id=source.course_id, user_id=author.id))
    db.session.commit()
    client.post_form("/logout")
    login(author)
    page = client.get(f"/admin/courses/{target.course_id}/reuse").get_data(as_text=True)
    assert "sumber" in page and "rahasia" not in page
    forbidden = client.get(f"/admin/courses/{target.course_id}/reuse?from={other.id}")
    assert forbidden.status_code == 403
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}").get_data(True)
    other_module = _module(db, other.id)
    refused = client.post_form(
        f"/admin/courses/{target.course_id}/reuse/module",
        {"module": other_module.id, "token": _token(text)},
    )
    assert refused.status_code == 403
    # Nor into a course they do not write.
    assert (
        client.post_form(
            f"/admin/courses/{other.course_id}/reuse/module",
            {"module": _module(db, source.id).id, "token": _token(text)},
        ).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).where(Module.copied_from.is_not(None))) == 0
    # With no draft, nothing is copied (published versions never change).
    client.post_form("/logout")
    login(make_user("admin", email="admin2@example.org"))
    client.post_form(f"/admin/courses/{target.course_id}/draft/discard")
    gone = client.post_form(
        f"/admin/courses/{target.course_id}/reuse/module",
        {"module": _module(db, source.id).id, "token": "x"},
    )
    assert gone.status_code == 302
    assert db.session.scalar(select(func.count()).where(Module.copied_from.is_not(None))) == 0


def test_a_new_course_starts_from_a_version_and_keeps_provenance_into_later_drafts(
    db, client, login, make_user, make_course
):
    source, _target = _courses(make_course, client, login, make_user)
    url = f"/admin/courses/{source.course_id}/versions/{source.id}/copy"
    form = client.get(url)
    assert form.status_code == 200 and "Kursus Sumber" in form.get_data(as_text=True)
    taken = client.post_form(
        url, {"slug": "tujuan", "title": "Baru", "label": "1.0.0", "language": "id"}
    )
    assert taken.status_code == 422
    assert 'data-testid="error-slug"' in taken.get_data(as_text=True)
    done = client.post_form(
        url, {"slug": "turunan", "title": "Baru", "label": "1.0.0", "language": "id"}
    )
    assert done.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "turunan"))
    draft = _draft(db, course.id)
    assert draft.copied_from["course"] == "sumber"
    modules = db.session.scalars(select(Module).where(Module.version_id == draft.id)).all()
    assert [m.slug for m in modules] == ["01-sesi", "02-sesi"]
    assert all(m.copied_from["version"] == "1.0.0" for m in modules)
    assert db.session.scalar(select(func.count()).where(Question.version_id == draft.id)) == 2
    page = html.unescape(client.get(done.location).get_data(as_text=True))
    assert page.count('data-testid="copied-from"') >= 3
    # Publish, start a new draft: the provenance stays.
    published = client.post_form(f"/admin/courses/{course.id}/publish", {"confirmed": "yes"})
    assert published.status_code == 302
    assert client.post_form(f"/admin/courses/{course.id}/draft").status_code == 302
    again = _draft(db, course.id)
    assert again.id != draft.id and again.copied_from["course"] == "sumber"
    module = _module(db, again.id)
    assert module.copied_from["key"] == "01-sesi"
    quiz = db.session.scalar(
        select(Activity).where(Activity.module_id == module.id, Activity.key == "kuis")
    )
    assert quiz.copied_from["key"] == "kuis"
    question = db.session.scalar(select(Question).where(Question.version_id == again.id))
    assert question.copied_from["course"] == "sumber"


def test_an_activity_the_target_module_cannot_hold_is_refused_next_to_the_field(
    db, client, login, make_user, make_course
):
    _source, target = _courses(make_course, client, login, make_user)
    draft = _draft(db, target.course_id)
    module = _module(db, draft.id)
    module.meeting_minutes = None  # a live-meeting activity needs a module with a meeting
    db.session.commit()
    meeting = db.session.scalar(
        select(Activity)
        .join(Module)
        .where(Module.version_id == target.id, Activity.key == "pertemuan")
    )
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={target.id}").get_data(True)
    refused = client.post_form(
        f"/admin/courses/{target.course_id}/reuse/activity",
        {"activity": meeting.id, "target": module.id, "token": _token(text)},
    )
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    error = re.search(rf'id="target-{meeting.id}-error">([^<]+)<', page)
    assert error and "pertemuan" in error.group(1).lower()
    count = select(func.count()).where(Activity.module_id == module.id)
    assert db.session.scalar(count) == 2


def test_a_quiz_that_draws_by_tag_brings_the_questions_it_draws(
    db, client, login, make_user, make_course
):
    from courses import services
    from lms import plugins

    source = make_course(
        slug="acak",
        modules=2,
        activities=(
            ("bacaan", "reading"),
            ("kuis", "quiz", {"kind": "post", "draw": 2, "draw_tag": "01-sesi", "attempts": 0}),
        ),
        questions={1: [_choice("a"), _choice("b")], 2: [_choice("c")]},
    )
    target = make_course(slug="tujuan", title="Kursus Tujuan", modules=1)
    login(make_user("admin"))
    client.post_form(f"/admin/courses/{target.course_id}/draft")
    draft = _draft(db, target.course_id)
    # The first session's quiz draws by its own slug, which the draft already uses.
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}").get_data(True)
    url = f"/admin/courses/{target.course_id}/reuse/module"
    assert client.post_form(url, {"module": _module(db, source.id).id, "token": _token(text)})
    copied = _module(db, draft.id, position=2)
    assert copied.slug == "01-sesi-2"
    quiz = db.session.scalar(
        select(Activity).where(Activity.module_id == copied.id, Activity.key == "kuis")
    )
    assert quiz.config["draw_tag"] == "01-sesi-2"
    drawn = select(Question.key).where(
        Question.version_id == draft.id, Question.module_slug == "01-sesi-2"
    )
    assert set(db.session.scalars(drawn)) == {"a", "b"}
    # No stale "01-sesi" tag: the draft's own first session must not draw them.
    assert not any(
        "01-sesi" in tags
        for tags in db.session.scalars(select(Question.tags).where(Question.version_id == draft.id))
    )
    # The second session's quiz draws from the first session: copied alone, the questions it
    # draws come along (renamed) where its tag still finds them.
    second = db.session.scalar(
        select(Activity)
        .join(Module)
        .where(Module.version_id == source.id, Module.position == 2, Activity.key == "kuis")
    )
    text = client.get(f"/admin/courses/{target.course_id}/reuse?from={source.id}").get_data(True)
    done = client.post_form(
        f"/admin/courses/{target.course_id}/reuse/activity",
        {"activity": second.id, "target": _module(db, draft.id).id, "token": _token(text)},
    )
    assert done.status_code == 302
    tagged = db.session.scalars(
        select(Question).where(Question.version_id == draft.id, Question.key.in_(["a-2", "b-2"]))
    ).all()
    assert len(tagged) == 2
    assert all(q.module_slug == "01-sesi" or "01-sesi" in q.tags for q in tagged)
    assert services.check_draft(draft, "tujuan", plugins.registry()) == []


def test_copies_keep_the_modules_files_within_the_version_limit(
    db, app, client, login, make_user, make_course
):
    """A copied module, and a course started from a version, carry the module's files (the
    same stored bytes, served from the copy); a copy that would pass the draft's file limit
    is refused and copies nothing."""
    from courses import services
    from courses.models import ModuleAsset
    from lms import plugins
    from tests.web.test_module_assets import _course_with_asset, _fetch, png

    source = _course_with_asset(db, make_course)
    target = make_course(slug="tujuan", modules=1)
    login(make_user("admin"))
    assert client.post_form(f"/admin/courses/{target.course_id}/draft").status_code == 302
    draft = _draft(db, target.course_id)
    url = f"/admin/courses/{target.course_id}/reuse"
    text = client.get(f"{url}?from={source.id}").get_data(as_text=True)
    form = {"module": _module(db, source.id).id, "token": _token(text)}
    assert client.post_form(f"{url}/module", form).status_code == 302
    copied = _module(db, draft.id, position=2)
    row = db.session.scalar(select(ModuleAsset).where(ModuleAsset.module_id == copied.id))
    assert (row.path, row.size) == ("assets/diagram.png", len(png()))
    assert _fetch(client, f"/learn/assets/{row.id}/{row.sha256[:16]}/{row.name}").data == png()
    assert services.check_draft(draft, "tujuan", plugins.registry()) == []

    done = client.post_form(
        f"/admin/courses/{source.course_id}/versions/{source.id}/copy",
        {"slug": "turunan", "title": "Baru", "label": "1.0.0", "language": "id"},
    )
    assert done.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "turunan"))
    new_draft = _draft(db, course.id)
    paths = db.session.scalars(
        select(ModuleAsset.path)
        .join(Module, Module.id == ModuleAsset.module_id)
        .where(Module.version_id == new_draft.id)
    ).all()
    assert paths == ["assets/diagram.png"]

    text = client.get(f"{url}?from={source.id}").get_data(as_text=True)
    form = {"module": _module(db, source.id).id, "token": _token(text)}
    app.config["LMS_ASSET_PACKAGE_MAX_BYTES"] = len(png()) + 10
    try:
        refused = client.post_form(f"{url}/module", form)
    finally:
        app.config.pop("LMS_ASSET_PACKAGE_MAX_BYTES")
    assert refused.status_code == 422
    assert "akan melebihi" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Module.version_id == draft.id)) == 2
