"""Figures per region (national dashboard) or per cohort (region view).

Every figure is a GROUP BY over the maintained per-cohort statistics (`lms.tracking.stats`,
kept in the same transaction as the events that change them), so the page costs the same
number of statements, and does not scan participants or attempts, for 3 regions or 514:
enrolled and active participants, completion rate, mean post-test score, learning gain (from
the mean pre- and post-test scores), certificates, the weekly trend, and the change of the
SPBE maturity index between baseline and follow-up (read from the few self-assessments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Double, bindparam, case, cast, func, select

from courses import contract
from courses.grades import normalised_gain
from courses.models import Activity, Module
from courses.services import decode_settings
from lms import plugins
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.maturity.models import SelfAssessment
from lms.regions.models import Region
from lms.tracking.models import (
    AreaDayStats,
    AreaStats,
    AreaWeekStats,
    CohortCategoryStats,
    CohortDayStats,
    CohortStats,
)

GAIN_BINS = (
    ("< 0", None, 0.0),
    ("0–0.3", 0.0, 0.3),
    ("0.3–0.7", 0.3, 0.7),
    ("≥ 0.7", 0.7, None),
)
"""Hake's bands of normalised gain (low, medium, high), with losses apart."""


@dataclass
class Figures:
    key: str
    label: str
    province: str = ""
    cohorts: int = 0
    enrolled: int = 0
    active: int = 0
    completion: float | None = None
    post: float | None = None
    pre: float | None = None
    certificates: int = 0
    maturity_change: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gain(self) -> float | None:
        return normalised_gain(self.pre, self.post)


@dataclass
class _Graded:
    """Every graded activity of the country by type, with its category and gain role."""

    by_type: dict[str, list[contract.GradedActivity]]
    category: dict[int, str]
    role: dict[int, str]
    labels: dict[str, str]


def graded_activities() -> _Graded:
    """One query over the activities of graded types; categories come from their types."""
    registry = plugins.registry()
    graded_types = contract.graded(registry.activity_types)
    declared = registry.grade_categories()
    found = _Graded({}, {}, {}, {name: str(c.label) for name, (_t, c) in declared.items()})
    if not graded_types:
        return found
    for activity, module_slug in db.session.execute(
        select(Activity, Module.slug)
        .join(Module, Module.id == Activity.module_id)
        .where(Activity.type.in_(sorted(graded_types)))
    ):
        activity_type = graded_types[activity.type]
        config = decode_settings(activity.config)
        category = contract.call_type(
            activity.type, "category", lambda t=activity_type, c=config: t.category(c), None
        )
        if category not in declared:
            continue
        found.by_type.setdefault(activity.type, []).append(
            contract.GradedActivity(
                activity.id, activity.key, activity.title, activity.module_id, module_slug, config
            )
        )
        found.category[activity.id] = category
        if declared[category][1].gain in ("before", "after"):
            found.role[activity.id] = declared[category][1].gain
    return found


def figures(
    *,
    by: str,
    region_code: str | None = None,
    province: str | None = None,
    now: datetime,
    region_codes: list[str] | None = None,
) -> list[Figures]:
    """Figures grouped `by` "region" (national) or "cohort" (one region's cohorts), read from
    the maintained per-cohort statistics (`lms.tracking.stats`): a GROUP BY over cohorts."""
    from lms.tracking.stats import ACTIVE_DAYS, local_day

    key = CohortStats.region_code if by == "region" else CohortStats.cohort_id
    scope = _scope(region_code, province)
    if region_codes is not None:  # only these regions (one page of the national table)
        # One expanding parameter: no per-value coercion of the 70 codes in each statement.
        codes = bindparam("region_codes", list(region_codes), expanding=True)
        scope.append(CohortStats.region_code.in_(codes))
    sums = (
        func.count(CohortStats.cohort_id),
        func.sum(CohortStats.enrolled),
        func.sum(CohortStats.completion_sum),
        func.sum(CohortStats.completion_n),
        func.sum(CohortStats.pre_sum),
        func.sum(CohortStats.pre_n),
        func.sum(CohortStats.post_sum),
        func.sum(CohortStats.post_n),
        func.sum(CohortStats.certificates),
    )
    rows: dict[Any, Figures] = {}
    if by == "region":
        found = db.session.execute(
            select(Region, *sums)
            .join(CohortStats, CohortStats.region_code == Region.code)
            .where(*scope)
            .group_by(Region.code)
            .order_by(Region.code)  # ties in the views' sorts keep region-code order
        )
        for region, *values in found:
            rows[region.code] = _figures(
                region.code, region.display_name, values, province=region.province_code
            )
    else:
        found = db.session.execute(
            select(Cohort.id, Cohort.name, *sums)
            .join(CohortStats, CohortStats.cohort_id == Cohort.id)
            .where(*scope)
            .group_by(Cohort.id, Cohort.name, Cohort.start_date)
            .order_by(Cohort.start_date, Cohort.id)
        )
        for cohort_id, name, *values in found:
            rows[cohort_id] = _figures(str(cohort_id), name, values)
    if not rows:
        return []

    # Active: participants whose latest completion falls on one of the last 14 calendar days
    # in WIB, today included (whole days, so the figure can be kept per cohort and day; the
    # earlier live query counted 14 × 24 hours back from this very moment).
    since = local_day(now) - timedelta(days=ACTIVE_DAYS - 1)
    for group, active in db.session.execute(
        select(key, func.sum(CohortDayStats.participants))
        .join(CohortStats, CohortStats.cohort_id == CohortDayStats.cohort_id)
        .where(*scope, CohortDayStats.day >= since)
        .group_by(key)
    ):
        if group in rows:
            rows[group].active = int(active or 0)

    # Mean result per grade category, as each participant's activity types report them.
    labels = {
        name: str(category.label)
        for name, (_type, category) in plugins.registry().grade_categories().items()
    }
    for group, category, total, count in db.session.execute(
        select(
            key,
            CohortCategoryStats.category,
            func.sum(CohortCategoryStats.total),
            func.sum(CohortCategoryStats.n),
        )
        .join(CohortStats, CohortStats.cohort_id == CohortCategoryStats.cohort_id)
        .where(*scope)
        .group_by(key, CohortCategoryStats.category)
    ):
        if group in rows and count and category in labels:
            rows[group].extra.setdefault("categories", {})[labels[category]] = float(total) / count

    # The change of the SPBE maturity index (self-assessments: a few per cohort).
    cohort_key = Cohort.region_code if by == "region" else Cohort.id
    cohort_scope = [Cohort.course_version_id.is_not(None)]
    if region_code:
        cohort_scope.append(Cohort.region_code == region_code)
    if province:
        cohort_scope.append(Cohort.region_code.like(f"{province}.%"))
    if region_codes is not None:
        cohort_scope.append(Cohort.region_code.in_(codes))
    baseline = func.avg(case((SelfAssessment.phase == "baseline", SelfAssessment.index_value)))
    follow = func.avg(case((SelfAssessment.phase == "follow_up", SelfAssessment.index_value)))
    for group, before, after in db.session.execute(
        select(cohort_key, baseline, follow)
        .join(SelfAssessment, SelfAssessment.cohort_id == Cohort.id)
        .where(*cohort_scope, SelfAssessment.index_value.is_not(None))
        .group_by(cohort_key)
    ):
        if group not in rows:
            continue
        if before is not None and after is not None:
            rows[group].maturity_change = float(after) - float(before)
        rows[group].extra["maturity"] = after if after is not None else before
    return list(rows.values())


@dataclass
class RegionBoard:
    """What the national dashboard shows, computed in SQL so that its cost does not grow
    with the number of regions: the figures of one page of regions in the chosen order, the
    first `top` of that order (the chart), the totals and each province's value for the map."""

    items: list[Figures]
    top: list[Figures]
    total: int
    page: int
    totals: dict[str, int]
    provinces: dict[str, float]
    area: AreaStats | None = None
    """The nation's (or the province's) maintained row; None before any cohort counts."""


SORT_KEYS = ("completion", "post", "gain", "enrolled", "certificates", "maturity", "name")


def region_board(
    *,
    sort: str,
    province: str | None,
    page: int,
    per_page: int,
    top: int,
    map_metric: str,
    now: datetime,
) -> RegionBoard:
    """One page of the national table (sorted as the `SORTS` of the views: highest first,
    missing figures last, then by region code), in a fixed number of statements and rows
    whatever the number of regions: the totals come from the nation's (or the province's)
    maintained row, the map from the provinces' rows, and the page's and the chart's regions
    from the regions' rows through their sort indexes; only those are turned into `Figures`.
    Sorting by name or by maturity change (not kept in the rows) ranks the regions in SQL."""
    from lms.tracking.maps import METRICS
    from lms.tracking.stats import ACTIVE_DAYS, local_day

    if sort not in SORT_KEYS:
        sort = "completion"
    level, code = ("province", province) if province else ("nation", "")
    scope = db.session.scalar(
        select(AreaStats).where(AreaStats.level == level, AreaStats.code == code)
    )
    total = int(scope.regions) if scope else 0
    pages = max(1, -(-total // per_page))
    page = min(page, pages)  # past the end: the last page, as the in-memory pager did
    first = (page - 1) * per_page
    codes, chart_codes = _ranked(sort, province, first, per_page, top)
    found = {
        f.key: f
        for f in figures(by="region", province=province, now=now, region_codes=codes + chart_codes)
    }
    items = [found[c] for c in codes if c in found]
    chart = [found[c] for c in chart_codes if c in found]

    since = local_day(now) - timedelta(days=ACTIVE_DAYS - 1)
    active = db.session.scalar(
        select(func.sum(AreaDayStats.participants)).where(
            AreaDayStats.level == level, AreaDayStats.code == code, AreaDayStats.day >= since
        )
    )
    totals = {
        "regions": total,
        "enrolled": int(scope.enrolled) if scope else 0,
        "active": int(active or 0),
        "certificates": int(scope.certificates) if scope else 0,
    }

    attribute, combine, _maximum = METRICS.get(map_metric, METRICS["completion"])
    columns = (
        (getattr(AreaStats, f"map_{attribute}_sum"), getattr(AreaStats, f"map_{attribute}_n"))
        if combine == "mean"
        else (getattr(AreaStats, attribute), AreaStats.regions)
    )
    area_scope = [AreaStats.level == "province"]
    if province:
        area_scope.append(AreaStats.code == province)
    by_province = {
        code: (float(amount) / float(weight) if combine == "mean" else float(amount))
        for code, amount, weight in db.session.execute(
            select(AreaStats.code, *columns).where(*area_scope)
        )
        if weight
    }
    return RegionBoard(items, chart, total, page, totals, by_province, scope)


_KEPT_SORTS = {
    "completion": AreaStats.rank_completion,
    "post": AreaStats.rank_post,
    "gain": AreaStats.rank_gain,
    "enrolled": AreaStats.enrolled,
    "certificates": AreaStats.certificates,
}


def _ranked(
    sort: str, province: str | None, first: int, per_page: int, top: int
) -> tuple[list[str], list[str]]:
    """The region codes of one page and of the chart's first `top`, in the sort's order."""
    if sort in _KEPT_SORTS:  # walk the sort's index: as many rows as are shown
        key = _KEPT_SORTS[sort]
        scope = [AreaStats.level == "region"]
        if province:
            scope.append(AreaStats.parent == province)
        ranked = select(AreaStats.code).where(*scope).order_by(key.desc(), AreaStats.code)
        page = list(db.session.scalars(ranked.offset(first).limit(per_page)))
        if first == 0 and per_page >= top:
            chart = page[:top]
        else:
            chart = list(db.session.scalars(ranked.limit(top)))
        return page, chart
    r = _per_region(province).subquery()
    order = [r.c.name.asc()] if sort == "name" else [func.coalesce(r.c[sort], -9).desc()]
    ranked = select(
        r.c.code, func.row_number().over(order_by=[*order, r.c.code.asc()]).label("rank")
    ).subquery()
    rows = db.session.execute(
        select(ranked.c.code, ranked.c.rank)
        .where((ranked.c.rank <= top) | ranked.c.rank.between(first + 1, first + per_page))
        .order_by(ranked.c.rank)
    ).all()
    return (
        [row.code for row in rows if first < row.rank <= first + per_page],
        [row.code for row in rows if row.rank <= top],
    )


def _per_region(province: str | None) -> Any:
    """One row per region with a cohort in scope and its figures as SQL expressions (the same
    arithmetic as `_figures`, `Figures.gain` and the maturity change of `figures`)."""
    sums = (
        select(
            CohortStats.region_code.label("code"),
            func.sum(CohortStats.enrolled).label("enrolled"),
            func.sum(CohortStats.certificates).label("certificates"),
            func.sum(CohortStats.completion_sum).label("completion_sum"),
            func.sum(CohortStats.completion_n).label("completion_n"),
            func.sum(CohortStats.pre_sum).label("pre_sum"),
            func.sum(CohortStats.pre_n).label("pre_n"),
            func.sum(CohortStats.post_sum).label("post_sum"),
            func.sum(CohortStats.post_n).label("post_n"),
        )
        .where(*_scope(None, province))
        .group_by(CohortStats.region_code)
        .subquery()
    )
    cohort_scope = [Cohort.course_version_id.is_not(None)]
    if province:
        cohort_scope.append(Cohort.region_code.like(f"{province}.%"))
    maturity = (
        select(
            Cohort.region_code.label("code"),
            func.avg(case((SelfAssessment.phase == "baseline", SelfAssessment.index_value))).label(
                "before"
            ),
            func.avg(case((SelfAssessment.phase == "follow_up", SelfAssessment.index_value))).label(
                "after"
            ),
        )
        .join(SelfAssessment, SelfAssessment.cohort_id == Cohort.id)
        .where(*cohort_scope, SelfAssessment.index_value.is_not(None))
        .group_by(Cohort.region_code)
        .subquery()
    )

    def mean(total: Any, count: Any) -> Any:
        return case((count > 0, cast(total, Double) / count))

    completion = mean(sums.c.completion_sum, sums.c.completion_n)
    pre = mean(sums.c.pre_sum, sums.c.pre_n)
    post = mean(sums.c.post_sum, sums.c.post_n)
    gain = case(
        (pre.is_(None) | post.is_(None) | (pre >= 100), None),
        else_=(post - pre) / (100.0 - pre),
    )
    return (
        select(
            Region.code.label("code"),
            Region.name.label("name"),
            Region.province_code.label("province"),
            sums.c.enrolled,
            sums.c.certificates,
            completion.label("completion"),
            post.label("post"),
            gain.label("gain"),
            (maturity.c.after - maturity.c.before).label("maturity"),
        )
        .join(sums, sums.c.code == Region.code)
        .outerjoin(maturity, maturity.c.code == Region.code)
    )


def _scope(region_code: str | None, province: str | None) -> list[Any]:
    scope: list[Any] = []
    if region_code:
        scope.append(CohortStats.region_code == region_code)
    if province:
        scope.append(CohortStats.region_code.like(f"{province}.%"))
    return scope


def _figures(key: str, label: str, values: list[Any], *, province: str = "") -> Figures:
    cohorts, enrolled, completion, completion_n, pre, pre_n, post, post_n, certificates = values
    return Figures(
        key,
        label,
        province=province,
        cohorts=int(cohorts or 0),
        enrolled=int(enrolled or 0),
        completion=float(completion) / completion_n if completion_n else None,
        pre=float(pre) / pre_n if pre_n else None,
        post=float(post) / post_n if post_n else None,
        certificates=int(certificates or 0),
    )


def gain_distribution(
    *, province: str | None = None, area: AreaStats | None | Any = ...
) -> list[tuple[str, int]]:
    """How many participants fall in each band of normalised gain (the nation's or the
    province's maintained counts: each participant's mean pre- and post-measure, gain-role
    categories, gives their gain). `area`: that row, when the caller has read it."""
    if area is ...:
        area = db.session.scalar(select(AreaStats).where(*_area(province)))
    counts = (
        (area.gain_loss, area.gain_low, area.gain_medium, area.gain_high) if area else (0, 0, 0, 0)
    )
    return [(label, int(n or 0)) for (label, _low, _high), n in zip(GAIN_BINS, counts, strict=True)]


def _area(province: str | None) -> list[Any]:
    """The nation's maintained row, or one province's."""
    if province:
        return [AreaStats.level == "province", AreaStats.code == province]
    return [AreaStats.level == "nation", AreaStats.code == ""]


@dataclass(frozen=True)
class WeekPoint:
    week: date
    """The Monday of the ISO week (WIB)."""
    completion: float | None
    """Share of all activities of the participants (not withdrawn) completed by its end (%)."""
    post: float | None
    """Mean post-test result of the participants active up to its end (%)."""
    completions: int
    """Activities completed during the week."""

    @property
    def label(self) -> str:
        year, number, _day = self.week.isocalendar()
        return f"{year}-W{number:02d}"


def weekly_trend(
    *,
    now: datetime,
    province: str | None = None,
    weeks: int = 12,
    area: AreaStats | None | Any = ...,
) -> list[WeekPoint]:
    """Completion and post-test mean at the end of each of the last `weeks` ISO weeks (WIB),
    cumulative, from the nation's (or the province's) maintained week rows (two statements,
    one when the caller gives the `area` row it has read)."""
    from lms.tracking.stats import local_day, week_of

    if area is ...:
        area = db.session.scalar(select(AreaStats).where(*_area(province)))
    slots = area.slots if area else 0
    level, code = ("province", province) if province else ("nation", "")
    found = db.session.execute(
        select(
            AreaWeekStats.week,
            AreaWeekStats.completions,
            AreaWeekStats.post_sum,
            AreaWeekStats.post_n,
        )
        .where(AreaWeekStats.level == level, AreaWeekStats.code == code)
        .order_by(AreaWeekStats.week)
    ).all()
    if not found:
        return []
    current = week_of(local_day(now))
    first = current - timedelta(weeks=weeks - 1)
    done, post_sum, post_n = 0, 0.0, 0
    rows: dict[date, tuple[int, float, int]] = {}
    for week, completions, total, count in found:
        week = week if isinstance(week, date) else date.fromisoformat(str(week))
        values = (int(completions or 0), float(total or 0), int(count or 0))
        if week < first:  # before the window: counts toward the cumulative start
            done, post_sum, post_n = done + values[0], post_sum + values[1], post_n + values[2]
        else:
            rows[week] = values
    points = []
    for index in range(weeks):
        week = first + timedelta(weeks=index)
        completions, total, count = rows.get(week, (0, 0.0, 0))
        done, post_sum, post_n = done + completions, post_sum + total, post_n + count
        points.append(
            WeekPoint(
                week,
                min(100.0, 100.0 * done / slots) if slots else None,
                post_sum / post_n if post_n else None,
                completions,
            )
        )
    return points
