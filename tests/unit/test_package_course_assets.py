"""Files of the whole course (`assets/` at the package root, next to course.toml): any
module's material refers to them as `../assets/<name>`; validate reports what is wrong
with file and line; import/export carries them byte for byte; old packages keep their hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from courses import package as pkg
from tests.web.test_module_assets import SCRIPT_SVG, png

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
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    first = len(text.splitlines()) + 1
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return first


def test_validate_reports_course_files_missing_unreferenced_and_without_alt(app, copy):
    (copy / "assets").mkdir()
    (copy / "assets" / "logo.png").write_bytes(png())
    (copy / "assets" / "sisa.png").write_bytes(png())
    material = copy / MODULE / "material.md"
    line = _add_lines(material, "![](../assets/logo.png)", "[Glosarium](../assets/glosarium.pdf)")
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 1, result.output
    out = result.output
    assert f"{material}:{line}: image ../assets/logo.png has no alt text" in out
    assert f"{material}:{line + 1}: refers to ../assets/glosarium.pdf, which is missing" in out
    assert f"{copy / 'assets' / 'sisa.png'}: warning: file is not referenced" in out
    assert "not listed in course.toml" not in out  # assets/ is not a module folder


def test_a_course_file_used_by_a_module_is_valid(app, copy):
    (copy / "assets").mkdir()
    (copy / "assets" / "logo.png").write_bytes(png())
    _add_lines(copy / MODULE / "material.md", "![Logo SPBE](../assets/logo.png)")
    loaded, problems = pkg.load_package(copy)
    assert loaded is not None, problems
    assert loaded.assets == (("assets/logo.png", png()),)
    assert problems == []


def test_a_course_file_is_judged_by_its_content(app, copy):
    (copy / "assets").mkdir()
    (copy / "assets" / "skrip.svg").write_bytes(SCRIPT_SVG)
    _add_lines(copy / MODULE / "material.md", "![Skrip](../assets/skrip.svg)")
    result = _run(app, "courses", "validate", str(copy))
    assert result.exit_code == 1
    assert f"{copy / 'assets' / 'skrip.svg'}" in result.output
    assert "<script> is not allowed" in result.output


def test_a_package_without_course_files_keeps_its_hash(copy):
    loaded, problems = pkg.load_package(copy)
    assert loaded is not None, problems
    before = pkg.content_hash(loaded)
    # The hash of the same package from before course files existed (no `assets` key):
    # adding the field with nothing in it must not change any published hash.
    (copy / "assets").mkdir()
    (copy / "assets" / "logo.png").write_bytes(png())
    _add_lines(copy / MODULE / "material.md", "![Logo SPBE](../assets/logo.png)")
    with_file, problems = pkg.load_package(copy)
    assert with_file is not None, problems
    from dataclasses import replace

    assert pkg.content_hash(replace(with_file, assets=())) != before  # material changed
    assert pkg.content_hash(with_file) != pkg.content_hash(replace(with_file, assets=()))
    assert before == _hash_without_field(loaded)


def _hash_without_field(course: pkg.CoursePackage) -> str:
    """The content hash as computed before `CoursePackage.assets` existed."""
    import hashlib
    import json
    from dataclasses import asdict

    fields = asdict(course)
    del fields["assets"]
    for table in ("grading", "at_risk"):
        if fields[table] is None:
            del fields[table]
    for module in fields["modules"]:
        for key in ("questions", "mentor_notes", "summary_page"):
            if not module[key]:
                del module[key]
        if module["assets"]:
            module["assets"] = [
                [path, hashlib.sha256(data).hexdigest()] for path, data in module["assets"]
            ]
        else:
            del module["assets"]
    canonical = json.dumps(
        {"format": pkg.FORMAT_VERSION, "course": fields},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=pkg._json_date,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_import_export_round_trips_course_files_byte_for_byte(app, db, copy, tmp_path):
    (copy / "assets").mkdir()
    (copy / "assets" / "logo.png").write_bytes(png())
    _add_lines(copy / MODULE / "material.md", "![Logo SPBE](../assets/logo.png)")
    course = copy / "course.toml"
    course.write_text(course.read_text().replace('version = "2.1.0"', 'version = "9.0.0"'))
    first = _run(app, "courses", "import", str(copy))
    assert first.exit_code == 0, first.output
    assert "unchanged" in _run(app, "courses", "import", str(copy)).output
    assert _run(app, "courses", "export", "spbe-dasar", str(tmp_path / "a")).exit_code == 0
    assert _tree(tmp_path / "a") == _tree(copy)
    assert (tmp_path / "a" / "assets" / "logo.png").read_bytes() == png()
    # A changed course file is a changed package.
    (copy / "assets" / "logo.png").write_bytes(png(3, 3))
    assert "raise the version" in _run(app, "courses", "import", str(copy)).output


def test_a_module_may_not_be_called_assets():
    assert "course's own files" in pkg._module_name_problem("assets")
