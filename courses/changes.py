"""What changed between two versions of a course: shown before publishing a draft and
before moving a cohort, so nobody publishes or moves blind.

Modules are matched by slug, activities by module slug and key, questions by key: the
same keys that carry completions from one version to the next (services.attach_cohort).
Everything is read in a fixed number of statements whatever the size of the course.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from courses.diff import TextDiff, line_diff
from courses.models import Activity, ActivityCompletion, CourseVersion, Module, Question
from lms.cohorts.models import Enrolment
from lms.extensions import db

_MODULE_FIELDS = (
    "title",
    "summary",
    "objectives",
    "duration_minutes",
    "indicators",
    "unlock_on",
    "unlock_after",
    "meeting_minutes",
    "meeting_agenda",
    "mentor_notes",
    "summary_page",
)
_QUESTION_FIELDS = ("type", "name", "text", "points", "tags", "feedback", "config")

LABELS = {
    "title": _l("title"),
    "summary": _l("summary"),
    "objectives": _l("learning objectives"),
    "duration_minutes": _l("duration"),
    "indicators": _l("SPBE indicators"),
    "unlock_on": _l("opening date"),
    "unlock_after": _l("modules it waits for"),
    "meeting_minutes": _l("live meeting length"),
    "meeting_agenda": _l("meeting agenda"),
    "mentor_notes": _l("notes for mentors"),
    "summary_page": _l("one-page summary"),
    "description": _l("description"),
    "language": _l("language"),
    "grading": _l("grading weights"),
    "at_risk": _l("at-risk rules"),
    "type": _l("type"),
    "name": _l("name"),
    "text": _l("question text"),
    "points": _l("points"),
    "tags": _l("tags"),
    "feedback": _l("feedback"),
    "config": _l("answer and options"),
}
"""How each compared field is named on the page; an activity type's own settings are
shown by their key, as the author wrote them in module.toml."""


@dataclass(frozen=True)
class SettingChange:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ActivityChange:
    key: str
    title: str
    type: str
    changes: tuple[SettingChange, ...]


@dataclass
class ModuleChanges:
    slug: str
    title: str
    fields: list[str] = field(default_factory=list)
    """Names of module settings (title, unlock rules, meeting...) that changed."""
    material: TextDiff | None = None
    activities_added: list[Activity] = field(default_factory=list)
    activities_removed: list[Activity] = field(default_factory=list)
    activities_changed: list[ActivityChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.fields
            or (self.material and self.material.changed)
            or self.activities_added
            or self.activities_removed
            or self.activities_changed
        )


@dataclass
class VersionChanges:
    """The difference from `old` to `new` (`old` None: everything is new)."""

    old: CourseVersion | None
    new: CourseVersion
    modules_added: list[Module] = field(default_factory=list)
    modules_removed: list[Module] = field(default_factory=list)
    reordered: bool = False
    new_order: list[Module] = field(default_factory=list)
    modules: list[ModuleChanges] = field(default_factory=list)
    """Modules in both versions that changed, in the new version's order."""
    questions_added: list[str] = field(default_factory=list)
    questions_removed: list[str] = field(default_factory=list)
    questions_changed: list[tuple[str, list[str]]] = field(default_factory=list)
    course_fields: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.modules_added
            or self.modules_removed
            or self.reordered
            or self.modules
            or self.questions_added
            or self.questions_removed
            or self.questions_changed
            or self.course_fields
        )


def _contents(version_ids: list[int]) -> tuple[list[Module], dict[int, list[Activity]], list]:
    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.version_id.in_(version_ids))
            .order_by(Module.version_id, Module.position)
        )
    )
    activities: dict[int, list[Activity]] = defaultdict(list)
    if modules:
        for activity in db.session.scalars(
            select(Activity)
            .where(Activity.module_id.in_([m.id for m in modules]))
            .order_by(Activity.module_id, Activity.position)
        ):
            activities[activity.module_id].append(activity)
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.version_id.in_(version_ids))
            .order_by(Question.version_id, Question.position)
        )
    )
    return modules, activities, questions


def compare_versions(old: CourseVersion | None, new: CourseVersion) -> VersionChanges:
    """What a participant of `old` would find different in `new` (three queries)."""
    ids = [new.id] + ([old.id] if old is not None else [])
    modules, activities, questions = _contents(ids)
    new_modules = [m for m in modules if m.version_id == new.id]
    old_modules = [m for m in modules if old is not None and m.version_id == old.id]
    result = VersionChanges(old=old, new=new, new_order=new_modules)
    if old is not None:
        result.course_fields = [
            name
            for name in ("title", "description", "language", "grading", "at_risk")
            if getattr(old, name) != getattr(new, name)
        ]
    old_by_slug = {m.slug: m for m in old_modules}
    new_by_slug = {m.slug: m for m in new_modules}
    result.modules_added = [m for m in new_modules if m.slug not in old_by_slug]
    result.modules_removed = [m for m in old_modules if m.slug not in new_by_slug]
    kept_old = [m.slug for m in old_modules if m.slug in new_by_slug]
    kept_new = [m.slug for m in new_modules if m.slug in old_by_slug]
    result.reordered = kept_old != kept_new
    for module in new_modules:
        before = old_by_slug.get(module.slug)
        if before is None:
            continue
        change = ModuleChanges(slug=module.slug, title=module.title)
        change.fields = [f for f in _MODULE_FIELDS if getattr(before, f) != getattr(module, f)]
        change.material = line_diff(before.material, module.material)
        old_acts = {a.key: a for a in activities[before.id]}
        new_acts = {a.key: a for a in activities[module.id]}
        change.activities_added = [a for k, a in new_acts.items() if k not in old_acts]
        change.activities_removed = [a for k, a in old_acts.items() if k not in new_acts]
        for key, activity in new_acts.items():
            previous = old_acts.get(key)
            if previous is None:
                continue
            settings = [
                SettingChange(name, previous.config.get(name), activity.config.get(name))
                for name in sorted(set(previous.config) | set(activity.config))
                if previous.config.get(name) != activity.config.get(name)
            ]
            if previous.type != activity.type:
                settings.insert(0, SettingChange("type", previous.type, activity.type))
            if previous.title != activity.title:
                settings.insert(0, SettingChange("title", previous.title, activity.title))
            if settings:
                change.activities_changed.append(
                    ActivityChange(key, activity.title, activity.type, tuple(settings))
                )
        if change.changed:
            result.modules.append(change)
    old_questions = {q.key: q for q in questions if old is not None and q.version_id == old.id}
    new_questions = {q.key: q for q in questions if q.version_id == new.id}
    result.questions_added = [k for k in new_questions if k not in old_questions]
    result.questions_removed = [k for k in old_questions if k not in new_questions]
    for key, question in new_questions.items():
        previous = old_questions.get(key)
        if previous is None:
            continue
        fields = [f for f in _QUESTION_FIELDS if getattr(previous, f) != getattr(question, f)]
        if fields:
            result.questions_changed.append((key, fields))
    return result


@dataclass(frozen=True)
class CarryOver:
    """What moving a cohort does to its completions."""

    carried: int
    """Completions that find the same module slug, activity key and type in the new version."""
    left: int
    """Completions on activities the new version no longer has (kept on the old version,
    not counted for progress on the new one)."""
    new_activities: int
    """Activities only the new version has: everyone starts them as not done."""


def carry_over(cohort_id: int, old: CourseVersion, new: CourseVersion) -> CarryOver:
    """Count what `services.attach_cohort` would carry, without changing anything
    (two queries)."""
    rows = db.session.execute(
        select(Module.slug, Activity.key, Activity.type, func.count(ActivityCompletion.id))
        .join(Activity, Activity.id == ActivityCompletion.activity_id)
        .join(Module, Module.id == Activity.module_id)
        .join(Enrolment, Enrolment.id == ActivityCompletion.enrolment_id)
        .where(Enrolment.cohort_id == cohort_id, Module.version_id == old.id)
        .group_by(Module.slug, Activity.key, Activity.type)
    ).all()
    keys: dict[int, set[tuple[str, str, str]]] = {old.id: set(), new.id: set()}
    for slug, key, kind, version_id in db.session.execute(
        select(Module.slug, Activity.key, Activity.type, Module.version_id)
        .join(Activity, Activity.module_id == Module.id)
        .where(Module.version_id.in_([old.id, new.id]))
    ):
        keys[version_id].add((slug, key, kind))
    targets = keys[new.id]
    carried = sum(row[3] for row in rows if (row[0], row[1], row[2]) in targets)
    left = sum(row[3] for row in rows if (row[0], row[1], row[2]) not in targets)
    return CarryOver(carried, left, len(targets - keys[old.id]))
