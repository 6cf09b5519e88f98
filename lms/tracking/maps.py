"""A tile-grid map of Indonesia's 38 provinces: one square per province, placed roughly
where it lies (west to east, north to south), coloured by a figure of the national
dashboard. No boundary file is needed, every province gets the same room whatever its
size, and the page stays light. The figures of each province are the regions' figures
combined (sums, or means weighted by enrolment); nothing is queried here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Province code -> (column, row, short label)
TILES: dict[str, tuple[int, int, str]] = {
    "11": (0, 0, "ACEH"),
    "12": (1, 0, "SUMUT"),
    "14": (2, 0, "RIAU"),
    "21": (3, 0, "KEPRI"),
    "13": (1, 1, "SUMBAR"),
    "15": (2, 1, "JAMBI"),
    "17": (1, 2, "BKL"),
    "16": (2, 2, "SUMSEL"),
    "19": (3, 2, "BABEL"),
    "18": (2, 3, "LAMP"),
    "31": (4, 3, "DKI"),
    "36": (3, 4, "BANTEN"),
    "32": (4, 4, "JABAR"),
    "33": (5, 4, "JATENG"),
    "34": (5, 5, "DIY"),
    "35": (6, 4, "JATIM"),
    "51": (7, 4, "BALI"),
    "52": (8, 4, "NTB"),
    "53": (9, 4, "NTT"),
    "61": (5, 1, "KALBAR"),
    "62": (6, 1, "KALTENG"),
    "65": (7, 0, "KALTARA"),
    "64": (7, 1, "KALTIM"),
    "63": (7, 2, "KALSEL"),
    "75": (9, 1, "GTLO"),
    "71": (10, 1, "SULUT"),
    "76": (8, 2, "SULBAR"),
    "72": (9, 2, "SULTENG"),
    "73": (8, 3, "SULSEL"),
    "74": (9, 3, "SULTRA"),
    "82": (11, 1, "MALUT"),
    "81": (11, 2, "MALUKU"),
    "96": (12, 1, "PBD"),
    "92": (12, 2, "PABAR"),
    "94": (13, 2, "PTENG"),
    "91": (14, 1, "PAPUA"),
    "95": (14, 2, "PPEG"),
    "93": (14, 3, "PSEL"),
}
COLUMNS = 1 + max(col for col, _row, _label in TILES.values())
ROWS = 1 + max(row for _col, row, _label in TILES.values())
# Figures that can colour the map: (attribute, how provinces combine it, scale maximum).
METRICS = {
    "completion": ("completion", "mean", 100.0),
    "post": ("post", "mean", 100.0),
    "gain": ("gain", "mean", 1.0),
    "enrolled": ("enrolled", "sum", None),
    "certificates": ("certificates", "sum", None),
}
STEPS = 5


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    label: str
    column: int
    row: int
    value: float | None
    step: int | None
    """0..STEPS-1 for the colour, None without data."""


def tiles_of(
    values: dict[str, float], provinces: Iterable[Any], metric: str
) -> tuple[str, list[Tile]]:
    """The tiles of every province for `metric` (falls back to completion) from each
    province's value (computed in SQL by `national.region_board`)."""
    if metric not in METRICS:
        metric = "completion"
    _attribute, _combine, maximum = METRICS[metric]
    top = maximum or max(values.values(), default=0.0) or 1.0
    tiles = []
    for province in provinces:
        place = TILES.get(province.code)
        if place is None:
            continue
        value = values.get(province.code)
        step = None
        if value is not None:
            step = min(STEPS - 1, max(0, int(max(value, 0) / top * STEPS)))
        tiles.append(Tile(province.code, province.name, place[2], place[0], place[1], value, step))
    return metric, tiles
