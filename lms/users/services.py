"""Account rules and the bulk participant import. Services flush; the caller commits."""

from __future__ import annotations

import csv
import io
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms import storage
from lms.auth.models import Role, User
from lms.auth.services import normalise_email, set_password
from lms.errors import DomainError
from lms.extensions import db
from lms.regions.models import Region
from lms.users.nip import nip_problem

MAX_IMPORT_ROWS = 5000


AUDITED_FIELDS = (
    "email",
    "name",
    "role",
    "region_code",
    "nip",
    "work_unit",
    "position",
    "institution",
    "active",
)
"""What the audit log keeps of an account when it is created, edited or imported."""


class UserError(DomainError):
    """An account rule was broken."""


@dataclass(frozen=True)
class UserInput:
    email: str
    name: str
    role: Role
    region_code: str | None = None
    nip: str | None = None
    work_unit: str | None = None
    position: str | None = None
    institution: str | None = None
    password: str | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_unique(email: str, nip: str | None, exclude_id: int | None) -> None:
    stmt = select(User.id).where(User.email == email)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise UserError(_("Another account already uses this email."), "email")
    if nip:
        stmt = select(User.id).where(User.nip == nip)
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        if db.session.scalar(stmt) is not None:
            raise UserError(_("Another account already uses this NIP."), "nip")


def _check_region(data: UserInput) -> None:
    if data.role in (Role.PARTICIPANT, Role.COORDINATOR) and not data.region_code:
        raise UserError(_("Participants and coordinators need a region."), "region_code")
    if data.region_code and db.session.get(Region, data.region_code) is None:
        raise UserError(_("Unknown region code."), "region_code")


def _flush_unique() -> None:
    """Flush inside a savepoint so a concurrent duplicate becomes a clear error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise UserError(_("Another account already uses this email or NIP.")) from exc


def _apply(user: User, data: UserInput) -> None:
    user.email = normalise_email(data.email)
    user.name = data.name.strip()
    user.role = data.role.value
    user.region_code = data.region_code or None
    user.nip = _clean(data.nip)
    user.work_unit = _clean(data.work_unit)
    user.position = _clean(data.position)
    user.institution = _clean(data.institution)


def create_user(data: UserInput) -> User:
    email = normalise_email(data.email)
    _check_region(data)
    _check_unique(email, _clean(data.nip), None)
    user = User()
    _apply(user, data)
    if data.password:
        set_password(user, data.password)
    db.session.add(user)
    _flush_unique()
    return user


def update_user(user: User, data: UserInput) -> None:
    _check_region(data)
    _check_unique(normalise_email(data.email), _clean(data.nip), user.id)
    _apply(user, data)
    _flush_unique()


def set_active(user: User, active: bool) -> None:
    """Deactivation keeps all records and logs the user out everywhere."""
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()


# Bulk import ----------------------------------------------------------------

IMPORT_COLUMNS = ("name", "email", "nip", "region_code", "work_unit", "position")
_HEADER_ALIASES = {
    "name": "name",
    "nama": "name",
    "nama lengkap": "name",
    "email": "email",
    "e-mail": "email",
    "surel": "email",
    "nip": "nip",
    "region_code": "region_code",
    "region code": "region_code",
    "kode daerah": "region_code",
    "kode_daerah": "region_code",
    "kode wilayah": "region_code",
    "work_unit": "work_unit",
    "work unit": "work_unit",
    "opd": "work_unit",
    "unit kerja": "work_unit",
    "unit_kerja": "work_unit",
    "position": "position",
    "jabatan": "position",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str
    nip: str | None
    region_code: str
    work_unit: str | None
    position: str | None
    existing_user_id: int | None = None


@dataclass(frozen=True)
class ImportProblem:
    line: int
    reason: str


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len({p.line for p in self.problems})


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Spreadsheets store long numbers as floats: an 18-digit NIP has lost digits.
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


def _table_from_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def _table_from_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (line number, {column: value}), header on line 1."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = _table_from_xlsx(content)
    elif lower.endswith(".csv"):
        table = _table_from_csv(content)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [_HEADER_ALIASES.get(h.strip().lower(), "") for h in table[0]]
    missing = [c for c in ("name", "email", "region_code") if c not in header]
    if missing:
        raise ImportFileError(
            _(
                "The first row must name the columns; missing: %(columns)s. "
                "Expected: %(expected)s.",
                columns=", ".join(missing),
                expected=", ".join(IMPORT_COLUMNS),
            )
        )
    rows = []
    for index, raw in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        values = {name: raw[i].strip() for i, name in enumerate(header) if name and i < len(raw)}
        rows.append((index, values))
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportFileError(
            _(
                "The file has %(count)d rows; import at most %(max)d at a time.",
                count=len(rows),
                max=MAX_IMPORT_ROWS,
            )
        )
    if not rows:
        raise ImportFileError(_("The file has a header but no participants."))
    return rows


def validate_rows(
    rows: list[tuple[int, dict[str, str]]],
    allowed_regions: set[str] | None,
    cohort_region: str | None = None,
) -> ImportPreview:
    """Check every row; three queries in all, whatever the number of rows.

    With `cohort_region` (enrolling into a cohort), every row must be of that region,
    and a row naming an existing participant of it is enrolled rather than refused.
    """
    from email_validator import EmailNotValidError, validate_email

    emails = {normalise_email(v.get("email", "")) for _, v in rows}
    nips = {v.get("nip", "") for _, v in rows if v.get("nip")}
    codes = {v.get("region_code", "") for _, v in rows}
    taken_emails = {
        u.email: u
        for u in db.session.execute(
            select(User.id, User.email, User.role, User.region_code, User.nip).where(
                User.email.in_(emails)
            )
        )
    }
    taken_nips = (
        set(db.session.scalars(select(User.nip).where(User.nip.in_(nips)))) if nips else set()
    )
    known_regions = set(db.session.scalars(select(Region.code).where(Region.code.in_(codes))))

    preview = ImportPreview()
    seen_emails: dict[str, int] = {}
    seen_nips: dict[str, int] = {}
    for line, values in rows:
        reasons: list[str] = []
        name = values.get("name", "").strip()
        email = normalise_email(values.get("email", ""))
        nip = values.get("nip", "").strip() or None
        code = values.get("region_code", "").strip()
        existing = taken_emails.get(email)
        reuse = (
            existing is not None
            and cohort_region is not None
            and existing.role == Role.PARTICIPANT.value
            and existing.region_code == code
            and (nip is None or existing.nip == nip)
        )
        if not name:
            reasons.append(_("Name is empty."))
        elif len(name) > 200:
            reasons.append(_("Name is longer than 200 characters."))
        if not email:
            reasons.append(_("Email is empty."))
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                reasons.append(_("Email %(email)s is not a valid address.", email=email))
            else:
                if existing is not None and not reuse:
                    reasons.append(_("Email %(email)s already has an account.", email=email))
                elif email in seen_emails:
                    reasons.append(
                        _(
                            "Email %(email)s already appears on line %(line)d.",
                            email=email,
                            line=seen_emails[email],
                        )
                    )
        if nip:
            if problem := nip_problem(nip):
                reasons.append(problem)
            elif nip in taken_nips and not reuse:
                reasons.append(_("NIP %(nip)s already has an account.", nip=nip))
            elif nip in seen_nips:
                reasons.append(
                    _("NIP %(nip)s already appears on line %(line)d.", nip=nip, line=seen_nips[nip])
                )
        if not code:
            reasons.append(_("Region code is empty."))
        elif code not in known_regions:
            reasons.append(_("Region code %(code)s is unknown.", code=code))
        elif allowed_regions is not None and code not in allowed_regions:
            reasons.append(
                _("You may only import participants of your own region, not %(code)s.", code=code)
            )
        elif cohort_region is not None and code != cohort_region:
            reasons.append(
                _(
                    "Region %(code)s differs from the cohort's region %(cohort)s.",
                    code=code,
                    cohort=cohort_region,
                )
            )
        if len(values.get("work_unit", "")) > 200:
            reasons.append(_("Work unit (OPD) is longer than 200 characters."))
        if len(values.get("position", "")) > 200:
            reasons.append(_("Position is longer than 200 characters."))

        if reasons:
            preview.problems.extend(ImportProblem(line, r) for r in reasons)
        else:
            preview.rows.append(
                ImportRow(
                    line=line,
                    name=name,
                    email=email,
                    nip=nip,
                    region_code=code,
                    work_unit=values.get("work_unit") or None,
                    position=values.get("position") or None,
                    existing_user_id=existing.id if reuse and existing else None,
                )
            )
        if email:
            seen_emails.setdefault(email, line)
        if nip:
            seen_nips.setdefault(nip, line)
    return preview


@dataclass(frozen=True)
class ImportResult:
    created: list[User]
    enrolled: int


def apply_import(preview: ImportPreview, cohort_id: int | None = None) -> ImportResult:
    """Create the valid rows' new participants (without passwords: they get set-password
    links) and, given a cohort, enrol every valid row into it."""
    from lms.cohorts.models import Enrolment, EnrolmentStatus

    created = [
        User(
            email=row.email,
            name=row.name,
            role=Role.PARTICIPANT.value,
            nip=row.nip,
            region_code=row.region_code,
            work_unit=row.work_unit,
            position=row.position,
        )
        for row in preview.rows
        if row.existing_user_id is None
    ]
    db.session.add_all(created)
    _flush_unique()
    enrolled = 0
    if cohort_id is not None:
        ids = [u.id for u in created] + [
            r.existing_user_id for r in preview.rows if r.existing_user_id is not None
        ]
        current = {
            e.user_id: e
            for e in db.session.scalars(
                select(Enrolment).where(
                    Enrolment.cohort_id == cohort_id, Enrolment.user_id.in_(ids)
                )
            )
        }
        for user_id in ids:
            enrolment = current.get(user_id)
            if enrolment is None:
                db.session.add(Enrolment(cohort_id=cohort_id, user_id=user_id))
            elif enrolment.status == EnrolmentStatus.ACTIVE:
                continue
            else:
                enrolment.status, enrolment.withdrawn_at = EnrolmentStatus.ACTIVE.value, None
            enrolled += 1
        db.session.flush()
    return ImportResult(created=created, enrolled=enrolled)


IMPORT_STEP = 100
"""Accounts welcomed (link issued, mail sent) between two progress reports."""
IMPORT_INLINE_ROWS = 200
"""Up to this many valid rows the browser import runs in the request; more run as a job."""


def import_participants(
    preview: ImportPreview,
    cohort_id: int | None,
    progress: Callable[[int, int], None],
    *,
    written: Callable[[ImportResult], None] | None = None,
    welcome: Callable[[User], None] | None = None,
    step: int = IMPORT_STEP,
) -> ImportResult:
    """Import the valid rows of `preview` and report `progress(done, total)` in rows.

    The accounts and enrolments are written at once, all or none (a clash with an account
    made meanwhile raises UserError and writes nothing); `written` adds what belongs to the
    same transaction (the audit entries). Only then does `progress` run, so a caller whose
    progress commits (a long job) never commits half an import. `welcome` is then called for
    each new account (its set-password link), `step` accounts between two reports."""
    total = len(preview.rows)
    result = apply_import(preview, cohort_id)
    if written is not None:
        written(result)
    done = total - len(result.created)  # existing accounts: enrolled, nothing more to do
    progress(done, total)
    for start in range(0, len(result.created), step):
        part = result.created[start : start + step]
        if welcome is not None:
            for user in part:
                welcome(user)
        done += len(part)
        progress(done, total)
    return result


def count_by_role() -> dict[str, int]:
    return dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())


# Staged uploads between preview and confirmation ------------------------------------------

STAGED = "imports"
"""Storage kind of uploaded import files waiting for confirmation (or for their job)."""


@dataclass(frozen=True)
class StagedImport:
    token: str
    owner_id: int
    filename: str
    cohort_id: int | None
    content: bytes
    locale: str = "id"
    base_url: str = ""
    ip: str = ""


_STAGE_HOURS = 24


def _valid_token(token: str) -> bool:
    return len(token) == 32 and all(c in "0123456789abcdef" for c in token)


def _drop_stale() -> None:
    try:
        folder = storage.upload_root(STAGED)
    except RuntimeError:  # S3: an expiry rule on the prefix removes abandoned files
        return
    cutoff = time.time() - _STAGE_HOURS * 3600
    for old in folder.glob("*.json"):
        if old.stat().st_mtime < cutoff:
            old.with_suffix(".bin").unlink(missing_ok=True)
            old.unlink(missing_ok=True)


def stage_import(
    owner_id: int,
    filename: str,
    cohort_id: int | None,
    content: bytes,
    *,
    locale: str = "id",
    base_url: str = "",
    ip: str = "",
) -> str:
    """Keep an uploaded file in upload storage (outside static, any app process or worker
    reads it) until it is confirmed, cancelled or imported by its job."""
    _drop_stale()
    token = secrets.token_hex(16)
    meta = {
        "owner_id": owner_id,
        "filename": filename,
        "cohort_id": cohort_id,
        "locale": locale,
        "base_url": base_url,
        "ip": ip,
    }
    store = storage.backend()
    store.put_bytes(STAGED, f"{token}.bin", content)
    store.put_bytes(STAGED, f"{token}.json", json.dumps(meta).encode())  # last: it makes it whole
    return token


def _staged_meta(token: str) -> dict | None:
    if not _valid_token(token):
        return None
    try:
        meta = json.loads(storage.backend().read_bytes(STAGED, f"{token}.json"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def staged_owner(token: str) -> int | None:
    """Who uploaded staged file `token` (None: no such file)."""
    meta = _staged_meta(token)
    return meta.get("owner_id") if meta else None


def load_staged_import(token: str, owner_id: int | None) -> StagedImport | None:
    """The staged file `token` if it is there and (given `owner_id`) uploaded by that user."""
    meta = _staged_meta(token)
    if meta is None or (owner_id is not None and meta.get("owner_id") != owner_id):
        return None
    try:
        content = storage.backend().read_bytes(STAGED, f"{token}.bin")
    except OSError:
        return None
    return StagedImport(
        token,
        meta["owner_id"],
        meta["filename"],
        meta.get("cohort_id"),
        content,
        meta.get("locale") or "id",
        meta.get("base_url") or "",
        meta.get("ip") or "",
    )


def drop_staged_import(token: str) -> None:
    if not _valid_token(token):
        return
    store = storage.backend()
    store.delete(STAGED, f"{token}.json")
    store.delete(STAGED, f"{token}.bin")
