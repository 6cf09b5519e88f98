"""The national dashboard ranks regions, totals them and colours the province map in SQL
(`national.region_board`), so that its cost does not grow with the number of regions. These
tests hold it to the same results as computing every region's figures in Python and sorting
them (the views' SORTS, which the exports still use), over random figures with ties, zeros
and missing values, on every sort, page and province filter."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select

from lms.maturity.models import SelfAssessment
from lms.regions.models import Region
from lms.tracking import maps, national, stats, views
from lms.tracking.models import CohortStats

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def country(db, make_cohort, make_course):
    """Cohorts in 24 regions of four provinces with random maintained figures."""
    rng = random.Random(20261204)
    version = make_course(slug="kursus-nasional")
    codes = [
        code
        for province in ("11", "32", "35", "73")
        for code in db.session.scalars(
            select(Region.code)
            .where(Region.province_code == province)
            .order_by(Region.code)
            .limit(6)
        )
    ]
    figures = []
    for code in codes:
        for _ in range(rng.choice((1, 1, 2))):
            cohort = make_cohort(code)
            cohort.course_version_id = version.id
            for phase in rng.choice(((), ("baseline",), ("baseline", "follow_up"))):
                db.session.add(
                    SelfAssessment(
                        cohort_id=cohort.id, phase=phase, index_value=rng.choice((1.5, 2.25, 3.0))
                    )
                )
            enrolled = rng.choice((0, 3, 10, 10, 25))
            completion_n = rng.choice((0, enrolled))
            pre_n, post_n = rng.choice((0, 4)), rng.choice((0, 4))
            figures.append(
                {
                    "cohort_id": cohort.id,
                    "region_code": code,
                    "enrolled": enrolled,
                    # Zero completion sorts with the missing ones; ties are common.
                    "completion_sum": completion_n * rng.choice((0.0, 50.0, 50.0, 80.0)),
                    "completion_n": completion_n,
                    "pre_sum": pre_n * rng.choice((40.0, 60.0, 100.0)),
                    "pre_n": pre_n,
                    "post_sum": post_n * rng.choice((55.0, 70.0, 90.0)),
                    "post_n": post_n,
                    "certificates": rng.choice((0, 0, 2, 5)),
                }
            )
    db.session.commit()
    # The figures themselves, written past the hooks that keep them (no raw rows here).
    db.session.execute(delete(CohortStats))
    db.session.execute(insert(CohortStats), figures)
    stats.roll_up_all()  # the regions', provinces' and nation's rows from those
    db.session.commit()
    return codes


def _expected(sort, province, page, per_page):
    items = national.figures(by="region", province=province, now=NOW)
    items.sort(key=views.SORTS[sort])
    metric = sort if sort in maps.METRICS else "completion"
    attribute, combine, _maximum = maps.METRICS[metric]
    sums: dict[str, list[float]] = {}
    for f in items:
        value = getattr(f, attribute)
        weight = float(f.enrolled or 0) if combine == "mean" else 1.0
        if value is None or weight == 0:
            continue
        total = sums.setdefault(f.province, [0.0, 0.0])
        total[0] += value * weight
        total[1] += weight
    provinces = {code: (a / w if combine == "mean" else a) for code, (a, w) in sums.items() if w}
    pages = max(1, -(-len(items) // per_page))
    page = min(page, pages)
    shown = items[(page - 1) * per_page : page * per_page]
    totals = {
        "regions": len(items),
        "enrolled": sum(f.enrolled for f in items),
        "active": sum(f.active for f in items),
        "certificates": sum(f.certificates for f in items),
    }
    return shown, items[:5], page, len(items), totals, provinces


@pytest.mark.parametrize("sort", sorted(views.SORTS))
@pytest.mark.parametrize("province", [None, "32"])
def test_the_board_matches_every_region_sorted_in_python(db, country, sort, province):
    per_page = 4
    for page in (1, 2, 3, 9):
        board = national.region_board(
            sort=sort,
            province=province,
            page=page,
            per_page=per_page,
            top=5,
            map_metric=sort,
            now=NOW,
        )
        shown, top, page_shown, total, totals, provinces = _expected(sort, province, page, per_page)
        assert [f.key for f in board.items] == [f.key for f in shown], (sort, province, page)
        assert board.items == shown  # every figure of each row, not only the order
        assert [f.key for f in board.top] == [f.key for f in top]
        assert (board.page, board.total, board.totals) == (page_shown, total, totals)
        assert board.provinces == pytest.approx(provinces)


def test_ties_and_missing_figures_come_last_in_region_code_order(db, country):
    board = national.region_board(
        sort="completion", province=None, page=1, per_page=100, top=0, map_metric="", now=NOW
    )
    tail = [f for f in board.items if not f.completion]
    assert tail and board.items[-len(tail) :] == tail
    assert [f.key for f in tail] == sorted(f.key for f in tail)
    values = [f.completion for f in board.items if f.completion]
    assert values == sorted(values, reverse=True)


def test_the_national_page_shows_the_boards_page_and_map(db, client, login, make_user, country):
    login(make_user("admin"))
    page = client.get("/admin/dashboard?sort=enrolled&province=35").get_data(as_text=True)
    board = national.region_board(
        sort="enrolled", province="35", page=1, per_page=50, top=20, map_metric="enrolled", now=NOW
    )
    rows = page.split('data-testid="figures-row"')[1:]
    assert len(rows) == len(board.items) > 0
    for row, figure in zip(rows, board.items, strict=True):
        assert figure.label in row
    assert 'data-province="35"' in page
    assert f"{board.totals['regions']} daerah dengan angkatan" in page
