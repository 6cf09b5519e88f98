"""Practice rules: curation, proposals from submissions, attachments; catalog queries.

Services take typed values and flush; the request (or CLI command) commits. Every rule
broken raises `PracticeError` naming the form field it belongs next to.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms import spbe, storage
from lms.auth.models import User
from lms.errors import DomainError
from lms.extensions import db
from lms.models import utcnow
from lms.practices.models import (
    Practice,
    PracticeAttachment,
    PracticeStatus,
    practice_indicator,
)
from lms.regions.models import Province, Region


class PracticeError(DomainError):
    """A practice rule was broken."""


SLUG_MAX = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"new", "attachments"})
"""Path segments of the catalog's own pages: a practice may not take them as its slug."""

REGION_CODE = re.compile(r"^\d{2}\.\d{2}$")
PROVINCE_CODE = re.compile(r"^\d{2}$")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_DIR = "practices"
_SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
"""What an attachment may be, told by its first bytes, never by its name or declared type."""


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class PracticeInput:
    title: str
    slug: str = ""
    """Empty: made from the title."""
    region_code: str | None = None
    summary: str = ""
    description: str = ""
    domain: int | None = None
    aspect: int | None = None
    indicators: tuple[int, ...] = ()
    links: tuple[Link, ...] = ()
    derived_from_id: int | None = None


# Parsing and validation -----------------------------------------------------


def slugify(text: str) -> str:
    """A lowercase ASCII slug of `text` ('Command Center Sumedang' -> 'command-center-sumedang')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[: SLUG_MAX - 6].rstrip("-")  # room for a "-NNNNN" suffix
    return slug or "praktik"


def unique_slug(title: str, exclude_id: int | None = None) -> str:
    """A free slug made from `title`, numbered (-2, -3, ...) when taken; one query."""
    base = slugify(title)
    stmt = select(Practice.slug).where(or_(Practice.slug == base, Practice.slug.like(f"{base}-%")))
    if exclude_id is not None:
        stmt = stmt.where(Practice.id != exclude_id)
    taken = set(db.session.scalars(stmt)) | RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def parse_indicators(text: str) -> tuple[int, ...]:
    """'14, 16 18' -> (14, 16, 18): numbers 1-47, separated by commas or spaces."""
    numbers: list[int] = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= len(spbe.INDICATORS):
            raise PracticeError(
                _("Indicators are numbers from 1 to 47, separated by commas: %(part)s", part=part),
                "indicators",
            )
        if int(part) not in numbers:
            numbers.append(int(part))
    return tuple(sorted(numbers))


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host: the only kind of link a practice stores."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() or ord(c) < 32 for c in url)
    )


def parse_links(text: str) -> tuple[Link, ...]:
    """One link a line, 'title | url' or a bare url; only http(s) URLs are accepted."""
    links = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        title, sep, url = line.rpartition("|")
        if not sep:
            title, url = "", line
        title, url = title.strip(), url.strip()
        if not is_web_url(url):
            raise PracticeError(
                _(
                    "Line %(line)d: links must be web addresses starting with http:// or https://.",
                    line=number,
                ),
                "links",
            )
        links.append(Link(title=title[:200] or url[:200], url=url[:2000]))
    return tuple(links)


def links_text(links: Iterable[dict[str, Any]]) -> str:
    """The stored links back as the form's 'title | url' lines."""
    return "\n".join(f"{link.get('title', '')} | {link.get('url', '')}" for link in links)


def _check_region(region_code: str | None) -> None:
    if region_code and db.session.get(Region, region_code) is None:
        raise PracticeError(_("Unknown region code."), "region_code")


def _check_indicators(indicators: Sequence[int]) -> None:
    if any(n not in spbe.INDICATOR_BY_NUMBER for n in indicators):
        raise PracticeError(_("Indicators are numbers from 1 to 47."), "indicators")


def _domain_and_aspect(data: PracticeInput) -> tuple[int | None, int | None]:
    domain, aspect = data.domain, data.aspect
    if domain is not None and domain not in spbe.DOMAIN_BY_NUMBER:
        raise PracticeError(_("Unknown domain."), "domain")
    if aspect is not None:
        if aspect not in spbe.ASPECT_BY_NUMBER:
            raise PracticeError(_("Unknown aspect."), "aspect")
        aspect_domain = spbe.ASPECT_BY_NUMBER[aspect].domain
        if domain is None:
            domain = aspect_domain
        elif aspect_domain != domain:
            raise PracticeError(_("This aspect does not belong to the chosen domain."), "aspect")
    return domain, aspect


def _check_slug(slug: str, exclude_id: int | None = None) -> None:
    if len(slug) > SLUG_MAX or not SLUG_PATTERN.match(slug):
        raise PracticeError(
            _("Use lowercase letters, digits and single hyphens, e.g. command-center-sumedang."),
            "slug",
        )
    if slug in RESERVED_SLUGS:
        raise PracticeError(_("This slug is reserved; choose another."), "slug")
    stmt = select(Practice.id).where(Practice.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Practice.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise PracticeError(_("Another practice already uses this slug."), "slug")


def _check_origin(derived_from_id: int | None, practice_id: int | None = None) -> None:
    """The original must exist, and following the lineage up must never come back here."""
    if derived_from_id is None:
        return
    if derived_from_id == practice_id:
        raise PracticeError(_("A practice cannot be derived from itself."), "derived_from_id")
    seen: set[int] = set()
    current: int | None = derived_from_id
    while current is not None and current not in seen:
        seen.add(current)
        row = db.session.execute(
            select(Practice.id, Practice.derived_from_id).where(Practice.id == current)
        ).first()
        if row is None:
            if current == derived_from_id:
                raise PracticeError(_("Choose an existing practice."), "derived_from_id")
            return
        if practice_id is not None and row.derived_from_id == practice_id:
            raise PracticeError(
                _("That practice was itself derived from this one."), "derived_from_id"
            )
        current = row.derived_from_id


def _check_links(links: Iterable[Link]) -> list[dict[str, str]]:
    stored = []
    for link in links:
        if not is_web_url(link.url):
            raise PracticeError(
                _("Links must be web addresses starting with http:// or https://."), "links"
            )
        stored.append({"title": link.title, "url": link.url})
    return stored


def _set_indicators(practice: Practice, indicators: Sequence[int]) -> None:
    db.session.execute(
        practice_indicator.delete().where(practice_indicator.c.practice_id == practice.id)
    )
    if indicators:
        db.session.execute(
            practice_indicator.insert(),
            [{"practice_id": practice.id, "indicator": n} for n in sorted(set(indicators))],
        )


def _insert(practice: Practice) -> None:
    """Add and flush; a concurrent practice with the same slug becomes a PracticeError."""
    try:
        with db.session.begin_nested():
            db.session.add(practice)
            db.session.flush()
    except IntegrityError as exc:
        raise PracticeError(_("Another practice already uses this slug."), "slug") from exc


# Curation --------------------------------------------------------------------


def _validated(data: PracticeInput, practice_id: int | None = None) -> dict[str, Any]:
    """Check every rule before anything changes; the column values to set."""
    if not data.title.strip():
        raise PracticeError(_("A practice needs a title."), "title")
    slug = data.slug.strip().lower() or unique_slug(data.title, exclude_id=practice_id)
    _check_slug(slug, exclude_id=practice_id)
    _check_region(data.region_code)
    domain, aspect = _domain_and_aspect(data)
    _check_indicators(data.indicators)
    links = _check_links(data.links)
    _check_origin(data.derived_from_id, practice_id)
    return {
        "slug": slug,
        "title": data.title.strip()[:200],
        "region_code": data.region_code or None,
        "summary": data.summary.strip()[:500],
        "description": data.description.strip(),
        "domain": domain,
        "aspect": aspect,
        "links": links,
        "derived_from_id": data.derived_from_id,
    }


def create_practice(
    data: PracticeInput,
    *,
    creator_id: int | None,
    status: PracticeStatus = PracticeStatus.PUBLISHED,
) -> Practice:
    """A curated practice; published by default (its curator is its approver)."""
    practice = Practice(**_validated(data), status=status.value, created_by_id=creator_id)
    if status == PracticeStatus.PUBLISHED:
        practice.approved_by_id = creator_id
        practice.approved_at = utcnow()
    _insert(practice)
    _set_indicators(practice, data.indicators)
    db.session.flush()
    return practice


def update_practice(practice: Practice, data: PracticeInput) -> None:
    """Replace a practice's text, tags, links and origin; its status stays."""
    values = _validated(data, practice.id)
    try:
        with db.session.begin_nested():
            for name, value in values.items():
                setattr(practice, name, value)
            db.session.flush()
    except IntegrityError as exc:
        raise PracticeError(_("Another practice already uses this slug."), "slug") from exc
    _set_indicators(practice, data.indicators)
    db.session.flush()


def set_status(practice: Practice, status: PracticeStatus, approver_id: int) -> None:
    """Publish or reject; records who decided and when."""
    if status not in (PracticeStatus.PUBLISHED, PracticeStatus.REJECTED):
        raise PracticeError(_("A practice can only be published or rejected."), "status")
    if practice.status == status.value:
        raise PracticeError(_("The practice already has this status."), "status")
    practice.status = status.value
    practice.approved_by_id = approver_id
    practice.approved_at = utcnow()
    db.session.flush()


def _single(values: Iterable[int]) -> int | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None


def propose_from_submission(
    *,
    title: str,
    summary: str,
    description: str,
    region_code: str | None,
    indicators: Sequence[int],
    derived_from_id: int | None,
    submission_id: int | None,
    proposer_id: int,
) -> Practice:
    """A participant's accepted submission proposed to the catalog (status proposed).

    The slug is made unique from the title; domain and aspect are set when every
    indicator falls in the same one. Raises PracticeError for an unknown region,
    indicator or original practice.
    """
    if not title.strip():
        raise PracticeError(_("A practice needs a title."), "title")
    _check_region(region_code)
    _check_indicators(indicators)
    _check_origin(derived_from_id)
    aspect = _single(spbe.INDICATOR_BY_NUMBER[n].aspect for n in indicators)
    domain = _single(spbe.domain_of(n).number for n in indicators)
    practice = Practice(
        slug=unique_slug(title),
        title=title.strip()[:200],
        region_code=region_code or None,
        summary=summary.strip()[:500],
        description=description.strip(),
        domain=domain,
        aspect=aspect,
        links=[],
        status=PracticeStatus.PROPOSED.value,
        derived_from_id=derived_from_id,
        source_submission_id=submission_id,
        created_by_id=proposer_id,
    )
    _insert(practice)
    _set_indicators(practice, indicators)
    db.session.flush()
    return practice


# Attachments -----------------------------------------------------------------


def sniff_type(content: bytes) -> tuple[str, tuple[str, ...]] | None:
    """(content type, file extensions) of a PDF, PNG or JPEG by its first bytes; else None."""
    for signature, content_type, extensions in _SIGNATURES:
        if content.startswith(signature):
            return content_type, extensions
    return None


def _download_name(filename: str, extensions: tuple[str, ...]) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>').strip(" .")
    name = name or "lampiran"
    if not name.lower().endswith(extensions):
        name = f"{name}{extensions[0]}"
    if len(name) > 255:
        name = name[: 255 - len(extensions[0])] + extensions[0]
    return name


def add_attachment(practice: Practice, *, filename: str, content: bytes) -> PracticeAttachment:
    """Store a PDF, PNG or JPEG of at most 10 MB under a random name; anything else refused."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise PracticeError(_("Attachments may be at most 10 MB."), "file")
    if not content:
        raise PracticeError(_("The file is empty."), "file")
    sniffed = sniff_type(content)
    if sniffed is None:
        raise PracticeError(
            _(
                "Only PDF, PNG and JPEG files can be attached; this file is none of them "
                "(web pages and SVG images are refused)."
            ),
            "file",
        )
    content_type, extensions = sniffed
    token = secrets.token_hex(16)
    backend = storage.backend()
    backend.put_bytes(ATTACHMENT_DIR, token, content)
    attachment = PracticeAttachment(
        practice_id=practice.id,
        stored_name=token,
        original_name=_download_name(filename, extensions),
        size=len(content),
        content_type=content_type,
    )
    try:
        db.session.add(attachment)
        db.session.flush()
    except Exception:
        backend.delete(ATTACHMENT_DIR, token)
        raise
    return attachment


# Lookups used by other features ------------------------------------------------


def practice_by_id(practice_id: int) -> Practice | None:
    return db.session.get(Practice, practice_id)


def published_choices(exclude_id: int | None = None) -> list[tuple[int, str]]:
    """(id, 'title — region') of every published practice, by title: for select fields."""
    stmt = (
        select(Practice.id, Practice.title, Region.name)
        .outerjoin(Region, Region.code == Practice.region_code)
        .where(Practice.status == PracticeStatus.PUBLISHED.value)
        .order_by(Practice.title, Practice.id)
    )
    if exclude_id is not None:
        stmt = stmt.where(Practice.id != exclude_id)
    return [
        (pid, f"{title} — {region.title()}" if region else title)
        for pid, title, region in db.session.execute(stmt)
    ]


# Catalog queries ----------------------------------------------------------------


@dataclass(frozen=True)
class CatalogFilter:
    q: str = ""
    indicator: int | None = None
    domain: int | None = None
    region_code: str = ""
    province: str = ""
    status: PracticeStatus = PracticeStatus.PUBLISHED


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def catalog_query(filters: CatalogFilter) -> Select[Any]:
    """Practices matching every filter given, newest first."""
    stmt = (
        select(Practice)
        .where(Practice.status == filters.status.value)
        .order_by(Practice.created_at.desc(), Practice.id.desc())
    )
    if filters.q:
        like = _like(filters.q)
        stmt = stmt.where(
            or_(
                func.lower(Practice.title).like(like, escape="\\"),
                func.lower(Practice.summary).like(like, escape="\\"),
                func.lower(Practice.description).like(like, escape="\\"),
            )
        )
    if filters.indicator is not None:
        stmt = stmt.where(
            Practice.id.in_(
                select(practice_indicator.c.practice_id).where(
                    practice_indicator.c.indicator == filters.indicator
                )
            )
        )
    if filters.domain is not None:
        in_domain = [
            i.number for i in spbe.INDICATORS if spbe.domain_of(i.number).number == filters.domain
        ]
        stmt = stmt.where(
            or_(
                Practice.domain == filters.domain,
                Practice.id.in_(
                    select(practice_indicator.c.practice_id).where(
                        practice_indicator.c.indicator.in_(in_domain)
                    )
                ),
            )
        )
    if filters.region_code:
        stmt = stmt.where(Practice.region_code == filters.region_code)
    if filters.province:
        stmt = stmt.where(Practice.region_code.like(f"{filters.province}.%"))
    return stmt


def indicators_of(practices: Sequence[Practice]) -> dict[int, list[int]]:
    """Indicator numbers of many practices in one query, keyed by practice id."""
    result: dict[int, list[int]] = {p.id: [] for p in practices}
    if not result:
        return result
    rows = db.session.execute(
        select(practice_indicator.c.practice_id, practice_indicator.c.indicator)
        .where(practice_indicator.c.practice_id.in_(result))
        .order_by(practice_indicator.c.practice_id, practice_indicator.c.indicator)
    )
    for practice_id, indicator in rows:
        result[practice_id].append(indicator)
    return result


def adaptation_counts(practices: Sequence[Practice]) -> dict[int, int]:
    """How many published practices were derived from each, in one GROUP BY query."""
    counts = dict.fromkeys((p.id for p in practices), 0)
    if not counts:
        return counts
    counts.update(
        db.session.execute(
            select(Practice.derived_from_id, func.count(Practice.id))
            .where(
                Practice.derived_from_id.in_(counts),
                Practice.status == PracticeStatus.PUBLISHED.value,
            )
            .group_by(Practice.derived_from_id)
        ).all()
    )
    return counts


def regions_of(practices: Sequence[Practice]) -> dict[str, Region]:
    """The regions of many practices in one query, keyed by code."""
    codes = {p.region_code for p in practices if p.region_code}
    if not codes:
        return {}
    return {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}


def provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.code)))


@dataclass
class PracticeDetail:
    practice: Practice
    region: Region | None
    indicators: list[spbe.Indicator]
    attachments: list[PracticeAttachment]
    origin: Practice | None = None
    origin_region: Region | None = None
    adaptations: list[tuple[Practice, Region | None]] = field(default_factory=list)
    creator: User | None = None

    @property
    def domain(self) -> spbe.Domain | None:
        return spbe.DOMAIN_BY_NUMBER.get(self.practice.domain or 0)

    @property
    def aspect(self) -> spbe.Aspect | None:
        return spbe.ASPECT_BY_NUMBER.get(self.practice.aspect or 0)


def practice_detail(practice: Practice, *, with_creator: bool = False) -> PracticeDetail:
    """What the practice page shows, in a fixed number of queries."""
    region = db.session.get(Region, practice.region_code) if practice.region_code else None
    numbers = indicators_of([practice])[practice.id]
    attachments = list(
        db.session.scalars(
            select(PracticeAttachment)
            .where(PracticeAttachment.practice_id == practice.id)
            .order_by(PracticeAttachment.created_at, PracticeAttachment.id)
        )
    )
    detail = PracticeDetail(
        practice=practice,
        region=region,
        indicators=[spbe.INDICATOR_BY_NUMBER[n] for n in numbers],
        attachments=attachments,
    )
    if practice.derived_from_id is not None:
        row = db.session.execute(
            select(Practice, Region)
            .outerjoin(Region, Region.code == Practice.region_code)
            .where(Practice.id == practice.derived_from_id)
        ).first()
        if row is not None:
            detail.origin, detail.origin_region = row
    detail.adaptations = [
        (p, r)
        for p, r in db.session.execute(
            select(Practice, Region)
            .outerjoin(Region, Region.code == Practice.region_code)
            .where(
                Practice.derived_from_id == practice.id,
                Practice.status == PracticeStatus.PUBLISHED.value,
            )
            .order_by(Practice.created_at, Practice.id)
        )
    ]
    if with_creator and practice.created_by_id is not None:
        detail.creator = db.session.get(User, practice.created_by_id)
    return detail
