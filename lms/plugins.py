"""The plugin registry: activity types, question types and course packages.

Three plugin points, each an entry-point group (`importlib.metadata`)::

    lms.activity_types   an ActivityType class or instance   (see courses.contract)
    lms.question_types   a question-type class or instance   (the quiz engine)
    lms.course_packages  a folder holding course.toml, or a callable returning one

Built-in plugins register through the same entry points in `pyproject.toml` as an outside
package would; course packages are also found as folders of `courses/packages/`.

`build_registry` runs once when the app is created. It loads every plugin, checks that it
has what its plugin point needs, and raises `PluginError` naming the plugin on anything
wrong: a plugin that fails to import, misses an attribute, or reuses a name. Nothing is
written to a module-level dict: the registry lives on the app (`app.extensions`), so a
test builds an app with `LMS_EXTRA_PLUGINS` (a list of `EntryPoint`) to add a temporary
plugin for that app only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import MappingProxyType
from typing import Any

from flask import current_app

ACTIVITY_TYPES = "lms.activity_types"
QUESTION_TYPES = "lms.question_types"
COURSE_PACKAGES = "lms.course_packages"
GROUPS = (ACTIVITY_TYPES, QUESTION_TYPES, COURSE_PACKAGES)

BUILTIN_PACKAGES = Path(__file__).resolve().parent.parent / "courses" / "packages"
"""Course packages shipped with the engine, one folder per course."""

COMPLETION_EVENTS = frozenset({"view", "attendance", "action"})
"""The events that may complete an activity (courses.activities.CompletionEvent)."""

GRADED_METHODS = ("category", "pass_percent", "result_query")
"""What an activity type that declares `grade_categories` must also have (courses.contract)."""

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")

# What each plugin point needs: attribute -> "callable" or "value".
_REQUIRED: dict[str, dict[str, str]] = {
    ACTIVITY_TYPES: {
        "name": "value",
        "label": "value",
        "completion_events": "value",
        "validate_config": "callable",
        "render": "callable",
    },
    QUESTION_TYPES: {
        "name": "value",
        "label": "value",
        "manual": "value",
        "validate_config": "callable",
        "render": "callable",
        "parse_response": "callable",
        "grade": "callable",
        "right_answer": "callable",
    },
}


class PluginError(RuntimeError):
    """A plugin could not be loaded or is not usable; the message names it."""


@dataclass(frozen=True)
class Registry:
    activity_types: Mapping[str, Any]
    question_types: Mapping[str, Any]
    course_packages: Mapping[str, Path]

    def activity_type(self, name: str) -> Any | None:
        return self.activity_types.get(name)

    def graded_types(self) -> dict[str, Any]:
        """The activity types that declare grade categories (see courses.contract)."""
        return {n: t for n, t in self.activity_types.items() if getattr(t, "grade_categories", ())}

    def grade_categories(self) -> dict[str, tuple[str, Any]]:
        """{category name: (activity type name, category)} over every graded type."""
        return {
            category.name: (type_name, category)
            for type_name, activity_type in self.graded_types().items()
            for category in activity_type.grade_categories
        }


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    origin = f" from {dist.name}" if dist is not None else ""
    return f"plugin '{ep.name}' ({ep.group} = {ep.value}{origin})"


def _load(ep: EntryPoint) -> Any:
    try:
        return ep.load()
    except Exception as exc:  # any failure of third-party code must name the plugin
        raise PluginError(f"{_describe(ep)} failed to load: {exc!r}") from exc


def _instance(ep: EntryPoint, obj: Any) -> Any:
    if isinstance(obj, type):
        try:
            return obj()
        except Exception as exc:
            raise PluginError(f"{_describe(ep)} could not be created: {exc!r}") from exc
    return obj


def _check_type_plugin(ep: EntryPoint, plugin: Any) -> None:
    missing = []
    for attr, kind in _REQUIRED[ep.group].items():
        value = getattr(plugin, attr, None)
        if value is None or (kind == "callable" and not callable(value)):
            missing.append(attr)
    if missing:
        raise PluginError(f"{_describe(ep)} lacks {', '.join(missing)}")
    if plugin.name != ep.name:
        raise PluginError(
            f"{_describe(ep)} calls itself '{plugin.name}'; the entry point name must match"
        )
    if not _NAME.fullmatch(plugin.name):
        raise PluginError(
            f"{_describe(ep)}: the name must be lowercase letters, digits, '-' or '_'"
        )
    if ep.group == ACTIVITY_TYPES:
        events = plugin.completion_events
        if (
            not isinstance(events, (set, frozenset, tuple, list))
            or not {str(e) for e in events} <= COMPLETION_EVENTS
        ):
            raise PluginError(
                f"{_describe(ep)}: completion_events must be a set drawn from "
                f"{sorted(COMPLETION_EVENTS)}"
            )
        _check_graded(ep, plugin)


def _check_graded(ep: EntryPoint, plugin: Any) -> None:
    categories = getattr(plugin, "grade_categories", ())
    if not categories:
        return
    missing = [m for m in GRADED_METHODS if not callable(getattr(plugin, m, None))]
    if missing:
        raise PluginError(
            f"{_describe(ep)} declares grade categories but lacks {', '.join(missing)}"
        )
    for category in categories:
        name = getattr(category, "name", None)
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name == "pass_percent":
            raise PluginError(
                f"{_describe(ep)}: grade category {name!r} must be lowercase letters, digits, "
                "'-' or '_' (and not 'pass_percent')"
            )


def _package_folder(ep: EntryPoint, obj: Any) -> Path:
    value = obj() if callable(obj) and not isinstance(obj, (str, Path)) else obj
    if not isinstance(value, (str, Path)):
        raise PluginError(f"{_describe(ep)} must give a folder path, not {type(value).__name__}")
    folder = Path(value)
    if not (folder / "course.toml").is_file():
        raise PluginError(f"{_describe(ep)}: {folder} holds no course.toml")
    return folder.resolve()


def build_registry(
    extra: Iterable[EntryPoint] = (),
    *,
    discover: Callable[[str], Iterable[EntryPoint]] | None = None,
    builtin_packages: Path | None = BUILTIN_PACKAGES,
) -> Registry:
    """Load and check every plugin; raise `PluginError` naming the first bad one."""
    discover = discover or (lambda group: entry_points(group=group))
    extra = list(extra)
    found: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    origin: dict[tuple[str, str], str] = {}

    if builtin_packages is not None and builtin_packages.is_dir():
        for folder in sorted(builtin_packages.iterdir()):
            if (folder / "course.toml").is_file():
                found[COURSE_PACKAGES][folder.name] = folder.resolve()
                origin[(COURSE_PACKAGES, folder.name)] = f"folder {folder}"

    for group in GROUPS:
        eps = list(discover(group)) + [ep for ep in extra if ep.group == group]
        for ep in eps:
            if (group, ep.name) in origin:
                raise PluginError(
                    f"{_describe(ep)} reuses the name '{ep.name}' already taken by "
                    f"{origin[(group, ep.name)]}"
                )
            obj = _load(ep)
            if group == COURSE_PACKAGES:
                found[group][ep.name] = _package_folder(ep, obj)
            else:
                plugin = _instance(ep, obj)
                _check_type_plugin(ep, plugin)
                found[group][ep.name] = plugin
            origin[(group, ep.name)] = _describe(ep)

    categories: dict[str, str] = {}
    for type_name, plugin in found[ACTIVITY_TYPES].items():
        for category in getattr(plugin, "grade_categories", ()):
            if category.name in categories:
                raise PluginError(
                    f"{origin[(ACTIVITY_TYPES, type_name)]} declares the grade category "
                    f"'{category.name}' already declared by activity type "
                    f"'{categories[category.name]}'"
                )
            categories[category.name] = type_name

    return Registry(
        activity_types=MappingProxyType(dict(sorted(found[ACTIVITY_TYPES].items()))),
        question_types=MappingProxyType(dict(sorted(found[QUESTION_TYPES].items()))),
        course_packages=MappingProxyType(dict(sorted(found[COURSE_PACKAGES].items()))),
    )


def init_app(app: Any) -> None:
    app.extensions["lms.registry"] = build_registry(app.config.get("LMS_EXTRA_PLUGINS", ()))


def registry() -> Registry:
    """The registry of the current app."""
    return current_app.extensions["lms.registry"]
