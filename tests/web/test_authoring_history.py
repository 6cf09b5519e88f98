"""Safe co-editing of a draft module: a stale save is refused with both texts shown, every
save is kept in the module's history, and an earlier text can be restored."""

from __future__ import annotations

import html

from sqlalchemy import select

from courses.models import CourseVersion, Module, ModuleRevision
from lms.audit.models import AuditEvent


def _draft_module(db, client, course_id: int) -> Module:
    assert client.post_form(f"/admin/courses/{course_id}/draft").status_code == 302
    draft = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "draft"
        )
    )
    return db.session.scalar(
        select(Module).where(Module.version_id == draft.id, Module.position == 1)
    )


def _form(module: Module, material: str, revision: int, **changes: str) -> dict[str, str]:
    form = {
        "slug": module.slug,
        "title": module.title,
        "summary": module.summary,
        "objectives": "\n".join(module.objectives),
        "duration_minutes": str(module.duration_minutes),
        "indicators": ", ".join(str(i) for i in module.indicators),
        "material": material,
        "meeting_minutes": str(module.meeting_minutes or ""),
        "meeting_agenda": "\n".join(module.meeting_agenda),
        "revision": str(revision),
    }
    form.update(changes)
    return form


def test_a_stale_save_is_refused_with_both_texts_and_a_diff(
    db, client, login, make_user, make_course
):
    version = make_course(material="Baris satu.\nBaris dua.\n")
    first, second = make_user("admin", name="Ani Penulis"), make_user("admin", name="Budi Editor")
    login(first)
    module = _draft_module(db, client, version.course_id)
    url = f"/admin/courses/{version.course_id}/modules/{module.id}/edit"
    opened = module.revision
    # Budi opens the same module and saves first.
    client.post_form("/logout")
    login(second)
    saved = client.post_form(url, _form(module, "Baris satu.\nBaris dua milik Budi.\n", opened))
    assert saved.status_code == 302
    # Ani saves what she typed on the revision she opened: refused, nothing lost.
    client.post_form("/logout")
    login(first)
    response = client.post_form(url, _form(module, "Baris satu.\nTeks Ani yang baru.\n", opened))
    assert response.status_code == 409
    page = html.unescape(response.get_data(as_text=True))
    assert 'data-testid="conflict"' in page
    assert "Budi Editor" in page
    assert "Teks Ani yang baru." in page  # hers, still in the form
    assert "Baris dua milik Budi." in page  # the saved one, shown beside it
    assert 'class="removed"' in response.get_data(as_text=True)
    assert 'class="added"' in response.get_data(as_text=True)
    db.session.expire_all()
    current = db.session.get(Module, module.id)
    assert current.material == "Baris satu.\nBaris dua milik Budi.\n"
    assert current.revision == opened + 1
    # The form now carries the current revision: saving again is a deliberate choice.
    assert f'name="revision" type="hidden" value="{opened + 1}"' in page
    again = client.post_form(url, _form(module, "Gabungan.\n", opened + 1))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Module, module.id).material == "Gabungan.\n"


def test_a_save_without_a_revision_is_refused_with_the_text_kept(
    db, client, login, make_user, make_course
):
    version = make_course()
    login(make_user("admin"))
    module = _draft_module(db, client, version.course_id)
    form = _form(module, "Teks saya.", 0)
    del form["revision"]
    response = client.post_form(
        f"/admin/courses/{version.course_id}/modules/{module.id}/edit", form
    )
    assert response.status_code == 422
    assert "Teks saya." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Module, module.id).material != "Teks saya."


def test_history_lists_who_changed_what_and_restores_an_earlier_text(
    db, client, login, make_user, make_course
):
    version = make_course(material="Asli.\n")
    admin = make_user("admin", name="Citra Admin")
    login(admin)
    module = _draft_module(db, client, version.course_id)
    url = f"/admin/courses/{version.course_id}/modules/{module.id}"
    assert client.post_form(f"{url}/edit", _form(module, "Versi kedua.\n", 1)).status_code == 302
    assert client.post_form(f"{url}/edit", _form(module, "Versi ketiga.\n", 2)).status_code == 302
    page = client.get(f"{url}/history")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert text.count('data-testid="revision"') == 3  # the copied text and two saves
    assert "Citra Admin" in text and "Versi ketiga." in text and "Versi kedua." in text
    revisions = db.session.scalars(
        select(ModuleRevision)
        .where(ModuleRevision.module_id == module.id)
        .order_by(ModuleRevision.number)
    ).all()
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[0].material == "Asli.\n" and revisions[0].editor_id is None
    original = revisions[0]
    restore = f"{url}/history/{original.id}/restore"
    asked = client.post_form(restore, {"revision": "3"})
    assert asked.status_code == 200
    asked_text = html.unescape(asked.get_data(as_text=True))
    assert 'data-testid="confirmation"' in asked_text and "Versi ketiga." in asked_text
    db.session.expire_all()
    assert db.session.get(Module, module.id).material == "Versi ketiga.\n"  # not yet
    done = client.post_form(restore, {"revision": "3", "confirmed": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    restored = db.session.get(Module, module.id)
    assert restored.material == "Asli.\n" and restored.revision == 4
    newest = db.session.scalar(
        select(ModuleRevision).where(
            ModuleRevision.module_id == module.id, ModuleRevision.number == 4
        )
    )
    assert newest.restored_from == 1 and newest.editor_id == admin.id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "course.module_restore")
    )
    assert event.object_id == str(module.id) and event.after["restored_from"] == 1
    # A restore offered on a page that went stale is refused, not applied.
    stale = client.post_form(restore, {"revision": "3", "confirmed": "yes"})
    assert stale.status_code == 302
    db.session.expire_all()
    assert db.session.get(Module, module.id).revision == 4


def test_history_and_restore_are_for_admins_only(db, client, login, make_user, make_course):
    version = make_course()
    login(make_user("admin"))
    module = _draft_module(db, client, version.course_id)
    client.post_form("/logout")
    login(make_user("mentor"))
    url = f"/admin/courses/{version.course_id}/modules/{module.id}/history"
    assert client.get(url).status_code == 403
    assert client.post_form(f"{url}/1/restore", {"revision": "1"}).status_code == 403


def test_a_module_of_another_course_has_no_history_here(db, client, login, make_user, make_course):
    one = make_course(slug="kursus-satu")
    other = make_course(slug="kursus-dua")
    login(make_user("admin"))
    module = db.session.scalar(select(Module.id).where(Module.version_id == other.id))
    assert client.get(f"/admin/courses/{one.course_id}/modules/{module}/history").status_code == 404
