"""The cohort dashboard as a heat map: every cell has a colour and a short text, at-risk
rows come first with their reasons, and the grid sorts and filters without JavaScript."""

from __future__ import annotations

import re

from tests.e2e import test_tracking

cohort_with_a_struggler = test_tracking.cohort_with_a_struggler  # a fixture of this module


def _rows(page: str) -> list[str]:
    grid = page.split('data-testid="dashboard-grid"', 1)[1].split("</tbody>", 1)[0]
    return grid.split('data-testid="dashboard-row"')[1:]


def _log_in(client, email):
    response = client.post_form("/login", {"email": email, "password": "correct-horse-battery"})
    assert response.status_code == 302


def test_at_risk_rows_come_first_with_their_reasons(client, cohort_with_a_struggler):
    w = cohort_with_a_struggler
    _log_in(client, w["mentor"])
    page = client.get(f"/cohorts/{w['cohort']}/dashboard").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 2
    assert w["struggling"] in rows[0] and 'class="risk"' in rows[0]
    assert "risk-reasons" in rows[0] and "2" in rows[0].split("risk-reasons", 1)[1]
    assert "risk-reasons" not in rows[1]
    # Each cell: a colour class and the activities done as text (e.g. 1/3).
    cells = re.findall(r'class="cell heat-(\w+)"[^>]*>\s*<strong>(\d+)/(\d+)</strong>', rows[1])
    assert len(cells) == 3
    assert {heat for heat, _done, _total in cells} <= {"none", "low", "mid", "full"}
    assert 'data-testid="heat-legend"' in page


def test_the_grid_sorts_and_filters(client, cohort_with_a_struggler):
    w = cohort_with_a_struggler
    _log_in(client, w["mentor"])
    url = f"/cohorts/{w['cohort']}/dashboard"
    only = _rows(client.get(url + "?show=risk").get_data(as_text=True))
    assert len(only) == 1 and w["struggling"] in only[0]
    by_name = _rows(client.get(url + "?sort=name").get_data(as_text=True))
    names = sorted([w["steady"], w["struggling"]])
    assert names[0] in by_name[0] and names[1] in by_name[1]
    page = client.get(url + "?sort=done&show=risk").get_data(as_text=True)
    assert re.search(r'<option value="done"\s+selected', page)


def test_the_national_dashboard_maps_the_provinces(client, cohort_with_a_struggler):
    """A tile per province (38), the cohort's province coloured, a table saying the same."""
    from lms.tracking.maps import TILES

    assert len(TILES) == 38 and len({(c, r) for c, r, _ in TILES.values()}) == 38
    w = cohort_with_a_struggler
    _log_in(client, w["admin"])
    page = client.get("/admin/dashboard?sort=enrolled").get_data(as_text=True)
    svg = page.split('data-testid="province-map"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("data-province=") == 38
    jabar = svg.split('data-province="32"', 1)[1].split("</g>", 1)[0]
    assert "JAWA BARAT: 2" in jabar and "tile-4" in jabar  # two enrolled, the top of the scale
    assert svg.split('data-province="11"', 1)[1].split("</g>", 1)[0].count("tile-none") == 1
    table = page.split('data-testid="province-figures"', 1)[1].split("</table>", 1)[0]
    assert "JAWA BARAT" in table and "ACEH" not in table
