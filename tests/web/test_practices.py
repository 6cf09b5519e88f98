"""The catalog of good practices: search and filters, practice pages and lineage,
visibility of proposals, curation, attachments, bounded queries, and the seed."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.practices import services
from lms.practices.models import Practice, PracticeAttachment, PracticeStatus, practice_indicator

_n = itertools.count(1)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def make_practice(db):
    """Create a committed practice: make_practice("Title", region="35.10", indicators=[14])."""

    def make(
        title="Praktik Uji",
        *,
        region="32.11",
        status="published",
        indicators=(),
        domain=None,
        aspect=None,
        derived_from=None,
        created_by=None,
        summary="Ringkasan praktik.",
        description="",
        links=(),
    ):
        practice = Practice(
            slug=f"praktik-{next(_n)}",
            title=title,
            region_code=region,
            summary=summary,
            description=description,
            domain=domain,
            aspect=aspect,
            links=list(links),
            status=status,
            derived_from_id=derived_from.id if derived_from is not None else None,
            created_by_id=created_by.id if created_by is not None else None,
        )
        db.session.add(practice)
        db.session.flush()
        if indicators:
            db.session.execute(
                practice_indicator.insert(),
                [{"practice_id": practice.id, "indicator": n} for n in indicators],
            )
        db.session.commit()
        return practice

    return make


def _titles(page: str) -> list[str]:
    rows = re.findall(r'<tr data-testid="practice-row">(.*?)</tr>', page, re.S)
    return [re.search(r'<a href="/practices/[^"]+">([^<]+)</a>', row).group(1) for row in rows]


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# Browse and search ------------------------------------------------------------


@pytest.fixture
def catalog(make_practice):
    return {
        "cc": make_practice(
            "Command Center Sumedang",
            summary="Dasbor terpadu.",
            indicators=[14, 16, 18],
            domain=2,
            aspect=3,
        ),
        "simpati": make_practice(
            "SIMPATI",
            summary="Stunting.",
            description="Aplikasi penanganan **stunting** terintegrasi.",
            indicators=[23, 45],
            domain=4,
            aspect=8,
        ),
        "kampung": make_practice(
            "Smart Kampung", region="35.10", indicators=[45, 46], domain=4, aspect=8
        ),
        "bantul": make_practice("Jaringan Bantul", region="34.02", indicators=[17], domain=2),
        "hidden": make_practice("Usulan Tersembunyi", status="proposed", indicators=[14]),
    }


def test_everyone_logged_in_sees_published_practices_only(client, make_user, login, catalog):
    login(make_user("participant"))
    page = _get(client, "/practices/")
    assert sorted(_titles(page)) == sorted(
        ["Command Center Sumedang", "SIMPATI", "Smart Kampung", "Jaringan Bantul"]
    )
    assert "Usulan Tersembunyi" not in page
    # a participant cannot ask for proposals
    assert "Usulan Tersembunyi" not in _get(client, "/practices/?status=proposed")


def test_curators_can_filter_proposed_practices(client, make_user, login, catalog):
    login(make_user("mentor"))
    assert _titles(_get(client, "/practices/?status=proposed")) == ["Usulan Tersembunyi"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=command", ["Command Center Sumedang"]),
        ("q=DASBOR", ["Command Center Sumedang"]),  # summary, case-insensitive
        ("q=stunting", ["SIMPATI"]),  # summary and description
        ("q=terintegrasi", ["SIMPATI"]),  # description only
        ("q=100%25", []),  # LIKE wildcards are literal
        ("indicator=45", ["SIMPATI", "Smart Kampung"]),
        ("indicator=14", ["Command Center Sumedang"]),
        ("domain=2", ["Command Center Sumedang", "Jaringan Bantul"]),
        ("domain=4", ["SIMPATI", "Smart Kampung"]),
        ("region=35.10", ["Smart Kampung"]),
        ("province=32", ["Command Center Sumedang", "SIMPATI"]),
        ("province=34", ["Jaringan Bantul"]),
        ("province=32&indicator=45", ["SIMPATI"]),
        ("domain=4&q=kampung", ["Smart Kampung"]),
        (
            "indicator=99",
            ["Command Center Sumedang", "SIMPATI", "Smart Kampung", "Jaringan Bantul"],
        ),
    ],
)
def test_search_and_filters(client, make_user, login, catalog, query, expected):
    login(make_user("participant"))
    assert sorted(_titles(_get(client, f"/practices/?{query}"))) == sorted(expected)


def test_rows_show_region_tags_and_adaptation_counts(client, make_user, login, make_practice):
    original = make_practice("Asal", region="34.02", indicators=[17, 19], domain=2)
    make_practice("Tiruan 1", region="32.11", derived_from=original)
    make_practice("Tiruan 2", region="35.10", derived_from=original)
    make_practice("Tiruan ditolak", status="rejected", derived_from=original)
    login(make_user("participant"))
    page = _get(client, "/practices/?q=asal")
    assert _titles(page) == ["Asal"]
    assert "Kabupaten Bantul" in page
    assert re.search(r'data-testid="practice-indicators">.*17.*19', page)
    count = re.search(r'data-testid="adapted-count">([^<]+)<', page).group(1)
    assert "2" in count  # the rejected one is not counted


def test_pagination_keeps_filters(client, make_user, login, make_practice, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for i in range(5):
        make_practice(f"Sumedang {i}", region="32.11", indicators=[20])
    make_practice("Banyuwangi", region="35.10", indicators=[20])
    login(make_user("participant"))
    first = _get(client, "/practices/?province=32&indicator=20")
    assert len(_titles(first)) == 2
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "province=32" in next_link and "indicator=20" in next_link and "page=2" in next_link
    seen = set(_titles(first))
    url = next_link
    while url:
        page = _get(client, url)
        seen |= set(_titles(page))
        match = re.search(r'href="([^"]+)" rel="next"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == {f"Sumedang {i}" for i in range(5)}


# Practice page ------------------------------------------------------------------


def test_practice_page_shows_tags_lineage_both_ways_and_links(
    client, make_user, login, make_practice
):
    original = make_practice(
        "Jaringan Bantul",
        region="34.02",
        indicators=[17, 19],
        domain=2,
        aspect=3,
        links=[{"title": "Sumber Bantul", "url": "https://diskominfo.bantulkab.go.id/x"}],
    )
    adapted = make_practice("Sumedang belajar dari Bantul", region="32.11", derived_from=original)
    make_practice("Usulan tiruan", status="proposed", derived_from=original)
    login(make_user("participant"))

    page = _get(client, f"/practices/{original.slug}")
    assert "Kabupaten Bantul (34.02)" in page
    assert "Tata Kelola SPBE" in page  # domain 2
    assert "Teknologi Informasi dan Komunikasi" in page  # aspect 3
    assert "Layanan Jaringan Intra" in page  # indicator 17
    assert "Pelaksanaan Tim Koordinasi SPBE" in page  # indicator 19
    assert (
        '<a href="https://diskominfo.bantulkab.go.id/x" rel="noopener noreferrer">Sumber Bantul</a>'
        in page
    )
    adapted_by = re.search(r'data-testid="adapted-by">(.*?)</ul>', page, re.S).group(1)
    assert f"/practices/{adapted.slug}" in adapted_by
    assert "Kabupaten Sumedang" in adapted_by
    assert "Usulan tiruan" not in page

    page = _get(client, f"/practices/{adapted.slug}")
    derived = re.search(r'data-testid="derived-from">(.*?)</p>', page, re.S).group(1)
    assert f'href="/practices/{original.slug}"' in derived
    assert "Kabupaten Bantul" in derived


def test_markdown_description_is_sanitized(client, make_user, login, make_practice):
    practice = make_practice(
        "Markdown",
        description=(
            "**tebal**\n\n<script>alert(1)</script>\n\n"
            '<a href="javascript:alert(2)" onclick="x()">klik</a>\n\n[tautan](https://example.org)'
        ),
    )
    login(make_user("participant"))
    page = _get(client, f"/practices/{practice.slug}")
    assert "<strong>tebal</strong>" in page
    assert "<script" not in page
    assert "javascript:" not in page
    assert "onclick" not in page
    assert 'href="https://example.org"' in page


def test_unknown_practice_is_404(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/practices/tidak-ada").status_code == 404
    assert client.get("/practices/tidak-ada/edit").status_code == 404
    assert client.get("/practices/attachments/999999").status_code == 404


# Visibility of proposals ----------------------------------------------------------


def test_proposed_practice_is_visible_to_curators_and_its_proposer_only(
    client, make_user, login, make_practice
):
    proposer = make_user("participant")
    other = make_user("participant")
    coordinator = make_user("coordinator")
    practice = make_practice("Usulan Peserta", status="proposed", created_by=proposer)
    url = f"/practices/{practice.slug}"
    for user, expected in [
        (other, 403),
        (coordinator, 403),
        (proposer, 200),
        (make_user("mentor"), 200),
        (make_user("admin"), 200),
    ]:
        login(user)
        response = client.get(url)
        assert response.status_code == expected, user.role
        if expected == 200:
            assert "Usulan Peserta" in response.get_data(as_text=True)
        client.post_form("/logout")


def test_propose_from_submission_service(db, make_user, make_practice):
    proposer = make_user("participant")
    original = make_practice("Command Center")
    make_practice("Command Center Kita")  # not the slug below, but close to it
    first = services.propose_from_submission(
        title="Command Center Kita",
        summary="Ringkasan",
        description="Uraian",
        region_code="35.10",
        indicators=[16, 18],
        derived_from_id=original.id,
        submission_id=None,
        proposer_id=proposer.id,
    )
    second = services.propose_from_submission(
        title="Command Center Kita",
        summary="Ringkasan",
        description="Uraian",
        region_code="35.10",
        indicators=[16],
        derived_from_id=original.id,
        submission_id=None,
        proposer_id=proposer.id,
    )
    db.session.commit()
    assert first.status == PracticeStatus.PROPOSED
    assert first.slug == "command-center-kita"
    assert second.slug == "command-center-kita-2"
    assert (first.domain, first.aspect) == (2, 3)
    assert services.indicators_of([first])[first.id] == [16, 18]
    assert services.practice_by_id(first.id).derived_from_id == original.id
    with pytest.raises(services.PracticeError) as error:
        services.propose_from_submission(
            title="X",
            summary="",
            description="",
            region_code="99.99",
            indicators=[1],
            derived_from_id=None,
            submission_id=None,
            proposer_id=proposer.id,
        )
    assert error.value.field == "region_code"
    assert all(label for _id, label in services.published_choices())
    assert first.id not in dict(services.published_choices())


# Curation -------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "title": "Command Center Daerah",
        "slug": "",
        "region_code": "32.11",
        "summary": "Ringkasan singkat.",
        "description": "## Uraian\n\nIsi.",
        "domain": "2",
        "aspect": "3",
        "indicators": "14, 16 18",
        "links": "Sumber | https://example.org/a\nhttp://example.org/b",
        "derived_from_id": "",
    }
    data.update(overrides)
    return data


def test_curator_creates_a_practice_with_generated_slug(
    client, db, make_user, login, make_practice
):
    original = make_practice("Asal")
    mentor = make_user("mentor")
    login(mentor)
    assert "Command Center" not in _get(client, "/practices/new")
    response = client.post_form("/practices/new", _form(derived_from_id=str(original.id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/practices/command-center-daerah")
    practice = db.session.scalar(select(Practice).where(Practice.slug == "command-center-daerah"))
    assert practice.status == PracticeStatus.PUBLISHED
    assert practice.created_by_id == mentor.id
    assert practice.approved_by_id == mentor.id
    assert practice.derived_from_id == original.id
    assert practice.links == [
        {"title": "Sumber", "url": "https://example.org/a"},
        {"title": "http://example.org/b", "url": "http://example.org/b"},
    ]
    assert services.indicators_of([practice])[practice.id] == [14, 16, 18]
    # the same title again gets the next free slug
    response = client.post_form("/practices/new", _form())
    assert response.headers["Location"].endswith("/practices/command-center-daerah-2")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"links": "Jahat | javascript:alert(1)"}, "links", "http"),
        ({"links": "data:text/html,<b>x</b>"}, "links", "http"),
        ({"region_code": "99.99"}, "region_code", ""),
        ({"domain": "1", "aspect": "8"}, "aspect", ""),
        ({"indicators": "14, 48"}, "indicators", "48"),
        ({"slug": "Bukan Slug!"}, "slug", ""),
        ({"slug": "new"}, "slug", ""),
        ({"title": ""}, "title", ""),
    ],
)
def test_curation_form_errors_are_shown_next_to_fields(
    client, db, make_user, login, overrides, field, message
):
    login(make_user("admin"))
    response = client.post_form("/practices/new", _form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'data-testid="error-{field}">([^<]*)<', page)
    assert error, page
    assert message in error.group(1)
    assert db.session.scalar(select(func.count(Practice.id))) == 0


def test_duplicate_slug_is_refused_next_to_the_field(client, make_user, login, make_practice):
    taken = make_practice("Sudah Ada")
    login(make_user("admin"))
    response = client.post_form("/practices/new", _form(slug=taken.slug))
    assert response.status_code == 422
    assert 'data-testid="error-slug"' in response.get_data(as_text=True)


def test_bad_links_and_indicators_are_reported_together(client, make_user, login):
    login(make_user("admin"))
    response = client.post_form(
        "/practices/new", _form(indicators="0", links="javascript:alert(1)")
    )
    page = response.get_data(as_text=True)
    assert 'data-testid="error-indicators"' in page
    assert 'data-testid="error-links"' in page


def test_edit_keeps_values_and_refuses_a_lineage_loop(client, db, make_user, login, make_practice):
    a = make_practice("Praktik A", indicators=[14, 16], domain=2, aspect=3)
    b = make_practice("Praktik B", derived_from=a)
    login(make_user("mentor"))
    page = _get(client, f"/practices/{a.slug}/edit")
    assert 'value="14, 16"' in page
    response = client.post_form(
        f"/practices/{a.slug}/edit",
        _form(title="Praktik A", slug=a.slug, derived_from_id=str(b.id)),
    )
    assert response.status_code == 422
    assert 'data-testid="error-derived_from_id"' in response.get_data(as_text=True)
    response = client.post_form(
        f"/practices/{a.slug}/edit",
        _form(title="Praktik A baru", slug="praktik-a-baru", indicators="20", links=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Practice, a.id)
    assert (saved.slug, saved.title, saved.links) == ("praktik-a-baru", "Praktik A baru", [])
    assert services.indicators_of([saved])[saved.id] == [20]


def test_participants_and_coordinators_cannot_curate(client, make_user, login, make_practice):
    practice = make_practice("Praktik", status="proposed")
    for user in (make_user("participant"), make_user("coordinator")):
        login(user)
        assert client.get("/practices/new").status_code == 403
        assert client.post_form("/practices/new", _form()).status_code == 403
        assert client.get(f"/practices/{practice.slug}/edit").status_code == 403
        response = client.post_form(f"/practices/{practice.slug}/status", {"status": "published"})
        assert response.status_code == 403
        client.post_form("/logout")


@pytest.mark.parametrize("decision", ["published", "rejected"])
def test_publish_or_reject_a_proposal(client, db, make_user, login, make_practice, decision):
    proposer = make_user("participant")
    practice = make_practice("Usulan", status="proposed", created_by=proposer)
    mentor = make_user("mentor")
    login(mentor)
    page = _get(client, f"/practices/{practice.slug}")
    assert 'data-testid="publish"' in page and 'data-testid="reject"' in page
    response = client.post_form(f"/practices/{practice.slug}/status", {"status": decision})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Practice, practice.id)
    assert saved.status == decision
    assert saved.approved_by_id == mentor.id
    assert saved.approved_at is not None
    assert (
        client.post_form(f"/practices/{practice.slug}/status", {"status": "x"}).status_code == 400
    )
    client.post_form("/logout")
    login(make_user("participant"))
    listed = "Usulan" in _titles(_get(client, "/practices/"))
    assert listed == (decision == "published")


# Attachments ------------------------------------------------------------------------


def _upload(client, slug, content, name):
    return client.post_form(
        f"/practices/{slug}/attachments",
        {"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "laporan.pdf"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "gambar.svg"),
        (b"<svg onload=alert(1)>", "gambar.png"),
        (b"GIF89a......", "animasi.gif"),
        (b"", "kosong.pdf"),
    ],
)
def test_upload_refuses_anything_but_pdf_png_jpeg(
    client, db, make_user, login, make_practice, content, name
):
    practice = make_practice()
    login(make_user("admin"))
    response = _upload(client, practice.slug, content, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-file"' in page
    assert db.session.scalar(select(func.count(PracticeAttachment.id))) == 0


def test_attachments_over_10_mb_are_refused(db, app, make_practice):
    # At the service: the test client spools a large multipart body to an unclosed temp file.
    practice = db.session.merge(make_practice())
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    with pytest.raises(services.PracticeError) as error:
        services.add_attachment(practice, filename="b.pdf", content=big)
    assert error.value.field == "file"
    assert "10 MB" in str(error.value)


def test_pdf_upload_and_download_headers(client, db, app, make_user, login, make_practice):
    practice = make_practice()
    login(make_user("mentor"))
    response = _upload(client, practice.slug, PDF, "../../Laporan Akhir.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)
    attachment = db.session.scalar(select(PracticeAttachment))
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "Laporan Akhir.pdf"
    stored = Path(app.config["UPLOAD_FOLDER"]) / "practices" / attachment.stored_name
    assert stored.read_bytes() == PDF
    assert "static" not in stored.parts
    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)

    client.post_form("/logout")
    login(make_user("participant"))
    page = _get(client, f"/practices/{practice.slug}")
    assert f"/practices/attachments/{attachment.id}" in page
    assert 'data-testid="upload-form"' not in page
    with client.get(f"/practices/attachments/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "Laporan" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_png_and_jpeg_are_accepted_and_named_by_their_type(
    client, db, make_user, login, make_practice
):
    practice = make_practice()
    login(make_user("admin"))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 20
    assert _upload(client, practice.slug, png, "diagram").status_code == 302
    assert _upload(client, practice.slug, jpeg, "foto.jpeg").status_code == 302
    rows = db.session.scalars(select(PracticeAttachment).order_by(PracticeAttachment.id)).all()
    assert [(r.original_name, r.content_type) for r in rows] == [
        ("diagram.png", "image/png"),
        ("foto.jpeg", "image/jpeg"),
    ]


def test_participant_cannot_upload(client, db, make_user, login, make_practice):
    practice = make_practice()
    login(make_user("participant"))
    assert _upload(client, practice.slug, PDF, "a.pdf").status_code == 403
    assert db.session.scalar(select(func.count(PracticeAttachment.id))) == 0


def test_attachment_of_a_proposal_follows_its_visibility(
    client, db, app, make_user, login, make_practice
):
    proposer = make_user("participant")
    practice = make_practice(status="proposed", created_by=proposer)
    attachment = services.add_attachment(
        db.session.merge(practice),
        filename="a.pdf",
        content=PDF,
    )
    db.session.commit()
    url = f"/practices/attachments/{attachment.id}"
    login(make_user("participant"))
    assert client.get(url).status_code == 403
    client.post_form("/logout")
    login(proposer)
    with client.get(url) as response:
        assert response.status_code == 200


# Bounded queries ---------------------------------------------------------------------


def _grow(make_practice, n):
    originals = [
        make_practice(f"Praktik {i}", indicators=[1 + i % 19, 20], domain=1 + i % 4)
        for i in range(n)
    ]
    for i in range(n):
        make_practice(
            f"Tiruan {i}",
            region="35.10",
            indicators=[45],
            derived_from=originals[i % len(originals)],
        )


@pytest.mark.parametrize("role", ["participant", "admin"])
def test_list_page_queries_do_not_grow(
    client, make_user, login, make_practice, count_queries, role
):
    login(make_user(role))
    _grow(make_practice, 3)
    with count_queries() as small:
        page = _get(client, "/practices/?indicator=20")
    assert len(_titles(page)) == 3
    _grow(make_practice, 27)
    with count_queries() as large:
        page = _get(client, "/practices/?indicator=20")
    assert len(_titles(page)) == 30
    assert large.n == small.n, large.statements
    assert large.n <= 8


def test_practice_page_queries_do_not_grow(client, make_user, login, make_practice, count_queries):
    login(make_user("participant"))
    original = make_practice("Asal", indicators=[14])
    derived = make_practice("Turunan", derived_from=original)
    make_practice("Tiruan", derived_from=original)
    with count_queries() as small:
        _get(client, f"/practices/{original.slug}")
    for i in range(10):
        make_practice(f"Tiruan {i}", region="35.10", derived_from=original)
    with count_queries() as large:
        _get(client, f"/practices/{original.slug}")
    assert large.n == small.n <= 8
    with count_queries() as child:
        _get(client, f"/practices/{derived.slug}")
    assert child.n <= 9


# Seed -------------------------------------------------------------------------------------


def test_seed_command_is_idempotent(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["practices", "seed"])
    assert result.exit_code == 0, result.output
    count = db.session.scalar(select(func.count(Practice.id)))
    assert count >= 8
    assert "added" in result.output
    again = runner.invoke(args=["practices", "seed"])
    assert again.exit_code == 0, again.output
    assert f"0 added, {count} already present" in again.output
    assert db.session.scalar(select(func.count(Practice.id))) == count

    practices = {p.slug: p for p in db.session.scalars(select(Practice))}
    learned = practices["sumedang-studi-tiru-bantul"]
    bantul = practices[next(s for s in practices if "bantul" in s and s != learned.slug)]
    assert learned.derived_from_id == bantul.id
    assert bantul.region_code == "34.02"
    assert {p.region_code for p in practices.values()} >= {"32.11", "35.10", "34.02", "33.75"}
    for practice in practices.values():
        assert practice.status == PracticeStatus.PUBLISHED
        assert all(services.is_web_url(link["url"]) for link in practice.links)
        assert services.indicators_of([practice])[practice.id], practice.slug
        assert "UNVERIFIED" not in practice.description
    assert all(p.links for s, p in practices.items() if "wakepo" not in s)
    assert "sekunder" in practices["wakepo-sumedang"].description
