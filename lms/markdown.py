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
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import markdown as _markdown
import nh3
from flask import has_app_context
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
    html = _render(text, tuple(sorted(links.items())) if links else ())
    if not _LONE_LINK.search(html):
        return html  # no candidate video link: the allow-list is not even read
    providers = video_providers()
    return embed_videos(html, providers) if providers else html


# --------------------------------------------------------------------------- outside video

VIDEO_PROVIDERS = MappingProxyType(
    {
        "youtube": (
            re.compile(
                r"https://(?:www\.|m\.)?(?:youtube\.com/watch\?v=|youtu\.be/)"
                r"(?P<id>[A-Za-z0-9_-]{11})(?:[&?][^\"]*)?"
            ),
            "https://www.youtube-nocookie.com/embed/{id}",
        ),
        "vimeo": (
            re.compile(r"https://(?:www\.)?vimeo\.com/(?P<id>[0-9]{1,12})"),
            "https://player.vimeo.com/video/{id}?dnt=1",
        ),
    }
)
"""Hosts an admin may allow (LMS_VIDEO_EMBED): how to read a video's id from its page URL,
and the privacy-friendly player URL we build from it (no cookies before play, no tracking)."""

_LONE_LINK = re.compile(r'<p><a href="(?P<href>[^"]+)" rel="[^"]*">(?P<text>[^<]*)</a></p>')


def video_providers() -> tuple[str, ...]:
    """The providers the admin allowed on the settings page (/admin/settings/video), or
    until one is saved LMS_VIDEO_EMBED (e.g. "youtube,vimeo"); none by default, so every
    outside video stays a plain link. Read afresh for each request, never cached with the
    rendered HTML: `_render` caches the sanitized text only, the embed comes after."""
    if not has_app_context():
        return ()
    from lms.settings.services import video_embed  # the DB layer, only when asked

    return parse_providers(video_embed())


def parse_providers(chosen: str) -> tuple[str, ...]:
    """The known providers named in a comma-separated list, unknown names dropped."""
    return tuple(p for p in (s.strip().lower() for s in chosen.split(",")) if p in VIDEO_PROVIDERS)


def embed_origins(providers: Iterable[str]) -> list[str]:
    """The player origins to allow in the page's `frame-src`."""
    return ["https://" + VIDEO_PROVIDERS[name][1].split("/")[2] for name in providers]


def embed_videos(html: Markup, providers: Iterable[str]) -> Markup:
    """Turn a paragraph holding only a link to an allowed video page into our own player
    iframe. The author never writes an iframe (the sanitizer strips those): we build it
    from the video's id, which must match the provider's pattern exactly."""
    chosen = [VIDEO_PROVIDERS[name] for name in providers]

    def replace(match: re.Match[str]) -> str:
        href = match["href"].replace("&amp;", "&")
        for pattern, player in chosen:
            found = pattern.fullmatch(href)
            if found:
                title = match["text"]  # already escaped by the sanitizer
                return (
                    f'<div class="video"><iframe src="{player.format(id=found["id"])}" '
                    f'title="{title}" loading="lazy" allow="fullscreen; picture-in-picture" '
                    'sandbox="allow-scripts allow-same-origin allow-presentation" '
                    f'referrerpolicy="strict-origin-when-cross-origin"></iframe></div>'
                    f'<p><a href="{match["href"]}" rel="{LINK_REL}">{title}</a></p>'
                )
        return match.group(0)

    return Markup(_LONE_LINK.sub(replace, str(html)))  # noqa: S704 - built from a checked id


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
