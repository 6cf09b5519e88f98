"""A third-party-style activity type: a checklist the participant ticks off as done.

It lives outside the engine and reaches it only through the `lms.activity_types` entry
point the test adds, to show that an activity type plugs in without touching core code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from courses.activities import ActivityType, ActivityView, CompletionEvent, ConfigProblem


class ChecklistActivity(ActivityType):
    name = "checklist"
    label = "Checklist"
    completion_events = frozenset({CompletionEvent.ACTION})
    action_label = "Semua sudah saya kerjakan"

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = [
            ConfigProblem(key, "unknown setting") for key in sorted(set(config) - {"items"})
        ]
        items = config.get("items")
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            problems.append(ConfigProblem("items", "give a non-empty list of strings"))
        return problems

    def render(self, view: ActivityView) -> Markup:
        items = Markup("").join(
            Markup('<li data-testid="checklist-item">{}</li>').format(item)
            for item in view.config["items"]
        )
        state = "done" if view.complete else "open"
        return Markup('<ul data-checklist="{}">{}</ul>').format(escape(state), items)


class NoRender:
    """Broken on purpose: an activity type without `render`."""

    name = "norender"
    label = "No render"
    completion_events = frozenset()

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return []


class WrongName(ChecklistActivity):
    name = "something-else"


class Exploding:
    def __init__(self) -> None:
        raise RuntimeError("boom")
