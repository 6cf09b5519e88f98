"""Files a module carries under `assets/` (images, PDF, audio, MP4 video): what is accepted,
decided by the bytes and never by the name, and how Markdown refers to them.

Pure functions, used by the package loader (`lms courses validate/import`) and by the
authoring upload alike, so both accept and refuse the same files.

SVG is accepted only in a safe subset (drawing elements and presentation attributes, no
script, event handler, `foreignObject`, style sheet, entity or outside reference) and is
only ever shown through `<img>`, where a browser runs no script anyway; anything else in
an SVG refuses the file rather than being quietly cut out, so what the author sees is what
participants get.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass

ASSETS_FOLDER = "assets"
MAX_ASSET_BYTES = 20 * 1024 * 1024
"""Default limit for one file (LMS_ASSET_MAX_BYTES)."""
MAX_PACKAGE_ASSET_BYTES = 100 * 1024 * 1024
"""Default limit for all the files of one course version (LMS_ASSET_PACKAGE_MAX_BYTES)."""

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/svg+xml"})

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "marker",
        "linearGradient",
        "radialGradient",
        "stop",
        "use",
        "symbol",
        "clipPath",
    }
)
SVG_ATTRIBUTES = frozenset(
    {
        "id",
        "class",
        "viewBox",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "d",
        "points",
        "transform",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-dasharray",
        "stroke-linecap",
        "stroke-linejoin",
        "opacity",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "dx",
        "dy",
        "offset",
        "stop-color",
        "stop-opacity",
        "marker-start",
        "marker-mid",
        "marker-end",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        "markerUnits",
        "gradientUnits",
        "gradientTransform",
        "clip-path",
        "preserveAspectRatio",
        "href",
        "role",
        "aria-label",
        "aria-hidden",
        "version",
        "lang",
    }
)
_URL_VALUE = re.compile(r"url\(\s*(?!#)", re.IGNORECASE)


class AssetRefused(ValueError):
    """The file is not an accepted asset; the message says why (English, for the CLI)."""


def sniff(data: bytes) -> str:
    """The content type of an accepted asset, from its bytes; AssetRefused otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        check_svg(data)
        return "image/svg+xml"
    raise AssetRefused(
        "not an accepted file type (PNG, JPEG, WebP, SVG, PDF, MP3, OGG, WAV, M4A or MP4)"
    )


def check_svg(data: bytes) -> None:
    """AssetRefused unless `data` is an SVG drawing within the safe subset."""
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise AssetRefused("SVG with a DOCTYPE or entities is refused")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - no DTD/entities (refused above)
    except ElementTree.ParseError as error:
        raise AssetRefused(f"SVG is not well-formed XML ({error})") from error
    if _local(root.tag) != "svg":
        raise AssetRefused("not an SVG drawing")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, name = _split(element.tag)
        if namespace not in ("", _SVG_NS) or name not in SVG_ELEMENTS:
            raise AssetRefused(
                f"SVG element <{name}> is not allowed (no script or embedded content)"
            )
        for key, value in element.attrib.items():
            attr_ns, attr = _split(key)
            if attr_ns not in ("", _XLINK_NS, "http://www.w3.org/XML/1998/namespace"):
                raise AssetRefused(f"SVG attribute {attr!r} is not allowed")
            if attr_ns == "http://www.w3.org/XML/1998/namespace":
                continue
            if attr not in SVG_ATTRIBUTES:
                raise AssetRefused(f"SVG attribute {attr!r} is not allowed (no event handlers)")
            if attr == "href" and not value.startswith("#"):
                raise AssetRefused("SVG links may only point inside the drawing (#id)")
            if _URL_VALUE.search(value) or "javascript:" in value.lower():
                raise AssetRefused("SVG may not refer to outside files")


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _local(tag: str) -> str:
    return _split(tag)[1]


def name_problem(path: str) -> str | None:
    """Why `path` (relative to the module, `assets/<name>`) is not a usable asset path."""
    folder, _, name = path.partition("/")
    if folder != ASSETS_FOLDER or not name:
        return "assets live in the module's assets/ folder"
    if not _NAME.fullmatch(name) or ".." in name:
        return (
            "asset names use letters, digits, dots, hyphens and underscores "
            "(at most 100, no sub-folders)"
        )
    return None


def clean_name(filename: str) -> str:
    """A safe asset name made from an uploaded file's name (`Diagram SPBE.svg` →
    `diagram-spbe.svg`)."""
    base = posixpath.basename(filename.replace("\\", "/")).strip().lower()
    base = re.sub(r"[^a-z0-9._-]+", "-", base).strip("-.")
    base = re.sub(r"\.{2,}", ".", base)
    return (base or "file")[:100]


# --------------------------------------------------------------------------- references

_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Reference:
    line: int
    path: str
    image: bool
    alt: str


def references(material: str) -> list[Reference]:
    """Every `assets/...` path the Markdown points at (images and links), with its line;
    fenced code is skipped."""
    return _references(material, _relative)


COURSE_PREFIX = "../"
"""Material refers to the course's own files (the package root's assets/) as
`../assets/<name>`: the path from the module folder, so a Markdown viewer finds them too."""


def course_references(material: str) -> list[Reference]:
    """Every `../assets/...` path (the course's files), as `assets/<name>`, with its line."""
    return _references(material, _course_relative)


def _course_relative(src: str) -> str | None:
    src = src.split("#", 1)[0].split("?", 1)[0]
    if not src.startswith(COURSE_PREFIX + ASSETS_FOLDER + "/"):
        return None
    return src[len(COURSE_PREFIX) :]


def reference_problem(ref: Reference, paths: set[str], prefix: str = "") -> str | None:
    """What is wrong with one reference (missing file, image without alt text), or None."""
    shown = prefix + ref.path
    if ref.path not in paths:
        return f"refers to {shown}, which is missing"
    if ref.image and not ref.alt:
        return f"image {shown} has no alt text (write it between the brackets)"
    return None


def _references(material: str, relative: Callable[[str], str | None]) -> list[Reference]:
    found: list[Reference] = []
    fenced = False
    for number, line in enumerate(material.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in _IMAGE.finditer(line):
            path = relative(match["src"])
            if path is not None:
                found.append(Reference(number, path, True, match["alt"].strip()))
        for match in _LINK.finditer(line):
            path = relative(match["src"])
            if path is not None:
                found.append(Reference(number, path, False, ""))
    return found


def _relative(src: str) -> str | None:
    src = src.split("#", 1)[0].split("?", 1)[0]
    if src.startswith("./"):
        src = src[2:]
    return src if src.startswith(ASSETS_FOLDER + "/") else None


@dataclass(frozen=True)
class AssetFinding:
    line: int | None
    path: str
    message: str
    warning: bool


def check_references(material: str, paths: set[str]) -> list[AssetFinding]:
    """Missing referenced files (errors), images without alt text (errors: a participant
    with a screen reader would get nothing) and files nothing refers to (warnings)."""
    findings: list[AssetFinding] = []
    used: set[str] = set()
    for ref in references(material):
        used.add(ref.path)
        if ref.path not in paths:
            findings.append(
                AssetFinding(ref.line, ref.path, f"refers to {ref.path}, which is missing", False)
            )
        elif ref.image and not ref.alt:
            findings.append(
                AssetFinding(
                    ref.line,
                    ref.path,
                    f"image {ref.path} has no alt text (write it between the brackets)",
                    False,
                )
            )
    for path in sorted(paths - used):
        findings.append(AssetFinding(None, path, "file is not referenced from material.md", True))
    return findings
