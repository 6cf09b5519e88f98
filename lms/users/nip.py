"""NIP (Nomor Induk Pegawai): the 18-digit civil-servant number.

Layout: YYYYMMDD birth date, YYYYMM appointment (TMT CPNS), one gender digit
(1 male, 2 female), three serial digits.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l


def nip_problem(nip: str) -> str | None:
    """Why `nip` is not a valid NIP, or None if it is."""
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        return str(_l("The NIP must be exactly 18 digits."))
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return str(_l("The NIP's birth date (digits 1–8) is not a valid date."))
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < 1900:
        return str(_l("The NIP's appointment year and month (digits 9–14) are not valid."))
    if (year, month) <= (birth.year, birth.month):
        return str(_l("The NIP's appointment date must come after the birth date."))
    if nip[14] not in "12":
        return str(_l("The NIP's 15th digit must be 1 or 2."))
    return None
