"""Course packages: read, validate and write the folder format, with no database or Flask.

A package is a folder::

    course.toml              format, slug, title, version, language, description, modules,
                             [grading], [at_risk]
    <module>/module.toml     title, summary, objectives, duration_minutes, indicators,
                             [unlock], [meeting], [[activities]]
    <module>/material.md     the reading material (UTF-8 Markdown, at most 200 KB)
    <module>/questions.toml  optional: the module's question bank, [[questions]]
    <module>/mentor.md       optional: notes for the cohort's mentors, coordinators and
                             admins only (UTF-8 Markdown, at most 200 KB, not empty)
    <module>/summary.md      optional: the session on one page, downloadable as a PDF by
                             everyone who follows it (UTF-8 Markdown, at most 450 words)

course.toml: `format` = 1; `slug` lowercase ASCII letters, digits and single hyphens;
`title`; `version` like "1.0.0"; `language` "id" or "en"; `modules` the module folder
names in order (each a slug too); `description` is optional, and so are the `[grading]`
and `[at_risk]` tables (see below). module.toml: `title`,
`summary`, `objectives` (a non-empty list of strings) and `duration_minutes` (1-1440) are
required; `indicators` (SPBE indicator numbers 1-47, no duplicates) defaults to none;
`[meeting]`, optional, needs `duration_minutes` and `agenda` (a list of strings). Unknown
keys are problems, so typos are caught. Other files (hidden ones, READMEs, assets) are
allowed as long as none is bigger than 1 MB.

`[grading]`, optional, says how the course grade is made: `pass_percent` (0-100, default 60)
is the grade needed to pass and `pre`, `practice`, `post` and `assignment` weigh the
pre-tests, practice quizzes, post-tests and practical assignments (each kind all together;
whole numbers 0-100, defaults 0, 0, 40 and 60) and must add up to 100, a key left out
counting as its default. `[at_risk]`, optional, says when a participant is flagged:
`missed_meetings` (absent from this many meetings, default 2), `overdue_days` (an assignment
overdue by more than this many days, default 7) and `inactive_days` (no activity for this
many days, default 14) are whole numbers 0-365 where 0 turns the rule off, and
`failed_post_test` (a post-test result below its pass mark, default true) is a boolean.
Without the tables the course has no grading or at-risk rules of its own (None);
`DEFAULT_GRADING` and `DEFAULT_AT_RISK` hold the defaults::

    [grading]
    pass_percent = 60
    pre = 0
    practice = 0
    post = 40
    assignment = 60

    [at_risk]
    missed_meetings = 2
    overdue_days = 7
    failed_post_test = true
    inactive_days = 14

`[unlock]`, optional, says when a module opens: `on` a TOML date (``on = 2027-02-01``, not
a date-time and not a string) and `after` a list of module slugs that must be complete
first, each listed *earlier* in course.toml `modules` (no duplicates).

`[[activities]]`, at least one per module and in order, is what a participant does in the
module. Each needs `key` (a slug, unique within the module), `type` (a registered activity
type, see `courses.activities`) and `title` (at most 200 characters); every other key is a
setting of that type, checked by the type's `validate_config`. Setting values may be
strings, integers, floats, booleans, dates, arrays of those, and arrays of tables of those
(no deeper: a table inside such a table, or an array inside an array, is a problem),
written as `[[activities.<key>]]` after the activity they belong to, just like a question's
configuration (see below); a problem inside one of those tables, such as `rubric[1].points`,
is reported at that table's line. A type with `requires_meeting` needs the module to have a
`[meeting]`::

    [unlock]
    on = 2027-02-01
    after = ["01-spbe-dan-dasar-hukum"]

    [[activities]]
    key = "bacaan"
    type = "reading"
    title = "Membaca materi sesi"

    [[activities]]
    key = "tugas"
    type = "assignment"
    title = "Tugas praktik Sesi 1"
    brief = "Petakan regulasi SPBE yang sudah ditindaklanjuti daerah Anda."
    pass_percent = 60

    [[activities.rubric]]
    criterion = "Kelengkapan peta regulasi"
    levels = ["Belum memadai", "Cukup", "Baik", "Sangat baik"]
    points = [0, 2, 3, 4]

questions.toml, optional, is the module's share of the course's question bank: quizzes
(`quizzes.activity`) list or draw questions from it. Each `[[questions]]` needs `key` (a
slug, unique across the whole course), `type` (a registered question type, see
`quizzes.types`), `name` (at most 200 characters) and `text` (the Markdown prompt);
`points` (a number above 0) defaults to 1, `tags` (strings of at most 64 characters, no
duplicates) to none (the module's slug is every question's tag without being written) and
`feedback` to none. Every other key is the type's configuration, checked by the type's
`validate_config`: strings, numbers, booleans, dates, arrays of those, and arrays of tables
of those, written as `[[questions.<key>]]` after the question they belong to::

    [[questions]]
    key = "q01-prinsip"
    type = "single_choice"
    name = "Prinsip SPBE"
    text = "Manakah prinsip SPBE?"
    tags = ["pre"]
    shuffle = true

    [[questions.options]]
    fraction = 1.0
    text = "Efektivitas"

Once every module has loaded, an activity type may look across files: its optional
`check_package(settings, module, course)` (a quiz checks that its questions exist) answers
with problems like `validate_config`, reported at the activity.

`load_package` returns the parsed package together with *every* problem it found (file
relative to the package root and, where it can tell, the line); the package is only
returned when there are no problems. `dump_package` writes a package back in the same
format, deterministically (an activity's or question's scalar keys sorted, then its arrays
of tables in key order, each table's keys sorted), and `content_hash` fingerprints one so an
importer can tell "unchanged".

Safety: a package is untrusted input. Module names that could name a path outside the
package are refused before the file system is touched, every symbolic link inside the
package is refused (never followed), files are opened without following links and every
path is checked to resolve inside the package root.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from courses import media, summaries

FORMAT_VERSION = 1
"""The `format` value of the package layout this module reads and writes."""

LANGUAGES = ("id", "en")
INDICATOR_COUNT = 47
"""SPBE evaluation indicators (PermenPANRB 59/2020) are numbered 1 to 47."""
MAX_SLUG_LENGTH = 64
MAX_DURATION_MINUTES = 1440
MAX_FILE_BYTES = 1024 * 1024
"""No file in a package may be bigger than 1 MB."""
MAX_MATERIAL_BYTES = 200 * 1024
"""material.md may be at most 200 KB."""
MAX_ACTIVITY_TITLE = 200
"""An activity's `title` may be at most 200 characters."""
MAX_QUESTION_NAME = 200
"""A question's `name` may be at most 200 characters."""
MAX_TAG_LENGTH = 64
"""A question's tag may be at most 64 characters."""
MAX_AT_RISK_VALUE = 365
"""An `[at_risk]` count of meetings or days may be at most 365."""

COURSE_FILE = "course.toml"
MODULE_FILE = "module.toml"
MATERIAL_FILE = "material.md"
QUESTIONS_FILE = "questions.toml"
MENTOR_FILE = "mentor.md"
SUMMARY_FILE = "summary.md"
SUMMARY_MAX_WORDS = 450
"""A one-page summary fits an A4 page with its title: longer ones are refused."""

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_TABLE_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\s*(?:#.*)?$")
_ARRAY_HEADER = re.compile(r"\s*\[\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]\s*(?:#.*)?$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_HEADER_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*""")
_INDEXED_KEY = re.compile(r"([^\[\]]+)\[([0-9]+)\](?:\.(.+))?")
"""A configuration key path such as `options[1]` or `options[1].fraction`."""
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_TOML_ERROR_AT_END = re.compile(r"\s*\(at end of document\)$")

_COURSE_KEYS = (
    "format",
    "slug",
    "title",
    "version",
    "language",
    "description",
    "modules",
    "grading",
    "at_risk",
)
STANDARD_WEIGHTS = (("pre", 0), ("practice", 0), ("post", 40), ("assignment", 60))
"""The built-in grade categories (declared by the quiz and assignment types) in the order
they are written, with the weight each has when `[grading]` leaves it out."""
_AT_RISK_KEYS = ("missed_meetings", "overdue_days", "failed_post_test", "inactive_days")
"""The keys of `[at_risk]`, in the order they are written."""
_MODULE_KEYS = (
    "title",
    "summary",
    "objectives",
    "duration_minutes",
    "indicators",
    "unlock",
    "meeting",
    "activities",
)
_MEETING_KEYS = ("duration_minutes", "agenda")
_UNLOCK_KEYS = ("on", "after")
_ACTIVITY_KEYS = ("key", "type", "title")
"""The keys every activity has; any other key of an `[[activities]]` table is a setting."""
_QUESTION_KEYS = ("key", "type", "name", "text", "points", "tags", "feedback")
"""The keys every question may have; any other key of a `[[questions]]` table is part of
the type's configuration."""
_QUESTIONS_FILE_KEYS = ("questions",)


@dataclass(frozen=True)
class MeetingPlan:
    """The live meeting with a mentor that belongs to a module."""

    duration_minutes: int
    agenda: tuple[str, ...]


@dataclass(frozen=True)
class UnlockRule:
    """When a module opens: on a day, after other modules are complete, or both."""

    on: datetime.date | None
    after: tuple[str, ...]


@dataclass(frozen=True)
class GradingWeights:
    """A course's `[grading]`: the course grade (0-100) needed to pass, and the weight of
    each grade category (all activities of that category together; they add up to 100).
    The categories are those the installed activity types declare (courses.contract)."""

    pass_percent: int = 60
    weights: tuple[tuple[str, int], ...] = STANDARD_WEIGHTS
    """(category, weight) pairs: the built-in categories first, then the others by name."""

    def weight(self, category: str) -> int:
        return dict(self.weights).get(category, 0)

    def as_dict(self) -> dict[str, int]:
        return {"pass_percent": self.pass_percent, **dict(self.weights)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> GradingWeights:
        """From the flat form `as_dict` gives (how a course version stores it)."""
        weights = {k: v for k, v in values.items() if k != "pass_percent"}
        return cls(pass_percent=values.get("pass_percent", 60), weights=_ordered_weights(weights))


def _ordered_weights(weights: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    standard = [name for name, _w in STANDARD_WEIGHTS]
    order = [n for n in standard if n in weights] + sorted(n for n in weights if n not in standard)
    return tuple((name, weights[name]) for name in order)


def grade_categories(activity_types: Mapping[str, Any]) -> tuple[str, ...]:
    """The category names the activity types declare, the built-in ones first."""
    names = {
        category.name
        for activity_type in activity_types.values()
        for category in getattr(activity_type, "grade_categories", ())
    }
    return tuple(name for name, _w in _ordered_weights(dict.fromkeys(names, 0)))


@dataclass(frozen=True)
class AtRiskRules:
    """A course's `[at_risk]`: when a participant is flagged as at risk. A count of 0
    turns its rule off."""

    missed_meetings: int = 2
    """Absent from this many meetings."""
    overdue_days: int = 7
    """An assignment overdue by more than this many days."""
    failed_post_test: bool = True
    """A post-test result below its pass mark."""
    inactive_days: int = 14
    """No activity for this many days."""


DEFAULT_GRADING = GradingWeights(pass_percent=60, weights=STANDARD_WEIGHTS)
"""The grading a course has when its `[grading]` leaves a key out (or has no table)."""
DEFAULT_AT_RISK = AtRiskRules(
    missed_meetings=2, overdue_days=7, failed_post_test=True, inactive_days=14
)
"""The at-risk rules a course has when its `[at_risk]` leaves a key out (or has no table)."""


SettingValue = str | int | float | bool | datetime.date | tuple[Any, ...]
"""A setting (or question configuration) value as held: a scalar, a tuple of scalars (an
array), or a tuple of tables (an array of tables), each table a tuple of (key, scalar or
tuple of scalars) pairs sorted by key (see `freeze_config`)."""


@dataclass(frozen=True)
class ActivityPackage:
    """One activity of a module; `settings` are the type's own, frozen and sorted by key
    (see `freeze_config`): an array of tables such as a rubric is a tuple of tables, each
    a tuple of (key, value) pairs sorted by key.

    Arrays given as lists and tables given as dicts are frozen on the way in, so that an
    activity built from stored (JSON) settings is held, compared, hashed and written like
    one read from a file.
    """

    key: str
    type: str
    title: str
    settings: tuple[tuple[str, SettingValue], ...]

    def __post_init__(self) -> None:
        if any(_unfrozen(value) for _, value in self.settings):
            frozen = tuple(
                (name, _freeze(value) if isinstance(value, list | tuple) else value)
                for name, value in self.settings
            )
            object.__setattr__(self, "settings", frozen)

    def settings_dict(self) -> dict[str, Any]:
        """The settings as TOML gave them: arrays as lists, tables as dicts (what the
        activity type's `validate_config` gets)."""
        return _thaw_config(self.settings)


def _unfrozen(value: object) -> bool:
    """Whether the array `value` is a list or holds lists or dicts (not yet frozen)."""
    if isinstance(value, list):
        return True
    return isinstance(value, tuple) and any(
        isinstance(item, list | dict) or _unfrozen(item) for item in value
    )


ConfigValue = SettingValue
"""A question's configuration value as held: the same shapes as `SettingValue`."""


@dataclass(frozen=True)
class QuestionPackage:
    """One question of a module's bank; `config` is the type's own, frozen and sorted by key
    (see `freeze_config`).

    `tags` leaves out the module's slug, which every question of the module has anyway.
    `points` is held as an int when it is a whole number (2.0 is held as 2), so that a
    question hashes and is written the same however its points were written or stored.
    """

    key: str
    type: str
    name: str
    text: str
    points: float | int = 1
    tags: tuple[str, ...] = ()
    feedback: str = ""
    config: tuple[tuple[str, ConfigValue], ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.points, float) and self.points.is_integer():
            object.__setattr__(self, "points", int(self.points))

    def config_dict(self) -> dict[str, Any]:
        """The configuration as TOML gave it: arrays as lists, tables as dicts (what the
        question type's `validate_config` gets)."""
        return _thaw_config(self.config)


def freeze_config(config: Mapping[str, Any]) -> tuple[tuple[str, ConfigValue], ...]:
    """A question's configuration or an activity's settings (plain dicts and lists, as TOML
    or JSON give them) as `QuestionPackage.config` and `ActivityPackage.settings` hold them;
    `config_dict` and `settings_dict` give them back."""
    return _freeze(dict(config))


def _freeze(value: Any) -> Any:
    """Lists as tuples and dicts as tuples of (key, value) pairs sorted by key, all the way
    down, so that a configuration is hashable and compares equal however it was written."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted(((k, _freeze(v)) for k, v in value.items()), key=lambda p: p[0]))
    return value


def _thaw(value: ConfigValue) -> Any:
    """Undo `_freeze` for the shapes a configuration may have: an array holds either
    scalars or tables (never arrays), and a table holds scalars or arrays of scalars."""
    if not isinstance(value, tuple):
        return value
    return [
        {k: list(v) if isinstance(v, tuple) else v for k, v in item}
        if isinstance(item, tuple)
        else item
        for item in value
    ]


@dataclass(frozen=True)
class ModulePackage:
    """One module (*sesi*); `slug` is its folder name inside the package."""

    slug: str
    title: str
    summary: str
    objectives: tuple[str, ...]
    duration_minutes: int
    indicators: tuple[int, ...]
    meeting: MeetingPlan | None
    material: str
    unlock: UnlockRule | None
    activities: tuple[ActivityPackage, ...]
    questions: tuple[QuestionPackage, ...] = ()
    mentor_notes: str = ""
    """mentor.md: what the session's mentors need and participants never see (expected
    outputs, common misconceptions, model answers, feedback on drafts); "" when absent."""
    summary_page: str = ""
    """summary.md: the session on one page (a PDF to keep or print); "" when absent."""
    assets: tuple[tuple[str, bytes], ...] = ()
    """Files under the module's assets/ folder as (`assets/<name>`, bytes), sorted by
    path; their types are checked by content (courses.media)."""


@dataclass(frozen=True)
class CoursePackage:
    """A whole course package; `modules` in the order course.toml lists them.

    `grading` and `at_risk` are None when course.toml has no such table (whoever uses them
    then falls back to `DEFAULT_GRADING` and `DEFAULT_AT_RISK`); a table that leaves keys
    out is held with their defaults filled in.
    """

    slug: str
    title: str
    version: str
    language: str
    description: str
    modules: tuple[ModulePackage, ...]
    grading: GradingWeights | None = None
    at_risk: AtRiskRules | None = None
    assets: tuple[tuple[str, bytes], ...] = ()
    """Files under the package root's assets/ folder (`assets/<name>`, bytes), sorted by
    path, shared by every module: material refers to them as `../assets/<name>`."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with a package: `file` is relative to the package root."""

    file: str
    line: int | None
    message: str
    warning: bool = False
    """A warning (an asset nothing refers to) is reported but does not refuse the package."""

    def __str__(self) -> str:
        label = "warning: " if self.warning else ""
        if self.line is None:
            return f"{self.file}: {label}{self.message}"
        return f"{self.file}:{self.line}: {label}{self.message}"


# --------------------------------------------------------------------------- loading


def _entry_point_registry() -> Any:
    from lms.plugins import build_registry

    return build_registry()


def default_activity_types() -> dict[str, Any]:
    """The installed activity types (entry points), for checking a package outside the app."""
    return dict(_entry_point_registry().activity_types)


def default_question_types() -> dict[str, Any]:
    """The installed question types (entry points), for checking a package outside the app."""
    return dict(_entry_point_registry().question_types)


def load_with(registry: Any, path: Path) -> tuple[CoursePackage | None, list[Problem]]:
    """`load_package` with a plugin registry's activity and question types."""
    return load_package(path, registry.activity_types, registry.question_types)


def load_package(
    path: Path,
    activity_types: Mapping[str, Any] | None = None,
    question_types: Mapping[str, Any] | None = None,
) -> tuple[CoursePackage | None, list[Problem]]:
    """Read and validate the package folder at `path`.

    `activity_types` maps each `type` an activity may have to its activity type (see
    `courses.activities`); None means the built-in ones (`default_activity_types`).
    `question_types` does the same for questions (see `quizzes.types.base`); None means
    the built-in ones (`default_question_types`). Returns `(package, [])` for a valid
    package, otherwise `(None, problems)` listing every problem found, sorted by file and
    line.
    """
    if activity_types is None or question_types is None:
        registry = _entry_point_registry()
        activity_types = registry.activity_types if activity_types is None else activity_types
        question_types = registry.question_types if question_types is None else question_types
    problems: list[Problem] = []
    try:
        root = Path(path).resolve(strict=True)
    except OSError:
        return None, [Problem(".", None, "package folder not found")]
    if not root.is_dir():
        return None, [Problem(".", None, "package path is not a folder")]

    refused = _scan(root, problems)
    course, listed = _load_course_file(root, refused, problems, activity_types)

    if listed is None:
        # course.toml is unusable: still check every module folder found, so that one
        # run reports as much as possible.
        names = [
            name
            for name in _root_folders(root)
            if name not in refused
            and name != media.ASSETS_FOLDER
            and _module_name_problem(name) is None
        ]
    else:
        names = listed.valid
        for name in _root_folders(root):
            if (
                name not in listed.all_strings
                and name not in refused
                and name != media.ASSETS_FOLDER  # the course's own files
            ):
                problems.append(
                    Problem(name, None, f"module folder is not listed in {COURSE_FILE} modules")
                )

    modules = []
    docs: list[_Doc] = []
    dependencies: list[_Dependencies] = []
    owners: dict[str, str] = {}
    for name in names:
        loaded = _load_module(
            root, name, refused, problems, activity_types, question_types, dependencies, owners
        )
        if loaded is not None:
            modules.append(loaded[0])
            docs.append(loaded[1])
    if listed is not None:
        _check_dependencies(dependencies, listed.all_strings)
    if course is not None and len(modules) == len(names):
        # Only a whole course is looked across: a module that did not load would make
        # its questions look missing to the other modules' quizzes.
        _check_across_files(replace(course, modules=tuple(modules)), docs, activity_types)

    course_assets = _load_assets(root, "", refused, problems)
    if course_assets is not None and len(modules) == len(names):
        _check_course_references(modules, course_assets, problems)

    problems.sort(key=lambda p: (p.file != COURSE_FILE, p.file.split("/"), p.line or 0))
    if any(not p.warning for p in problems) or course is None or course_assets is None:
        return None, problems
    total = sum(len(data) for module in modules for _path, data in module.assets)
    total += sum(len(data) for _path, data in course_assets)
    if total > media.MAX_PACKAGE_ASSET_BYTES:
        problems.append(
            Problem(
                ".",
                None,
                f"assets add up to {total} bytes; a package may carry at most "
                f"{media.MAX_PACKAGE_ASSET_BYTES} bytes",
            )
        )
        return None, problems
    return replace(course, modules=tuple(modules), assets=course_assets), problems


def _check_course_references(
    modules: list[ModulePackage], assets: tuple[tuple[str, bytes], ...], problems: list[Problem]
) -> None:
    """`../assets/<name>` in any module's material: missing files and images without alt
    text are errors; a course file no module refers to is a warning."""
    paths = {path for path, _data in assets}
    used: set[str] = set()
    for module in modules:
        for ref in media.course_references(module.material):
            used.add(ref.path)
            finding = media.reference_problem(ref, paths, "../")
            if finding is not None:
                problems.append(Problem(f"{module.slug}/{MATERIAL_FILE}", ref.line, finding))
    for path in sorted(paths - used):
        problems.append(Problem(path, None, "file is not referenced from any material.md", True))


@dataclass
class _ModuleNames:
    valid: list[str]
    all_strings: list[str]


@dataclass
class _Dependencies:
    """A module's `[unlock] after` list, checked against the course once all are read."""

    module: str
    doc: _Doc
    after: tuple[str, ...]


class _Doc:
    """One TOML file being validated: where its problems go and how to find key lines.

    Line lookups use indexes built once per file, so that a file with thousands of
    problems is still checked in linear time.
    """

    def __init__(self, file: str, text: str, problems: list[Problem]) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.problems = problems
        self._sections: list[tuple[int, str, str | None, bool]] | None = None
        self._headers: dict[str, int] = {}
        self._keys: dict[tuple[str | None, str], int] = {}
        self._positions: dict[int, int] = {}
        self._values: dict[int, tuple[dict[str, int], dict[str, int]]] = {}

    def add(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, line, message))

    def _outside_strings(self) -> list[tuple[int, str]]:
        """(line number, line) for lines that do not continue a multi-line string."""
        found = []
        open_quote: str | None = None
        for number, line in enumerate(self.lines, start=1):
            if open_quote is not None:
                if open_quote in line:
                    open_quote = None
                continue
            found.append((number, line))
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    open_quote = quote
                    break
        return found

    def _index(self) -> list[tuple[int, str, str | None, bool]]:
        """(line number, line, its table, whether it is the table's header line), indexing
        header and key lines on the way.

        The table is None for top-level keys, the name for `[name]` and `name[i]` for the
        i-th (from 0) `[[name]]` of an array of tables. A table inside an element of an
        array of tables belongs to its last element, as in TOML: after the second
        `[[questions]]`, `[[questions.options]]` starts `questions[1].options[0]`, then
        `questions[1].options[1]`.
        """
        if self._sections is not None:
            return self._sections
        self._sections = []
        current: str | None = None
        counts: dict[str, int] = {}
        for number, text in self._outside_strings():
            array = _ARRAY_HEADER.match(text)
            header = None if array else _TABLE_HEADER.match(text)
            if array or header:
                parts = _header_parts((array or header).group(1))
                name = ""
                for part in parts[:-1]:
                    name = f"{name}.{part}" if name else part
                    if name in counts:
                        name = f"{name}[{counts[name]}]"
                name = f"{name}.{parts[-1]}" if name else parts[-1]
                if array:
                    counts[name] = counts.get(name, -1) + 1
                    name = f"{name}[{counts[name]}]"
                current = name
            if (array or header) and current is not None:
                self._headers.setdefault(current, number)
            else:
                for key in _keys_defined(text):
                    self._keys.setdefault((current, key), number)
            self._positions[number] = len(self._sections)
            self._sections.append((number, text, current, bool(array or header)))
        return self._sections

    def line(self, key: str, table: str | None = None) -> int | None:
        """Where `key` of `table` (None: top level) is defined, else the first header of
        `key` written as a table of `table` (`[table.key]`, `[[table.key]]`; at the top
        level `[key]`, `[[key]]`), else `table`, else None."""
        self._index()
        found = self._keys.get((table, key))
        if found is not None:
            return found
        if table is None:
            return self._headers.get(key) or self._headers.get(f"{key}[0]")
        nested = self._headers.get(f"{table}.{key}[0]") or self._headers.get(f"{table}.{key}")
        return nested or self.table_line(table)

    def config_line(self, path: str, table: str) -> int | None:
        """Like `line`, for a key path that may reach into an array of tables:
        `options[1]` is the second `[[...options]]` of `table` and `options[1].text` its
        `text` (or the header of a table `text` written inside it; else that table's
        header, else the `options` key)."""
        self._index()
        found = self._keys.get((table, path))
        if found is not None:
            return found
        match = _INDEXED_KEY.fullmatch(path)
        if match is None:
            return self.line(path, table)
        key, index, inner_key = match.groups()
        inner = f"{table}.{key}[{int(index)}]"
        if inner_key is not None:
            found = (
                self._keys.get((inner, inner_key))
                or self._headers.get(f"{inner}.{inner_key}[0]")
                or self._headers.get(f"{inner}.{inner_key}")
            )
            if found is not None:
                return found
        return self._headers.get(inner) or self.line(key, table)

    def table_line(self, table: str) -> int | None:
        """The `[table]` (or `[[name]]` for `name[i]`) header line, else the line of a
        `table = {...}` (or `name = [...]`) key."""
        self._index()
        found = self._headers.get(table)
        if found is not None:
            return found
        return self.line(table.split("[", 1)[0])

    def value_line(self, value: str, key: str, table: str | None = None) -> int | None:
        """The line where the string `value` is written in the value of `key`, else the
        line of `key`."""
        start = self.line(key, table)
        if start is None:
            return None
        if start not in self._values:
            double: dict[str, int] = {}
            single: dict[str, int] = {}
            sections = self._index()
            for number, text, _, is_header in sections[self._positions.get(start, 0) :]:
                if number > start and is_header:
                    break
                if number >= start:
                    for found in _DOUBLE_QUOTED.findall(text):
                        double.setdefault(found, number)
                    for found in _SINGLE_QUOTED.findall(text):
                        single.setdefault(found, number)
            self._values[start] = (double, single)
        double, single = self._values[start]
        quoted = json.dumps(value, ensure_ascii=False)
        return double.get(quoted) or single.get(f"'{value}'") or start


def _header_parts(name: str) -> list[str]:
    """The keys of a table header's dotted name (`questions."options"` gives questions and
    options); the whole name, unquoted, if it is not one this reader can split."""
    parts = []
    position = 0
    while True:
        match = _HEADER_PART.match(name, position)
        if match is None:
            return [name.strip("\"' ")]
        part = match.group(1)
        parts.append(part[1:-1] if part[0] in "\"'" else part)
        position = match.end()
        if position == len(name):
            return parts
        if name[position] != ".":
            return [name.strip("\"' ")]
        position += 1


def _keys_defined(text: str) -> set[str]:
    """The keys `text` may define (`key =`, `"key" =`): what precedes the first `=`, with
    and without its quotes."""
    before, equals, _ = text.partition("=")
    raw = before.strip()
    if not equals or not raw:
        return set()
    keys = set()
    for key in (raw, raw[1:] if raw[0] in "\"'" else raw):
        keys.add(key)
        if key and key[-1] in "\"'":
            keys.add(key[:-1])
    return keys


def _load_course_file(
    root: Path, refused: set[str], problems: list[Problem], activity_types: Mapping[str, Any]
) -> tuple[CoursePackage | None, _ModuleNames | None]:
    """The course fields (with no modules yet) and the module names course.toml lists."""
    loaded = _read_toml(root, COURSE_FILE, refused, problems)
    if loaded is None:
        return None, None
    data, doc = loaded
    before = len(problems)

    _unknown_keys(doc, data, _COURSE_KEYS)
    fmt = data.get("format")
    if "format" not in data:
        doc.add("missing required key 'format' (this LMS reads format = 1)")
    elif not _is_int(fmt) or fmt != FORMAT_VERSION:
        doc.add(
            f"unsupported format {fmt!r}; this LMS reads format = {FORMAT_VERSION}",
            doc.line("format"),
        )
    slug = _slug(doc, data, "slug")
    title = _text(doc, data, "title")
    version = _text(doc, data, "version")
    if version is not None and not _VERSION.fullmatch(version):
        doc.add(
            f"'version' must look like 1.0.0 (major.minor.patch), not {version!r}",
            doc.line("version"),
        )
        version = None
    language = _text(doc, data, "language")
    if language is not None and language not in LANGUAGES:
        doc.add(
            f"'language' must be one of {', '.join(LANGUAGES)}, not {language!r}",
            doc.line("language"),
        )
        language = None
    description = _text(doc, data, "description", required=False, allow_empty=True)
    grading = _grading(doc, data, grade_categories(activity_types))
    at_risk = _at_risk(doc, data)
    names = _module_names(doc, data)
    if names is not None:
        _check_module_folders(root, doc, names, refused)

    if len(problems) > before or slug is None or title is None:
        return None, names
    if version is None or language is None:
        return None, names
    course = CoursePackage(
        slug=slug,
        title=title,
        version=version,
        language=language,
        description=description or "",
        modules=(),
        grading=grading,
        at_risk=at_risk,
    )
    return course, names


def _course_table(doc: _Doc, data: dict[str, Any], name: str, what: str) -> dict[str, Any] | None:
    """The course.toml table `name` (None, with a problem, when it is not a table)."""
    value = data[name]
    if not isinstance(value, dict):
        doc.add(
            f"{name!r} must be a table ([{name}] with {what}), not {_toml_type(value)}",
            doc.line(name),
        )
        return None
    return value


def _grading(doc: _Doc, data: dict[str, Any], categories: tuple[str, ...]) -> GradingWeights | None:
    """The `[grading]` table, defaults filled in; None when absent or with problems.

    Its keys are `pass_percent` and the grade categories the installed activity types
    declare; a built-in category left out takes its default weight, any other weighs 0."""
    if "grading" not in data:
        return None
    value = _course_table(doc, data, "grading", "pass_percent and a weight per grade category")
    if value is None:
        return None
    before = len(doc.problems)
    for key in value:
        if key == "pass_percent" or key in categories:
            continue
        close = difflib.get_close_matches(key, categories, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        doc.add(
            f"unknown grade category {_name(key, 'grading')!r}{hint}; the installed activity "
            f"types declare: {', '.join(categories) or 'none'}",
            doc.line(key, "grading"),
        )
    defaults = {n: w for n, w in STANDARD_WEIGHTS if n in categories}
    weights = {**defaults, **{k: v for k, v in value.items() if k in categories}}
    values = {"pass_percent": value.get("pass_percent", DEFAULT_GRADING.pass_percent), **weights}
    left_out = tuple(key for key in defaults if key not in value)
    for key, reason in _grading_problems(values, left_out):
        if key is None:
            doc.add(reason, doc.table_line("grading"))
        else:
            doc.add(f"{_name(key, 'grading')!r} {reason}", doc.line(key, "grading"))
    if len(doc.problems) > before:
        return None
    return GradingWeights.from_dict(values)


def _grading_problems(
    values: Mapping[str, object], left_out: tuple[str, ...] = ()
) -> list[tuple[str | None, str]]:
    """(key, or None for the table as a whole, and reason) for each problem with `[grading]`
    values (`pass_percent` and every weight); `left_out` names the weights that took their
    default."""
    found: list[tuple[str | None, str]] = []
    weights: list[int] = []
    keys = ["pass_percent"] + [k for k, _v in _ordered_weights(values) if k != "pass_percent"]
    for key in keys:
        value = values[key]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
            if key != "pass_percent":
                weights.append(value)
            continue
        what = "a percentage" if key == "pass_percent" else "a weight"
        found.append((key, f"must be a whole number from 0 to 100 ({what}), not {_shown(value)}"))
    total = sum(weights)
    if len(weights) == len(keys) - 1 and total != 100:
        parts = " + ".join(f"{key} {values[key]}" for key in keys[1:])
        note = f"; left out, so at their default: {', '.join(left_out)}" if left_out else ""
        found.append((None, f"[grading] weights add up to {total}, not 100 ({parts}{note})"))
    return found


def _at_risk(doc: _Doc, data: dict[str, Any]) -> AtRiskRules | None:
    """The `[at_risk]` table, defaults filled in; None when absent or with problems."""
    if "at_risk" not in data:
        return None
    value = _course_table(
        doc, data, "at_risk", "missed_meetings, overdue_days, failed_post_test, inactive_days"
    )
    if value is None:
        return None
    before = len(doc.problems)
    _unknown_keys(doc, value, _AT_RISK_KEYS, table="at_risk")
    values = {key: value.get(key, getattr(DEFAULT_AT_RISK, key)) for key in _AT_RISK_KEYS}
    for key, reason in _at_risk_problems(values):
        doc.add(f"{_name(key, 'at_risk')!r} {reason}", doc.line(key, "at_risk"))
    if len(doc.problems) > before:
        return None
    return AtRiskRules(**values)


def _at_risk_problems(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """(key, reason) for each problem with `[at_risk]` values (every key given)."""
    found = []
    for key in _AT_RISK_KEYS:
        value = values[key]
        if key == "failed_post_test":
            if not isinstance(value, bool):
                found.append((key, f"must be true or false, not {_kind(value)}"))
        elif not (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 <= value <= MAX_AT_RISK_VALUE
        ):
            found.append(
                (
                    key,
                    f"must be a whole number from 0 to {MAX_AT_RISK_VALUE} (0 turns the rule "
                    f"off), not {_shown(value)}",
                )
            )
    return found


def _shown(value: object) -> str:
    """An integer as written, anything else as `_kind` says."""
    return repr(value) if _is_int(value) else _kind(value)


def _kind(value: object) -> str:
    """A TOML value's type (`_toml_type`); anything else (held by a package built in code,
    not read from a file) as its repr."""
    toml = (str, int, float, list, dict, datetime.date, datetime.time)
    return _toml_type(value) if isinstance(value, toml) else repr(value)


def _module_names(doc: _Doc, data: dict[str, Any]) -> _ModuleNames | None:
    if "modules" not in data:
        doc.add("missing required key 'modules' (the list of module folders, in order)")
        return None
    value = data["modules"]
    line = doc.line("modules")
    if not isinstance(value, list):
        doc.add("'modules' must be a list of module folder names", line)
        return None
    if not value:
        doc.add("'modules' must list at least one module folder", line)
        return None
    names = _ModuleNames(valid=[], all_strings=[])
    for index, name in enumerate(value):
        if not isinstance(name, str):
            doc.add(f"modules[{index}] must be a string (a folder name), not {name!r}", line)
            continue
        names.all_strings.append(name)
        where = doc.value_line(name, "modules")
        reason = _module_name_problem(name)
        if reason is not None:
            doc.add(f"module name {name!r} refused: {reason}", where)
        elif name in names.valid:
            doc.add(f"module {name!r} is listed more than once", line)
        else:
            names.valid.append(name)
    return names


def _check_module_folders(root: Path, doc: _Doc, names: _ModuleNames, refused: set[str]) -> None:
    """Drop (and report) listed modules whose folder is missing or not a folder."""
    for name in list(names.valid):
        where = doc.value_line(name, "modules")
        path = root / name
        if name in refused:  # a symbolic link: reported by the scan
            names.valid.remove(name)
        elif not path.resolve().is_relative_to(root):
            doc.add(f"module {name!r} leads outside the package; refused", where)
            names.valid.remove(name)
        elif not os.path.lexists(path):
            doc.add(f"module {name!r} is listed but its folder is missing", where)
            names.valid.remove(name)
        elif not stat.S_ISDIR(path.lstat().st_mode):
            doc.add(f"module {name!r} is listed but is not a folder", where)
            names.valid.remove(name)


def _load_module(
    root: Path,
    name: str,
    refused: set[str],
    problems: list[Problem],
    activity_types: Mapping[str, Any],
    question_types: Mapping[str, Any],
    dependencies: list[_Dependencies],
    owners: dict[str, str],
) -> tuple[ModulePackage, _Doc] | None:
    """The module and its module.toml (for the problems found across files), or None."""
    before = len(problems)
    loaded = _read_toml(root, f"{name}/{MODULE_FILE}", refused, problems)
    material = _read_material(root, f"{name}/{MATERIAL_FILE}", refused, problems)
    mentor_notes = ""
    mentor_rel = f"{name}/{MENTOR_FILE}"
    if mentor_rel not in refused and os.path.lexists(root / mentor_rel):
        notes = _read_material(root, mentor_rel, refused, problems, "mentor notes")
        mentor_notes = notes or ""
    summary_page = _read_summary(root, f"{name}/{SUMMARY_FILE}", refused, problems)
    questions = _load_questions(root, name, refused, problems, question_types, owners)
    assets = _load_assets(root, name, refused, problems)
    if material is not None and assets is not None:
        for finding in media.check_references(material, {path for path, _data in assets}):
            problems.append(
                Problem(
                    f"{name}/{MATERIAL_FILE}" if finding.line else f"{name}/{finding.path}",
                    finding.line,
                    finding.message,
                    finding.warning,
                )
            )
    if loaded is None:
        return None
    data, doc = loaded
    _unknown_keys(doc, data, _MODULE_KEYS)
    title = _text(doc, data, "title")
    if summary_page and title is not None:
        # Laid out as the download is, under the longest heading it can get.
        pages = summaries.page_count(summary_page, f"Session 99. {title}")
        if pages > 1:
            problems.append(
                Problem(
                    f"{name}/{SUMMARY_FILE}",
                    None,
                    f"summary takes {pages} A4 pages in the PDF; shorten it to fit on one",
                )
            )
    summary = _text(doc, data, "summary")
    objectives = _strings(doc, data, "objectives", min_items=1)
    duration = _minutes(doc, data, "duration_minutes")
    indicators = _indicators(doc, data)
    unlock = _unlock(doc, data)
    if unlock is not None and unlock.after:
        dependencies.append(_Dependencies(name, doc, unlock.after))
    meeting = _meeting(doc, data)
    activities = _activities(doc, data, activity_types)
    if any(not p.warning for p in problems[before:]):
        return None
    if material is None or title is None or summary is None or assets is None:
        return None
    if objectives is None or duration is None or indicators is None or activities is None:
        return None
    if questions is None:
        return None
    module = ModulePackage(
        slug=name,
        title=title,
        summary=summary,
        objectives=objectives,
        duration_minutes=duration,
        indicators=indicators,
        meeting=meeting,
        material=material,
        unlock=unlock,
        activities=activities,
        questions=questions,
        mentor_notes=mentor_notes,
        summary_page=summary_page,
        assets=assets,
    )
    return module, doc


def _read_summary(root: Path, rel: str, refused: set[str], problems: list[Problem]) -> str:
    """The optional one-page summary: Markdown like the material, at most
    SUMMARY_MAX_WORDS words so that it fits one page."""
    if rel in refused or not os.path.lexists(root / rel):
        return ""
    text = _read_material(root, rel, refused, problems, "summary")
    if text is None:
        return ""
    words = len(text.split())
    if words > SUMMARY_MAX_WORDS:
        problems.append(
            Problem(
                rel,
                None,
                f"summary has {words} words; at most {SUMMARY_MAX_WORDS} fit on one page",
            )
        )
        return ""
    return text


def _load_assets(
    root: Path, name: str, refused: set[str], problems: list[Problem]
) -> tuple[tuple[str, bytes], ...] | None:
    """The module's assets/ files (the course's when `name` is ""), each checked by
    content; None if any is refused."""
    folder = root / name / media.ASSETS_FOLDER
    rel_folder = f"{name}/{media.ASSETS_FOLDER}" if name else media.ASSETS_FOLDER
    if _is_refused(rel_folder, refused) or not os.path.lexists(folder):
        return ()
    if not stat.S_ISDIR(folder.lstat().st_mode):
        problems.append(Problem(rel_folder, None, "assets must be a folder"))
        return None
    found: list[tuple[str, bytes]] = []
    ok = True
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        rel = f"{rel_folder}/{entry.name}"
        path = f"{media.ASSETS_FOLDER}/{entry.name}"
        if _is_refused(rel, refused):
            ok = False
            continue
        if entry.is_dir(follow_symlinks=False):
            problems.append(Problem(rel, None, "asset sub-folders are not allowed"))
            ok = False
            continue
        reason = media.name_problem(path)
        if reason is not None:
            problems.append(Problem(rel, None, reason))
            ok = False
            continue
        data = (root / rel).read_bytes()
        try:
            media.sniff(data)
        except media.AssetRefused as error:
            problems.append(Problem(rel, None, str(error)))
            ok = False
            continue
        found.append((path, data))
    return tuple(found) if ok else None


def _meeting(doc: _Doc, data: dict[str, Any]) -> MeetingPlan | None:
    if "meeting" not in data:
        return None
    value = data["meeting"]
    if not isinstance(value, dict):
        doc.add(
            f"'meeting' must be a table ([meeting] with duration_minutes and agenda), "
            f"not {_toml_type(value)}",
            doc.line("meeting"),
        )
        return None
    _unknown_keys(doc, value, _MEETING_KEYS, table="meeting")
    duration = _minutes(doc, value, "duration_minutes", table="meeting")
    agenda = _strings(doc, value, "agenda", min_items=0, table="meeting")
    if duration is None or agenda is None:
        return None
    return MeetingPlan(duration_minutes=duration, agenda=agenda)


def _unlock(doc: _Doc, data: dict[str, Any]) -> UnlockRule | None:
    """The `[unlock]` rule; `after` is checked against the course later."""
    if "unlock" not in data:
        return None
    value = data["unlock"]
    if not isinstance(value, dict):
        doc.add(
            f"'unlock' must be a table ([unlock] with on and/or after), not {_toml_type(value)}",
            doc.line("unlock"),
        )
        return None
    before = len(doc.problems)
    _unknown_keys(doc, value, _UNLOCK_KEYS, table="unlock")
    on = value.get("on")
    if "on" in value and not _is_date(on):
        doc.add(
            f"'unlock.on' must be a date written without quotes, like on = 2027-02-01, "
            f"not {_toml_type(on)}",
            doc.line("on", "unlock"),
        )
    after: tuple[str, ...] = ()
    if "after" in value:
        after = _strings(doc, value, "after", min_items=0, table="unlock") or ()
        seen: set[str] = set()
        for name in after:
            if name in seen:
                doc.add(
                    f"module {name!r} is listed more than once in 'unlock.after'",
                    doc.line("after", "unlock"),
                )
            seen.add(name)
    if len(doc.problems) > before or (on is None and not after):
        return None  # an empty [unlock] means no rule
    return UnlockRule(on=on, after=after)


def _check_dependencies(dependencies: list[_Dependencies], order: list[str]) -> None:
    """Every `[unlock] after` names a module listed earlier in course.toml `modules`."""
    positions: dict[str, int] = {}
    for position, name in enumerate(order):
        positions.setdefault(name, position)
    for entry in dependencies:
        for name in entry.after:
            line = entry.doc.value_line(name, "after", "unlock")
            if name == entry.module:
                entry.doc.add(
                    f"'unlock.after' lists this module ({name!r}) itself; a module cannot "
                    "depend on itself",
                    line,
                )
            elif name not in positions:
                entry.doc.add(
                    f"'unlock.after' lists {name!r}, which is not a module of this course "
                    f"(see {COURSE_FILE} modules)",
                    line,
                )
            elif positions[name] > positions[entry.module]:
                entry.doc.add(
                    f"'unlock.after' lists {name!r}, which comes later in {COURSE_FILE} "
                    "modules; a module can only depend on modules listed before it",
                    line,
                )


def _activities(
    doc: _Doc, data: dict[str, Any], activity_types: Mapping[str, Any]
) -> tuple[ActivityPackage, ...] | None:
    if "activities" not in data:
        doc.add("a module needs at least one activity: add an [[activities]] table")
        return None
    value = data["activities"]
    if not isinstance(value, list):
        doc.add(
            "'activities' must be an array of tables ([[activities]] with key, type and "
            f"title), not {_toml_type(value)}",
            doc.table_line("activities"),
        )
        return None
    if not value:
        doc.add("a module needs at least one activity", doc.line("activities"))
        return None
    before = len(doc.problems)
    activities = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        table = f"activities[{index}]"
        if not isinstance(item, dict):
            doc.add(
                f"{table} must be a table (key, type, title), not {_toml_type(item)}",
                doc.line("activities"),
            )
            continue
        activity = _activity(doc, item, table, activity_types, has_meeting="meeting" in data)
        key = item.get("key")
        if isinstance(key, str) and key in seen:
            doc.add(
                f"activity key {key!r} is used more than once in this module; keys must be unique",
                doc.line("key", table),
            )
        elif isinstance(key, str):
            seen.add(key)
        if activity is not None:
            activities.append(activity)
    if len(doc.problems) > before:
        return None
    return tuple(activities)


def _activity(
    doc: _Doc,
    data: dict[str, Any],
    table: str,
    activity_types: Mapping[str, Any],
    *,
    has_meeting: bool,
) -> ActivityPackage | None:
    before = len(doc.problems)
    key = _slug(doc, data, "key", table=table, example="bacaan")
    title = _text(doc, data, "title", table=table)
    if title is not None and len(title) > MAX_ACTIVITY_TITLE:
        doc.add(
            f"{_name('title', table)!r} must be at most {MAX_ACTIVITY_TITLE} characters, "
            f"not {len(title)}",
            doc.line("title", table),
        )
    settings = {k: v for k, v in data.items() if k not in _ACTIVITY_KEYS}
    settings_ok = True
    for name, value in settings.items():
        for path, reason in _config_value_problems(name, value, _SETTING_SHAPES):
            doc.add(f"setting {_name(path, table)!r} {reason}", doc.config_line(path, table))
            settings_ok = False
    held = freeze_config(settings)

    type_name = _text(doc, data, "type", table=table)
    activity_type = None
    if type_name is not None:
        activity_type = activity_types.get(type_name)
        if activity_type is None:
            known = ", ".join(sorted(activity_types)) or "none"
            doc.add(
                f"unknown activity type {type_name!r} in {table}; known types: {known}",
                doc.line("type", table),
            )
    if activity_type is not None:
        if getattr(activity_type, "requires_meeting", False) and not has_meeting:
            doc.add(
                f"activity type {type_name!r} ({table}) needs the module to have a "
                "[meeting] table (duration_minutes and agenda)",
                doc.line("type", table),
            )
        if settings_ok:
            _check_settings(doc, table, type_name, activity_type, held)

    if len(doc.problems) > before or key is None or type_name is None or title is None:
        return None
    return ActivityPackage(key=key, type=type_name, title=title, settings=held)


def _check_settings(
    doc: _Doc,
    table: str,
    type_name: str,
    activity_type: Any,
    settings: tuple[tuple[str, SettingValue], ...],
) -> None:
    """Turn what the activity type's `validate_config` says into problems."""
    try:
        found = list(activity_type.validate_config(_thaw_config(settings)))
    except Exception as exc:  # a plugin's bug must not stop validation of the package
        doc.add(
            f"activity type {type_name!r} failed to check the settings of {table}: "
            f"{type(exc).__name__}: {exc}",
            doc.table_line(table),
        )
        return
    _report_config_problems(doc, table, found, "setting ", "settings")


def _report_config_problems(doc: _Doc, table: str, found: list[Any], one: str, whole: str) -> None:
    """Turn `ConfigProblem`s about `table` into problems at the line of their key (`one`
    goes before such a key, `whole` names the configuration as a whole, for key None)."""
    for problem in found:
        key = getattr(problem, "key", None)
        message = str(getattr(problem, "message", problem))
        if key is not None:
            where = doc.config_line(str(key), table)
            value = getattr(problem, "value", None)
            if isinstance(value, str):
                where = doc.value_line(value, str(key), table) or where
            doc.add(f"{one}{_name(str(key), table)!r}: {message}", where)
        else:
            doc.add(f"{whole} of {table}: {message}", doc.table_line(table))


def _check_across_files(
    course: CoursePackage, docs: list[_Doc], activity_types: Mapping[str, Any]
) -> None:
    """Give each activity type that has one its `check_package(settings, module, course)`,
    reporting what it finds at the activity in module.toml."""
    for module, doc in zip(course.modules, docs, strict=True):
        for index, activity in enumerate(module.activities):
            check = getattr(activity_types.get(activity.type), "check_package", None)
            if not callable(check):
                continue
            table = f"activities[{index}]"
            try:
                found = list(check(activity.settings_dict(), module, course))
            except Exception as exc:  # a plugin's bug must not stop validation of the package
                doc.add(
                    f"activity type {activity.type!r} failed to check {table} against the "
                    f"rest of the course: {type(exc).__name__}: {exc}",
                    doc.table_line(table),
                )
                continue
            _report_config_problems(doc, table, found, "setting ", "settings")


def _scalar_problem(value: object) -> str | None:
    """Why `value`, not a table, cannot be held as a scalar or an array of scalars (of an
    activity setting, a question configuration or a table inside one), or None."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, list | dict):
                return (
                    "must not hold nested arrays or tables; an array may only hold strings, "
                    "numbers, booleans and dates"
                )
            reason = _scalar_problem(item)
            if reason is not None:
                return reason
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, not {value!r}"
    if isinstance(value, datetime.datetime | datetime.time):
        return f"must not be {_toml_type(value)}; use a date (like 2027-02-01) or a string"
    return None


def _load_questions(
    root: Path,
    name: str,
    refused: set[str],
    problems: list[Problem],
    question_types: Mapping[str, Any],
    owners: dict[str, str],
) -> tuple[QuestionPackage, ...] | None:
    """The questions of the module's questions.toml, () when it has none, None on problems.

    `owners` maps each question key already seen in the course to its module."""
    rel = f"{name}/{QUESTIONS_FILE}"
    if _is_refused(rel, refused):
        return None  # reported by the scan
    if not os.path.lexists(root / rel):
        return ()
    loaded = _read_toml(root, rel, refused, problems)
    if loaded is None:
        return None
    data, doc = loaded
    before = len(problems)
    _unknown_keys(doc, data, _QUESTIONS_FILE_KEYS)
    value = data.get("questions")
    if not isinstance(value, list) or not value:
        if "questions" in data and not isinstance(value, list):
            doc.add(
                "'questions' must be an array of tables ([[questions]] with key, type, name "
                f"and text), not {_toml_type(value)}",
                doc.table_line("questions"),
            )
        else:
            doc.add(
                f"{QUESTIONS_FILE} holds no questions: add a [[questions]] table or leave the "
                "file out",
                doc.line("questions"),
            )
        return None
    questions = []
    for index, item in enumerate(value):
        table = f"questions[{index}]"
        if not isinstance(item, dict):
            doc.add(
                f"{table} must be a table (key, type, name, text), not {_toml_type(item)}",
                doc.line("questions"),
            )
            continue
        question = _question(doc, item, table, name, question_types)
        key = item.get("key")
        if isinstance(key, str):
            owner = owners.get(key)
            if owner == name:
                doc.add(
                    f"question key {key!r} is used more than once in this module; question "
                    "keys must be unique across the course",
                    doc.line("key", table),
                )
            elif owner is not None:
                doc.add(
                    f"question key {key!r} is already used in module {owner!r}; question "
                    "keys must be unique across the course",
                    doc.line("key", table),
                )
            else:
                owners[key] = name
        if question is not None:
            questions.append(question)
    if len(problems) > before:
        return None
    return tuple(questions)


def _question(
    doc: _Doc,
    data: dict[str, Any],
    table: str,
    module: str,
    question_types: Mapping[str, Any],
) -> QuestionPackage | None:
    before = len(doc.problems)
    key = _slug(doc, data, "key", table=table, example="q01-prinsip")
    name = _text(doc, data, "name", table=table)
    if name is not None and len(name) > MAX_QUESTION_NAME:
        doc.add(
            f"{_name('name', table)!r} must be at most {MAX_QUESTION_NAME} characters, "
            f"not {len(name)}",
            doc.line("name", table),
        )
    text = _text(doc, data, "text", table=table)
    points = data.get("points", 1)
    number = isinstance(points, int | float) and not isinstance(points, bool)
    if not number or not math.isfinite(points) or not points > 0:
        doc.add(
            f"{_name('points', table)!r} must be a number greater than 0, not {points!r}",
            doc.line("points", table),
        )
    tags = _tags(doc, data, table, module)
    feedback = _text(doc, data, "feedback", table=table, required=False, allow_empty=True)

    config = {k: v for k, v in data.items() if k not in _QUESTION_KEYS}
    config_ok = True
    for setting, value in config.items():
        for path, reason in _config_value_problems(setting, value):
            doc.add(f"{_name(path, table)!r} {reason}", doc.config_line(path, table))
            config_ok = False
    held = freeze_config(config)

    type_name = _text(doc, data, "type", table=table)
    question_type = None
    if type_name is not None:
        question_type = question_types.get(type_name)
        if question_type is None:
            known = ", ".join(sorted(question_types)) or "none"
            doc.add(
                f"unknown question type {type_name!r} in {table}; known types: {known}",
                doc.line("type", table),
            )
    if question_type is not None and config_ok:
        try:
            found = list(question_type.validate_config(_thaw_config(held)))
        except Exception as exc:  # a plugin's bug must not stop validation of the package
            doc.add(
                f"question type {type_name!r} failed to check the configuration of {table}: "
                f"{type(exc).__name__}: {exc}",
                doc.table_line(table),
            )
        else:
            _report_config_problems(doc, table, found, "", "configuration")

    if len(doc.problems) > before or key is None or type_name is None:
        return None
    if name is None or text is None or tags is None:
        return None
    return QuestionPackage(
        key=key,
        type=type_name,
        name=name,
        text=text,
        points=points,
        tags=tags,
        feedback=feedback or "",
        config=held,
    )


def _thaw_config(config: tuple[tuple[str, ConfigValue], ...]) -> dict[str, Any]:
    return {key: _thaw(value) for key, value in config}


def _tags(doc: _Doc, data: dict[str, Any], table: str, module: str) -> tuple[str, ...] | None:
    if "tags" not in data:
        return ()
    value = data["tags"]
    name = _name("tags", table)
    line = doc.line("tags", table)
    if not isinstance(value, list):
        doc.add(f"{name!r} must be a list of tags (strings), not {_toml_type(value)}", line)
        return None
    ok = True
    seen: set[str] = set()
    for index, tag in enumerate(value):
        if not isinstance(tag, str):
            doc.add(f"{name}[{index}] must be a string, not {_toml_type(tag)}", line)
            ok = False
            continue
        where = doc.value_line(tag, "tags", table)
        if not tag.strip():
            doc.add(f"{name}[{index}] must not be empty", where)
        elif len(tag) > MAX_TAG_LENGTH:
            doc.add(
                f"{name}[{index}] must be at most {MAX_TAG_LENGTH} characters, not {len(tag)}",
                where,
            )
        elif tag in seen:
            doc.add(f"tag {tag!r} is listed more than once in {name!r}", where)
        elif tag == module:
            doc.add(
                f"tag {tag!r} is this module's slug, which every question of the module "
                "has without writing it; leave it out",
                where,
            )
        else:
            seen.add(tag)
            continue
        ok = False
    return tuple(value) if ok else None


_CONFIG_SHAPES = (
    "a question's configuration may hold strings, numbers, booleans, dates, arrays of "
    "those, and arrays of tables holding those"
)
_SETTING_SHAPES = (
    "an activity's settings may be strings, numbers, booleans, dates, arrays of those, "
    "and arrays of tables holding those"
)


def _config_value_problems(
    key: str, value: object, shapes: str = _CONFIG_SHAPES
) -> list[tuple[str, str]]:
    """(key path, reason) for each part of a configuration value (or activity setting) a
    package cannot hold; `shapes` says what may be held."""
    if isinstance(value, dict):
        return [(key, f"must not be a table; {shapes}")]
    if not isinstance(value, list):
        reason = _scalar_problem(value)
        return [] if reason is None else [(key, reason)]
    tables = sum(isinstance(item, dict) for item in value)
    if tables and tables < len(value):
        return [(key, "must not mix tables and other values in one array")]
    if not tables:
        if any(isinstance(item, list) for item in value):
            return [(key, f"must not hold nested arrays; {shapes}")]
        reason = _scalar_problem(value)
        return [] if reason is None else [(key, reason)]
    found = []
    for index, item in enumerate(value):
        for inner, inner_value in item.items():
            path = f"{key}[{index}].{inner}"
            if isinstance(inner_value, dict):
                found.append((path, f"must not be a table; {shapes}"))
                continue
            reason = _scalar_problem(inner_value)
            if reason is not None:
                found.append((path, reason))
    return found


# ----------------------------------------------------------------- field validators


def _name(key: str, table: str | None) -> str:
    return f"{table}.{key}" if table else key


def _missing(doc: _Doc, key: str, table: str | None) -> None:
    where = doc.table_line(table) if table else None
    doc.add(f"missing required key {_name(key, table)!r}", where)


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.datetime):
        return "a date-time"
    if isinstance(value, datetime.date):
        return "a date"
    return "a time"


def _is_int(value: object) -> bool:
    """True for a TOML integer (Python's bool is an int, TOML's is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value: object) -> bool:
    """True for a TOML local date (a Python datetime is a date too, TOML's is not)."""
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _unknown_keys(
    doc: _Doc, data: dict[str, Any], allowed: tuple[str, ...], table: str | None = None
) -> None:
    for key in data:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        doc.add(
            f"unknown key {_name(key, table)!r}{hint}; known keys: {', '.join(allowed)}",
            doc.line(key, table),
        )


def _text(
    doc: _Doc,
    data: dict[str, Any],
    key: str,
    *,
    table: str | None = None,
    required: bool = True,
    allow_empty: bool = False,
) -> str | None:
    if key not in data:
        if required:
            _missing(doc, key, table)
        return None
    value = data[key]
    if not isinstance(value, str):
        doc.add(
            f"{_name(key, table)!r} must be a string, not {_toml_type(value)}",
            doc.line(key, table),
        )
        return None
    if not allow_empty and not value.strip():
        doc.add(f"{_name(key, table)!r} must not be empty", doc.line(key, table))
        return None
    return value


def _slug(
    doc: _Doc,
    data: dict[str, Any],
    key: str,
    *,
    table: str | None = None,
    example: str = "spbe-dasar",
) -> str | None:
    value = _text(doc, data, key, table=table)
    if value is None:
        return None
    if len(value) > MAX_SLUG_LENGTH or not _SLUG.fullmatch(value):
        doc.add(
            f"{_name(key, table)!r} must be lowercase ASCII letters, digits and single "
            f"hyphens (at most {MAX_SLUG_LENGTH} characters, like {example!r}), not {value!r}",
            doc.line(key, table),
        )
        return None
    return value


def _minutes(doc: _Doc, data: dict[str, Any], key: str, table: str | None = None) -> int | None:
    if key not in data:
        _missing(doc, key, table)
        return None
    value = data[key]
    if not _is_int(value) or not 1 <= value <= MAX_DURATION_MINUTES:
        doc.add(
            f"{_name(key, table)!r} must be a whole number of minutes from 1 to "
            f"{MAX_DURATION_MINUTES}, not {value!r}",
            doc.line(key, table),
        )
        return None
    return value


def _strings(
    doc: _Doc, data: dict[str, Any], key: str, *, min_items: int, table: str | None = None
) -> tuple[str, ...] | None:
    if key not in data:
        _missing(doc, key, table)
        return None
    value = data[key]
    line = doc.line(key, table)
    name = _name(key, table)
    if not isinstance(value, list):
        doc.add(f"{name!r} must be a list of strings, not {_toml_type(value)}", line)
        return None
    if len(value) < min_items:
        doc.add(f"{name!r} must list at least {min_items} item(s)", line)
        return None
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str):
            doc.add(f"{name}[{index}] must be a string, not {_toml_type(item)}", line)
            ok = False
        elif not item.strip():
            doc.add(f"{name}[{index}] must not be empty", line)
            ok = False
    return tuple(value) if ok else None


def _indicators(doc: _Doc, data: dict[str, Any]) -> tuple[int, ...] | None:
    value = data.get("indicators", [])
    line = doc.line("indicators")
    if not isinstance(value, list):
        doc.add(
            f"'indicators' must be a list of SPBE indicator numbers (1-{INDICATOR_COUNT}), "
            f"not {_toml_type(value)}",
            line,
        )
        return None
    ok = True
    seen: set[int] = set()
    for index, item in enumerate(value):
        if not _is_int(item) or not 1 <= item <= INDICATOR_COUNT:
            doc.add(
                f"indicators[{index}] must be an SPBE indicator number from 1 to "
                f"{INDICATOR_COUNT}, not {item!r}",
                line,
            )
            ok = False
        elif item in seen:
            doc.add(f"indicator {item} is listed more than once", line)
            ok = False
        else:
            seen.add(item)
    return tuple(value) if ok else None


def _module_name_problem(name: str) -> str | None:
    """Why `name` cannot be a module folder name, or None. Checked before any file access."""
    if not name:
        return "it is empty"
    if "/" in name or "\\" in name:
        return "it contains a path separator"
    if ".." in name:
        return "it contains '..'"
    if name.startswith("."):
        return "it starts with '.'"
    if name == media.ASSETS_FOLDER:
        return "it is the folder of the course's own files"
    if len(name) > MAX_SLUG_LENGTH or not _SLUG.fullmatch(name):
        return (
            "use lowercase ASCII letters, digits and single hyphens "
            f"(at most {MAX_SLUG_LENGTH} characters, like '01-introduction')"
        )
    return None


# ----------------------------------------------------------------------- file access


def _scan(root: Path, problems: list[Problem]) -> set[str]:
    """Walk the package without following links; report links, odd and oversized files.

    Returns the refused paths (relative, '/'-separated), which later reads skip silently
    because they are already reported.
    """
    refused: set[str] = set()
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            rel = folder.relative_to(root).as_posix()
            problems.append(Problem(rel, None, f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            rel = Path(entry.path).relative_to(root).as_posix()
            try:
                if entry.is_symlink():
                    problems.append(
                        Problem(rel, None, "symbolic links are not allowed in a package; refused")
                    )
                    refused.add(rel)
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                    if _is_asset(rel):
                        if size > media.MAX_ASSET_BYTES:
                            problems.append(
                                Problem(
                                    rel,
                                    None,
                                    f"file is {size} bytes; an asset may be at most "
                                    f"{media.MAX_ASSET_BYTES} bytes",
                                )
                            )
                            refused.add(rel)
                    elif size > MAX_FILE_BYTES:
                        problems.append(Problem(rel, None, _too_big(size)))
                        refused.add(rel)
                else:
                    problems.append(Problem(rel, None, "not a regular file or folder; refused"))
                    refused.add(rel)
            except OSError as exc:
                problems.append(Problem(rel, None, f"cannot read: {exc.strerror}"))
                refused.add(rel)
    return refused


def _is_asset(rel: str) -> bool:
    parts = rel.split("/")
    return (len(parts) == 3 and parts[1] == media.ASSETS_FOLDER) or (
        len(parts) == 2 and parts[0] == media.ASSETS_FOLDER
    )


def _too_big(size: int) -> str:
    return f"file is {size} bytes; files may be at most 1 MB ({MAX_FILE_BYTES} bytes)"


def _root_folders(root: Path) -> list[str]:
    """Names of the real (not linked, not hidden) folders at the package root."""
    with os.scandir(root) as listing:
        return sorted(
            entry.name
            for entry in listing
            if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)
        )


def _is_refused(rel: str, refused: set[str]) -> bool:
    parts = rel.split("/")
    return any("/".join(parts[:end]) in refused for end in range(1, len(parts) + 1))


def _read_file(root: Path, rel: str, refused: set[str], problems: list[Problem]) -> bytes | None:
    """The bytes of the regular file `rel` inside `root`, or None (with a problem)."""
    if _is_refused(rel, refused):
        return None
    path = root / rel
    if not path.resolve().is_relative_to(root):
        problems.append(Problem(rel, None, "path leads outside the package; refused"))
        return None
    try:
        info = path.lstat()
    except FileNotFoundError:
        problems.append(Problem(rel, None, "file is missing"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, None, f"cannot read: {exc.strerror}"))
        return None
    if stat.S_ISLNK(info.st_mode):
        problems.append(Problem(rel, None, "symbolic links are not allowed in a package; refused"))
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(rel, None, "not a regular file; refused"))
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        problems.append(Problem(rel, None, f"cannot read: {exc.strerror}"))
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            problems.append(Problem(rel, None, "not a regular file; refused"))
            return None
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(rel, None, _too_big(len(data))))
        return None
    return data


def _decode(rel: str, data: bytes, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(rel, line, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8")
        )
        return None


def _read_toml(
    root: Path, rel: str, refused: set[str], problems: list[Problem]
) -> tuple[dict[str, Any], _Doc] | None:
    data = _read_file(root, rel, refused, problems)
    if data is None:
        return None
    text = _decode(rel, data, problems)
    if text is None:
        return None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(rel, *_toml_error(exc, text)))
        return None
    return parsed, _Doc(rel, text, problems)


def _toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    """(line, message) of a TOML syntax error, on every Python from 3.11 on."""
    message = str(getattr(exc, "msg", None) or exc)
    line = getattr(exc, "lineno", None)  # Python 3.14 and later
    at = _TOML_ERROR_AT.search(message)
    if at:
        line = line or int(at.group(1))
        message = message[: at.start()]
    elif _TOML_ERROR_AT_END.search(message):
        line = line or max(len(text.splitlines()), 1)
        message = _TOML_ERROR_AT_END.sub("", message) + " (at end of file)"
    return line, f"TOML syntax error: {message}"


def _read_material(
    root: Path, rel: str, refused: set[str], problems: list[Problem], what: str = "material"
) -> str | None:
    data = _read_file(root, rel, refused, problems)
    if data is None:
        return None
    too_big = len(data) > MAX_MATERIAL_BYTES
    if too_big:
        problems.append(
            Problem(
                rel,
                None,
                f"{what} is {len(data)} bytes; at most 200 KB ({MAX_MATERIAL_BYTES} bytes) "
                "allowed: split the module",
            )
        )
    text = _decode(rel, data, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(rel, None, f"{what} is empty"))
        return None
    return None if too_big else text


# --------------------------------------------------------------------------- writing


def dump_package(course: CoursePackage, dest: Path) -> None:
    """Write `course` as a package folder at `dest` (which must not exist or be empty).

    The output is deterministic: the same package always gives byte-identical files, and
    `load_package` of it gives back an equal `CoursePackage`. Material is written exactly
    as held; questions.toml only for a module with questions. An activity's arrays of
    tables follow its other settings as `[[activities.<key>]]` tables, in order; one with
    no tables is written as an empty array (`key = []`), so no table is written for it.

    Raises ValueError for a module slug that is not a safe folder name (or an activity
    setting named key, type or title, or a question configuration key named like a
    question's own key), TypeError for a setting or configuration value TOML cannot hold
    (or this format does not allow), and FileExistsError if `dest` is a non-empty folder, a
    file or a link. Nothing is written when it raises ValueError or TypeError.

    `[grading]` and `[at_risk]` follow course.toml's keys, with every key, only when the
    course has them; ValueError if their values could not be loaded back (out of range,
    or weights that do not add up to 100).
    """
    slugs = [module.slug for module in course.modules]
    for slug in slugs:
        reason = _module_name_problem(slug)
        if reason is not None:
            raise ValueError(f"module slug {slug!r} refused: {reason}")
    if len(set(slugs)) != len(slugs):
        raise ValueError("module slugs must be unique")
    files = {COURSE_FILE: _course_toml(course)}
    for module in course.modules:
        files[f"{module.slug}/{MODULE_FILE}"] = _module_toml(module)
        files[f"{module.slug}/{MATERIAL_FILE}"] = module.material
        if module.questions:
            files[f"{module.slug}/{QUESTIONS_FILE}"] = _questions_toml(module)
        if module.mentor_notes:
            files[f"{module.slug}/{MENTOR_FILE}"] = module.mentor_notes
        if module.summary_page:
            files[f"{module.slug}/{SUMMARY_FILE}"] = module.summary_page
        for path, _data in module.assets:
            reason = media.name_problem(path)
            if reason is not None:
                raise ValueError(f"asset {path!r} refused: {reason}")
    for path, _data in course.assets:
        reason = media.name_problem(path)
        if reason is not None:
            raise ValueError(f"asset {path!r} refused: {reason}")
    if media.ASSETS_FOLDER in slugs:
        raise ValueError(f"module slug {media.ASSETS_FOLDER!r} is the course's files folder")
    dest = Path(dest)
    if dest.is_symlink() or (dest.exists() and (not dest.is_dir() or any(dest.iterdir()))):
        raise FileExistsError(f"{dest} must be a new or empty folder")
    dest.mkdir(parents=True, exist_ok=True)
    for module in course.modules:
        (dest / module.slug).mkdir()
    for rel, text in files.items():
        (dest / rel).write_bytes(text.encode("utf-8"))
    for module in course.modules:
        if module.assets:
            (dest / module.slug / media.ASSETS_FOLDER).mkdir()
        for path, data in module.assets:
            (dest / module.slug / path).write_bytes(data)
    if course.assets:
        (dest / media.ASSETS_FOLDER).mkdir()
    for path, data in course.assets:
        (dest / path).write_bytes(data)


def _course_toml(course: CoursePackage) -> str:
    """course.toml: the course's keys, then `[grading]` and `[at_risk]` when it has them."""
    text = _toml_lines(
        [
            ("format", FORMAT_VERSION),
            ("slug", course.slug),
            ("title", course.title),
            ("version", course.version),
            ("language", course.language),
            ("description", course.description),
            ("modules", [module.slug for module in course.modules]),
        ]
    )
    if course.grading is not None:
        grading = course.grading.as_dict()
        for key, reason in _grading_problems(grading):
            where = "" if key is None else f"{_name(key, 'grading')!r} "
            raise ValueError(f"cannot write course {course.slug!r}: {where}{reason}")
        text += "\n[grading]\n" + _toml_lines(list(grading.items()))
    if course.at_risk is not None:
        at_risk = {key: getattr(course.at_risk, key) for key in _AT_RISK_KEYS}
        for key, reason in _at_risk_problems(at_risk):
            raise ValueError(
                f"cannot write course {course.slug!r}: {_name(key, 'at_risk')!r} {reason}"
            )
        text += "\n[at_risk]\n" + _toml_lines(list(at_risk.items()))
    return text


def _module_toml(module: ModulePackage) -> str:
    """module.toml: the module's keys, [unlock], [meeting], then each `[[activities]]` with
    key, type and title, its scalar settings sorted, then its arrays of tables as
    `[[activities.<key>]]` tables (keys sorted, arrays in key order)."""
    text = _toml_lines(
        [
            ("title", module.title),
            ("summary", module.summary),
            ("objectives", module.objectives),
            ("duration_minutes", module.duration_minutes),
            ("indicators", module.indicators),
        ]
    )
    if module.unlock is not None:
        unlock: list[tuple[str, object]] = []
        if module.unlock.on is not None:
            unlock.append(("on", module.unlock.on))
        if module.unlock.after:
            unlock.append(("after", module.unlock.after))
        text += "\n[unlock]\n" + _toml_lines(unlock)
    if module.meeting is not None:
        meeting = [
            ("duration_minutes", module.meeting.duration_minutes),
            ("agenda", module.meeting.agenda),
        ]
        text += "\n[meeting]\n" + _toml_lines(meeting)
    for activity in module.activities:
        pairs: list[tuple[str, object]] = [
            ("key", activity.key),
            ("type", activity.type),
            ("title", activity.title),
        ]
        reserved = [name for name, _ in activity.settings if name in _ACTIVITY_KEYS]
        if reserved:
            raise ValueError(f"activity {activity.key!r} has a setting named {reserved[0]!r}")
        tables: list[tuple[str, tuple[Any, ...]]] = []
        for name, value in sorted(activity.settings, key=lambda setting: setting[0]):
            if _is_table_array(name, value, "setting"):
                tables.append((name, value))
            else:
                pairs.append((name, value))
        text += "\n[[activities]]\n" + _toml_lines(pairs) + _table_arrays("activities", tables)
    return text


def _questions_toml(module: ModulePackage) -> str:
    """`[[questions]]` tables: the common keys (points, tags and feedback only when not
    their defaults), then the configuration's keys sorted, except arrays of tables, which
    follow as `[[questions.<key>]]` tables, keys sorted and arrays in key order."""
    blocks = []
    for question in module.questions:
        pairs: list[tuple[str, object]] = [
            ("key", question.key),
            ("type", question.type),
            ("name", question.name),
            ("text", question.text),
        ]
        if question.points != 1:
            pairs.append(("points", question.points))
        if question.tags:
            pairs.append(("tags", question.tags))
        if question.feedback:
            pairs.append(("feedback", question.feedback))
        tables: list[tuple[str, tuple[Any, ...]]] = []
        for name, value in sorted(question.config, key=lambda setting: setting[0]):
            if name in _QUESTION_KEYS:
                raise ValueError(
                    f"question {question.key!r} has a configuration key named {name!r}"
                )
            if _is_table_array(name, value, "configuration"):
                tables.append((name, value))
            else:
                pairs.append((name, value))
        blocks.append("[[questions]]\n" + _toml_lines(pairs) + _table_arrays("questions", tables))
    return "\n".join(blocks)


def _table_arrays(parent: str, tables: list[tuple[str, tuple[Any, ...]]]) -> str:
    """Arrays of tables of the last `[[parent]]`, as `[[parent.<key>]]` tables in the
    order given, each table's keys sorted."""
    text = ""
    for name, items in tables:
        header = f"\n[[{parent}.{_toml_key(name)}]]\n"
        for item in items:
            text += header + _toml_lines(sorted(item, key=lambda pair: pair[0]))
    return text


def _is_table_array(name: str, value: object, what: str) -> bool:
    """Whether a held setting or configuration value (`what` names which) is an array of
    tables (a non-empty tuple of tuples of (key, value) pairs); TypeError for a shape the
    format does not allow. An empty tuple is an empty array, written `name = []`."""
    if not isinstance(value, tuple) or not any(isinstance(item, tuple) for item in value):
        return False
    for item in value:
        if not isinstance(item, tuple) or not all(
            isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str) for pair in item
        ):
            raise TypeError(
                f"cannot write {what} {name!r}: an array holds either scalars or "
                "tables of (key, value) pairs"
            )
    return True


def _toml_lines(pairs: list[tuple[str, object]]) -> str:
    return "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in pairs)


def _toml_key(key: str) -> str:
    """A bare key when TOML allows one, else a (single-line) quoted key."""
    if _BARE_KEY.fullmatch(key):
        return key
    return _toml_string(key, multiline=False)


def _toml_scalar(value: object) -> str | None:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return None


def _toml_value(value: object) -> str:
    """TOML for the value shapes packages use: strings, integers, floats, booleans, dates
    and arrays of those (an array of strings one item a line, others on one line)."""
    scalar = _toml_scalar(value)
    if scalar is not None:
        return scalar
    if isinstance(value, list | tuple):
        items = [_toml_scalar(item) for item in value]
        if None not in items:
            if not value:
                return "[]"
            if all(isinstance(item, str) for item in value):
                return "[\n" + "".join(f"  {item},\n" for item in items) + "]"
            return "[" + ", ".join(str(item) for item in items) + "]"
    raise TypeError(f"cannot write {value!r} as a course-package TOML value")


_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(value: str, *, multiline: bool = True) -> str:
    """A TOML basic string; one with line breaks becomes a multi-line basic string unless
    `multiline` is False (keys cannot be multi-line strings).

    Every backslash, quote and control character is escaped (only the line feeds of a
    multi-line string stay literal), so no content can end the string early.
    """
    multiline = multiline and "\n" in value
    out = []
    for char in value:
        if char == "\n" and multiline:
            out.append(char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    body = "".join(out)
    # The line feed right after an opening """ is dropped by TOML readers.
    return f'"""\n{body}"""' if multiline else f'"{body}"'


# --------------------------------------------------------------------------- hashing


def content_hash(course: CoursePackage) -> str:
    """SHA-256 (hex) of a canonical serialization of everything in `course`.

    Equal packages give equal hashes whatever their files looked like (comments, key
    order, string style); any change to a field or to one character of material changes it.
    """
    fields = asdict(course)
    for table in ("grading", "at_risk"):
        # Left out when absent, so that packages without them keep their hash.
        if fields[table] is None:
            del fields[table]
    # The course's own files by content hash; left out when none, so older hashes stay.
    if fields["assets"]:
        fields["assets"] = [
            [path, hashlib.sha256(data).hexdigest()] for path, data in course.assets
        ]
    else:
        del fields["assets"]
    for module in fields["modules"]:
        # Left out when empty, so that packages from before question banks keep their hash.
        if not module["questions"]:
            del module["questions"]
        # Likewise for packages from before mentor notes.
        if not module["mentor_notes"]:
            del module["mentor_notes"]
        # And before one-page summaries.
        if not module["summary_page"]:
            del module["summary_page"]
        # Assets by content hash; left out when none, so older packages keep their hash.
        if module["assets"]:
            module["assets"] = [
                [path, hashlib.sha256(data).hexdigest()] for path, data in module["assets"]
            ]
        else:
            del module["assets"]
    canonical = json.dumps(
        {"format": FORMAT_VERSION, "course": fields},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=_json_date,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _json_date(value: object) -> object:
    """Dates as {"date": "2027-02-01"}: no setting or configuration value is held as a
    dict (tables are tuples of pairs), so a date never hashes like the string
    "2027-02-01"."""
    if isinstance(value, datetime.date | datetime.time):
        return {type(value).__name__: value.isoformat()}
    raise TypeError(f"cannot fingerprint {value!r}")
