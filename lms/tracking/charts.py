"""Geometry of the server-rendered SVG charts (no JavaScript): the template only draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 340, 14, 168
"""The plot area inside the view box; y from 0 % (BOTTOM) to 100 % (TOP)."""


@dataclass
class Series:
    name: str
    segments: list[str] = field(default_factory=list)
    """Polyline point lists ("x,y x,y …"); a week without a value breaks the line."""
    markers: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class TrendChart:
    width: int
    height: int
    series: list[Series]
    ticks: list[tuple[float, str]]
    """(x, label) under the axis: every few weeks, so labels never overlap on a phone."""
    grid: list[tuple[float, int]]
    """(y, percent) for the horizontal lines at 0, 50 and 100 %."""
    left: int = LEFT
    right: int = RIGHT
    bottom: int = BOTTOM


def _y(percent: float) -> float:
    percent = max(0.0, min(100.0, percent))
    return round(BOTTOM - (BOTTOM - TOP) * percent / 100.0, 1)


def trend_chart(points: list[Any], fields: tuple[str, ...] = ("completion", "post")) -> TrendChart:
    """Lines of `fields` (percentages) over the weeks of `points` (`national.WeekPoint`)."""
    count = len(points)
    step = (RIGHT - LEFT) / (count - 1) if count > 1 else 0.0
    xs = [round(LEFT + i * step, 1) for i in range(count)]
    series = []
    for name in fields:
        line = Series(name)
        current: list[str] = []
        for x, point in zip(xs, points, strict=True):
            value = getattr(point, name)
            if value is None:
                if current:
                    line.segments.append(" ".join(current))
                current = []
                continue
            y = _y(value)
            current.append(f"{x},{y}")
            line.markers.append((x, y))
        if current:
            line.segments.append(" ".join(current))
        series.append(line)
    every = max(1, -(-count // 4))
    ticks = [
        (xs[i], f"W{points[i].week.isocalendar()[1]:02d}")
        for i in range(count)
        if (count - 1 - i) % every == 0
    ]
    grid = [(_y(p), p) for p in (0, 50, 100)]
    return TrendChart(WIDTH, HEIGHT, series, ticks, grid)
