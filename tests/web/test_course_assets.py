"""Files of the whole course (the package root's assets/): uploaded on the draft's edit
page, used from any module's material as `../assets/<name>`, served under the same rules
as a module's files, carried into every new draft and into package exports."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from sqlalchemy import select

from courses import package as pkg
from courses import services
from courses.models import CourseAsset, CourseVersion, Module
from tests.conftest import course_package
from tests.web.test_module_assets import SCRIPT_SVG, _fetch, png

MATERIAL = "## Materi\n\n![Logo SPBE](../assets/logo.png)\n"


def _upload(client, course_id: int, name: str, data: bytes):
    return client.post_form(
        f"/admin/courses/{course_id}/assets",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _url(page: str, name: str) -> str:
    match = re.search(rf"(/learn/course-assets/\d+/[0-9a-f]{{16}}/{re.escape(name)})", page)
    assert match, f"no URL for {name}"
    return match.group(1)


def _draft(db, course_id: int) -> CourseVersion:
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.status == "draft"
        )
    )


def _with_course_file(db) -> CourseVersion:
    base = course_package(material=MATERIAL, modules=2)
    result = services.import_package(replace(base, assets=(("assets/logo.png", png()),)))
    db.session.commit()
    return result.version


def test_upload_on_the_course_page_shows_in_every_modules_preview(
    db, client, login, make_user, make_course
):
    version = make_course(material=MATERIAL, modules=2)
    login(make_user("admin"))
    course_id = version.course_id
    assert client.post_form(f"/admin/courses/{course_id}/draft").status_code == 302
    response = _upload(client, course_id, "Logo.PNG", png())
    assert response.status_code == 302
    page = client.get(f"/admin/courses/{course_id}/edit").get_data(as_text=True)
    assert "../assets/logo.png" in page
    url = _url(page, "logo.png")
    draft = _draft(db, course_id)
    for module_id in db.session.scalars(select(Module.id).where(Module.version_id == draft.id)):
        preview = client.post_form(
            f"/admin/courses/preview?module={module_id}", {"text": MATERIAL}
        ).get_data(as_text=True)
        assert f'<img alt="Logo SPBE" src="{url}">' in preview
    served = _fetch(client, url)
    assert served.status_code == 200 and served.data == png()
    assert served.mimetype == "image/png"
    assert "immutable" in served.headers["Cache-Control"]
    # Removing it takes it off the page and out of the material.
    row = db.session.scalar(select(CourseAsset).where(CourseAsset.version_id == draft.id))
    assert client.post_form(f"/admin/courses/{course_id}/assets/{row.id}/delete").status_code == 302
    page = client.get(f"/admin/courses/{course_id}/edit").get_data(as_text=True)
    assert 'data-testid="course-asset"' not in page
    assert db.session.scalar(select(CourseAsset.id)) is None


def test_a_file_of_the_wrong_content_is_refused(db, client, login, make_user, make_course):
    version = make_course(modules=1)
    login(make_user("admin"))
    assert client.post_form(f"/admin/courses/{version.course_id}/draft").status_code == 302
    response = _upload(client, version.course_id, "evil.svg", SCRIPT_SVG)
    assert response.status_code == 422
    error = re.search(r'data-testid="error-file">([^<]*)<', response.get_data(as_text=True))
    assert error and "script" in error.group(1)
    assert db.session.scalar(select(CourseAsset.id)) is None


def test_the_participant_sees_the_course_file_in_the_session(
    db, client, login, make_user, make_cohort, attach
):
    version = _with_course_file(db)
    participant, outsider = make_user("participant"), make_user("participant")
    cohort = make_cohort(participants=[participant])
    attach(cohort, version)
    make_cohort(participants=[outsider])
    row = db.session.scalar(select(CourseAsset))
    url = f"/learn/course-assets/{row.id}/{row.sha256[:16]}/logo.png"
    login(participant)
    module = db.session.scalar(
        select(Module.id).where(Module.version_id == version.id, Module.position == 2)
    )
    page = client.get(f"/learn/{cohort.id}/modules/{module}").get_data(as_text=True)
    assert f'<img alt="Logo SPBE" src="{url}">' in page
    assert _fetch(client, url).data == png()
    client.post_form("/logout")
    login(outsider)
    assert _fetch(client, url).status_code == 403
    assert _fetch(client, url.replace(row.sha256[:16], "0" * 16)).status_code == 404


def test_a_new_draft_carries_the_files_and_the_published_ones_stay(db, client, login, make_user):
    version = _with_course_file(db)
    published = db.session.scalar(select(CourseAsset))
    login(make_user("admin"))
    assert client.post_form(f"/admin/courses/{version.course_id}/draft").status_code == 302
    draft = _draft(db, version.course_id)
    copied = db.session.scalar(select(CourseAsset).where(CourseAsset.version_id == draft.id))
    assert copied.sha256 == published.sha256 and copied.id != published.id
    assert _upload(client, version.course_id, "logo.png", png(4, 4)).status_code == 302
    db.session.expire_all()
    kept = db.session.get(CourseAsset, published.id)
    assert _fetch(client, f"/learn/course-assets/{kept.id}/{kept.sha256[:16]}/logo.png").data == (
        png()
    )
    # The draft's package carries the new file; discarding the draft drops its rows.
    package = services.version_to_package(draft, "kursus-uji")
    assert package.assets == (("assets/logo.png", png(4, 4)),)
    discard = f"/admin/courses/{version.course_id}/draft/discard"
    assert client.post_form(discard).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(CourseAsset.version_id)).all() == [version.id]


def test_export_and_import_round_trip_byte_for_byte(db, tmp_path):
    version = _with_course_file(db)
    package = services.version_to_package(version, "kursus-uji")
    first = tmp_path / "first"
    pkg.dump_package(package, first)
    assert (first / "assets" / "logo.png").read_bytes() == png()
    loaded, problems = pkg.load_package(first)
    assert loaded is not None, problems
    assert pkg.content_hash(loaded) == pkg.content_hash(package) == version.content_hash
    second = tmp_path / "second"
    pkg.dump_package(loaded, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes()
