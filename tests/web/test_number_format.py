"""Numbers on pages: the `|percent` and `|decimal` filters format as Babel does for the reader's
language, although they look the locale up once per render and remember what they formatted."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_decimal, format_percent

VALUES = [0.0, 2.5, 12.5, 33.333333, 45.6789, 66.666667, 99.5, 100.0, 1234.5]


@pytest.mark.parametrize("locale", ["id", "en"])
def test_filters_match_babel_in_each_language(app, locale):
    template = (
        "{% for v in values %}"
        "{{ v|percent }}|{{ v|percent(1) }}|{{ v|decimal }}|{{ v|decimal(2) }};"
        "{% endfor %}"
    )
    with app.test_request_context("/"), force_locale(locale):
        shown = render_template_string(template, values=VALUES)
        expected = "".join(
            f"{format_percent(v / 100, '#,##0%')}|{format_percent(v / 100, '#,##0.0%')}"
            f"|{format_decimal(v, '#,##0.##')}|{format_decimal(v, '#,##0.00')};"
            for v in VALUES
        )
    assert shown == expected


def test_the_same_number_follows_the_readers_language(app):
    """What is remembered for one language is never served to a reader of the other."""
    template = "{{ 1234.5|decimal(1) }} {{ 12.5|percent(1) }} {{ none|percent }}"
    with app.test_request_context("/"):
        with force_locale("id"):
            indonesian = render_template_string(template)
        with force_locale("en"):
            english = render_template_string(template)
        with force_locale("id"):
            again = render_template_string(template)
    assert indonesian == again == "1.234,5 12,5% —"
    assert english == "1,234.5 12.5% —"
