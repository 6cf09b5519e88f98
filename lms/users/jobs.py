"""The bulk import as a long job (`user_import`): a confirmed staged file of more than
IMPORT_INLINE_ROWS valid rows is imported on the worker (inline without one) while the
admin or coordinator watches the job page; the result is a CSV of every row's outcome."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from lms import policy
from lms.audit.services import Change, record, snapshot
from lms.auth import services as auth_services
from lms.auth.models import Role, User
from lms.cohorts.models import Cohort
from lms.errors import DomainError
from lms.extensions import db
from lms.longjobs.services import Progress, Result
from lms.mail import send_mail
from lms.users import services

KIND = "user_import"


def may_start(user: Any, params: dict[str, Any]) -> bool:
    """An admin or coordinator, for a staged file they uploaded themselves."""
    if user.role not in (Role.ADMIN, Role.COORDINATOR):
        return False
    owner = services.staged_owner(str(params.get("token", "")))
    return owner is not None and owner == user.id


def import_job(params: dict[str, Any], progress: Progress) -> Result:
    """Import staged file `params["token"]` as its uploader; the staged file is deleted when
    the job ends, done or failed."""
    token = str(params.get("token", ""))
    staged = services.load_staged_import(token, None)
    if staged is None:
        raise DomainError(_("The uploaded file is gone; upload it again."))
    try:
        with force_locale(staged.locale):
            return _import(staged, progress)
    finally:
        services.drop_staged_import(token)


def _import(staged: services.StagedImport, progress: Progress) -> Result:
    owner = db.session.get(User, staged.owner_id)
    if owner is None or not owner.active or owner.role not in (Role.ADMIN, Role.COORDINATOR):
        raise DomainError(_("Only an admin or a coordinator may import participants."))
    cohort = None
    if staged.cohort_id is not None:
        cohort = db.session.get(Cohort, staged.cohort_id)
        if cohort is None or not policy.can_manage_cohort(owner, cohort):
            raise DomainError(_("You may not enrol participants into this cohort."))
    rows = services.read_table(staged.filename, staged.content)
    preview = services.validate_rows(
        rows,
        policy.import_region_codes(owner),
        cohort_region=cohort.region_code if cohort else None,
    )
    if not preview.rows:
        raise DomainError(_("No valid rows to import."))
    progress(0, len(preview.rows))  # nothing written yet: this commits only the job's count

    def written(result: services.ImportResult) -> None:
        for change in import_changes(result.created, cohort.id if cohort else None):
            record(owner, staged.ip, change)
        db.session.flush()

    links: dict[int, str] = {}

    def welcome(user: User) -> None:
        links[user.id] = _reset_link(user, owner, staged.base_url)

    result = services.import_participants(
        preview, cohort.id if cohort else None, progress, written=written, welcome=welcome
    )
    return Result(
        _result_csv(dict(rows), preview, result, links),
        f"import-{staged.filename.rsplit('.', 1)[0][:60]}.csv",
        "text/csv",
    )


def import_changes(created: list[User], cohort_id: int | None) -> list[Change]:
    """The audit entries of the accounts an import created (in the request or the job)."""
    return [
        Change(
            "user.import",
            "user",
            user.id,
            user.email,
            user.region_code,
            after={**snapshot(user, services.AUDITED_FIELDS), "cohort_id": cohort_id},
        )
        for user in created
    ]


def _reset_link(user: User, owner: User, base_url: str) -> str:
    """The same one-time link (and mail) as the import in the request gives."""
    issued = auth_services.issue_reset_token(
        user, created_by=owner, valid_hours=current_app.config["PASSWORD_RESET_HOURS"]
    )
    if has_request_context():
        link = url_for("auth.reset_password", token=issued.token, _external=True)
    else:  # on the worker: the address the file was uploaded through
        base = current_app.config.get("LMS_BASE_URL") or base_url or "http://localhost/"
        with current_app.test_request_context(base_url=base):
            link = url_for("auth.reset_password", token=issued.token, _external=True)
    send_mail(
        user.email,
        _("Set your Living Lab LMS password"),
        _("Open this link to set your password (it works once): %(link)s", link=link),
    )
    return link


def _text(value: str | None) -> str:
    """Spreadsheet formula injection: a text cell must not start with = + - @."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _result_csv(
    raw: dict[int, dict[str, str]],
    preview: services.ImportPreview,
    result: services.ImportResult,
    links: dict[int, str],
) -> bytes:
    """One line per row of the file, in its order: created (with the link), enrolled
    (existing account) or skipped (with every reason)."""
    created = {user.email: user for user in result.created}
    lines: list[tuple[int, list[str]]] = []
    for row in preview.rows:
        user = created.get(row.email)
        if user is not None:
            outcome, detail = _("account created"), links.get(user.id, "")
        else:
            outcome, detail = _("existing account enrolled"), ""
        lines.append((row.line, [_text(row.name), _text(row.email), outcome, detail]))
    reasons: dict[int, list[str]] = {}
    for problem in preview.problems:
        reasons.setdefault(problem.line, []).append(problem.reason)
    for line, texts in reasons.items():
        values = raw.get(line, {})
        name, email = _text(values.get("name")), _text(values.get("email"))
        lines.append((line, [name, email, _("skipped"), _text(" ".join(texts))]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line"), _("Name"), _("Email"), _("Outcome"), _("One-time link or problem")])
    for line, cells in sorted(lines, key=lambda item: item[0]):
        writer.writerow([line, *cells])
    return out.getvalue().encode("utf-8-sig")
