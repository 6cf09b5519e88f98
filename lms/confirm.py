"""A server-rendered confirmation step for actions that cannot be taken back.

The first POST of such an action renders a page that states what will happen and repeats
the form's fields with `confirmed=yes`; only that second POST acts. No JavaScript needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request

CONFIRM_FIELD = "confirmed"


def confirmed() -> bool:
    """True when the request comes from the confirmation page's button."""
    return request.form.get(CONFIRM_FIELD) == "yes"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page shows: a title, what will happen, and the two ways out."""

    title: str
    consequences: Iterable[str]
    action: str
    """The URL the confirmed form posts to (usually the one that rendered the page)."""
    confirm_label: str
    cancel_url: str
    fields: Mapping[str, str] = field(default_factory=dict)
    """The first form's fields, sent again with the confirmation."""
    details_template: str | None = None
    """A partial drawn under the consequences (what exactly is about to be sent), given
    `details`."""
    details: Mapping[str, Any] = field(default_factory=dict)
    danger: bool = False


def render_confirmation(confirmation: Confirmation) -> str:
    return render_template("confirm.html", c=confirmation, confirm_field=CONFIRM_FIELD)
