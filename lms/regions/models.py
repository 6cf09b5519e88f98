"""Province and Region (kabupaten/kota), keyed by Kemendagri code."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db

TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
TIMEZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class Province(db.Model):
    __tablename__ = "province"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(32))

    regions: Mapped[list[Region]] = relationship(back_populates="province", lazy="raise_on_sql")

    __table_args__ = (CheckConstraint(f"timezone IN {TIMEZONES!r}", name="timezone_known"),)

    @property
    def timezone_label(self) -> str:
        return TIMEZONE_ABBREVIATIONS[self.timezone]


class Region(db.Model):
    """A kabupaten or kota; cohorts, coordinators and participants belong to one."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(32))

    province: Mapped[Province] = relationship(back_populates="regions", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint("kind IN ('kabupaten', 'kota')", name="kind_known"),
        CheckConstraint(f"timezone IN {TIMEZONES!r}", name="timezone_known"),
    )

    @property
    def timezone_label(self) -> str:
        return TIMEZONE_ABBREVIATIONS[self.timezone]

    @property
    def display_name(self) -> str:
        """'Kabupaten Sumedang' rather than the registry's upper case."""
        return self.name.title()

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
