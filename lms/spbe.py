"""The SPBE evaluation model of PermenPANRB 59/2020: 4 domains, 8 aspects, 47 indicators,
with their weights (percent of the index). Facts from shared/SPBE.md §2: domain weights
13 / 25 / 16.5 / 45.5; per-indicator weights from the same source (consistent with the
domain totals). Used to tag practices and modules, and by the maturity self-assessment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    number: int
    name: str
    weight: float


@dataclass(frozen=True)
class Aspect:
    number: int
    domain: int
    name: str
    weight: float


@dataclass(frozen=True)
class Indicator:
    number: int
    aspect: int
    name: str
    weight: float


DOMAINS = (
    Domain(1, "Kebijakan Internal SPBE", 13.0),
    Domain(2, "Tata Kelola SPBE", 25.0),
    Domain(3, "Manajemen SPBE", 16.5),
    Domain(4, "Layanan SPBE", 45.5),
)

ASPECTS = (
    Aspect(1, 1, "Kebijakan Internal Tata Kelola SPBE", 13.0),
    Aspect(2, 2, "Perencanaan Strategis SPBE", 10.0),
    Aspect(3, 2, "Teknologi Informasi dan Komunikasi", 10.0),
    Aspect(4, 2, "Penyelenggara SPBE", 5.0),
    Aspect(5, 3, "Penerapan Manajemen SPBE", 12.0),
    Aspect(6, 3, "Audit TIK", 4.5),
    Aspect(7, 4, "Layanan Administrasi Pemerintahan Berbasis Elektronik", 27.5),
    Aspect(8, 4, "Layanan Publik Berbasis Elektronik", 18.0),
)

_NAMES = {
    1: [
        "Kebijakan Internal Arsitektur SPBE",
        "Kebijakan Internal Peta Rencana SPBE",
        "Kebijakan Internal Manajemen Data",
        "Kebijakan Internal Pembangunan Aplikasi SPBE",
        "Kebijakan Internal Layanan Pusat Data",
        "Kebijakan Internal Layanan Jaringan Intra",
        "Kebijakan Internal Penggunaan Sistem Penghubung Layanan",
        "Kebijakan Internal Manajemen Keamanan Informasi",
        "Kebijakan Internal Audit TIK",
        "Kebijakan Internal Tim Koordinasi SPBE",
    ],
    2: [
        "Arsitektur SPBE",
        "Peta Rencana SPBE",
        "Keterpaduan Rencana dan Anggaran SPBE",
        "Inovasi Proses Bisnis SPBE",
    ],
    3: [
        "Pembangunan Aplikasi SPBE",
        "Layanan Pusat Data",
        "Layanan Jaringan Intra",
        "Penggunaan Sistem Penghubung Layanan",
    ],
    4: ["Pelaksanaan Tim Koordinasi SPBE", "Kolaborasi Penerapan SPBE"],
    5: [
        "Penerapan Manajemen Risiko SPBE",
        "Penerapan Manajemen Keamanan Informasi",
        "Penerapan Manajemen Data",
        "Penerapan Manajemen Aset TIK",
        "Penerapan Kompetensi Sumber Daya Manusia",
        "Penerapan Manajemen Pengetahuan",
        "Penerapan Manajemen Perubahan",
        "Penerapan Manajemen Layanan SPBE",
    ],
    6: ["Audit Infrastruktur SPBE", "Audit Aplikasi SPBE", "Audit Keamanan SPBE"],
    7: [
        "Layanan Perencanaan",
        "Layanan Penganggaran",
        "Layanan Keuangan",
        "Layanan Pengadaan Barang dan Jasa",
        "Layanan Kepegawaian",
        "Layanan Kearsipan Dinamis",
        "Layanan Pengelolaan Barang Milik Negara/Daerah",
        "Layanan Pengawasan Internal Pemerintah",
        "Layanan Akuntabilitas Kinerja Organisasi",
        "Layanan Kinerja Pegawai",
    ],
    8: [
        "Layanan Pengaduan Pelayanan Publik",
        "Layanan Data Terbuka",
        "Layanan Jaringan Dokumentasi dan Informasi Hukum (JDIH)",
        "Layanan Publik Sektor 1",
        "Layanan Publik Sektor 2",
        "Layanan Publik Sektor 3",
    ],
}


def _indicators() -> tuple[Indicator, ...]:
    found = []
    number = 0
    for aspect in ASPECTS:
        names = _NAMES[aspect.number]
        for name in names:
            number += 1
            found.append(
                Indicator(number, aspect.number, name, round(aspect.weight / len(names), 4))
            )
    return tuple(found)


INDICATORS = _indicators()
"""Numbered 1-47 in the order of PermenPANRB 59/2020."""

INDICATOR_BY_NUMBER = {i.number: i for i in INDICATORS}
ASPECT_BY_NUMBER = {a.number: a for a in ASPECTS}
DOMAIN_BY_NUMBER = {d.number: d for d in DOMAINS}

PREDICATES = (
    (4.2, "Memuaskan"),
    (3.5, "Sangat Baik"),
    (2.6, "Baik"),
    (1.8, "Cukup"),
    (0.0, "Kurang"),
)
"""Index predicates of PermenPANRB 59/2020 (lower bound, name), best first."""


def predicate(index: float) -> str:
    for bound, name in PREDICATES:
        if index >= bound:
            return name
    return PREDICATES[-1][1]


def domain_of(indicator: int) -> Domain:
    return DOMAIN_BY_NUMBER[ASPECT_BY_NUMBER[INDICATOR_BY_NUMBER[indicator].aspect].domain]
