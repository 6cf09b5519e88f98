"""Reuse: copy a module, an activity or questions from any course version an author may read
into a draft, or start a new course from a version. Every copy records where it came from
(`copied_from`), keys are renamed on collision, and only drafts receive copies.

Services only flush; the view commits. A copy carries the form's one-time `token`: a second
submit of the same form finds the first copy (under the draft's row lock) and does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from courses import services
from courses.models import Activity, Course, CourseVersion, Module, Question
from courses.services import (
    ActivityInput,
    CourseError,
    CourseInput,
    _check_activity,
    _check_draft,
    _lock,
    activities_by_module,
    create_course,
    decode_settings,
    modules_of,
)
from lms.extensions import db

KEY_LIMIT = 64


@dataclass
class CopyResult:
    """What a copy made: the new rows, and the keys it had to rename (old → new)."""

    modules: list[Module] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    repeated: bool = False
    """The same form was submitted before: nothing was copied again."""


def origin(
    course: Course, version: CourseVersion, key: str | None, token: str = ""
) -> dict[str, Any]:
    """The provenance stored in `copied_from`."""
    data: dict[str, Any] = {
        "course_id": course.id,
        "course": course.slug,
        "version_id": version.id,
        "version": version.label,
        "number": version.number,
        "title": version.title,
    }
    if key is not None:
        data["key"] = key
    if token:
        data["token"] = token
    return data


def free_key(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... the first not in `taken` (kept within 64)."""
    if wanted not in taken:
        return wanted
    stem = re.sub(r"-\d+$", "", wanted) or wanted
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = stem[: KEY_LIMIT - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _same_token(rows: Iterable[Any], token: str) -> bool:
    return bool(token) and any((r.copied_from or {}).get("token") == token for r in rows)


def _lock_draft(draft: CourseVersion) -> None:
    _check_draft(draft)
    db.session.scalar(_lock(select(CourseVersion.id).where(CourseVersion.id == draft.id)))


def _source_of(version_id: int) -> tuple[Course, CourseVersion]:
    version = db.session.get(CourseVersion, version_id)
    if version is None:
        raise CourseError(_("The source version no longer exists."))
    course = db.session.get(Course, version.course_id)
    assert course is not None
    return course, version


def bank_of(version_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.version_id == version_id).order_by(Question.position)
        )
    )


def _question_keys(activity: Activity) -> list[str]:
    """The question keys a quiz-like activity names in its `questions` setting."""
    keys = (activity.config or {}).get("questions")
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _copy_questions(
    draft: CourseVersion,
    questions: list[Question],
    module_slug: str,
    course: Course,
    source: CourseVersion,
    token: str,
    result: CopyResult,
    taken: set[str],
    keep_tags: set[str] | None = None,
) -> dict[str, str]:
    """Copy `questions` into the draft's bank under `module_slug`; returns old key → new key."""
    keys: dict[str, str] = {}
    position = (
        max((q.position for q in bank_of(draft.id) if q.module_slug == module_slug), default=0)
        if questions
        else 0
    )
    for question in questions:
        new_key = free_key(question.key, taken)
        taken.add(new_key)
        if new_key != question.key:
            result.renamed.append((question.key, new_key))
        keys[question.key] = new_key
        position += 1
        copy = Question(
            version_id=draft.id,
            module_slug=module_slug,
            position=position,
            key=new_key,
            type=question.type,
            name=question.name,
            text=question.text,
            points=question.points,
            tags=_copied_tags(question, module_slug, keep_tags or set()),
            feedback=question.feedback,
            config=dict(question.config),
            copied_from=origin(course, source, question.key, token),
        )
        db.session.add(copy)
        result.questions.append(copy)
    return keys


def _activity_copy(
    activity: Activity,
    module: Module,
    position: int,
    key: str,
    keys: dict[str, str],
    course: Course,
    source: CourseVersion,
    token: str,
    source_slug: str | None = None,
) -> Activity:
    config = dict(activity.config)
    if _question_keys(activity):
        config["questions"] = [keys.get(k, k) for k in _question_keys(activity)]
    if source_slug is not None and config.get("draw_tag") == source_slug:
        config["draw_tag"] = module.slug
    return Activity(
        module_id=module.id,
        position=position,
        key=key,
        type=activity.type,
        title=activity.title,
        config=config,
        copied_from=origin(course, source, activity.key, token),
    )


def _draw_tags(activities: list[Activity], module_slug: str) -> set[str]:
    """The tags the activities draw questions by (`draw_tag`, by default the module's slug)."""
    tags = set()
    for activity in activities:
        config = activity.config or {}
        if "draw" in config:
            tag = config.get("draw_tag")
            tags.add(tag if isinstance(tag, str) else module_slug)
    return tags


def _questions_for(
    bank: list[Question], activities: list[Activity], module_slug: str, *, own: bool
) -> list[Question]:
    """The bank's questions the activities use: those they name, those they draw by tag (a
    module's slug is an implicit tag of its questions), and with `own` the module's own."""
    named = {k for a in activities for k in _question_keys(a)}
    tags = _draw_tags(activities, module_slug)
    return [
        q
        for q in bank
        if (own and q.module_slug == module_slug)
        or q.key in named
        or q.module_slug in tags
        or tags.intersection(q.tags)
    ]


def _copied_tags(question: Question, module_slug: str, keep: set[str]) -> list[str]:
    """A copied question's tags: its old module's slug is kept as a tag when a copied activity
    draws by it (the question now belongs to `module_slug`). A draw by the copied module's
    own slug is not in `keep`: it follows the module to its new slug."""
    tags = list(question.tags)
    if question.module_slug != module_slug and question.module_slug in keep:
        tags.append(question.module_slug)
    return [t for t in dict.fromkeys(tags) if t != module_slug]


def _module_copy(
    source: Module,
    draft: CourseVersion,
    *,
    position: int,
    slug: str,
    unlock_after: list[str],
    copied_from: dict[str, Any],
) -> Module:
    """A new module of `draft` with the source's text, notes, summary and meeting plan."""
    module = Module(
        version_id=draft.id,
        position=position,
        slug=slug,
        title=source.title,
        summary=source.summary,
        objectives=list(source.objectives),
        duration_minutes=source.duration_minutes,
        indicators=list(source.indicators),
        material=source.material,
        mentor_notes=source.mentor_notes,
        summary_page=source.summary_page,
        unlock_on=source.unlock_on,
        unlock_after=unlock_after,
        meeting_minutes=source.meeting_minutes,
        meeting_agenda=list(source.meeting_agenda),
        revision=1,
        copied_from=copied_from,
    )
    db.session.add(module)
    db.session.flush()
    return module


def copy_module(
    draft: CourseVersion,
    source_module_id: int,
    *,
    token: str = "",
    limits: services.AssetLimits | None = None,
) -> CopyResult:
    """Copy a module (material, settings, files, activities and the questions it uses) to the
    end of the draft. Its slug, activity keys and question keys are renamed if the draft
    has them."""
    _lock_draft(draft)
    source_module = db.session.get(Module, source_module_id)
    if source_module is None:
        raise CourseError(_("Choose a module to copy."), "module")
    course, source = _source_of(source_module.version_id)
    modules = modules_of(draft.id)
    result = CopyResult()
    if _same_token(modules, token):
        result.repeated = True
        return result
    slug = free_key(source_module.slug, {m.slug for m in modules})
    if slug != source_module.slug:
        result.renamed.append((source_module.slug, slug))
    module = _module_copy(
        source_module,
        draft,
        position=len(modules) + 1,
        slug=slug,
        # Unlock rules name the source course's modules; the author sets them again here.
        unlock_after=[],
        copied_from=origin(course, source, source_module.slug, token),
    )
    services.copy_assets({source_module.id: module.id}, draft, limits)
    activities = activities_by_module([source_module.id])[source_module.id]
    wanted = _questions_for(bank_of(source.id), activities, source_module.slug, own=True)
    taken = {q.key for q in bank_of(draft.id)}
    keep = _draw_tags(activities, source_module.slug) - {source_module.slug}
    keys = _copy_questions(draft, wanted, slug, course, source, token, result, taken, keep)
    for position, activity in enumerate(activities, start=1):
        copy = _activity_copy(
            activity,
            module,
            position,
            activity.key,
            keys,
            course,
            source,
            token,
            source_module.slug,
        )
        db.session.add(copy)
        result.activities.append(copy)
    result.modules.append(module)
    db.session.flush()
    return result


def copy_activity(
    draft: CourseVersion,
    module: Module,
    source_activity_id: int,
    types: Any,
    *,
    token: str = "",
) -> CopyResult:
    """Copy one activity to the end of a draft module, with the questions it names."""
    _lock_draft(draft)
    if module.version_id != draft.id:
        raise CourseError(_("Choose a module of the draft."), "target")
    activity = db.session.get(Activity, source_activity_id)
    if activity is None:
        raise CourseError(_("Choose an activity to copy."), "activity")
    course, source = _source_of(
        db.session.scalar(select(Module.version_id).where(Module.id == activity.module_id))
    )
    siblings = activities_by_module([module.id])[module.id]
    result = CopyResult()
    if _same_token(siblings, token):
        result.repeated = True
        return result
    key = free_key(activity.key, {a.key for a in siblings})
    if key != activity.key:
        result.renamed.append((activity.key, key))
    # Checked as the author's own new activity would be, before anything is copied.
    _check_activity(
        module,
        ActivityInput(
            key=key,
            type=activity.type,
            title=activity.title,
            config=decode_settings(activity.config),
        ),
        types,
        None,
    )
    source_module = db.session.get(Module, activity.module_id)
    assert source_module is not None
    wanted = _questions_for(bank_of(source.id), [activity], source_module.slug, own=False)
    taken = {q.key for q in bank_of(draft.id)}
    keep = _draw_tags([activity], source_module.slug) - {source_module.slug}
    keys = _copy_questions(draft, wanted, module.slug, course, source, token, result, taken, keep)
    copy = _activity_copy(
        activity, module, len(siblings) + 1, key, keys, course, source, token, source_module.slug
    )
    db.session.add(copy)
    db.session.flush()
    result.activities.append(copy)
    return result


def copy_questions(
    draft: CourseVersion,
    source_version_id: int,
    question_ids: list[int],
    module_slug: str,
    *,
    token: str = "",
) -> CopyResult:
    """Copy questions of one version's bank into the draft's bank, under `module_slug`."""
    _lock_draft(draft)
    if module_slug not in {m.slug for m in modules_of(draft.id)}:
        raise CourseError(_("Choose a module of the draft."), "module_slug")
    course, source = _source_of(source_version_id)
    chosen = set(question_ids)
    wanted = [q for q in bank_of(source.id) if q.id in chosen]
    if not wanted:
        raise CourseError(_("Tick at least one question."), "questions")
    bank = bank_of(draft.id)
    result = CopyResult()
    if _same_token(bank, token):
        result.repeated = True
        return result
    _copy_questions(
        draft, wanted, module_slug, course, source, token, result, {q.key for q in bank}
    )
    db.session.flush()
    return result


def copy_course(
    source_version_id: int,
    slug: str,
    data: CourseInput,
    limits: services.AssetLimits | None = None,
) -> CourseVersion:
    """A new course whose first draft is a copy of the chosen version (modules, files,
    activities, questions, grading and at-risk rules), each piece recording where it came from."""
    course, source = _source_of(source_version_id)
    draft = create_course(slug, data)
    draft.grading = source.grading
    draft.at_risk = source.at_risk
    draft.copied_from = origin(course, source, None)
    modules = modules_of(source.id)
    activities = activities_by_module(m.id for m in modules)
    for question in bank_of(source.id):
        db.session.add(
            Question(
                version_id=draft.id,
                module_slug=question.module_slug,
                position=question.position,
                key=question.key,
                type=question.type,
                name=question.name,
                text=question.text,
                points=question.points,
                tags=list(question.tags),
                feedback=question.feedback,
                config=dict(question.config),
                copied_from=origin(course, source, question.key),
            )
        )
    copied: dict[int, int] = {}
    for source_module in modules:
        module = _module_copy(
            source_module,
            draft,
            position=source_module.position,
            slug=source_module.slug,
            unlock_after=list(source_module.unlock_after),
            copied_from=origin(course, source, source_module.slug),
        )
        copied[source_module.id] = module.id
        for activity in activities[source_module.id]:
            db.session.add(
                _activity_copy(
                    activity, module, activity.position, activity.key, {}, course, source, ""
                )
            )
    services.copy_assets(copied, draft, limits)
    services.copy_course_assets(source.id, draft)
    db.session.flush()
    return draft


def readable_versions(course_ids: set[int] | None) -> list[tuple[CourseVersion, Course]]:
    """Versions (drafts and published) of the given courses, or of every course when None;
    newest first per course (one query)."""
    stmt = (
        select(CourseVersion, Course)
        .join(Course, Course.id == CourseVersion.course_id)
        .order_by(Course.slug, CourseVersion.number.desc().nulls_first())
    )
    if course_ids is not None:
        stmt = stmt.where(Course.id.in_(course_ids))
    return [(v, c) for v, c in db.session.execute(stmt)]
