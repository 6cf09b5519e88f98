"""The mentor's to-do list: each component above the core registers what it counts.

A provider is a function `(user) -> list[TodoItem]`, registered in a component's
`init_app` with `register(app, provider)`; the home page asks every provider in turn.
Each provider issues a fixed number of statements whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

_KEY = "lms.todo"


@dataclass(frozen=True)
class TodoItem:
    key: str
    label: str
    count: int
    url: str
    details: tuple[TodoItem, ...] = ()
    """Parts of the count, each with its own link (the at-risk count per cohort)."""


Provider = Callable[[Any], list[TodoItem]]


def register(app: Flask, provider: Provider) -> None:
    app.extensions.setdefault(_KEY, []).append(provider)


def items_for(user: Any) -> list[TodoItem]:
    """Every registered provider's items for `user`, in registration order."""
    items: list[TodoItem] = []
    for provider in current_app.extensions.get(_KEY, []):
        items.extend(provider(user))
    return items
