"""Grades through the activity-type contract: graded items and their weights, results,
gradebooks, the course grade and learning gain.

Nothing here knows a concrete activity type: every graded activity is found through the
plugin registry (`grade_categories`, `category`, `pass_percent`) and its results come from
its type's `result_query`, one statement per graded type whatever the number of
participants. The participant's gradebook, the cohort dashboard, the exports and the
certificates all read these functions, so their numbers agree.
"""

from __future__ import annotations

import dataclasses
import functools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from courses import contract, kept
from courses.contract import GradedActivity, Result
from courses.models import Activity, ActivityCompletion, CourseVersion, Module
from courses.package import DEFAULT_GRADING, GradingWeights
from lms import plugins
from lms.extensions import db


def grading_of(version: CourseVersion) -> GradingWeights:
    return GradingWeights.from_dict(version.grading) if version.grading else DEFAULT_GRADING


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Item:
    """A graded activity of the course and its share of the course grade (percent)."""

    activity: Activity
    module: Module
    type_name: str
    category: str
    category_label: str
    weight: float
    pass_percent: float
    graded: GradedActivity
    gain: str | None = None


def _decode(config: Mapping[str, Any]) -> dict[str, Any]:
    from courses.services import decode_settings

    return decode_settings(config)


@functools.cache
def _lineage_aliases() -> tuple[Any, Any, Any, Any, Any]:
    """The aliases of the lineage statement, made once: building them is most of its cost."""
    return (
        aliased(Module),
        aliased(Module),
        aliased(CourseVersion),
        aliased(CourseVersion),
        aliased(Activity),
    )


def activity_lineage(activity_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """{activity id: ids of the same activity (course, module slug, key) in every version}
    in one statement, so results recorded before a cohort moved version still count."""
    if not activity_ids:
        return {}
    this_module, other_module, this_version, other_version, other = _lineage_aliases()
    rows = db.session.execute(
        select(Activity.id, other.id)
        .join(this_module, this_module.id == Activity.module_id)
        .join(this_version, this_version.id == this_module.version_id)
        .join(other_version, other_version.course_id == this_version.course_id)
        .join(
            other_module,
            (other_module.version_id == other_version.id) & (other_module.slug == this_module.slug),
        )
        .join(other, (other.module_id == other_module.id) & (other.key == Activity.key))
        .where(Activity.id.in_(list(activity_ids)))
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    for own, same in rows:
        found[own].add(same)
    return {own: tuple(sorted(found[own] | {own})) for own in activity_ids}


LINEAGE_SECONDS = 60.0
"""How long a process keeps a published version's graded items: the version itself never
changes, but its items' lineage grows when a later version of the course is published
(results recorded there then count here within this time, in every process)."""


def graded_items(version: CourseVersion, *, lineage: bool = True) -> list[Item]:
    """The graded activities of a version with their weights (two statements; none for a
    published version this process read in the last `LINEAGE_SECONDS`: `courses.kept`)."""
    key = kept.key_of(version)
    if not lineage or key is None:  # a draft: still being changed
        return _graded_items(version, lineage=lineage)
    return list(
        kept.kept(
            "graded_items",
            (*key, str(get_locale())),  # the category labels are in the reader's language
            lambda: [_detached(item) for item in _graded_items(version, lineage=True)],
            seconds=LINEAGE_SECONDS,
        )
    )


def _detached(item: Item) -> Item:
    return dataclasses.replace(
        item, activity=kept.detached(item.activity), module=kept.detached(item.module)
    )


def _graded_items(version: CourseVersion, *, lineage: bool) -> list[Item]:
    registry = plugins.registry()
    graded_types = contract.graded(registry.activity_types)
    if not graded_types:
        return []
    rows = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version.id, Activity.type.in_(sorted(graded_types)))
        .order_by(Module.position, Activity.position)
    ).all()
    same = activity_lineage([a.id for a, _m in rows]) if lineage else {}
    found: list[tuple[Activity, Module, str, Any, float, dict[str, Any]]] = []
    categories = registry.grade_categories()
    for activity, module in rows:
        activity_type = graded_types[activity.type]
        config = _decode(activity.config)
        category = contract.call_type(
            activity.type,
            "category",
            lambda t=activity_type, c=config: t.category(c),
            None,
            activity=activity.id,
        )
        if category is None or category not in categories:
            continue
        pass_mark = contract.call_type(
            activity.type,
            "pass_percent",
            lambda t=activity_type, c=config: float(t.pass_percent(c)),
            100.0,
            activity=activity.id,
        )
        found.append((activity, module, category, categories[category][1], pass_mark, config))
    grading = grading_of(version)
    per_category: dict[str, int] = defaultdict(int)
    for _a, _m, category, _c, _p, _s in found:
        per_category[category] += 1
    # A category the course does not have passes its weight on to the others, so the
    # weights of the items always add up to 100.
    present = sum(grading.weight(category) for category in per_category)

    def weight(category: str) -> float:
        if not present:
            return 100.0 / len(found)
        return grading.weight(category) * 100.0 / present / per_category[category]

    return [
        Item(
            activity=a,
            module=m,
            type_name=a.type,
            category=category,
            category_label=str(declared.label),
            weight=weight(category),
            pass_percent=pass_mark,
            graded=GradedActivity(
                id=a.id,
                key=a.key,
                title=a.title,
                module_id=m.id,
                module_slug=m.slug,
                config=config,
                ids=same.get(a.id, (a.id,)),
            ),
            gain=declared.gain,
        )
        for a, m, category, declared, pass_mark, config in found
    ]


def results(
    items: Sequence[Item], enrolments: Any
) -> tuple[dict[tuple[int, int], Result], set[str]]:
    """({(enrolment id, activity id): Result}, names of types that failed) for the items, one
    statement per graded type. A type whose query fails is logged and left out."""
    registry = plugins.registry()
    by_type: dict[str, list[GradedActivity]] = defaultdict(list)
    for item in items:
        by_type[item.type_name].append(item.graded)
    found: dict[tuple[int, int], Result] = {}
    failed: set[str] = set()
    for type_name, activities in by_type.items():
        activity_type = registry.activity_type(type_name)
        marker: dict[tuple[int, int], Result] = {(-1, -1): Result(None)}
        answer = contract.call_type(
            type_name,
            "result_query",
            lambda t=activity_type, a=activities: contract.run_result_query(t, a, enrolments),
            marker,
        )
        if answer is marker:
            failed.add(type_name)
            continue
        found.update(answer)
    return found, failed


# --------------------------------------------------------------------------- gradebook


@dataclass
class GradeLine:
    item: Item
    result: float | None
    state: str | None = None
    """The type's own state of the participant's work (e.g. submitted, returned)."""
    state_label: str | None = None
    unavailable: bool = False
    """The activity type failed to answer: its result cannot be shown now."""

    @property
    def passed(self) -> bool | None:
        if self.result is None:
            return None
        return self.result + 1e-9 >= self.item.pass_percent


@dataclass
class Gradebook:
    enrolment_id: int
    lines: list[GradeLine]
    pass_percent: float
    completed: int
    total: int

    @property
    def graded_weight(self) -> float:
        return sum(line.item.weight for line in self.lines if line.result is not None)

    @property
    def grade_so_far(self) -> float | None:
        """The weighted mean of what has been graded so far."""
        weight = self.graded_weight
        if not weight:
            return None
        done = [line for line in self.lines if line.result is not None]
        return sum(line.item.weight * line.result for line in done) / weight

    @property
    def final_grade(self) -> float:
        """The course grade counting what is not graded yet as 0."""
        return sum(line.item.weight * (line.result or 0) for line in self.lines) / 100.0

    @property
    def completion_percent(self) -> float:
        return 100.0 * self.completed / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.completed >= self.total

    @property
    def passed(self) -> bool:
        return self.complete and self.final_grade + 1e-9 >= self.pass_percent

    def remaining(self) -> list[GradeLine]:
        return [line for line in self.lines if line.item.weight and line.result is None]


def completion_counts(version_id: int, enrolment_ids: list[int]) -> dict[int, int]:
    """Completed activities of the version per enrolment (one GROUP BY)."""
    if not enrolment_ids:
        return {}
    return dict(
        db.session.execute(
            select(ActivityCompletion.enrolment_id, func.count(ActivityCompletion.id))
            .join(Activity, Activity.id == ActivityCompletion.activity_id)
            .join(Module, Module.id == Activity.module_id)
            .where(
                Module.version_id == version_id,
                ActivityCompletion.enrolment_id.in_(enrolment_ids),
            )
            .group_by(ActivityCompletion.enrolment_id)
        ).all()
    )


def activity_total(version_id: int) -> int:
    return db.session.scalar(
        select(func.count(Activity.id))
        .join(Module, Module.id == Activity.module_id)
        .where(Module.version_id == version_id)
    )


def _activity_total_of(version: CourseVersion) -> int:
    """`activity_total`, from the kept sessions of a published version (`courses.kept`)."""
    from courses.services import structure_of

    if kept.key_of(version) is None:
        return activity_total(version.id)
    return sum(len(activities) for activities in structure_of(version)[1].values())


def gradebooks(
    version: CourseVersion,
    enrolment_ids: list[int],
    items: list[Item] | None = None,
    done: Mapping[int, int] | None = None,
) -> dict[int, Gradebook]:
    """Gradebooks of several enrolments on one version (a fixed number of statements: the
    items, their lineage, one per graded type, completions and the activity count)."""
    registry = plugins.registry()
    items = graded_items(version) if items is None else items
    found, failed = results(items, enrolment_ids) if enrolment_ids else ({}, set())
    if done is None:  # a caller that counted them already passes {enrolment id: completed}
        done = completion_counts(version.id, enrolment_ids)
    total = _activity_total_of(version)
    pass_percent = float(grading_of(version).pass_percent)
    books = {}
    labels: dict[tuple[str, str | None], str | None] = {}  # translated once per render

    def label(type_name: str, state: str | None) -> str | None:
        key = (type_name, state)
        if key not in labels:
            labels[key] = contract.state_label(registry.activity_type(type_name), state)
        return labels[key]

    # Plain values read once: this loop runs participants × items times.
    keyed = [(item, item.graded.id, item.type_name, item.type_name in failed) for item in items]
    for enrolment_id in enrolment_ids:
        lines = []
        for item, activity_id, type_name, unavailable in keyed:
            result = found.get((enrolment_id, activity_id))
            if result is None:
                lines.append(GradeLine(item, None, None, label(type_name, None), unavailable))
            else:
                lines.append(
                    GradeLine(
                        item,
                        result.percent,
                        result.state,
                        label(type_name, result.state),
                        unavailable,
                    )
                )
        books[enrolment_id] = Gradebook(
            enrolment_id, lines, pass_percent, done.get(enrolment_id, 0), total
        )
    return books


# --------------------------------------------------------------------------- learning gain


def normalised_gain(pre: float | None, post: float | None) -> float | None:
    """(post − pre) / (100 − pre), both percentages; None when it cannot be computed."""
    if pre is None or post is None or pre >= 100:
        return None
    return (post - pre) / (100.0 - pre)


@dataclass
class ModuleGain:
    module: Module
    before: Item | None
    after: Item | None
    pre: dict[int, float]
    """{enrolment id: result percent of the module's first "before" item}"""
    post: dict[int, float]

    def gain(self, enrolment_id: int) -> float | None:
        return normalised_gain(self.pre.get(enrolment_id), self.post.get(enrolment_id))

    def cohort_gain(self, enrolment_ids: Iterable[int]) -> float | None:
        """The class-average gain (Hake): from the means of those who took both."""
        both = [e for e in enrolment_ids if e in self.pre and e in self.post]
        if not both:
            return None
        pre = statistics.fmean(self.pre[e] for e in both)
        post = statistics.fmean(self.post[e] for e in both)
        return normalised_gain(pre, post)


def learning_gain(
    version: CourseVersion, books: Mapping[int, Gradebook], items: list[Item]
) -> list[ModuleGain]:
    """Per module with a "before" and an "after" graded item (the categories that declare
    a gain role, such as pre- and post-test): each participant's two results."""
    gains: dict[int, ModuleGain] = {}
    modules: dict[int, Module] = {}
    for item in items:
        if item.gain not in ("before", "after"):
            continue
        modules[item.module.id] = item.module
        row = gains.setdefault(item.module.id, ModuleGain(item.module, None, None, {}, {}))
        if item.gain == "before" and row.before is None:
            row.before = item
        elif item.gain == "after" and row.after is None:
            row.after = item
    for row in gains.values():
        for enrolment_id, book in books.items():
            for line in book.lines:
                if line.result is None:
                    continue
                if row.before is not None and line.item.graded.id == row.before.graded.id:
                    row.pre[enrolment_id] = line.result
                elif row.after is not None and line.item.graded.id == row.after.graded.id:
                    row.post[enrolment_id] = line.result
    return [g for g in gains.values() if g.before is not None and g.after is not None]


def learning_gain_of(version: CourseVersion, enrolment_ids: list[int]) -> list[ModuleGain]:
    """`learning_gain` without a whole gradebook: the graded items and their results only."""
    items = [item for item in graded_items(version) if item.gain in ("before", "after")]
    found, failed = results(items, enrolment_ids) if items and enrolment_ids else ({}, set())
    books = {
        e: Gradebook(
            e,
            [
                GradeLine(item, r.percent if (r := found.get((e, item.graded.id))) else None)
                for item in items
            ],
            0.0,
            0,
            0,
        )
        for e in enrolment_ids
    }
    return learning_gain(version, books, items)


# --------------------------------------------------------------------------- activity


def last_activity(enrolment_ids: list[int]) -> dict[int, datetime]:
    """When each enrolment last did something: a completion, or what each graded type
    reports (one statement each)."""
    if not enrolment_ids:
        return {}
    queries: list[tuple[str, Any]] = [
        (
            "engine",
            select(ActivityCompletion.enrolment_id, func.max(ActivityCompletion.completed_at))
            .where(ActivityCompletion.enrolment_id.in_(enrolment_ids))
            .group_by(ActivityCompletion.enrolment_id),
        )
    ]
    for name, activity_type in contract.graded(plugins.registry().activity_types).items():
        hook = getattr(activity_type, "last_activity_query", None)
        if hook is not None:
            query = contract.call_type(
                name, "last_activity_query", lambda h=hook: h(enrolment_ids), None
            )
            if query is not None:
                queries.append((name, query))
    found: dict[int, datetime] = {}
    for name, query in queries:
        rows = contract.call_type(
            name, "last_activity_query", lambda q=query: db.session.execute(q).all(), []
        )
        for enrolment_id, moment in rows:
            if moment is None:
                continue
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            if enrolment_id not in found or moment > found[enrolment_id]:
                found[enrolment_id] = moment
    return found
