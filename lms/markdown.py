"""Render authored Markdown (module material) to HTML that is safe to put in a page.

Material comes from course packages, which are uploaded by admins but are still treated
as untrusted input: a package may come from anywhere, and Markdown passes raw HTML
through untouched. So rendering is two steps. `markdown` turns the text into HTML with a
small set of extensions (tables, fenced code, sane lists); `attr_list` is deliberately
left out because it would let authors set arbitrary attributes (`{onclick=...}`). Then
`nh3` (the Rust `ammonia` sanitizer) cleans the result against an explicit allow-list of
tags, attributes and URL schemes, so whatever the Markdown library lets through, only
plain document markup reaches the browser: no scripts, styles, frames, forms, event
handlers, `style` attributes, or `javascript:`/`data:` URLs. Links are marked
`rel="noopener noreferrer nofollow"` because authored links point at other sites.

Table alignment is emitted as the `align` attribute rather than `style`, so it survives
a sanitizer that refuses `style` altogether.

The allow-lists are immutable module constants; nothing mutable is cached between calls.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import markdown as _markdown
import nh3
from markupsafe import Markup

EXTENSIONS = ("tables", "fenced_code", "sane_lists")
"""Markdown extensions used; never `attr_list`, which lets authors set attributes."""

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "img",
        "del",
        "sup",
        "sub",
        "abbr",
        "dl",
        "dt",
        "dd",
    }
)

ALLOWED_ATTRIBUTES = MappingProxyType(
    {
        "a": frozenset({"href", "title"}),
        "img": frozenset({"src", "alt", "title"}),
        "th": frozenset({"align"}),
        "td": frozenset({"align"}),
        "abbr": frozenset({"title"}),
        "ol": frozenset({"start"}),
    }
)
"""Per-tag attributes kept; everything else (event handlers, `style`, `class`) is dropped."""

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Absolute URLs must use one of these; relative URLs are allowed."""

CLEAN_CONTENT_TAGS = frozenset({"script", "style"})
"""Tags removed together with their content (their text is never material)."""

LINK_REL = "noopener noreferrer nofollow"


def render_markdown(text: str, links: Mapping[str, str] | None = None) -> Markup:
    """Render `text` (Markdown, possibly with raw HTML) to sanitized HTML.

    Blank text gives an empty `Markup`. The result is safe to insert into a template
    without further escaping. Rendering is pure, so the result is kept per text: the
    material of a published version, read on every visit of its session page, is
    converted and sanitized once per process.

    `links` maps relative paths the text may use (`assets/diagram.svg`) to the URLs they are
    served at; an `<img src>` or `<a href>` naming one is rewritten after sanitizing, so the
    sanitizer still decides what is kept.
    """
    if not text or not text.strip():
        return Markup("")
    return _render(text, tuple(sorted(links.items())) if links else ())


def _link_filter(links: dict[str, str]):
    def rewrite(tag: str, attribute: str, value: str) -> str:
        if (tag, attribute) in (("img", "src"), ("a", "href")):
            key = value[2:] if value.startswith("./") else value
            return links.get(key, value)
        return value

    return rewrite


@functools.lru_cache(maxsize=512)
def _render(text: str, links: tuple[tuple[str, str], ...] = ()) -> Markup:
    html = _markdown.markdown(
        text,
        extensions=list(EXTENSIONS),
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_link_filter(dict(links)) if links else None,
    )
    return Markup(cleaned)  # noqa: S704 - nh3 has sanitized it against the allow-list
