"""Domain errors that views show next to a form field, and the helper that places them."""

from __future__ import annotations

from typing import Any


class DomainError(ValueError):
    """A rule was broken; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def attach_error(form: Any, error: DomainError) -> None:
    """Show `error` next to its field, or above the form when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def form_status(form: Any) -> int:
    """422 when the form carries errors (so the response says it failed), else 200."""
    return 422 if form.errors or form.form_errors else 200
