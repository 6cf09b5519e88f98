"""Maintained statistics for the region and national dashboards.

One row per cohort (and small per-cohort side tables) holding sums and counts from which
every figure of the dashboards follows by a GROUP BY over cohorts, never over participants,
attempts or submissions. The rows are recomputed from the raw rows of one cohort in the same
transaction as the event that changed them (see `lms.tracking.stats`); `lms stats rebuild`
recomputes all of them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import UTCDateTime, utcnow


class _Sums:
    """The sums and counts kept per cohort and rolled up per region, province and nation."""

    enrolled: Mapped[int] = mapped_column(default=0)
    """Participants not withdrawn."""
    completion_sum: Mapped[float] = mapped_column(default=0.0)
    """Sum over those participants of their completion rate (%) ..."""
    completion_n: Mapped[int] = mapped_column(default=0)
    """... and how many were counted (none when the version has no activity)."""
    slots: Mapped[int] = mapped_column(default=0)
    """Participants × activities of the version (the weekly trend's denominator)."""
    pre_sum: Mapped[float] = mapped_column(default=0.0)
    pre_n: Mapped[int] = mapped_column(default=0)
    post_sum: Mapped[float] = mapped_column(default=0.0)
    post_n: Mapped[int] = mapped_column(default=0)
    """Results in the pre- and post-measure categories (sum of percentages, how many)."""
    certificates: Mapped[int] = mapped_column(default=0)
    gain_loss: Mapped[int] = mapped_column(default=0)
    gain_low: Mapped[int] = mapped_column(default=0)
    gain_medium: Mapped[int] = mapped_column(default=0)
    gain_high: Mapped[int] = mapped_column(default=0)
    """Participants per band of normalised gain (< 0, 0–0.3, 0.3–0.7, ≥ 0.7)."""


class CohortStats(_Sums, db.Model):
    """Sums and counts of one cohort (a cohort on a course version)."""

    __tablename__ = "stats_cohort"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(String(16), index=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CohortCategoryStats(db.Model):
    """Results of one cohort in one grade category (sum of percentages, how many)."""

    __tablename__ = "stats_cohort_category"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    total: Mapped[float] = mapped_column(default=0.0)
    n: Mapped[int] = mapped_column(default=0)


class CohortDayStats(db.Model):
    """How many of a cohort's participants last completed something on `day` (WIB): the
    dashboards' "active in the last 14 days" sums the last 14 days' rows."""

    __tablename__ = "stats_cohort_day"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    participants: Mapped[int] = mapped_column(default=0)


class CohortWeekStats(db.Model):
    """One cohort in one ISO week (WIB; `week` is its Monday): activities completed in it,
    and the post-test means of the participants who first completed a post-measure activity
    in it (or, with none completed yet, whose latest completion falls in it)."""

    __tablename__ = "stats_cohort_week"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[date] = mapped_column(primary_key=True, index=True)
    completions: Mapped[int] = mapped_column(default=0)
    post_sum: Mapped[float] = mapped_column(default=0.0)
    post_n: Mapped[int] = mapped_column(default=0)


AREA_LEVELS = ("region", "province", "nation")


class AreaStats(_Sums, db.Model):
    """The cohorts' sums rolled up per region, per province and for the whole country, kept
    with the cohorts' rows (`lms.tracking.stats.roll_up`), so that the national dashboard reads
    a fixed number of rows whatever the number of regions: its totals from the nation's row,
    its map from the provinces' rows, and one page of regions through the sort indexes.

    `code` is the region's code ("32.11"), the province's ("32") or "" for the nation;
    `parent` is a region's province ("" otherwise)."""

    __tablename__ = "stats_area"

    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent: Mapped[str] = mapped_column(String(16), default="")
    regions: Mapped[int] = mapped_column(default=0)
    cohorts: Mapped[int] = mapped_column(default=0)
    completion: Mapped[float | None] = mapped_column()
    post: Mapped[float | None] = mapped_column()
    gain: Mapped[float | None] = mapped_column()
    """A region's means (None without results), as `national.Figures` computes them."""
    rank_completion: Mapped[float] = mapped_column(default=-1.0)
    rank_post: Mapped[float] = mapped_column(default=-1.0)
    rank_gain: Mapped[float] = mapped_column(default=-9.0)
    """A region's sort keys, highest first (missing figures last), each with an index."""
    map_completion_sum: Mapped[float] = mapped_column(default=0.0)
    map_completion_n: Mapped[int] = mapped_column(default=0)
    map_post_sum: Mapped[float] = mapped_column(default=0.0)
    map_post_n: Mapped[int] = mapped_column(default=0)
    map_gain_sum: Mapped[float] = mapped_column(default=0.0)
    map_gain_n: Mapped[int] = mapped_column(default=0)
    """A province's map values: its regions' means weighted by their participants."""

    __table_args__ = (Index("ix_stats_area_parent", "level", "parent"),)


for _name in ("completion", "post", "gain", "enrolled", "certificates"):
    _key = getattr(AreaStats, _name if _name in ("enrolled", "certificates") else f"rank_{_name}")
    Index(f"ix_stats_area_rank_{_name}", AreaStats.level, _key.desc(), AreaStats.code)


class AreaDayStats(db.Model):
    """`CohortDayStats` summed per province and for the nation ("active" in the totals)."""

    __tablename__ = "stats_area_day"

    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    participants: Mapped[int] = mapped_column(default=0)


class AreaWeekStats(db.Model):
    """`CohortWeekStats` summed per province and for the nation (the weekly trend)."""

    __tablename__ = "stats_area_week"

    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)
    completions: Mapped[int] = mapped_column(default=0)
    post_sum: Mapped[float] = mapped_column(default=0.0)
    post_n: Mapped[int] = mapped_column(default=0)
