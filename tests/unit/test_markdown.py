"""Markdown rendering: the supported syntax renders, and nothing unsafe survives sanitizing."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from lms.markdown import render_markdown


def html(text: str) -> str:
    return str(render_markdown(text))


def test_returns_markup() -> None:
    assert isinstance(render_markdown("hello"), Markup)
    assert render_markdown("hello") == Markup("<p>hello</p>")


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_blank_text_gives_empty_markup(text: str) -> None:
    result = render_markdown(text)
    assert isinstance(result, Markup)
    assert result == Markup("")


def test_headings() -> None:
    out = html("# Title\n\n## Section\n\n###### Small")
    assert "<h1>Title</h1>" in out
    assert "<h2>Section</h2>" in out
    assert "<h6>Small</h6>" in out


def test_lists() -> None:
    out = html("- one\n- two\n\n1. first\n2. second")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in out
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in out


def test_ordered_list_keeps_its_start() -> None:
    assert '<ol start="3">' in html("3. third\n4. fourth")


def test_tables_with_alignment_as_attribute() -> None:
    out = html("| Name | Score |\n|:-----|------:|\n| Ani  | 90    |")
    assert "<table>" in out and "<thead>" in out and "<tbody>" in out
    assert '<th align="left">Name</th>' in out
    assert '<td align="right">90</td>' in out
    assert "style" not in out


def test_fenced_code_is_escaped() -> None:
    out = html('```python\nif a < b:\n    print("<b>")\n```')
    assert "<pre><code>" in out
    assert "if a &lt; b:" in out
    assert "&lt;b&gt;" in out
    assert "class=" not in out


def test_emphasis_links_and_images() -> None:
    out = html('**bold** *it* [site](https://example.org "Title") ![logo](/static/logo.png)')
    assert "<strong>bold</strong>" in out
    assert "<em>it</em>" in out
    assert '<a href="https://example.org" title="Title" rel="noopener noreferrer nofollow">' in out
    assert '<img alt="logo" src="/static/logo.png">' in out


def test_relative_and_mailto_links_allowed() -> None:
    assert 'href="/courses/1"' in html("[c](/courses/1)")
    assert 'href="mailto:mentor@example.org"' in html("[m](mailto:mentor@example.org)")


def test_raw_html_in_allow_list_passes() -> None:
    assert "<b>ok</b>" in html("<b>ok</b>")


def test_script_removed() -> None:
    out = html("before\n\n<script>alert(1)</script>\n\nafter <script>alert(2)</script>")
    assert "<script" not in out.lower()
    assert "alert" not in out
    assert "before" in out and "after" in out


def test_img_event_handler_removed() -> None:
    out = html("<img src=x onerror=alert(1)>")
    assert "onerror" not in out
    assert "alert" not in out
    assert "<img" in out


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
        "[x]: javascript:alert(1)\n\n[link][x]",
        "<javascript:alert(1)>",
    ],
)
def test_javascript_urls_removed(text: str) -> None:
    assert "javascript" not in html(text).lower()


def test_vbscript_url_removed() -> None:
    assert "vbscript" not in html('<a href="vbscript:msgbox(1)">x</a>').lower()


def test_data_url_in_image_removed() -> None:
    out = html(
        "![a](data:image/png;base64,iVBORw0KGgo=)\n\n"
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">'
    )
    assert "data:" not in out
    assert "onload" not in out


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body { display: none }</style>", "<style"),
        ("<style>body { display: none }</style>", "display"),
        ('<form action="https://evil.example"><input name="q"></form>', "<form"),
        ('<form action="https://evil.example"><input name="q"></form>', "<input"),
        ("<svg onload=alert(1)><circle r=1 /></svg>", "<svg"),
        ("<svg onload=alert(1)><circle r=1 /></svg>", "onload"),
        ('<object data="x.swf"></object><embed src="x.swf">', "<object"),
        ('<object data="x.swf"></object><embed src="x.swf">', "<embed"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "<meta"),
        ('<link rel="stylesheet" href="https://evil.example/x.css">', "<link"),
        ('<base href="https://evil.example/">', "<base"),
        ("<math><mtext><img src=x onerror=alert(1)></mtext></math>", "onerror"),
    ],
)
def test_dangerous_tags_removed(text: str, forbidden: str) -> None:
    assert forbidden not in html(text).lower()


def test_style_attributes_removed() -> None:
    out = html('<p style="color: red">x</p>\n\n<b style="position:fixed">y</b>')
    assert "style" not in out
    assert "<b>y</b>" in out


def test_other_attributes_removed() -> None:
    out = html('<a href="/x" onclick="alert(1)" target="_blank" class="c" id="i">x</a>')
    assert out == '<p><a href="/x" rel="noopener noreferrer nofollow">x</a></p>'


def test_author_rel_replaced() -> None:
    out = html('<a href="https://example.org" rel="opener">x</a>')
    assert 'rel="noopener noreferrer nofollow"' in out
    assert 'rel="opener"' not in out


def test_attr_list_syntax_not_enabled() -> None:
    # Without attr_list the braces stay plain text instead of becoming attributes.
    out = html("# Title {onclick=alert(1)}\n\n[x](/y){: onmouseover=alert(1) }")
    assert "<h1>Title {onclick=alert(1)}</h1>" in out
    assert '<a href="/y" rel="noopener noreferrer nofollow">x</a>{: onmouseover=alert(1) }' in out


def test_html_comments_removed() -> None:
    assert "secret" not in html("<!-- secret -->visible")
