"""Course rules: packages in and out of the database, draft authoring, publishing,
attaching cohorts, completion and the participant's session plan. Services only flush.
"""

from __future__ import annotations

import enum
import hashlib
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from courses import kept, media
from courses import package as pkg
from courses.activities import CompletionEvent
from courses.models import (
    Activity,
    ActivityCompletion,
    Course,
    CourseAsset,
    CourseVersion,
    Meeting,
    Module,
    ModuleAsset,
    ModuleRevision,
    Question,
    VersionStatus,
)
from lms import storage
from lms.auth.models import Role, User
from lms.authors import CourseAuthor
from lms.cohorts.models import Cohort, Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.models import utcnow


class CourseError(DomainError):
    """A course rule was broken."""


class PackageProblems(CourseError):
    """A package (or a draft about to be published) has problems; `problems` lists them."""

    def __init__(self, problems: list[pkg.Problem]) -> None:
        super().__init__(_("The course has problems; nothing was changed."))
        self.problems = problems


class EditConflict(CourseError):
    """The module was saved by someone else after the author opened it; `module` holds
    what is saved now (its text and revision), `saved_by` the latest revision."""

    def __init__(self, module: Module, saved_by: ModuleRevision | None) -> None:
        super().__init__(
            _("Someone else saved this module after you opened it; your changes were not saved."),
            "revision",
        )
        self.module = module
        self.saved_by = saved_by


def _lock(stmt: Any) -> Any:
    """Row lock on PostgreSQL (SQLite serialises writers and ignores FOR UPDATE)."""
    return stmt.with_for_update()


# --------------------------------------------------------------------------- queries


def latest_published(course_id: int) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion)
        .where(
            CourseVersion.course_id == course_id,
            CourseVersion.status == VersionStatus.PUBLISHED.value,
        )
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )


def draft_of(course_id: int) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id,
            CourseVersion.status == VersionStatus.DRAFT.value,
        )
    )


def modules_of(version_id: int) -> list[Module]:
    return list(
        db.session.scalars(
            select(Module).where(Module.version_id == version_id).order_by(Module.position)
        )
    )


def activities_by_module(module_ids: Iterable[int]) -> dict[int, list[Activity]]:
    ids = list(module_ids)
    found: dict[int, list[Activity]] = {module_id: [] for module_id in ids}
    if not ids:
        return found
    stmt = (
        select(Activity)
        .where(Activity.module_id.in_(ids))
        .order_by(Activity.module_id, Activity.position)
    )
    for activity in db.session.scalars(stmt):
        found[activity.module_id].append(activity)
    return found


def versions_with_cohorts(course_id: int) -> list[tuple[CourseVersion, int]]:
    """Published versions, newest first, with how many cohorts follow each (one query)."""
    rows = db.session.execute(
        select(CourseVersion, func.count(Cohort.id))
        .outerjoin(Cohort, Cohort.course_version_id == CourseVersion.id)
        .where(
            CourseVersion.course_id == course_id,
            CourseVersion.status == VersionStatus.PUBLISHED.value,
        )
        .group_by(CourseVersion.id)
        .order_by(CourseVersion.number.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def published_versions() -> list[tuple[CourseVersion, Course]]:
    """Every published version with its course, for choosing a cohort's course."""
    rows = db.session.execute(
        select(CourseVersion, Course)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(CourseVersion.status == VersionStatus.PUBLISHED.value)
        .order_by(Course.slug, CourseVersion.number.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def course_list() -> list[dict[str, Any]]:
    """Every course with its latest published version, its draft and cohort count (3 queries)."""
    courses = list(db.session.scalars(select(Course).order_by(Course.slug)))
    versions = db.session.scalars(
        select(CourseVersion).order_by(CourseVersion.course_id, CourseVersion.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(CourseVersion.course_id, func.count(Cohort.id))
            .join(Cohort, Cohort.course_version_id == CourseVersion.id)
            .group_by(CourseVersion.course_id)
        ).all()
    )
    rows = {c.id: {"course": c, "published": None, "draft": None, "versions": 0} for c in courses}
    for version in versions:
        row = rows[version.course_id]
        if version.is_draft:
            row["draft"] = version
        else:
            row["versions"] += 1
            if row["published"] is None or version.number > row["published"].number:
                row["published"] = version
    for course_id, row in rows.items():
        row["cohorts"] = counts.get(course_id, 0)
    return list(rows.values())


# --------------------------------------------------------------------------- package <-> db


def version_to_package(version: CourseVersion, slug: str) -> pkg.CoursePackage:
    """The version as a package, ready to be written by `package.dump_package`."""

    modules = modules_of(version.id)
    activities = activities_by_module(m.id for m in modules)
    assets = _asset_bytes(version.id)
    questions: dict[str, list[Question]] = {m.slug: [] for m in modules}
    for question in db.session.scalars(
        select(Question).where(Question.version_id == version.id).order_by(Question.position)
    ):
        questions.setdefault(question.module_slug, []).append(question)
    return pkg.CoursePackage(
        slug=slug,
        title=version.title,
        version=version.label,
        language=version.language,
        description=version.description,
        modules=tuple(
            replace(
                _module_package(m, activities[m.id], questions[m.slug]),
                assets=assets.get(m.id, ()),
            )
            for m in modules
        ),
        grading=pkg.GradingWeights.from_dict(version.grading) if version.grading else None,
        at_risk=pkg.AtRiskRules(**version.at_risk) if version.at_risk else None,
        assets=_course_asset_bytes(version.id),
    )


# --------------------------------------------------------------------------- assets

ASSET_KIND = "course-assets"
"""Storage folder of module files, each named by its SHA-256 (shared by versions)."""


def _asset_row(module_id: int, path: str, data: bytes) -> ModuleAsset:
    """Keep the bytes (once per content) and make the module's row for them."""
    return ModuleAsset(module_id=module_id, path=path, **_stored(data))


def _course_asset_row(version_id: int, path: str, data: bytes) -> CourseAsset:
    """Keep the bytes (once per content) and make the course version's row for them."""
    return CourseAsset(version_id=version_id, path=path, **_stored(data))


def _stored(data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    chosen = storage.backend()
    if not chosen.exists(ASSET_KIND, digest):
        # Never removed on rollback: another version may already share the same bytes.
        chosen.put_bytes(ASSET_KIND, digest, data)
    return {"sha256": digest, "size": len(data), "content_type": media.sniff(data)}


def _course_asset_bytes(version_id: int) -> tuple[tuple[str, bytes], ...]:
    chosen = storage.backend()
    return tuple(
        (row.path, chosen.read_bytes(ASSET_KIND, row.sha256))
        for row in course_assets_of(version_id)
    )


def _write_course_assets(version: CourseVersion, assets: Iterable[tuple[str, bytes]]) -> None:
    for path, data in assets:
        db.session.add(_course_asset_row(version.id, path, data))
    db.session.flush()


def _asset_bytes(version_id: int) -> dict[int, tuple[tuple[str, bytes], ...]]:
    rows = db.session.scalars(
        select(ModuleAsset)
        .join(Module, Module.id == ModuleAsset.module_id)
        .where(Module.version_id == version_id)
        .order_by(ModuleAsset.module_id, ModuleAsset.path)
    )
    found: dict[int, list[tuple[str, bytes]]] = {}
    chosen = storage.backend()
    for row in rows:
        found.setdefault(row.module_id, []).append(
            (row.path, chosen.read_bytes(ASSET_KIND, row.sha256))
        )
    return {key: tuple(value) for key, value in found.items()}


def assets_of(module_id: int) -> list[ModuleAsset]:
    return list(
        db.session.scalars(
            select(ModuleAsset).where(ModuleAsset.module_id == module_id).order_by(ModuleAsset.path)
        )
    )


@dataclass(frozen=True)
class AssetLimits:
    file_bytes: int = media.MAX_ASSET_BYTES
    version_bytes: int = media.MAX_PACKAGE_ASSET_BYTES


def add_asset(
    version: CourseVersion, module: Module, filename: str, data: bytes, limits: AssetLimits
) -> ModuleAsset:
    """Add (or replace, by name) a file of a draft module; CourseError (field `file`) if
    its type, size or the version's total is refused."""
    _check_draft(version)
    path = _checked_upload(filename, data, limits)
    existing = db.session.scalar(
        select(ModuleAsset).where(ModuleAsset.module_id == module.id, ModuleAsset.path == path)
    )
    _check_version_total(version.id, len(data) - (existing.size if existing else 0), limits)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    row = _asset_row(module.id, path, data)
    db.session.add(row)
    db.session.flush()
    return row


def add_course_asset(
    version: CourseVersion, filename: str, data: bytes, limits: AssetLimits
) -> CourseAsset:
    """Add (or replace, by name) a file of the draft's course, shared by every module
    (material: `../assets/<name>`); CourseError (field `file`) as for a module's file."""
    _check_draft(version)
    path = _checked_upload(filename, data, limits)
    existing = db.session.scalar(
        select(CourseAsset).where(CourseAsset.version_id == version.id, CourseAsset.path == path)
    )
    _check_version_total(version.id, len(data) - (existing.size if existing else 0), limits)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    row = _course_asset_row(version.id, path, data)
    db.session.add(row)
    db.session.flush()
    return row


def remove_course_asset(version: CourseVersion, asset: CourseAsset) -> None:
    _check_draft(version)
    db.session.delete(asset)
    db.session.flush()


def course_assets_of(version_id: int) -> list[CourseAsset]:
    return list(
        db.session.scalars(
            select(CourseAsset)
            .where(CourseAsset.version_id == version_id)
            .order_by(CourseAsset.path)
        )
    )


def _version_asset_bytes(version_id: int) -> int:
    """The bytes of every file of the version: its modules' and the course's own."""
    modules = db.session.scalar(
        select(func.coalesce(func.sum(ModuleAsset.size), 0))
        .join(Module, Module.id == ModuleAsset.module_id)
        .where(Module.version_id == version_id)
    )
    course = db.session.scalar(
        select(func.coalesce(func.sum(CourseAsset.size), 0)).where(
            CourseAsset.version_id == version_id
        )
    )
    return int(modules or 0) + int(course or 0)


def _check_version_total(version_id: int, extra: int, limits: AssetLimits) -> None:
    if _version_asset_bytes(version_id) + extra > limits.version_bytes:
        raise CourseError(
            _(
                "The course's files would exceed %(mb)s MB; remove some first.",
                mb=round(limits.version_bytes / (1024 * 1024), 1),
            ),
            "file",
        )


def _checked_upload(filename: str, data: bytes, limits: AssetLimits) -> str:
    """The `assets/<name>` path of an uploaded file whose name, size and content pass."""
    name = media.clean_name(filename)
    path = f"{media.ASSETS_FOLDER}/{name}"
    if media.name_problem(path) is not None:
        raise CourseError(_("Choose a file with a plainer name."), "file")
    if not data:
        raise CourseError(_("The file is empty."), "file")
    if len(data) > limits.file_bytes:
        raise CourseError(
            _(
                "%(name)s is larger than %(mb)s MB.",
                name=name,
                mb=round(limits.file_bytes / (1024 * 1024), 1),
            ),
            "file",
        )
    try:
        media.sniff(data)
    except media.AssetRefused as error:
        raise CourseError(
            _(
                "%(name)s was refused: only PNG, JPEG, WebP, safe SVG (no scripts or links), "
                "PDF, MP3, OGG, WAV, M4A and MP4 files are accepted, judged by their content "
                "(%(reason)s).",
                name=name,
                reason=str(error),
            ),
            "file",
        ) from error
    return path


def copy_assets(
    module_ids: dict[int, int],
    draft: CourseVersion,
    limits: AssetLimits | None = None,
) -> None:
    """Give the draft's new modules the files of the modules they were copied from
    (source module id → new module id). The rows share the stored bytes (same SHA-256);
    CourseError if the draft's files would then exceed the version's limit."""
    if not module_ids:
        return
    limits = limits or AssetLimits()
    rows = db.session.scalars(
        select(ModuleAsset)
        .where(ModuleAsset.module_id.in_(list(module_ids)))
        .order_by(ModuleAsset.module_id, ModuleAsset.path)
    ).all()
    if not rows:
        return
    used = db.session.scalar(
        select(func.coalesce(func.sum(ModuleAsset.size), 0))
        .join(Module, Module.id == ModuleAsset.module_id)
        .where(Module.version_id == draft.id)
    )
    if int(used or 0) + sum(row.size for row in rows) > limits.version_bytes:
        raise CourseError(
            _(
                "The course's files would exceed %(mb)s MB; remove some first.",
                mb=round(limits.version_bytes / (1024 * 1024), 1),
            )
        )
    for row in rows:
        db.session.add(
            ModuleAsset(
                module_id=module_ids[row.module_id],
                path=row.path,
                sha256=row.sha256,
                size=row.size,
                content_type=row.content_type,
            )
        )
    db.session.flush()


def copy_course_assets(source_version_id: int, draft: CourseVersion) -> None:
    """Give a new course's first draft the course files of the version it was copied
    from (rows sharing the stored bytes)."""
    for row in course_assets_of(source_version_id):
        db.session.add(
            CourseAsset(
                version_id=draft.id,
                path=row.path,
                sha256=row.sha256,
                size=row.size,
                content_type=row.content_type,
            )
        )
    db.session.flush()


def remove_asset(version: CourseVersion, asset: ModuleAsset) -> None:
    _check_draft(version)
    db.session.delete(asset)
    db.session.flush()


def _points(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _question_package(question: Any) -> pkg.QuestionPackage:
    return pkg.QuestionPackage(
        key=question.key,
        type=question.type,
        name=question.name,
        text=question.text,
        points=_points(question.points),
        tags=tuple(question.tags),
        feedback=question.feedback,
        config=pkg.freeze_config(decode_settings(question.config)),
    )


def _module_package(
    module: Module, activities: list[Activity], questions: list[Any]
) -> pkg.ModulePackage:
    unlock = None
    if module.unlock_on is not None or module.unlock_after:
        unlock = pkg.UnlockRule(on=module.unlock_on, after=tuple(module.unlock_after))
    meeting = None
    if module.meeting_minutes is not None:
        meeting = pkg.MeetingPlan(
            duration_minutes=module.meeting_minutes, agenda=tuple(module.meeting_agenda)
        )
    return pkg.ModulePackage(
        slug=module.slug,
        title=module.title,
        summary=module.summary,
        objectives=tuple(module.objectives),
        duration_minutes=module.duration_minutes,
        indicators=tuple(module.indicators),
        meeting=meeting,
        material=module.material,
        mentor_notes=module.mentor_notes,
        summary_page=module.summary_page,
        unlock=unlock,
        activities=tuple(
            pkg.ActivityPackage(
                key=a.key,
                type=a.type,
                title=a.title,
                settings=_settings_tuple(a.config),
            )
            for a in activities
        ),
        questions=tuple(_question_package(q) for q in questions),
    )


def _settings_tuple(config: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    def freeze(value: Any) -> Any:
        if isinstance(value, list):
            return tuple(freeze(v) for v in value)
        return value

    settings = decode_settings(config)
    return tuple((key, freeze(settings[key])) for key in sorted(settings))


_DATE_TAG = "$date"


def _json_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as stored in JSON, which has no dates: a date becomes {"$date": "..."}."""

    def encode(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, date):
            return {_DATE_TAG: value.isoformat()}
        return value

    return {key: encode(value) for key, value in settings.items()}


def decode_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """An activity's settings as its type sees them (dates restored)."""

    def decode(value: Any) -> Any:
        if isinstance(value, list):
            return [decode(v) for v in value]
        if isinstance(value, dict):
            if set(value) == {_DATE_TAG}:
                return date.fromisoformat(value[_DATE_TAG])
            return {k: decode(v) for k, v in value.items()}
        return value

    return {key: decode(value) for key, value in config.items()}


def _write_modules(version: CourseVersion, modules: Iterable[pkg.ModulePackage]) -> None:
    """Insert the modules, their activities and their questions of a package into `version`."""

    for position, source in enumerate(modules, start=1):
        for index, question in enumerate(source.questions, start=1):
            db.session.add(
                Question(
                    version_id=version.id,
                    module_slug=source.slug,
                    position=index,
                    key=question.key,
                    type=question.type,
                    name=question.name,
                    text=question.text,
                    points=float(question.points),
                    tags=list(question.tags),
                    feedback=question.feedback,
                    config=_json_settings(question.config_dict()),
                )
            )
        module = Module(
            version_id=version.id,
            position=position,
            slug=source.slug,
            title=source.title,
            summary=source.summary,
            objectives=list(source.objectives),
            duration_minutes=source.duration_minutes,
            indicators=list(source.indicators),
            material=source.material,
            mentor_notes=source.mentor_notes,
            summary_page=source.summary_page,
            unlock_on=source.unlock.on if source.unlock else None,
            unlock_after=list(source.unlock.after) if source.unlock else [],
            meeting_minutes=source.meeting.duration_minutes if source.meeting else None,
            meeting_agenda=list(source.meeting.agenda) if source.meeting else [],
        )
        db.session.add(module)
        db.session.flush()
        for path, data in source.assets:
            db.session.add(_asset_row(module.id, path, data))
        for index, activity in enumerate(source.activities, start=1):
            db.session.add(
                Activity(
                    module_id=module.id,
                    position=index,
                    key=activity.key,
                    type=activity.type,
                    title=activity.title,
                    config=_json_settings(activity.settings_dict()),
                )
            )
    db.session.flush()


@dataclass(frozen=True)
class ImportResult:
    course: Course
    version: CourseVersion
    created: bool
    """False when the package was identical to the latest published version."""


def import_package(package: pkg.CoursePackage, *, actor_id: int | None = None) -> ImportResult:
    """Load a valid package as the course's next published version, unless unchanged."""
    digest = pkg.content_hash(package)
    course = db.session.scalar(_lock(select(Course).where(Course.slug == package.slug)))
    if course is None:
        course = Course(slug=package.slug)
        db.session.add(course)
        db.session.flush()
    latest = latest_published(course.id)
    if latest is not None and latest.content_hash == digest:
        return ImportResult(course, latest, created=False)
    clash = db.session.scalar(
        select(CourseVersion.id).where(
            CourseVersion.course_id == course.id,
            CourseVersion.status == VersionStatus.PUBLISHED.value,
            CourseVersion.label == package.version,
        )
    )
    if clash is not None:
        raise CourseError(
            _(
                "Version %(label)s of this course was already published with different "
                "content; raise the version in course.toml.",
                label=package.version,
            ),
            "version",
        )
    version = CourseVersion(
        course_id=course.id,
        status=VersionStatus.PUBLISHED.value,
        number=_next_number(course.id),
        label=package.version,
        title=package.title,
        description=package.description,
        language=package.language,
        content_hash=digest,
        published_at=utcnow(),
        published_by_id=actor_id,
        grading=package.grading.as_dict() if package.grading else None,
        at_risk=asdict(package.at_risk) if package.at_risk else None,
    )
    db.session.add(version)
    db.session.flush()
    _write_modules(version, package.modules)
    _write_course_assets(version, package.assets)
    return ImportResult(course, version, created=True)


def _next_number(course_id: int) -> int:
    current = db.session.scalar(
        select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course_id)
    )
    return (current or 0) + 1


def export_version(version: CourseVersion, slug: str, dest: Path) -> None:
    pkg.dump_package(version_to_package(version, slug), dest)


# --------------------------------------------------------------------------- authoring


@dataclass(frozen=True)
class CourseInput:
    title: str
    label: str
    language: str
    description: str


@dataclass(frozen=True)
class ModuleInput:
    slug: str
    title: str
    summary: str
    objectives: list[str]
    duration_minutes: int
    indicators: list[int]
    material: str
    unlock_on: date | None
    unlock_after: list[str]
    meeting_minutes: int | None
    meeting_agenda: list[str]


@dataclass(frozen=True)
class ActivityInput:
    key: str
    type: str
    title: str
    config: dict[str, Any]


def _check_draft(version: CourseVersion) -> None:
    if not version.is_draft:
        raise CourseError(_("A published version cannot be changed; start a new draft."))


def create_course(slug: str, data: CourseInput) -> CourseVersion:
    if db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise CourseError(_("A course with this short name already exists."), "slug")
    course = Course(slug=slug)
    db.session.add(course)
    db.session.flush()
    version = CourseVersion(course_id=course.id, status=VersionStatus.DRAFT.value)
    _apply_course_input(version, data)
    db.session.add(version)
    db.session.flush()
    return version


def _apply_course_input(version: CourseVersion, data: CourseInput) -> None:
    version.title = data.title.strip()
    version.label = data.label.strip()
    version.language = data.language
    version.description = data.description.strip()


def update_course(version: CourseVersion, data: CourseInput) -> None:
    _check_draft(version)
    _apply_course_input(version, data)
    db.session.flush()


def start_draft(course: Course) -> CourseVersion:
    """The course's draft; a new one copied from the latest published version if none."""
    db.session.scalar(_lock(select(Course.id).where(Course.id == course.id)))
    existing = draft_of(course.id)
    if existing is not None:
        return existing
    latest = latest_published(course.id)
    if latest is None:
        raise CourseError(_("This course has no version to start from."))
    draft = CourseVersion(
        course_id=course.id,
        status=VersionStatus.DRAFT.value,
        label=_bump(latest.label),
        title=latest.title,
        description=latest.description,
        language=latest.language,
        grading=latest.grading,
        at_risk=latest.at_risk,
    )
    db.session.add(draft)
    db.session.flush()
    source = version_to_package(latest, course.slug)
    _write_modules(draft, source.modules)
    _write_course_assets(draft, source.assets)
    draft.copied_from = latest.copied_from
    _carry_provenance(latest.id, draft)
    return draft


def _carry_provenance(source_version_id: int, draft: CourseVersion) -> None:
    """Keep `copied_from` when a new draft is made from a published version (start_draft
    writes through the package format, which has no provenance): matched by slug and key."""
    modules = {m.slug: m for m in modules_of(source_version_id)}
    targets = modules_of(draft.id)
    for module in targets:
        if module.slug in modules:
            module.copied_from = modules[module.slug].copied_from
    old = activities_by_module(m.id for m in modules.values())
    new = activities_by_module(m.id for m in targets)
    for module in targets:
        if module.slug not in modules:
            continue
        before = {a.key: a.copied_from for a in old[modules[module.slug].id]}
        for activity in new[module.id]:
            activity.copied_from = before.get(activity.key)
    questions = {
        q.key: q.copied_from
        for q in db.session.scalars(
            select(Question).where(Question.version_id == source_version_id)
        )
    }
    for question in db.session.scalars(select(Question).where(Question.version_id == draft.id)):
        question.copied_from = questions.get(question.key)
    db.session.flush()


def _bump(label: str) -> str:
    parts = label.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[0]}.{int(parts[1]) + 1}.0"
    return label


def discard_draft(version: CourseVersion) -> None:
    """Delete a draft with everything that belongs to it. Explicitly, not by relying on
    ON DELETE CASCADE: SQLite enforces foreign keys only when asked, and a draft's leftover
    modules would otherwise join the next draft that reuses its id."""
    _check_draft(version)
    module_ids = select(Module.id).where(Module.version_id == version.id)
    db.session.execute(delete(Activity).where(Activity.module_id.in_(module_ids)))
    db.session.execute(delete(ModuleRevision).where(ModuleRevision.module_id.in_(module_ids)))
    db.session.execute(delete(ModuleAsset).where(ModuleAsset.module_id.in_(module_ids)))
    db.session.execute(delete(CourseAsset).where(CourseAsset.version_id == version.id))
    db.session.execute(delete(Module).where(Module.version_id == version.id))
    db.session.execute(delete(Question).where(Question.version_id == version.id))
    db.session.delete(version)
    db.session.flush()


def _check_module_slug(version: CourseVersion, slug: str, exclude_id: int | None) -> None:
    stmt = select(Module.id).where(Module.version_id == version.id, Module.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Module.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise CourseError(_("Another module of this course already uses this short name."), "slug")


def _check_unlock_after(module_slugs: list[str], own_index: int, after: list[str]) -> None:
    earlier = set(module_slugs[:own_index])
    for slug in after:
        if slug not in earlier:
            raise CourseError(
                _("A module can only wait for modules listed before it."), "unlock_after"
            )


def _apply_module_input(module: Module, data: ModuleInput) -> None:
    module.slug = data.slug
    module.title = data.title.strip()
    module.summary = data.summary.strip()
    module.objectives = [o.strip() for o in data.objectives if o.strip()]
    module.duration_minutes = data.duration_minutes
    module.indicators = sorted(set(data.indicators))
    module.material = data.material
    module.unlock_on = data.unlock_on
    module.unlock_after = list(dict.fromkeys(data.unlock_after))
    module.meeting_minutes = data.meeting_minutes
    module.meeting_agenda = [a.strip() for a in data.meeting_agenda if a.strip()]


def add_module(version: CourseVersion, data: ModuleInput, *, actor_id: int | None = None) -> Module:
    _check_draft(version)
    _check_module_slug(version, data.slug, None)
    slugs = [m.slug for m in modules_of(version.id)]
    _check_unlock_after(slugs, len(slugs), data.unlock_after)
    module = Module(version_id=version.id, position=len(slugs) + 1, revision=1)
    _apply_module_input(module, data)
    db.session.add(module)
    db.session.flush()
    _add_revision(module, actor_id)
    return module


# --------------------------------------------------------------------------- module history


def module_revisions(module_id: int) -> list[ModuleRevision]:
    """The module's saved revisions, oldest first, with their editors (one query)."""
    return list(
        db.session.scalars(
            select(ModuleRevision)
            .options(joinedload(ModuleRevision.editor))
            .where(ModuleRevision.module_id == module_id)
            .order_by(ModuleRevision.number)
        )
    )


def latest_revision(module_id: int) -> ModuleRevision | None:
    return db.session.scalar(
        select(ModuleRevision)
        .options(joinedload(ModuleRevision.editor))
        .where(ModuleRevision.module_id == module_id)
        .order_by(ModuleRevision.number.desc())
        .limit(1)
    )


def _add_revision(
    module: Module, actor_id: int | None, *, restored_from: int | None = None
) -> ModuleRevision:
    revision = ModuleRevision(
        module_id=module.id,
        number=module.revision,
        title=module.title,
        summary=module.summary,
        material=module.material,
        editor_id=actor_id,
        restored_from=restored_from,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def _claim_revision(module: Module, expected: int) -> None:
    """Raise the module's revision from `expected`, or raise EditConflict.

    The check is the UPDATE's own WHERE clause: on PostgreSQL a concurrent save waits for
    this row's lock and then finds the revision moved on, so only one of two saves wins.
    """
    result = db.session.execute(
        update(Module)
        .where(Module.id == module.id, Module.revision == expected)
        .values(revision=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(module)
        raise EditConflict(module, latest_revision(module.id))
    set_committed_value(module, "revision", expected + 1)


def _keep_baseline(module: Module) -> None:
    """Before the first recorded edit of a module copied from a package or an earlier
    version, keep the text it started with, so it can be restored."""
    has_history = db.session.scalar(
        select(ModuleRevision.id).where(ModuleRevision.module_id == module.id).limit(1)
    )
    if has_history is None:
        db.session.add(
            ModuleRevision(
                module_id=module.id,
                number=module.revision - 1,
                title=module.title,
                summary=module.summary,
                material=module.material,
                editor_id=None,
            )
        )


def restore_revision(
    version: CourseVersion,
    module: Module,
    revision: ModuleRevision,
    *,
    expected_revision: int,
    actor_id: int | None,
) -> ModuleRevision:
    """Bring back an earlier revision's title, summary and material as a new revision."""
    _check_draft(version)
    if revision.module_id != module.id:
        raise CourseError(_("This revision belongs to another module."))
    _claim_revision(module, expected_revision)
    module.title = revision.title
    module.summary = revision.summary
    module.material = revision.material
    db.session.flush()
    return _add_revision(module, actor_id, restored_from=revision.number)


def update_module(
    version: CourseVersion,
    module: Module,
    data: ModuleInput,
    *,
    expected_revision: int | None = None,
    actor_id: int | None = None,
) -> None:
    """Save an edit made on revision `expected_revision` (None: the one loaded, for
    callers that are not a form); raises EditConflict when someone saved in between."""
    _check_draft(version)
    _check_module_slug(version, data.slug, module.id)
    modules = modules_of(version.id)
    slugs = [m.slug for m in modules]
    index = slugs.index(module.slug)
    _check_unlock_after(slugs, index, data.unlock_after)
    _claim_revision(module, module.revision if expected_revision is None else expected_revision)
    if data.slug != module.slug:
        # Keep later modules' unlock rules pointing at the renamed module.
        for other in modules[index + 1 :]:
            if module.slug in other.unlock_after:
                other.unlock_after = [
                    data.slug if s == module.slug else s for s in other.unlock_after
                ]
    _keep_baseline(module)
    _apply_module_input(module, data)
    db.session.flush()
    _add_revision(module, actor_id)


def delete_module(version: CourseVersion, module: Module) -> None:
    _check_draft(version)
    modules = modules_of(version.id)
    for other in modules:
        if module.slug in other.unlock_after:
            other.unlock_after = [s for s in other.unlock_after if s != module.slug]
    # Explicitly, as in discard_draft: SQLite may reuse the id for the next module added.
    db.session.execute(delete(Activity).where(Activity.module_id == module.id))
    db.session.execute(delete(ModuleRevision).where(ModuleRevision.module_id == module.id))
    db.session.execute(delete(ModuleAsset).where(ModuleAsset.module_id == module.id))
    db.session.delete(module)
    for position, other in enumerate((m for m in modules if m.id != module.id), start=1):
        other.position = position
    db.session.flush()


def move_module(version: CourseVersion, module: Module, delta: int) -> None:
    """Move a module up (-1) or down (+1); unlock rules that would point forward are dropped."""
    _check_draft(version)
    modules = modules_of(version.id)
    index = next(i for i, m in enumerate(modules) if m.id == module.id)
    target = index + delta
    if not 0 <= target < len(modules):
        return
    modules[index], modules[target] = modules[target], modules[index]
    for position, other in enumerate(modules, start=1):
        other.position = position
        earlier = {m.slug for m in modules[: position - 1]}
        if any(s not in earlier for s in other.unlock_after):
            other.unlock_after = [s for s in other.unlock_after if s in earlier]
    db.session.flush()


def _check_activity(
    module: Module, data: ActivityInput, types: Mapping[str, Any], exclude_id: int | None
) -> None:
    activity_type = types.get(data.type)
    if activity_type is None:
        raise CourseError(_("Unknown activity type."), "type")
    if getattr(activity_type, "requires_meeting", False) and not module.has_meeting:
        raise CourseError(_("This activity type needs the module to have a live meeting."), "type")
    problems = activity_type.validate_config(data.config)
    if problems:
        raise CourseError(
            "; ".join(f"{p.key}: {p.message}" if p.key else str(p.message) for p in problems),
            "config",
        )
    stmt = select(Activity.id).where(Activity.module_id == module.id, Activity.key == data.key)
    if exclude_id is not None:
        stmt = stmt.where(Activity.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise CourseError(_("Another activity of this module already uses this key."), "key")


def add_activity(
    version: CourseVersion, module: Module, data: ActivityInput, types: Mapping[str, Any]
) -> Activity:
    _check_draft(version)
    _check_activity(module, data, types, None)
    count = db.session.scalar(select(func.count()).where(Activity.module_id == module.id))
    activity = Activity(
        module_id=module.id,
        position=(count or 0) + 1,
        key=data.key,
        type=data.type,
        title=data.title.strip(),
        config=_json_settings(data.config),
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def update_activity(
    version: CourseVersion,
    module: Module,
    activity: Activity,
    data: ActivityInput,
    types: Mapping[str, Any],
) -> None:
    _check_draft(version)
    _check_activity(module, data, types, activity.id)
    activity.key = data.key
    activity.type = data.type
    activity.title = data.title.strip()
    activity.config = _json_settings(data.config)
    db.session.flush()


def delete_activity(version: CourseVersion, activity: Activity) -> None:
    _check_draft(version)
    module_id = activity.module_id
    db.session.delete(activity)
    db.session.flush()
    for position, other in enumerate(activities_by_module([module_id])[module_id], start=1):
        other.position = position
    db.session.flush()


def move_activity(version: CourseVersion, activity: Activity, delta: int) -> None:
    _check_draft(version)
    siblings = activities_by_module([activity.module_id])[activity.module_id]
    index = next(i for i, a in enumerate(siblings) if a.id == activity.id)
    target = index + delta
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, other in enumerate(siblings, start=1):
            other.position = position
        db.session.flush()


def check_draft(version: CourseVersion, slug: str, registry: Any) -> list[pkg.Problem]:
    """Every problem the draft would have as a package (the same rules as an import)."""
    with tempfile.TemporaryDirectory(prefix="lms-draft-") as tmp:
        dest = Path(tmp) / slug
        pkg.dump_package(version_to_package(version, slug), dest)
        _, problems = pkg.load_with(registry, dest)
    return [problem for problem in problems if not problem.warning]


def publish(
    course: Course, version: CourseVersion, registry: Any, *, actor_id: int | None
) -> CourseVersion:
    """Freeze the draft as the course's next version; raises PackageProblems if invalid."""
    _check_draft(version)
    db.session.scalar(_lock(select(Course.id).where(Course.id == course.id)))
    problems = check_draft(version, course.slug, registry)
    if problems:
        raise PackageProblems(problems)
    clash = db.session.scalar(
        select(CourseVersion.id).where(
            CourseVersion.course_id == course.id,
            CourseVersion.status == VersionStatus.PUBLISHED.value,
            CourseVersion.label == version.label,
        )
    )
    if clash is not None:
        raise CourseError(
            _(
                "Version %(label)s is already published; give this one a new version.",
                label=version.label,
            ),
            "label",
        )
    version.content_hash = pkg.content_hash(version_to_package(version, course.slug))
    version.number = _next_number(course.id)
    version.status = VersionStatus.PUBLISHED.value
    version.published_at = utcnow()
    version.published_by_id = actor_id
    db.session.flush()
    return version


# --------------------------------------------------------------------------- course authors


def course_authors(course_id: int) -> list[tuple[CourseAuthor, User]]:
    """The course's authors with their accounts, by name (one query)."""
    rows = db.session.execute(
        select(CourseAuthor, User)
        .join(User, User.id == CourseAuthor.user_id)
        .where(CourseAuthor.course_id == course_id)
        .order_by(User.name, User.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def add_author(course: Course, email: str, *, actor_id: int | None) -> User:
    """Name the account with `email` an author of the course."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise CourseError(_("No active account has this e-mail address."), "email")
    if user.role == Role.ADMIN.value:
        raise CourseError(_("Admins already author every course."), "email")
    if db.session.scalar(
        select(CourseAuthor.id).where(
            CourseAuthor.course_id == course.id, CourseAuthor.user_id == user.id
        )
    ):
        raise CourseError(_("This account is already an author of the course."), "email")
    try:
        with db.session.begin_nested():
            db.session.add(
                CourseAuthor(course_id=course.id, user_id=user.id, assigned_by_id=actor_id)
            )
    except IntegrityError as error:
        raise CourseError(_("This account is already an author of the course."), "email") from error
    return user


def remove_author(course: Course, user_id: int) -> User | None:
    """Take the author role on the course away; None if they did not have it."""
    author = db.session.scalar(
        select(CourseAuthor).where(
            CourseAuthor.course_id == course.id, CourseAuthor.user_id == user_id
        )
    )
    if author is None:
        return None
    user = db.session.get(User, user_id)
    db.session.delete(author)
    db.session.flush()
    return user


# --------------------------------------------------------------------------- cohorts


def attach_cohort(cohort: Cohort, version: CourseVersion) -> int:
    """Put a cohort on a published version; returns how many completions were carried over.

    Completions recorded on the old version stay where they are (nothing is rewritten);
    the participants get the same completion on the new version's activity with the same
    module and key, so moving a cohort forward does not throw away their progress.
    """
    if version.is_draft:
        raise CourseError(_("Only a published version can be given to a cohort."), "version")
    old_version_id = cohort.course_version_id
    cohort.course_version_id = version.id
    db.session.flush()
    if old_version_id is None or old_version_id == version.id:
        return 0
    old_module, new_module = aliased(Module), aliased(Module)
    old_activity, new_activity = aliased(Activity), aliased(Activity)
    source = (
        select(
            ActivityCompletion.enrolment_id,
            new_activity.id,
            ActivityCompletion.completed_at,
            literal("carried"),
        )
        .join(Enrolment, Enrolment.id == ActivityCompletion.enrolment_id)
        .join(old_activity, old_activity.id == ActivityCompletion.activity_id)
        .join(old_module, old_module.id == old_activity.module_id)
        .join(
            new_module,
            (new_module.slug == old_module.slug) & (new_module.version_id == version.id),
        )
        .join(
            new_activity,
            (new_activity.module_id == new_module.id)
            & (new_activity.key == old_activity.key)
            & (new_activity.type == old_activity.type),
        )
        .where(Enrolment.cohort_id == cohort.id, old_module.version_id == old_version_id)
        .where(
            ~select(ActivityCompletion.id)
            .where(
                ActivityCompletion.enrolment_id == Enrolment.id,
                ActivityCompletion.activity_id == new_activity.id,
            )
            .correlate(Enrolment, new_activity)
            .exists()
        )
    )
    result = db.session.execute(
        insert(ActivityCompletion).from_select(
            ["enrolment_id", "activity_id", "completed_at", "source"], source
        )
    )
    return result.rowcount or 0


# --------------------------------------------------------------------------- completion


def results_changed(enrolment_ids: Iterable[int]) -> None:
    """Tell the reports that these participants' results or completions may have changed
    (activity types call it, or `record_completion`/`withdraw_completion`/`report_result`,
    which every type goes through, do it for them)."""
    from courses.signals import results_changed as signal

    ids = [int(i) for i in enrolment_ids]
    if ids:
        signal.send(None, enrolment_ids=ids)


def record_completion(enrolment_id: int, activity_id: int, source: str) -> bool:
    """Record that an enrolment completed an activity; False if it already had. Race-safe."""
    results_changed([enrolment_id])
    exists = db.session.scalar(
        select(ActivityCompletion.id).where(
            ActivityCompletion.enrolment_id == enrolment_id,
            ActivityCompletion.activity_id == activity_id,
        )
    )
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                ActivityCompletion(
                    enrolment_id=enrolment_id, activity_id=activity_id, source=source
                )
            )
    except IntegrityError:
        return False
    from courses.signals import activity_completed

    activity_completed.send(None, enrolment_id=enrolment_id, activity_id=activity_id)
    return True


def withdraw_completion(
    enrolment_ids: Iterable[int], activity_ids: Iterable[int], source: str
) -> None:
    """Remove completions that `source` recorded (attendance corrected to absent)."""
    enrolment_ids = list(enrolment_ids)
    results_changed(enrolment_ids)
    db.session.execute(
        delete(ActivityCompletion).where(
            ActivityCompletion.enrolment_id.in_(enrolment_ids),
            ActivityCompletion.activity_id.in_(list(activity_ids)),
            ActivityCompletion.source == source,
        )
    )


def event_types(types: Mapping[str, Any], event: CompletionEvent) -> set[str]:
    """The names of the activity types completed by `event`."""
    return {name for name, t in types.items() if event in t.completion_events}


# --------------------------------------------------------------------------- session plan


class ModuleState(enum.StrEnum):
    LOCKED = "locked"
    AVAILABLE = "available"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


@dataclass
class ActivityProgress:
    activity: Activity
    completed_at: datetime | None

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


@dataclass
class ModuleProgress:
    module: Module
    activities: list[ActivityProgress]
    meeting: Any | None
    state: ModuleState = ModuleState.AVAILABLE
    opens_on: date | None = None
    """Set when the module waits for a date."""
    waiting_for: list[Module] = field(default_factory=list)
    """Earlier modules that must be complete first."""

    @property
    def done(self) -> int:
        return sum(1 for a in self.activities if a.complete)

    @property
    def locked(self) -> bool:
        return self.state == ModuleState.LOCKED


@dataclass
class SessionPlan:
    enrolment: Enrolment
    cohort: Cohort
    modules: list[ModuleProgress]

    @property
    def complete_count(self) -> int:
        return sum(1 for m in self.modules if m.state == ModuleState.COMPLETE)

    @property
    def percent(self) -> int:
        total = sum(len(m.activities) for m in self.modules)
        done = sum(m.done for m in self.modules)
        return round(100 * done / total) if total else 0

    @property
    def next_module(self) -> ModuleProgress | None:
        """The first open module with something the participant can still do (see
        `next_step`): what to do next."""
        return next_step(self.modules, utcnow())

    @property
    def next_meeting(self) -> Any | None:
        """The next module's meeting, unless it is already over."""
        step = self.next_module
        if step is None or step.meeting is None or _meeting_over(step.meeting, utcnow()):
            return None
        return step.meeting

    def find(self, module_id: int) -> ModuleProgress | None:
        return next((m for m in self.modules if m.module.id == module_id), None)


def _meeting_over(meeting: Any, now: datetime) -> bool:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now


def next_step(modules: list[ModuleProgress], now: datetime) -> ModuleProgress | None:
    """The first open module holding an activity that is not complete and can still be done.

    An activity completed by attendance can be done only until its meeting ends (and only
    once one is scheduled), so a module whose only gap is a past meeting is not "next".
    """
    from lms import plugins

    attended = event_types(plugins.registry().activity_types, CompletionEvent.ATTENDANCE)
    for progress in modules:
        if progress.state not in (ModuleState.AVAILABLE, ModuleState.IN_PROGRESS):
            continue
        for item in progress.activities:
            if item.complete:
                continue
            if item.activity.type not in attended:
                return progress
            if progress.meeting is not None and not _meeting_over(progress.meeting, now):
                return progress
    return None


def session_plans(enrolments: list[Enrolment], today: date) -> list[SessionPlan]:
    """Session plans of several enrolments (their cohorts loaded) in four queries in all
    (three when their published versions' sessions are kept: `version_structure`)."""

    enrolments = [e for e in enrolments if e.cohort.course_version_id is not None]
    if not enrolments:
        return []
    structure = version_structure({e.cohort.course_version_id for e in enrolments})
    completions: dict[tuple[int, int], datetime] = {
        (row.enrolment_id, row.activity_id): row.completed_at
        for row in db.session.execute(
            select(
                ActivityCompletion.enrolment_id,
                ActivityCompletion.activity_id,
                ActivityCompletion.completed_at,
            ).where(ActivityCompletion.enrolment_id.in_([e.id for e in enrolments]))
        )
    }
    meetings = {
        (m.cohort_id, m.module_slug): m
        for m in db.session.scalars(
            select(Meeting).where(Meeting.cohort_id.in_({e.cohort_id for e in enrolments}))
        )
    }
    plans = []
    for enrolment in enrolments:
        version_modules, activities = structure.get(enrolment.cohort.course_version_id, ([], {}))
        progress = [
            ModuleProgress(
                module=module,
                activities=[
                    ActivityProgress(a, completions.get((enrolment.id, a.id)))
                    for a in activities[module.id]
                ],
                meeting=meetings.get((enrolment.cohort_id, module.slug)),
            )
            for module in version_modules
        ]
        derive_states(progress, today)
        plans.append(SessionPlan(enrolment=enrolment, cohort=enrolment.cohort, modules=progress))
    return plans


def version_structure(
    version_ids: Iterable[int],
) -> dict[int, tuple[list[Module], dict[int, list[Activity]]]]:
    """{version id: (its sessions in order, {session id: its activities in order})}: one
    statement when every version is published and kept by this process (`courses.kept`),
    three otherwise. A published version's rows are copies that belong to no session."""
    versions = db.session.execute(
        select(CourseVersion.id, CourseVersion.published_at, CourseVersion.content_hash).where(
            CourseVersion.id.in_(list(version_ids))
        )
    ).all()
    found: dict[int, tuple[list[Module], dict[int, list[Activity]]]] = {}
    missing = []
    for version in versions:
        key = kept.key_of(version)
        hit = kept.peek("structure", key) if key is not None else None
        if hit is None:
            missing.append(version)
        else:
            found[version.id] = hit
    if not missing:
        return found
    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.version_id.in_([v.id for v in missing]))
            .order_by(Module.version_id, Module.position)
        )
    )
    activities = activities_by_module(m.id for m in modules)
    for version in missing:
        own = [m for m in modules if m.version_id == version.id]
        key = kept.key_of(version)
        if key is None:
            found[version.id] = (own, {m.id: activities[m.id] for m in own})
            continue
        found[version.id] = (
            [kept.detached(m) for m in own],
            {m.id: [kept.detached(a) for a in activities[m.id]] for m in own},
        )
        kept.put("structure", key, found[version.id])
    return found


def structure_of(version: CourseVersion) -> tuple[list[Module], dict[int, list[Activity]]]:
    """`version_structure` of one loaded version: no statement when it is published and
    kept by this process."""
    key = kept.key_of(version)
    hit = kept.peek("structure", key) if key is not None else None
    return hit if hit is not None else version_structure([version.id])[version.id]


def preview_plan(version_id: int, today: date) -> list[ModuleProgress]:
    """A version's sessions as a new participant finds them on `today`: nothing completed,
    no meeting scheduled, each session open or locked by its date and order (two queries).
    Nothing is read from or written to any enrolment."""
    modules = modules_of(version_id)
    activities = activities_by_module(m.id for m in modules)
    progress = [
        ModuleProgress(
            module=module,
            activities=[ActivityProgress(a, None) for a in activities[module.id]],
            meeting=None,
        )
        for module in modules
    ]
    derive_states(progress, today)
    return progress


def derive_states(modules: list[ModuleProgress], today: date) -> None:
    by_slug = {m.module.slug: m for m in modules}
    for progress in modules:
        module = progress.module
        waiting = [
            by_slug[s].module
            for s in module.unlock_after
            if s in by_slug and by_slug[s].state != ModuleState.COMPLETE
        ]
        opens_later = module.unlock_on is not None and module.unlock_on > today
        if opens_later or waiting:
            progress.state = ModuleState.LOCKED
            progress.opens_on = module.unlock_on if opens_later else None
            progress.waiting_for = waiting
        elif progress.activities and progress.done == len(progress.activities):
            progress.state = ModuleState.COMPLETE
        elif progress.done:
            progress.state = ModuleState.IN_PROGRESS
        else:
            progress.state = ModuleState.AVAILABLE


def module_open(enrolment: Enrolment, module: Module) -> bool:
    """Whether the module is open to the participant now (not locked by date or order)."""
    from flask_babel import get_timezone

    plans = session_plans([enrolment], datetime.now(get_timezone()).date())
    progress = plans[0].find(module.id) if plans else None
    return progress is not None and not progress.locked
