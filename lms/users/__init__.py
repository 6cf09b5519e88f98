"""Managing accounts: create, edit, deactivate, reset links and bulk participant import."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the bulk import's long job kind (the blueprint is the core's list)."""
    from flask_babel import lazy_gettext as _l

    from lms.longjobs import services as longjobs
    from lms.users import jobs

    longjobs.register(
        app,
        jobs.KIND,
        jobs.import_job,
        _l("Participant import"),
        jobs.may_start,
        progress_text=_l("Importing: %(done)d of %(total)d rows."),
        done_text=_l(
            "%(total)d valid rows were imported. The file lists every row of the upload: "
            "each new account's one-time link and each skipped row with its reason."
        ),
    )
