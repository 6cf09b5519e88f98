"""Loading the Kemendagri region registry shipped in `lms/data/` (ODbL, see its README)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lms.extensions import db
from lms.regions.models import Province, Region

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_WIB = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "21",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "61",
    "62",
}
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}


class RegionDataError(ValueError):
    pass


def timezone_for_province(code: str) -> str:
    if code in _WIB:
        return "Asia/Jakarta"
    if code in _WITA:
        return "Asia/Makassar"
    if code in _WIT:
        return "Asia/Jayapura"
    raise RegionDataError(f"no time zone known for province {code}")


@dataclass(frozen=True)
class LoadResult:
    provinces_added: int
    regions_added: int
    updated: int


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise RegionDataError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise RegionDataError(f"{path}: expected columns {', '.join(columns)}")
        return list(reader)


def load_regions(data_dir: Path = DATA_DIR) -> LoadResult:
    """Insert or update every province and kabupaten/kota; safe to run again."""
    provinces = _read(data_dir / "provinces.csv", ("code", "name"))
    regencies = _read(data_dir / "regencies.csv", ("code", "province_code", "name"))
    existing_p = {p.code: p for p in db.session.scalars(select(Province))}
    existing_r = {r.code: r for r in db.session.scalars(select(Region))}
    added_p = added_r = updated = 0
    for row in provinces:
        tz = timezone_for_province(row["code"])
        province = existing_p.get(row["code"])
        if province is None:
            db.session.add(Province(code=row["code"], name=row["name"], timezone=tz))
            added_p += 1
        elif (province.name, province.timezone) != (row["name"], tz):
            province.name, province.timezone = row["name"], tz
            updated += 1
    province_codes = {row["code"] for row in provinces}
    for line, row in enumerate(regencies, start=2):
        if row["province_code"] not in province_codes:
            raise RegionDataError(f"regencies.csv:{line}: unknown province {row['province_code']}")
        kind = "kota" if row["name"].upper().startswith("KOTA ") else "kabupaten"
        tz = timezone_for_province(row["province_code"])
        values = {
            "province_code": row["province_code"],
            "name": row["name"],
            "kind": kind,
            "timezone": tz,
        }
        region = existing_r.get(row["code"])
        if region is None:
            db.session.add(Region(code=row["code"], **values))
            added_r += 1
        elif any(getattr(region, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(region, k, v)
            updated += 1
    db.session.flush()
    return LoadResult(added_p, added_r, updated)
