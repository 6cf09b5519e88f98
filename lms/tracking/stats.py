"""Maintained statistics: the per-cohort rows the region and national dashboards read.

How they stay right
    Anything that can change a cohort's figures notes the cohort (or an enrolment of it) in
    the database session: the engine's `results_changed` signal (sent by `record_completion`,
    `withdraw_completion` and `report_result`, which every activity type goes through, and by
    a type whose result changes without a completion, e.g. a review graded again), and a
    `before_flush` look at enrolments, cohorts, completions and certificates written through
    the ORM. When the transaction commits, each noted cohort's rows are recomputed from its raw
    rows (`refresh`) before the COMMIT, in the same transaction: a handful of statements per
    commit, whatever the size of the country. Recomputing (rather than adding deltas) keeps
    the rows equal to what `lms stats rebuild` gives.

What is recomputed per cohort
    Results come from each graded activity type's `result_query` (the contract), so an
    outside plugin's category counts without this module knowing it. Sums and counts rather
    than means are stored, so regions and provinces combine exactly.

Time zone
    Days and ISO weeks (the "active in the last 14 days" figure and the weekly trend) are
    those of Western Indonesia (WIB, Asia/Jakarta), the same for every viewer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from courses.grades import normalised_gain
from courses.models import Activity, ActivityCompletion, Module
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.models import utcnow
from lms.tracking.models import (
    AreaDayStats,
    AreaStats,
    AreaWeekStats,
    CohortCategoryStats,
    CohortDayStats,
    CohortStats,
    CohortWeekStats,
)

log = logging.getLogger("lms.tracking.stats")

WIB = ZoneInfo("Asia/Jakarta")
ACTIVE_DAYS = 14
CHUNK = 50
"""Cohorts recomputed together by `rebuild`."""

_KEY = "lms.tracking.stats.dirty"
TABLES = (CohortStats, CohortCategoryStats, CohortDayStats, CohortWeekStats)
AREA_TABLES = (AreaStats, AreaDayStats, AreaWeekStats)
_ROLL_UP_LOCK = 0x4C4D5354  # PostgreSQL advisory lock: one roll-up at a time


def local_day(at: datetime) -> date:
    return at.astimezone(WIB).date()


def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


_EPOCH = date(1970, 1, 1)
_MONDAY_ZERO = date(1969, 12, 29)
"""Day number d (days since `_EPOCH`) falls in week (d + 3) // 7 after this Monday."""
_WIB_OFFSET = 7 * 3600  # WIB has no daylight saving time


def _wib_day_number(session: Any) -> Any:
    """SQL for the WIB day of a completion, as days since 1970-01-01 (an integer)."""
    column = ActivityCompletion.completed_at
    if session.get_bind().dialect.name == "postgresql":
        return func.floor((func.extract("epoch", column) + _WIB_OFFSET) / 86400).label("day")
    # SQLite keeps UTC as text; julianday counts days from 4714 BC at noon.
    # (Dates after 1970 are positive, so the cast's truncation is the floor.)
    return cast((func.julianday(column) - 2440587.5) + _WIB_OFFSET / 86400.0, Integer).label("day")


def gain_band(pre: float, post: float) -> int:
    """Index in `national.GAIN_BINS` of the normalised gain from `pre` to `post` (pre < 100)."""
    gain = (post - pre) / (100.0 - pre)
    if gain < 0:
        return 0
    if gain < 0.3:
        return 1
    if gain < 0.7:
        return 2
    return 3


# --------------------------------------------------------------------------- noting changes


@dataclass
class _Dirty:
    enrolments: set[int]
    cohorts: set[int]
    objects: list[Any]
    """Enrolments and cohorts added in this transaction (their ids come at the flush)."""


def _dirty(session: Session) -> _Dirty:
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = _Dirty(set(), set(), [])
    return found


def note(
    *, enrolment_ids: Iterable[int] = (), cohort_ids: Iterable[int] = (), session: Any = None
) -> None:
    """Mark enrolments/cohorts whose statistics the current transaction must recompute."""
    found = _dirty(session or db.session())
    found.enrolments.update(int(i) for i in enrolment_ids if i is not None)
    found.cohorts.update(int(i) for i in cohort_ids if i is not None)


def _on_results_changed(_sender: Any, enrolment_ids: Iterable[int] = (), **_: Any) -> None:
    note(enrolment_ids=enrolment_ids)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = [(obj, False) for obj in session.new] + [(obj, True) for obj in session.dirty]
    changed += [(obj, True) for obj in session.deleted]
    found = None
    for obj, persisted in changed:
        if not isinstance(obj, Enrolment | Cohort | ActivityCompletion | Certificate):
            continue
        found = found or _dirty(session)
        if isinstance(obj, Cohort):
            if obj.id is not None:
                found.cohorts.add(obj.id)
            else:
                found.objects.append(obj)
        elif isinstance(obj, Enrolment):
            found.objects.append(obj)
            if persisted:  # it may have moved from another cohort
                history = inspect(obj).attrs.cohort_id.history
                found.cohorts.update(i for i in (history.deleted or ()) if i is not None)
                if obj.id is not None:
                    found.enrolments.add(obj.id)
        elif obj.enrolment_id is not None:
            found.enrolments.add(obj.enrolment_id)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction() or _KEY not in session.info and not _pending(session):
        return
    session.flush()
    found = session.info.pop(_KEY, None)
    if found is None:
        return
    cohort_ids = set(found.cohorts)
    for obj in found.objects:
        # Read what the object holds without loading anything (it may be deleted by now).
        values = inspect(obj).dict
        if isinstance(obj, Cohort):
            if values.get("id") is not None:
                cohort_ids.add(values["id"])
        elif values.get("cohort_id") is not None:
            cohort_ids.add(values["cohort_id"])
            found.enrolments.discard(values.get("id"))
        elif values.get("id") is not None:
            found.enrolments.add(values["id"])
    if found.enrolments:
        cohort_ids.update(
            session.scalars(
                select(Enrolment.cohort_id)
                .where(Enrolment.id.in_(sorted(found.enrolments)))
                .distinct()
            )
        )
    if not cohort_ids:
        return
    ids = sorted(cohort_ids)
    try:
        with session.begin_nested():
            refresh(ids, session=session)
    except Exception:  # the user's action must not fail for the statistics' sake
        log.exception("statistics of cohorts %s not refreshed (run `lms stats rebuild`)", ids)


def _pending(session: Session) -> bool:
    return any(
        isinstance(obj, Enrolment | Cohort | ActivityCompletion | Certificate)
        for group in (session.new, session.dirty, session.deleted)
        for obj in group
    )


def _after_rollback(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_KEY, None)


_listening = False


def listen() -> None:
    """Connect the engine's signal and the session events (once per process)."""
    global _listening
    if _listening:
        return
    from courses.signals import results_changed

    results_changed.connect(_on_results_changed)
    event.listen(db.session, "before_flush", _before_flush)
    event.listen(db.session, "before_commit", _before_commit)
    event.listen(db.session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    _listening = True


# --------------------------------------------------------------------------- recomputing


def refresh(cohort_ids: Iterable[int], *, session: Any = None, graded: Any = None) -> None:
    """Recompute the statistics rows of these cohorts from their raw rows (flushes only)."""
    from lms.tracking import national

    session = session or db.session()
    ids = sorted(set(cohort_ids))
    if not ids:
        return
    # One refresh at a time on PostgreSQL (SQLite has one writer at a time): the area rows
    # (`roll_up`) of a province or the nation sum cohorts other transactions change too.
    # Taken first, before any cohort's lock, so that two refreshes never wait on each other.
    _lock_roll_up(session)
    # Lock the cohorts' rows (PostgreSQL; SQLite has one writer at a time) so that two
    # transactions refreshing the same cohort take turns: the second then reads the first's
    # committed changes and replaces its rows. NO KEY UPDATE leaves foreign-key checks of
    # other writers (an enrolment added meanwhile) unblocked.
    cohorts = {
        cid: (region, version)
        for cid, region, version in session.execute(
            select(Cohort.id, Cohort.region_code, Cohort.course_version_id)
            .where(Cohort.id.in_(ids))
            .order_by(Cohort.id)
            .with_for_update(key_share=True)
        )
        if version is not None
    }
    regions = set(
        session.scalars(
            select(CohortStats.region_code).where(CohortStats.cohort_id.in_(ids)).distinct()
        )
    )
    regions.update(region for region, _version in cohorts.values())
    for table in TABLES:
        session.execute(delete(table).where(table.cohort_id.in_(ids)))
    if not cohorts:
        roll_up(regions, session=session)
        return
    graded = graded or national.graded_activities()
    withdrawn = EnrolmentStatus.WITHDRAWN.value
    of_cohort: dict[int, int] = {}
    active: set[int] = set()
    for enrolment_id, cohort_id, status in session.execute(
        select(Enrolment.id, Enrolment.cohort_id, Enrolment.status).where(
            Enrolment.cohort_id.in_(list(cohorts))
        )
    ):
        of_cohort[enrolment_id] = cohort_id
        if status != withdrawn:
            active.add(enrolment_id)
    totals = dict(
        session.execute(
            select(Module.version_id, _count())
            .join(Activity, Activity.module_id == Module.id)
            .where(Module.version_id.in_({v for _r, v in cohorts.values()}))
            .group_by(Module.version_id)
        ).all()
    )

    row = {
        cid: {
            "cohort_id": cid,
            "region_code": region,
            "enrolled": 0,
            "completion_sum": 0.0,
            "completion_n": 0,
            "slots": 0,
            "pre_sum": 0.0,
            "pre_n": 0,
            "post_sum": 0.0,
            "post_n": 0,
            "certificates": 0,
            "gain_loss": 0,
            "gain_low": 0,
            "gain_medium": 0,
            "gain_high": 0,
            "refreshed_at": utcnow(),
        }
        for cid, (region, _version) in cohorts.items()
    }
    enrolments = select(Enrolment.id).where(Enrolment.cohort_id.in_(list(cohorts)))

    # Completions per participant and WIB day (grouped in SQL): how many, the latest day,
    # the first day with a post-measure, and the weeks they fall in.
    after = [i for i, role in graded.role.items() if role == "after"] or [-1]
    day = _wib_day_number(session)
    done: dict[int, int] = {}
    latest: dict[int, int] = {}
    first_post: dict[int, int] = {}
    week_counts: dict[tuple[int, int], int] = {}
    for enrolment_id, number, count, posts in session.execute(
        select(
            ActivityCompletion.enrolment_id,
            day,
            func.count(),
            func.count(case((ActivityCompletion.activity_id.in_(after), 1))),
        )
        .where(ActivityCompletion.enrolment_id.in_(enrolments))
        .group_by(ActivityCompletion.enrolment_id, day)
    ):
        if enrolment_id not in active:
            continue
        number = int(number)
        done[enrolment_id] = done.get(enrolment_id, 0) + count
        latest[enrolment_id] = max(latest.get(enrolment_id, number), number)
        if posts:
            first_post[enrolment_id] = min(first_post.get(enrolment_id, number), number)
        key = (of_cohort[enrolment_id], (number + 3) // 7)
        week_counts[key] = week_counts.get(key, 0) + count
    weeks: dict[tuple[int, date], dict[str, Any]] = {}
    for (cid, number), count in week_counts.items():
        _week(weeks, cid, _MONDAY_ZERO + timedelta(weeks=number))["completions"] = count
    days: dict[tuple[int, date], int] = {}
    for enrolment_id in active:
        cid = of_cohort[enrolment_id]
        stats = row[cid]
        stats["enrolled"] += 1
        total = totals.get(cohorts[cid][1], 0)
        if total > 0:
            stats["completion_sum"] += 100.0 * done.get(enrolment_id, 0) / total
            stats["completion_n"] += 1
            stats["slots"] += total
        if enrolment_id in latest:
            key = (cid, _EPOCH + timedelta(days=latest[enrolment_id]))
            days[key] = days.get(key, 0) + 1

    # Results, through each graded type's result query (withdrawn participants' too, as
    # before: what they achieved still counts in the means and the gain).
    categories: dict[tuple[int, str], list[float]] = {}
    measures: dict[int, dict[str, list[float]]] = {}
    for enrolment_id, activity_id, percent in _results(graded, enrolments, session):
        category = graded.category.get(activity_id)
        if percent is None or category is None or enrolment_id not in of_cohort:
            continue
        cid = of_cohort[enrolment_id]
        pair = categories.setdefault((cid, category), [0.0, 0])
        pair[0] += float(percent)
        pair[1] += 1
        role = graded.role.get(activity_id)
        if role:
            stats = row[cid]
            prefix = "pre" if role == "before" else "post"
            stats[f"{prefix}_sum"] += float(percent)
            stats[f"{prefix}_n"] += 1
            measures.setdefault(enrolment_id, {}).setdefault(role, []).append(float(percent))
    bands = ("gain_loss", "gain_low", "gain_medium", "gain_high")
    for enrolment_id, by_role in measures.items():
        pre, post = _mean(by_role.get("before")), _mean(by_role.get("after"))
        stats = row[of_cohort[enrolment_id]]
        if pre is not None and post is not None and pre < 100:
            stats[bands[gain_band(pre, post)]] += 1
        # In the trend, a participant's post-test mean counts from the week of their first
        # completed post-measure (their latest completion when they have none yet).
        since = first_post.get(enrolment_id, latest.get(enrolment_id))
        if post is not None and enrolment_id in active and since is not None:
            week = _week(
                weeks, of_cohort[enrolment_id], _MONDAY_ZERO + timedelta(weeks=(since + 3) // 7)
            )
            week["post_sum"] += post
            week["post_n"] += 1

    for cid, count in session.execute(
        select(Enrolment.cohort_id, _count())
        .join(Certificate, Certificate.enrolment_id == Enrolment.id)
        .where(Enrolment.cohort_id.in_(list(cohorts)))
        .group_by(Enrolment.cohort_id)
    ):
        row[cid]["certificates"] = count

    session.execute(insert(CohortStats), list(row.values()))
    if categories:
        session.execute(
            insert(CohortCategoryStats),
            [
                {"cohort_id": cid, "category": name, "total": total, "n": n}
                for (cid, name), (total, n) in sorted(categories.items())
            ],
        )
    if days:
        session.execute(
            insert(CohortDayStats),
            [
                {"cohort_id": cid, "day": day, "participants": n}
                for (cid, day), n in sorted(days.items())
            ],
        )
    if weeks:
        session.execute(insert(CohortWeekStats), [weeks[k] for k in sorted(weeks)])
    roll_up(regions, session=session)


_SUMS = (
    "enrolled",
    "completion_sum",
    "completion_n",
    "slots",
    "pre_sum",
    "pre_n",
    "post_sum",
    "post_n",
    "certificates",
    "gain_loss",
    "gain_low",
    "gain_medium",
    "gain_high",
)
_MAPPED = ("completion", "post", "gain")


def province_of(region_code: str) -> str:
    """A region's province: the part of its code before the dot ("32.11" → "32")."""
    return region_code.split(".", 1)[0]


def roll_up(region_codes: Iterable[str], *, session: Any = None) -> None:
    """Recompute the area rows (`AreaStats` and its day and week tables) of these regions, of
    their provinces and of the nation from the cohorts' rows, after `refresh` (flushes only).

    A handful of statements per commit: a region's row sums its few cohorts, a province's
    its regions' rows, the nation's the provinces' rows. On PostgreSQL one transaction at a
    time rolls up (an advisory lock held to the COMMIT), so two commits in the same province
    never each write a sum that misses the other's change (`_lock_roll_up`)."""
    session = session or db.session()
    regions = sorted(set(region_codes))
    if not regions:
        return
    _lock_roll_up(session)
    provinces = sorted({province_of(code) for code in regions})

    # Regions: their cohorts' sums, their means and sort keys.
    session.execute(
        delete(AreaStats).where(AreaStats.level == "region", AreaStats.code.in_(regions))
    )
    rows = []
    for code, cohorts, *values in session.execute(
        select(
            CohortStats.region_code,
            func.count(),
            *(func.sum(getattr(CohortStats, name)) for name in _SUMS),
        )
        .where(CohortStats.region_code.in_(regions))
        .group_by(CohortStats.region_code)
    ):
        row = _area_row("region", code, values, parent=province_of(code), regions=1)
        row["cohorts"] = cohorts
        rows.append(row)
    if rows:
        session.execute(insert(AreaStats), rows)

    # Provinces: their regions' rows; the nation: the provinces' rows.
    for level, codes, below, key in (
        ("province", provinces, "region", AreaStats.parent),
        ("nation", [""], "province", None),
    ):
        session.execute(
            delete(AreaStats).where(AreaStats.level == level, AreaStats.code.in_(codes))
        )
        scope = [AreaStats.level == below] + ([key.in_(codes)] if key is not None else [])
        mapped = []
        for name in _MAPPED:
            value, weight = getattr(AreaStats, name), AreaStats.enrolled
            counted = value.is_not(None) & (weight > 0)
            if level == "province":
                mapped += [
                    func.sum(case((counted, value * weight), else_=0.0)),
                    func.sum(case((counted, weight), else_=0)),
                ]
            else:
                mapped += [
                    func.sum(getattr(AreaStats, f"map_{name}_sum")),
                    func.sum(getattr(AreaStats, f"map_{name}_n")),
                ]
        sums = select(
            func.sum(AreaStats.regions),
            func.sum(AreaStats.cohorts),
            *(func.sum(getattr(AreaStats, name)) for name in _SUMS),
            *mapped,
        ).where(*scope)
        found = (
            session.execute(sums.add_columns(key).group_by(key))
            if key is not None
            else [(*session.execute(sums).one(), "")]
        )
        rows = []
        for regions_n, cohorts, *values, code in found:
            if not regions_n:
                continue
            row = _area_row(level, code, values[: len(_SUMS)], regions=int(regions_n or 0))
            row["cohorts"] = int(cohorts or 0)
            for index, name in enumerate(_MAPPED):
                total, count = values[len(_SUMS) + 2 * index : len(_SUMS) + 2 * index + 2]
                row[f"map_{name}_sum"] = float(total or 0.0)
                row[f"map_{name}_n"] = int(count or 0)
            rows.append(row)
        if rows:
            session.execute(insert(AreaStats), rows)

    # The day and week rows of the provinces (from their cohorts) and of the nation.
    region_code = CohortStats.region_code
    in_provinces = or_(*(region_code.like(f"{code}.%") for code in provinces))
    for table, cohort_table, key, columns in (
        (AreaDayStats, CohortDayStats, "day", ("participants",)),
        (AreaWeekStats, CohortWeekStats, "week", ("completions", "post_sum", "post_n")),
    ):
        session.execute(
            delete(table).where(
                (table.level == "nation")
                | ((table.level == "province") & table.code.in_(provinces))
            )
        )
        by = getattr(cohort_table, key)
        province = func.substr(region_code, 1, 2)
        session.execute(
            insert(table).from_select(
                ["level", "code", key, *columns],
                select(
                    literal("province"),
                    province,
                    by,
                    *(func.sum(getattr(cohort_table, c)) for c in columns),
                )
                .join(CohortStats, CohortStats.cohort_id == cohort_table.cohort_id)
                .where(in_provinces)
                .group_by(province, by),
            )
        )
        by = getattr(table, key)
        session.execute(
            insert(table).from_select(
                ["level", "code", key, *columns],
                select(
                    literal("nation"),
                    literal(""),
                    by,
                    *(func.sum(getattr(table, c)) for c in columns),
                )
                .where(table.level == "province")
                .group_by(by),
            )
        )


def _lock_roll_up(session: Any) -> None:
    """Wait for any other transaction refreshing statistics to end (PostgreSQL: an advisory
    lock held to the COMMIT or ROLLBACK)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_ROLL_UP_LOCK)))


def _area_row(
    level: str, code: str, values: list[Any], *, parent: str = "", regions: int
) -> dict[str, Any]:
    """An `AreaStats` row from the sums of `_SUMS` (in that order): means and sort keys as
    `national.Figures` and the views' sorts compute them."""
    row: dict[str, Any] = {"level": level, "code": code, "parent": parent, "regions": regions}
    for name, value in zip(_SUMS, values, strict=True):
        kind = float if name.endswith("_sum") else int
        row[name] = kind(value or 0)
    completion = row["completion_sum"] / row["completion_n"] if row["completion_n"] else None
    pre = row["pre_sum"] / row["pre_n"] if row["pre_n"] else None
    post = row["post_sum"] / row["post_n"] if row["post_n"] else None
    gain = normalised_gain(pre, post)
    row.update(
        completion=completion,
        post=post,
        gain=gain,
        rank_completion=completion if completion else -1.0,
        rank_post=post if post else -1.0,
        rank_gain=gain if gain is not None else -9.0,
    )
    return row


def roll_up_all(*, session: Any = None) -> None:
    """Every area row anew from the cohorts' rows (`rebuild`)."""
    session = session or db.session()
    for table in AREA_TABLES:
        session.execute(delete(table))
    roll_up(session.scalars(select(CohortStats.region_code).distinct()), session=session)


def _week(weeks: dict[tuple[int, date], dict[str, Any]], cid: int, week: date) -> dict[str, Any]:
    found = weeks.get((cid, week))
    if found is None:
        found = weeks[(cid, week)] = {
            "cohort_id": cid,
            "week": week,
            "completions": 0,
            "post_sum": 0.0,
            "post_n": 0,
        }
    return found


def _mean(values: list[float] | None) -> float | None:
    return sum(values) / len(values) if values else None


def _count() -> Any:
    from sqlalchemy import func

    return func.count()


def _results(graded: Any, enrolments: Any, session: Any) -> Iterable[tuple[int, int, Any]]:
    """(enrolment id, activity id, percent) from every graded type's result query."""
    from lms import plugins

    registry = plugins.registry()
    for type_name, activities in graded.by_type.items():
        if not activities:
            continue
        query = registry.activity_type(type_name).result_query(activities, enrolments)
        if query is None:
            continue
        part = query.subquery()
        yield from session.execute(select(part.c.enrolment_id, part.c.activity_id, part.c.percent))


def rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every cohort's statistics from the raw rows; returns how many cohorts.
    Cohort by cohort (each chunk replaces its own rows), then the rows of cohorts no longer
    counted go: a caller that commits between chunks (the job, to show its progress) leaves
    every cohort with either its old or its new figures, never none."""
    from lms.tracking import national

    session = db.session()
    counted = select(Cohort.id).where(Cohort.course_version_id.is_not(None))
    ids = list(session.scalars(counted.order_by(Cohort.id)))
    graded = national.graded_activities()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        refresh(chunk, session=session, graded=graded)
        if progress is not None:
            progress(len(chunk))
    for table in TABLES:
        session.execute(delete(table).where(table.cohort_id.not_in(counted)))
    roll_up_all(session=session)
    session.info.pop(_KEY, None)
    return len(ids)


def cohorts_to_rebuild() -> int:
    """How many cohorts `rebuild` goes through (for a progress bar's length)."""
    return (
        db.session.scalar(
            select(func.count(Cohort.id)).where(Cohort.course_version_id.is_not(None))
        )
        or 0
    )


def rebuild_job(params: dict[str, Any], progress: Callable[[int, int], None]) -> Any:
    """`lms stats rebuild` as a long job: progress is cohorts done of all cohorts."""
    from lms.longjobs.services import Result

    total = cohorts_to_rebuild()
    done = [0]
    progress(0, total)

    def step(count: int) -> None:
        done[0] += count
        progress(done[0], max(total, done[0]))

    rebuild(progress=step)
    return Result(None, "", "")


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every statistics row as plain tuples, ordered (for comparing maintained and rebuilt)."""
    found = {}
    for table in TABLES + AREA_TABLES:
        columns = [c for c in table.__table__.columns if c.name != "refreshed_at"]
        key = [c for c in columns if c.primary_key]
        found[table.__tablename__] = [
            tuple(r) for r in db.session.execute(select(*columns).order_by(*key)).all()
        ]
    return found
