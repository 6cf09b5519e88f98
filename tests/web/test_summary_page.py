"""The one-page summary of a session (a module's summary.md): read and checked with the
package, kept through export, and downloaded as a PDF by whoever may open the session."""

from __future__ import annotations

import datetime
import re
import zlib
from dataclasses import replace

from sqlalchemy import select

from courses import package as pkg
from courses.models import Module
from tests.conftest import course_package

SUMMARY = (
    "## Inti sesi\n\n"
    "- Kebijakan internal **ditetapkan** kepala daerah.\n"
    "- Tim Koordinasi SPBE mengarahkan – bukan sekadar rapat.\n\n"
    "Langkah pertama: petakan regulasi yang sudah ada.\n"
)


def _text_of(pdf: bytes) -> str:
    """The text drawn on the PDF's pages (its compressed content streams, inflated)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            shown.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return " ".join(re.findall(r"\((.*?)\)\s*Tj", " ".join(shown)))


def _course(db, *, locked_second=False):
    from courses import services

    package = course_package(
        slug="berringkasan",
        modules=2,
        unlock={2: pkg.UnlockRule(on=datetime.date(2099, 1, 1), after=())}
        if locked_second
        else None,
    )
    modules = tuple(replace(m, summary_page=SUMMARY) for m in package.modules)
    result = services.import_package(replace(package, modules=modules))
    db.session.commit()
    return result.version


def test_the_summary_downloads_as_a_pdf_for_whoever_may_open_the_session(
    db, client, login, make_user, make_cohort, attach
):
    participant = make_user("participant", region="32.11")
    mentor = make_user("mentor")
    cohort = make_cohort(
        "32.11", name="Angkatan Ringkas", mentors=[mentor], participants=[participant]
    )
    version = _course(db, locked_second=True)
    attach(cohort, version)
    first, second = db.session.scalars(
        select(Module).where(Module.version_id == version.id).order_by(Module.position)
    ).all()
    url = f"/learn/{cohort.id}/modules/{first.id}/summary.pdf"

    login(participant)
    page = client.get(f"/learn/{cohort.id}/modules/{first.id}").get_data(as_text=True)
    assert 'data-testid="summary-pdf"' in page and url in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF")
    text = _text_of(response.data)
    assert "Kebijakan internal" in text and "ditetapkan" in text
    assert "mengarahkan - bukan" in text  # the en dash, shown as a plain one
    assert f"Sesi 1. {first.title}" in text and "Angkatan Ringkas" in text
    # The second session is not open yet: no link, no file.
    locked = client.get(f"/learn/{cohort.id}/modules/{second.id}").get_data(as_text=True)
    assert "summary-pdf" not in locked
    assert client.get(f"/learn/{cohort.id}/modules/{second.id}/summary.pdf").status_code == 404
    client.post_form("/logout")

    login(mentor)
    assert client.get(url).status_code == 200
    client.post_form("/logout")

    login(make_user("participant", region="32.11"))  # not in this cohort
    assert client.get(url).status_code in (403, 404)
    client.post_form("/logout")
    login(make_user("mentor"))  # not this cohort's mentor
    assert client.get(url).status_code in (403, 404)


def test_a_session_without_a_summary_offers_none(
    db, client, login, make_user, make_cohort, make_course, attach
):
    participant = make_user("participant", region="32.11")
    cohort = make_cohort("32.11", participants=[participant])
    version = make_course(slug="tanpa-ringkasan", modules=1)
    attach(cohort, version)
    module = db.session.scalar(select(Module.id).where(Module.version_id == version.id))
    login(participant)
    assert "summary-pdf" not in client.get(f"/learn/{cohort.id}/modules/{module}").get_data(
        as_text=True
    )
    assert client.get(f"/learn/{cohort.id}/modules/{module}/summary.pdf").status_code == 404


def test_summary_is_read_checked_and_written_back(tmp_path):
    package = course_package(slug="paket-ringkas", modules=1)
    package = replace(package, modules=(replace(package.modules[0], summary_page=SUMMARY),))
    pkg.dump_package(package, tmp_path / "out")
    written = next((tmp_path / "out").glob(f"*/{pkg.SUMMARY_FILE}"))
    assert written.read_text(encoding="utf-8") == SUMMARY
    again, problems = pkg.load_package(tmp_path / "out")
    assert problems == [] and again.modules[0].summary_page == SUMMARY
    assert pkg.content_hash(again) == pkg.content_hash(package)

    written.write_text("kata " * (pkg.SUMMARY_MAX_WORDS + 1), encoding="utf-8")
    refused, found = pkg.load_package(tmp_path / "out")
    assert refused is None
    problems = [str(p) for p in found]
    rel = written.relative_to(tmp_path / "out").as_posix()
    assert any(rel in p and f"at most {pkg.SUMMARY_MAX_WORDS}" in p for p in problems), problems


def test_a_package_without_summaries_keeps_its_hash(tmp_path):
    """Packages from before summaries hash as they did (the field is left out when empty)."""
    package = course_package(slug="paket-lama", modules=1)
    with_empty = replace(package, modules=(replace(package.modules[0], summary_page=""),))
    assert pkg.content_hash(with_empty) == pkg.content_hash(package)
