"""Files in a course package (`<module>/assets/`): `lms courses validate` reports what is
wrong with file and line, and import/export carries them byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from courses import media
from tests.web.test_module_assets import HANDLER_SVG, MP4, SAFE_SVG, SCRIPT_SVG, png

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"
MODULE = "01-spbe-dan-dasar-hukum"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "spbe-dasar"
    shutil.copytree(SHIPPED, target)
    return target


def _add_lines(path: Path, *lines: str) -> int:
    """Append lines to a material file; the line number of the first one."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    first = len(text.splitlines()) + 1
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return first


def test_validate_reports_missing_unreferenced_and_alt_less_files_with_lines(app, copy):
    folder = copy / MODULE
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "dipakai.png").write_bytes(png())
    (folder / "assets" / "sisa.png").write_bytes(png())
    material = folder / "material.md"
    line = _add_lines(
        material,
        "![](assets/dipakai.png)",
        "![Bagan yang hilang](assets/hilang.svg)",
        "[Unduh](assets/tidak-ada.pdf)",
    )
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 1
    out = result.output
    assert f"{material}:{line}: image assets/dipakai.png has no alt text" in out
    assert f"{material}:{line + 1}: refers to assets/hilang.svg, which is missing" in out
    assert f"{material}:{line + 2}: refers to assets/tidak-ada.pdf, which is missing" in out
    assert f"{folder / 'assets' / 'sisa.png'}: warning: file is not referenced" in out
    assert "3 problems found" in out


def test_an_unreferenced_file_is_only_a_warning(app, copy):
    (copy / MODULE / "assets").mkdir(exist_ok=True)
    (copy / MODULE / "assets" / "sisa.png").write_bytes(png())
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 0, result.output
    assert "warning: file is not referenced" in result.output


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("skrip.svg", SCRIPT_SVG, "<script> is not allowed"),
        ("handler.svg", HANDLER_SVG, "'onload' is not allowed"),
        ("halaman.png", b"<!doctype html><p>hi</p>", "not an accepted file type"),
        ("Nama Spasi.png", png(), "asset names use letters"),
    ],
)
def test_validate_refuses_files_by_content_and_name(app, copy, name, data, message):
    folder = copy / MODULE / "assets"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    _add_lines(copy / MODULE / "material.md", f"![Gambar](<assets/{name}>)")
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 1
    assert message in result.output
    assert str(folder / name) in result.output


def test_import_export_round_trips_assets_byte_for_byte(app, db, copy, tmp_path):
    folder = copy / MODULE / "assets"
    folder.mkdir(exist_ok=True)
    (folder / "bagan.svg").write_bytes(SAFE_SVG)
    (folder / "video.mp4").write_bytes(MP4)
    _add_lines(
        copy / MODULE / "material.md",
        "![Bagan arsitektur](assets/bagan.svg)",
        "[Video penjelasan](assets/video.mp4)",
    )
    course = copy / "course.toml"
    course.write_text(course.read_text().replace('version = "2.1.0"', 'version = "9.0.0"'))
    first = _run(app, "courses", "import", str(copy))
    assert first.exit_code == 0, first.output
    assert "unchanged" in _run(app, "courses", "import", str(copy)).output
    assert _run(app, "courses", "export", "spbe-dasar", str(tmp_path / "a")).exit_code == 0
    assert _tree(tmp_path / "a") == _tree(copy)
    # A changed file is a changed package.
    (folder / "bagan.svg").write_bytes(SAFE_SVG.replace(b"#036", b"#063"))
    assert "raise the version" in _run(app, "courses", "import", str(copy)).output


def test_an_oversized_asset_is_refused(app, copy, monkeypatch):
    monkeypatch.setattr(media, "MAX_ASSET_BYTES", 100)
    folder = copy / MODULE / "assets"
    folder.mkdir(exist_ok=True)
    (folder / "video.mp4").write_bytes(MP4)
    _add_lines(copy / MODULE / "material.md", "[Video](assets/video.mp4)")
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 1
    assert "an asset may be at most 100 bytes" in result.output


def test_references_skip_code_and_outside_links():
    text = "```\n![](assets/x.png)\n```\n[situs](https://example.org/assets/x.png)\n"
    assert media.references(text) == []


def test_the_markdown_sanitizer_still_strips_iframes():
    from lms.markdown import render_markdown

    html = str(render_markdown('<iframe src="https://www.youtube.com/embed/x"></iframe>ok'))
    assert "iframe" not in html and "ok" in html
