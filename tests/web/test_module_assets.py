"""Files in course modules (assets/): uploaded into the draft, judged by content, shown in
the material by relative path, served only to whoever may see the course version, with
content-hash URLs, long cache headers and range requests; carried by package import/export."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from courses import package as pkg
from courses import services
from courses.models import CourseVersion, Module, ModuleAsset


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


SAFE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<title>Kotak</title><rect x="1" y="1" width="8" height="8" fill="#036"/></svg>'
)
SCRIPT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
    b'<rect width="5" height="5"/></svg>'
)
HANDLER_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>'
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 40


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


def _upload(client, course_id: int, module_id: int, name: str, data: bytes):
    return client.post_form(
        f"/admin/courses/{course_id}/modules/{module_id}/assets",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _fetch(client, url: str, **kwargs):
    """GET a file and close the response (the served file is released at once)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _asset_url(page: str, name: str) -> str:
    match = re.search(rf"(/learn/assets/\d+/[0-9a-f]{{16}}/{re.escape(name)})", page)
    assert match, f"no URL for {name}"
    return match.group(1)


@pytest.fixture
def admin_with_draft(db, client, login, make_user, make_course):
    version = make_course(material="## Materi\n\n![Diagram arsitektur](assets/diagram.png)\n")
    admin = make_user("admin")
    login(admin)
    module = _draft_module(db, client, version.course_id)
    return version, module


def test_upload_shows_the_image_in_the_preview_and_the_participant_view(
    db, client, admin_with_draft
):
    version, module = admin_with_draft
    course_id = version.course_id
    response = _upload(client, course_id, module.id, "Diagram.PNG", png())
    assert response.status_code == 302
    page = client.get(f"/admin/courses/{course_id}/modules/{module.id}/edit").get_data(as_text=True)
    assert "assets/diagram.png" in page
    url = _asset_url(page, "diagram.png")
    preview = client.post_form(
        f"/admin/courses/preview?module={module.id}",
        {"text": "![Diagram arsitektur](assets/diagram.png)"},
    ).get_data(as_text=True)
    assert f'src="{url}"' in preview
    assert 'alt="Diagram arsitektur"' in preview
    served = _fetch(client, url)
    assert served.status_code == 200
    assert served.data == png()
    assert served.mimetype == "image/png"
    # The view as a participant renders the same URL.
    view = client.get(
        f"/admin/courses/{course_id}/versions/{module.version_id}/view-as/modules/{module.id}"
    ).get_data(as_text=True)
    assert f'src="{url}"' in view


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.png", b"<html><script>alert(1)</script></html>", "ditolak"),
        ("evil.svg", SCRIPT_SVG, "script"),
        ("handler.svg", HANDLER_SVG, "onload"),
        ("program.pdf", b"MZ\x90\x00" + bytes(100), "ditolak"),
    ],
)
def test_a_file_of_the_wrong_content_is_refused_next_to_the_field(
    db, client, admin_with_draft, name, data, message
):
    version, module = admin_with_draft
    response = _upload(client, version.course_id, module.id, name, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'data-testid="error-file">([^<]*)<', page)
    assert error and message in error.group(1)
    assert db.session.scalar(select(ModuleAsset.id)) is None
    # The module's text is still on the page, untouched.
    assert "Diagram arsitektur" in page


def test_a_safe_svg_is_accepted_and_served_with_a_sandbox(db, client, admin_with_draft):
    version, module = admin_with_draft
    assert _upload(client, version.course_id, module.id, "kotak.svg", SAFE_SVG).status_code == 302
    page = client.get(f"/admin/courses/{version.course_id}/modules/{module.id}/edit")
    served = _fetch(client, _asset_url(page.get_data(as_text=True), "kotak.svg"))
    assert served.mimetype == "image/svg+xml"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_an_oversized_file_is_refused_and_nothing_is_stored(db, app, client, admin_with_draft):
    version, module = admin_with_draft
    app.config["LMS_ASSET_MAX_BYTES"] = 1000
    try:
        response = _upload(client, version.course_id, module.id, "big.mp4", MP4)
    finally:
        app.config.pop("LMS_ASSET_MAX_BYTES")
    assert response.status_code == 422
    assert "lebih besar dari" in response.get_data(as_text=True)
    assert db.session.scalar(select(ModuleAsset.id)) is None


def test_the_package_total_is_limited(db, app, client, admin_with_draft):
    version, module = admin_with_draft
    assert _upload(client, version.course_id, module.id, "a.png", png()).status_code == 302
    app.config["LMS_ASSET_PACKAGE_MAX_BYTES"] = len(png()) + 10
    try:
        response = _upload(client, version.course_id, module.id, "b.png", png(3, 3))
    finally:
        app.config.pop("LMS_ASSET_PACKAGE_MAX_BYTES")
    assert response.status_code == 422
    assert "akan melebihi" in response.get_data(as_text=True)


def test_cache_headers_and_range_requests(db, client, admin_with_draft):
    version, module = admin_with_draft
    assert _upload(client, version.course_id, module.id, "video.mp4", MP4).status_code == 302
    page = client.get(f"/admin/courses/{version.course_id}/modules/{module.id}/edit")
    url = _asset_url(page.get_data(as_text=True), "video.mp4")
    whole = _fetch(client, url)
    assert whole.status_code == 200
    assert whole.mimetype == "video/mp4"
    assert "immutable" in whole.headers["Cache-Control"]
    assert "max-age=31536000" in whole.headers["Cache-Control"]
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Disposition"].startswith("inline")
    part = _fetch(client, url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.data == MP4[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(MP4)}"
    # A URL whose hash does not match the content is not served.
    wrong = re.sub(r"/[0-9a-f]{16}/", "/" + "0" * 16 + "/", url)
    assert _fetch(client, wrong).status_code == 404


def test_a_compressible_file_is_served_as_stored_and_its_ranges_are_exact(
    db, client, admin_with_draft
):
    """An SVG is of a type pages are compressed in, but a file is sent as stored: a range
    answer must be those bytes of the file, not of a compressed stream."""
    version, module = admin_with_draft
    rects = b"".join(
        b'<rect x="%d" y="1" width="1" height="8" fill="#036"/>' % n for n in range(40)
    )
    drawing = SAFE_SVG.replace(b"</svg>", rects + b"</svg>")
    assert len(drawing) > 1000
    assert _upload(client, version.course_id, module.id, "batang.svg", drawing).status_code == 302
    page = client.get(f"/admin/courses/{version.course_id}/modules/{module.id}/edit")
    url = _asset_url(page.get_data(as_text=True), "batang.svg")
    accept = {"Accept-Encoding": "br, gzip"}
    whole = _fetch(client, url, headers=accept)
    assert "Content-Encoding" not in whole.headers
    assert whole.data == drawing
    part = _fetch(client, url, headers={**accept, "Range": "bytes=100-199"})
    assert part.status_code == 206
    assert "Content-Encoding" not in part.headers
    assert part.data == drawing[100:200]


def test_a_pdf_is_a_download(db, client, admin_with_draft):
    version, module = admin_with_draft
    data = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert _upload(client, version.course_id, module.id, "perpres.pdf", data).status_code == 302
    page = client.get(f"/admin/courses/{version.course_id}/modules/{module.id}/edit")
    served = _fetch(client, _asset_url(page.get_data(as_text=True), "perpres.pdf"))
    assert served.headers["Content-Disposition"].startswith("attachment")


def test_who_may_fetch_a_file(db, client, login, make_user, make_course, make_cohort, attach):
    version = _course_with_asset(db, make_course)
    row = db.session.scalar(select(ModuleAsset))
    url = f"/learn/assets/{row.id}/{row.sha256[:16]}/{row.name}"
    participant, outsider = make_user("participant"), make_user("participant")
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    coordinator = make_user("coordinator", region="32.11")
    far_coordinator = make_user("coordinator", region="33.01")
    cohort = make_cohort(region="32.11", mentors=[mentor], participants=[participant])
    attach(cohort, version)
    make_cohort(region="32.11", mentors=[other_mentor], participants=[outsider])
    expected = {
        participant: 200,
        outsider: 403,
        mentor: 200,
        other_mentor: 403,
        coordinator: 200,
        far_coordinator: 403,
        make_user("admin"): 200,
    }
    assert _fetch(client, url).status_code == 302  # anonymous: to the login page
    # The participant's session page shows the image at that URL, with its alt text.
    login(participant)
    page = client.get(f"/learn/{cohort.id}/modules/{row.module_id}").get_data(as_text=True)
    assert f'<img alt="Diagram" src="{url}">' in page
    client.post_form("/logout")
    for user, status in expected.items():
        login(user)
        assert _fetch(client, url).status_code == status, user.role
        client.post_form("/logout")


def _course_with_asset(db, make_course) -> CourseVersion:
    from dataclasses import replace

    from tests.conftest import course_package

    base = course_package(material="![Diagram](assets/diagram.png)\n", modules=1)
    module = replace(base.modules[0], assets=(("assets/diagram.png", png()),))
    result = services.import_package(replace(base, modules=(module,)))
    db.session.commit()
    return result.version


def test_a_published_versions_files_stay_when_the_draft_changes(
    db, client, login, make_user, make_course
):
    version = _course_with_asset(db, make_course)
    login(make_user("admin"))
    published = db.session.scalar(select(ModuleAsset))
    module = _draft_module(db, client, version.course_id)
    draft_row = db.session.scalar(select(ModuleAsset).where(ModuleAsset.module_id == module.id))
    assert draft_row.sha256 == published.sha256
    assert (
        _upload(client, version.course_id, module.id, "diagram.png", png(4, 4)).status_code == 302
    )
    db.session.expire_all()
    kept = db.session.get(ModuleAsset, published.id)
    assert kept.sha256 == published.sha256
    served = _fetch(client, f"/learn/assets/{kept.id}/{kept.sha256[:16]}/{kept.name}")
    assert served.data == png()
    # Removing it from the draft leaves the published file too.
    new_row = db.session.scalar(select(ModuleAsset).where(ModuleAsset.module_id == module.id))
    delete_url = (
        f"/admin/courses/{version.course_id}/modules/{module.id}/assets/{new_row.id}/delete"
    )
    assert client.post_form(delete_url).status_code == 302
    assert _fetch(client, f"/learn/assets/{kept.id}/{kept.sha256[:16]}/{kept.name}").data == png()


def test_export_and_import_round_trip_byte_for_byte(db, make_course, tmp_path: Path):
    version = _course_with_asset(db, make_course)
    first = tmp_path / "first"
    package = services.version_to_package(version, "kursus-uji")
    pkg.dump_package(package, first)
    assert (first / "01-sesi" / "assets" / "diagram.png").read_bytes() == png()
    loaded, problems = pkg.load_package(first)
    assert loaded is not None, problems
    assert pkg.content_hash(loaded) == pkg.content_hash(package)
    second = tmp_path / "second"
    pkg.dump_package(loaded, second)
    for path in first.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()
    assert sorted(p.relative_to(first) for p in first.rglob("*")) == sorted(
        p.relative_to(second) for p in second.rglob("*")
    )


def test_pages_with_more_files_issue_no_more_statements(
    db, client, admin_with_draft, count_queries
):
    version, module = admin_with_draft
    course_id = version.course_id
    edit = f"/admin/courses/{course_id}/modules/{module.id}/edit"
    view = f"/admin/courses/{course_id}/versions/{module.version_id}/view-as/modules/{module.id}"
    assert _upload(client, course_id, module.id, "a.png", png()).status_code == 302
    with count_queries() as small_edit:
        assert client.get(edit).status_code == 200
    with count_queries() as small_view:
        assert client.get(view).status_code == 200
    for n in range(2, 7):
        assert _upload(client, course_id, module.id, f"b{n}.png", png(n, n)).status_code == 302
    with count_queries() as large_edit:
        assert client.get(edit).status_code == 200
    with count_queries() as large_view:
        assert client.get(view).status_code == 200
    assert large_edit.n == small_edit.n, large_edit.statements
    assert large_view.n == small_view.n, large_view.statements


VIDEO_MATERIAL = (
    "Tonton:\n\n[Video SPBE](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n\n"
    '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>\n\n'
    "[Lain](https://video.example.org/watch?v=dQw4w9WgXcQ)\n"
)


def test_outside_video_is_embedded_only_from_an_allowed_host(app, db, client, admin_with_draft):
    version, module = admin_with_draft
    url = f"/admin/courses/preview?module={module.id}"
    plain = client.post_form(url, {"text": VIDEO_MATERIAL})
    assert "<iframe" not in plain.get_data(as_text=True)  # the author's iframe is stripped
    assert "frame-src" not in plain.headers["Content-Security-Policy"]
    app.config["LMS_VIDEO_EMBED"] = "youtube"
    try:
        allowed = client.post_form(url, {"text": VIDEO_MATERIAL})
    finally:
        app.config["LMS_VIDEO_EMBED"] = ""
    page = allowed.get_data(as_text=True)
    assert page.count("<iframe") == 1
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert 'title="Video SPBE"' in page and "sandbox=" in page
    assert "video.example.org/watch" in page  # another host stays a link
    assert (
        "frame-src https://www.youtube-nocookie.com" in allowed.headers["Content-Security-Policy"]
    )
