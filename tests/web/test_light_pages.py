"""Light pages: static files under content-hashed names with a year's cache, responses
compressed, and a participant's pages weigh at most 60 KB compressed after the first visit
(the stylesheets and scripts are then in the browser's cache)."""

from __future__ import annotations

import re

from tests.web import test_access
from tests.web.test_access import PAGES, ROLES

cast = test_access.cast  # the access table's world, as a fixture of this module
BUDGET = 60 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _assets(html: str) -> list[str]:
    return ASSET.findall(html)


def test_static_files_have_hashed_names_and_a_year_of_cache(client, cast, login):
    login(cast["people"]["participant_a"])
    html = client.get("/home").get_data(as_text=True)
    assets = _assets(html)
    assert any(re.search(r"/static/lms\.[0-9a-f]{10}\.css$", a) for a in assets), assets
    assert any(re.search(r"/static/vendor/pico\.min\.[0-9a-f]{10}\.css$", a) for a in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache, (url, cache)
        assert "no-store" not in cache  # even for a logged-in user
        response.close()
    # The plain name still works (without the long cache); so does a stale hash.
    for url in ("/static/lms.css", "/static/lms.0123456789.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" not in response.headers.get("Cache-Control", "")
        response.close()


def test_a_changed_file_gets_a_new_name(app, client, tmp_path):
    from lms.assets import Assets

    (tmp_path / "x.css").write_text("a{}")
    assets = Assets(str(tmp_path))
    first = assets.hashed_name("x.css")
    (tmp_path / "x.css").write_text("a{color:red}")
    import os

    os.utime(tmp_path / "x.css", (1, 1))  # a new modification time, whatever the clock
    assert assets.hashed_name("x.css") != first
    assert assets.original(assets.hashed_name("x.css")) == ("x.css", True)
    assert assets.hashed_name("../secret") == "../secret"  # nothing outside the folder


def test_pages_and_static_files_are_compressed(client, cast, login):
    login(cast["people"]["participant_a"])
    page = client.get("/home", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    css = next(a for a in _assets(client.get("/home").get_data(as_text=True)) if "pico" in a)
    response = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert len(response.data) < 20 * 1024  # about 80 KB of CSS
    response.close()


def test_participant_pages_weigh_at_most_60_kb_after_the_first_visit(client, cast, login):
    """Every page a participant may open, compressed, plus whatever it links to that the
    browser may not keep (none: the assets are cached for a year)."""
    login(cast["people"]["participant_a"])
    role = ROLES.index("participant_a")
    weights = {}
    for template, statuses in PAGES.items():
        if statuses[role] != 200:
            continue
        url = template.format(**cast["ids"])
        response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        if response.mimetype != "text/html":
            response.close()
            continue
        weight = len(response.data)
        html = client.get(url).get_data(as_text=True)
        for asset in _assets(html):
            linked = client.get(asset, headers={"Accept-Encoding": "br, gzip"})
            if "immutable" not in linked.headers.get("Cache-Control", ""):
                weight += len(linked.data)
            linked.close()
        weights[template] = weight
    assert len(weights) >= 10
    assert max(weights.values()) <= BUDGET, weights
