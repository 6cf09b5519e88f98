"""The shipped course's diagrams (assets/ of every session of spbe-dasar): each session's
material shows at least one picture from its own folder with alt text a screen reader can
read out, every file passes the same safe-subset checker as an upload, and the drawings stay
legible when a phone shrinks them to its width."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from courses import media
from courses.package import load_package

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "packages" / "spbe-dasar"
PHONE_WIDTH = 320
"""Width in CSS pixels an image gets on a 360 px phone once the page's padding is taken."""
MIN_TEXT_PX = 12
_SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def course():
    course, problems = load_package(SHIPPED)
    assert problems == []
    assert course is not None
    return course


def _svg_files() -> list[Path]:
    return sorted(SHIPPED.glob("*/assets/*.svg"))


def test_every_session_shows_a_picture_of_its_own_with_alt_text(course):
    assert len(course.modules) == 11
    for module in course.modules:
        own = {path for path, _data in module.assets}
        images = [ref for ref in media.references(module.material) if ref.image]
        assert images, f"{module.slug}: material shows no image"
        for ref in images:
            assert ref.path in own, f"{module.slug}: {ref.path} is not in its assets/"
            name = ref.path.rsplit("/", 1)[1]
            assert len(ref.alt) >= 40 and ref.alt != name, (
                f"{module.slug}: alt text of {ref.path} does not describe the picture"
            )


def test_every_shipped_asset_passes_the_upload_checker(course):
    assets = [
        (module.slug, path, data) for module in course.modules for path, data in module.assets
    ]
    assert len(assets) >= 11
    for slug, path, data in assets:
        assert media.sniff(data) in media.IMAGE_TYPES, f"{slug}/{path}"
        assert media.name_problem(path) is None, f"{slug}/{path}"


def test_the_checker_would_notice_a_script_in_a_shipped_drawing():
    data = _svg_files()[0].read_bytes()
    tampered = data.replace(b"</svg>", b"<script>alert(1)</script></svg>")
    with pytest.raises(media.AssetRefused):
        media.check_svg(tampered)


def _smallest_text_px(data: bytes) -> float:
    root = ElementTree.fromstring(data)  # noqa: S314 - our own files, checked above
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    sizes = [
        float(re.sub(r"px$", "", element.get("font-size", "16")))
        for element in root.iter(f"{_SVG}text")
    ]
    assert sizes, "drawing has no text labels"
    return min(sizes) * min(1.0, PHONE_WIDTH / width)


@pytest.mark.parametrize("path", _svg_files(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_labels_stay_at_least_12px_on_a_phone(path):
    root = ElementTree.fromstring(path.read_bytes())  # noqa: S314
    assert root.get("viewBox"), "a viewBox lets the drawing scale down"
    assert root.find(f"{_SVG}title") is not None
    assert _smallest_text_px(path.read_bytes()) >= MIN_TEXT_PX


def test_the_legibility_check_notices_small_labels_on_a_wide_drawing():
    wide = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 100">'
        b'<text x="0" y="20" font-size="15">Layanan</text></svg>'
    )
    assert _smallest_text_px(wide) < MIN_TEXT_PX
