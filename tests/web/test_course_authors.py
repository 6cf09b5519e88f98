"""Course authors (*Penulis Materi*): named by an admin, they write one course's draft and
question bank without admin powers; publishing stays with admins unless the course allows."""

from __future__ import annotations

import html

from sqlalchemy import select

from courses.models import CourseVersion, Module
from lms.audit.models import AuditEvent
from lms.authors import CourseAuthor


def _draft(db, course_id):
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "draft"
        )
    )


def test_an_admin_names_an_author_who_then_writes_only_that_course(
    db, client, login, make_user, make_course
):
    course_a = make_course(slug="kursus-a", title="Kursus A")
    course_b = make_course(slug="kursus-b", title="Kursus B")
    mentor = make_user("mentor", name="Dosen Pendamping", email="dosen@example.org")
    admin = make_user("admin")
    login(admin)
    added = client.post_form(
        f"/admin/courses/{course_a.course_id}/authors", {"email": "DOSEN@example.org"}
    )
    assert added.status_code == 302
    assert db.session.scalar(select(CourseAuthor.user_id)) == mentor.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.authors"))
    assert event.after["authors"] == ["dosen@example.org"] and event.before["authors"] == []
    shown = html.unescape(client.get(f"/admin/courses/{course_a.course_id}").get_data(True))
    assert "Dosen Pendamping" in shown

    client.post_form("/logout")
    login(mentor)
    home = client.get("/home").get_data(as_text=True)
    assert 'data-testid="authoring-link"' in home and 'data-testid="authoring-menu"' in home
    listing = client.get("/admin/courses/").get_data(as_text=True)
    assert "Kursus A" in listing and "Kursus B" not in listing
    assert "/admin/courses/new" not in listing and "/admin/courses/import" not in listing
    # The author starts a draft, edits a module and adds a question...
    assert client.post_form(f"/admin/courses/{course_a.course_id}/draft").status_code == 302
    draft = _draft(db, course_a.course_id)
    module = db.session.scalar(
        select(Module).where(Module.version_id == draft.id, Module.position == 1)
    )
    form = {
        "slug": module.slug,
        "title": "Sesi oleh dosen",
        "summary": module.summary,
        "objectives": "Tujuan",
        "duration_minutes": "60",
        "indicators": "1",
        "material": "Materi dari dosen.",
        "meeting_minutes": "90",
        "meeting_agenda": "Paparan",
        "revision": str(module.revision),
    }
    edit = f"/admin/courses/{course_a.course_id}/modules/{module.id}/edit"
    assert client.post_form(edit, form).status_code == 302
    bank = client.get(f"/admin/courses/{course_a.course_id}/versions/{draft.id}/questions")
    assert bank.status_code == 200
    # ...but cannot publish it, nor touch course B.
    page = client.get(f"/admin/courses/{course_a.course_id}").get_data(as_text=True)
    assert 'data-testid="publish"' not in page and 'data-testid="publish-by-admins"' in page
    assert client.post_form(f"/admin/courses/{course_a.course_id}/publish").status_code == 403
    assert client.post_form(f"/admin/courses/{course_b.course_id}/draft").status_code == 403
    assert _draft(db, course_b.course_id) is None

    # The admin lets this course's authors publish; now the author can.
    client.post_form("/logout")
    login(admin)
    rights = f"/admin/courses/{course_a.course_id}/publishing"
    assert client.post_form(rights, {"authors_may_publish": "y"}).status_code == 302
    client.post_form("/logout")
    login(mentor)
    publish = f"/admin/courses/{course_a.course_id}/publish"
    assert client.post_form(publish).status_code == 200  # the confirmation
    assert client.post_form(publish, {"confirmed": "yes"}).status_code == 302
    db.session.expire_all()
    published = db.session.get(CourseVersion, draft.id)
    assert published.status == "published" and published.published_by_id == mentor.id


def test_an_author_removed_loses_the_course(db, client, login, make_user, make_course):
    version = make_course()
    mentor = make_user("mentor")
    admin = make_user("admin")
    db.session.add(CourseAuthor(course_id=version.course_id, user_id=mentor.id))
    db.session.commit()
    login(admin)
    remove = f"/admin/courses/{version.course_id}/authors/{mentor.id}/remove"
    assert client.post_form(remove).status_code == 302
    client.post_form("/logout")
    login(mentor)
    assert client.get(f"/admin/courses/{version.course_id}").status_code == 403
    assert client.get("/admin/courses/").status_code == 403


def test_an_unknown_or_admin_account_cannot_be_named(db, client, login, make_user, make_course):
    version = make_course()
    other_admin = make_user("admin")
    login(make_user("admin"))
    url = f"/admin/courses/{version.course_id}/authors"
    for email in ("nobody@example.org", other_admin.email):
        response = client.post_form(url, {"email": email}, follow_redirects=True)
        assert 'class="flash flash-error' in response.get_data(as_text=True)
    assert db.session.scalar(select(CourseAuthor.id)) is None
