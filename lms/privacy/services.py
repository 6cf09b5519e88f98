"""What the platform holds about a person, as a ZIP; erasure; retention of uploads.

Every function takes plain values and only flushes; the request or command commits.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Table, delete, or_, select, update

from lms import storage
from lms.certificates import services as certificates
from lms.extensions import db

SUBMISSION_FILES = "submissions"
PRACTICE_FILES = "practices"
SECRET_COLUMNS = {
    "password_hash",
    "calendar_token",
    "session_version",
    "token_hash",
    "seed",
    "totp_secret",
    "totp_recovery",
}
"""Never exported: secrets and internals that say nothing about the person."""


def _t(name: str) -> Table:
    return db.metadata.tables[name]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(stmt: Any) -> list[dict[str, Any]]:
    return [
        {k: _plain(v) for k, v in row._mapping.items() if k not in SECRET_COLUMNS}
        for row in db.session.execute(stmt)
    ]


def _ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows]


def personal_data(user_id: int) -> dict[str, Any]:
    """Everything held about the person, {section: rows}; a fixed number of statements
    whatever the amount of data."""
    user, enrolment, cohort = _t("user_account"), _t("enrolment"), _t("cohort")
    data: dict[str, Any] = {}
    data["profile"] = _rows(select(user).where(user.c.id == user_id))
    data["enrolments"] = _rows(
        select(enrolment, cohort.c.name.label("cohort_name"), cohort.c.region_code)
        .join(cohort, cohort.c.id == enrolment.c.cohort_id)
        .where(enrolment.c.user_id == user_id)
    )
    enrolments = _ids(data["enrolments"])
    data["mentored_cohorts"] = _rows(
        select(_t("cohort_mentor")).where(_t("cohort_mentor").c.user_id == user_id)
    )
    completion = _t("activity_completion")
    data["completions"] = _rows(select(completion).where(completion.c.enrolment_id.in_(enrolments)))
    attempt, response = _t("quiz_attempt"), _t("quiz_response")
    data["quiz_attempts"] = _rows(select(attempt).where(attempt.c.enrolment_id.in_(enrolments)))
    data["quiz_answers"] = _rows(
        select(response).where(response.c.attempt_id.in_(_ids(data["quiz_attempts"])))
    )
    submission, draft, files = _t("submission"), _t("submission_draft"), _t("submission_file")
    data["submissions"] = _rows(select(submission).where(submission.c.enrolment_id.in_(enrolments)))
    data["drafts"] = _rows(select(draft).where(draft.c.enrolment_id.in_(enrolments)))
    data["submission_files"] = _rows(
        select(files).where(
            or_(
                files.c.submission_id.in_(_ids(data["submissions"])),
                files.c.draft_id.in_(_ids(data["drafts"])),
            )
        )
    )
    review = _t("review")
    data["feedback"] = _rows(
        select(review).where(
            review.c.submission_id.in_(_ids(data["submissions"])), review.c.released.is_(True)
        )
    )
    attendance = _t("attendance")
    data["attendance"] = _rows(select(attendance).where(attendance.c.user_id == user_id))
    certificate = _t("certificate")
    data["certificates"] = _rows(
        select(certificate).where(certificate.c.enrolment_id.in_(enrolments))
    )
    notification = _t("notification")
    data["notifications"] = _rows(select(notification).where(notification.c.user_id == user_id))
    practice, attachment = _t("practice"), _t("practice_attachment")
    data["practices"] = _rows(select(practice).where(practice.c.created_by_id == user_id))
    data["practice_attachments"] = _rows(
        select(attachment).where(attachment.c.practice_id.in_(_ids(data["practices"])))
    )
    audit = _t("audit_event")
    data["audit_log"] = _rows(
        select(audit).where(
            or_(
                audit.c.actor_id == user_id,
                (audit.c.object_type == "user") & (audit.c.object_id == str(user_id)),
            )
        )
    )
    return data


def export_zip(user_id: int, now: datetime) -> bytes:
    """A ZIP with `data.json` (every section of `personal_data`) and the person's files."""
    data = personal_data(user_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind, section, rows in (
            (SUBMISSION_FILES, "submissions", data["submission_files"]),
            (PRACTICE_FILES, "practices", data["practice_attachments"]),
        ):
            for row in rows:
                try:
                    source = storage.open_stored(kind, row["stored_name"])
                except FileNotFoundError:
                    continue
                row["file_in_zip"] = f"files/{section}/{row['id']}-{row['original_name']}"
                with source, archive.open(row["file_in_zip"], "w") as target:
                    shutil.copyfileobj(source, target, storage.CHUNK)
        document = {
            "exported_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "legal_basis": "UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 7",
            **data,
        }
        archive.writestr(
            "data.json", json.dumps(document, indent=2, ensure_ascii=False, default=str)
        )
    return buffer.getvalue()


@dataclass(frozen=True)
class Erasure:
    pseudonym: str
    files_deleted: int
    certificates_revoked: int


def pseudonym_of(user_id: int) -> str:
    return f"Pengguna terhapus #{user_id}"


def erase(user_id: int, now: datetime) -> Erasure:
    """Remove the person's identity and their files; keep the anonymous records (grades,
    attendance, completion) that others' reports and the aggregates are made of.

    Files are deleted from disk only after the rows are flushed; a failure before that
    leaves everything as it was (the caller rolls back)."""
    user, enrolment = _t("user_account"), _t("enrolment")
    pseudonym = pseudonym_of(user_id)
    db.session.execute(
        update(user)
        .where(user.c.id == user_id)
        .values(
            name=pseudonym,
            email=f"terhapus-{user_id}@erased.invalid",
            nip=None,
            work_unit=None,
            position=None,
            institution=None,
            password_hash=None,
            calendar_token=None,
            totp_secret=None,
            totp_recovery=[],
            locale=None,
            timezone=None,
            active=False,
            session_version=user.c.session_version + 1,
        )
    )
    enrolments = select(enrolment.c.id).where(enrolment.c.user_id == user_id)
    submission, draft, files = _t("submission"), _t("submission_draft"), _t("submission_file")
    submissions = select(submission.c.id).where(submission.c.enrolment_id.in_(enrolments))
    drafts = select(draft.c.id).where(draft.c.enrolment_id.in_(enrolments))
    doomed = list(
        db.session.scalars(
            select(files.c.stored_name).where(
                or_(files.c.submission_id.in_(submissions), files.c.draft_id.in_(drafts))
            )
        )
    )
    db.session.execute(
        delete(files).where(
            or_(files.c.submission_id.in_(submissions), files.c.draft_id.in_(drafts))
        )
    )
    db.session.execute(update(submission).where(submission.c.id.in_(submissions)).values(text=""))
    db.session.execute(update(draft).where(draft.c.id.in_(drafts)).values(text=""))
    review = _t("review")
    db.session.execute(
        update(review).where(review.c.submission_id.in_(submissions)).values(comment="")
    )
    attempt, response = _t("quiz_attempt"), _t("quiz_response")
    attempts = select(attempt.c.id).where(attempt.c.enrolment_id.in_(enrolments))
    # Scores stay (item analysis, cohort figures); the written answers go.
    db.session.execute(
        update(response).where(response.c.attempt_id.in_(attempts)).values(response={})
    )
    for table in ("notification", "password_reset_token"):
        t = _t(table)
        db.session.execute(delete(t).where(t.c.user_id == user_id))
    practice = _t("practice")
    db.session.execute(
        update(practice).where(practice.c.created_by_id == user_id).values(created_by_id=None)
    )
    certificate = _t("certificate")
    codes = list(
        db.session.scalars(
            select(certificate.c.code).where(certificate.c.enrolment_id.in_(enrolments))
        )
    )
    revoked = db.session.execute(
        update(certificate)
        .where(certificate.c.enrolment_id.in_(enrolments), certificate.c.revoked_at.is_(None))
        .values(participant_name=pseudonym, revoked_at=now)
    ).rowcount
    db.session.flush()
    deleted = 0
    backend = storage.backend()
    for name in doomed:
        if backend.exists(SUBMISSION_FILES, name):
            backend.delete(SUBMISSION_FILES, name)
            deleted += 1
    for code in codes:  # the drawn certificates carry the name
        for locale in current_app.config["LANGUAGES"]:
            backend.delete(certificates.PDFS, certificates.pdf_name_of(code, locale))
    return Erasure(pseudonym, deleted, revoked or 0)


@dataclass(frozen=True)
class Cleanup:
    cohorts: int
    files: int
    bytes: int


def cleanup_uploads(retention_days: int, today: date, *, dry_run: bool):
    """Delete the submission files of cohorts that ended more than `retention_days` ago.
    Submissions, grades and feedback stay; only the uploaded files go."""
    cohort, enrolment = _t("cohort"), _t("enrolment")
    submission, draft, files = _t("submission"), _t("submission_draft"), _t("submission_file")
    ended = select(cohort.c.id).where(cohort.c.end_date < today - timedelta(days=retention_days))
    enrolments = select(enrolment.c.id).where(enrolment.c.cohort_id.in_(ended))
    owned = or_(
        files.c.submission_id.in_(
            select(submission.c.id).where(submission.c.enrolment_id.in_(enrolments))
        ),
        files.c.draft_id.in_(select(draft.c.id).where(draft.c.enrolment_id.in_(enrolments))),
    )
    rows = db.session.execute(select(files.c.stored_name, files.c.size).where(owned)).all()
    cohorts = len(db.session.scalars(ended).all())
    if not dry_run and rows:
        db.session.execute(delete(files).where(owned))
        db.session.flush()
        backend = storage.backend()
        for name, _size in rows:
            backend.delete(SUBMISSION_FILES, name)
    return Cleanup(cohorts, len(rows), sum(size or 0 for _name, size in rows))


def erasable(user_id: int) -> bool:
    """Whether the account still holds a person's identity."""
    user = _t("user_account")
    email = db.session.scalar(select(user.c.email).where(user.c.id == user_id))
    return email is not None and not email.endswith("@erased.invalid")


def sweep_orphans(upload_folder: Path, older_than: timedelta, now: datetime) -> int:
    """Delete submission files no row refers to (and `.partial` files of interrupted
    uploads) older than `older_than`: what a worker killed mid-request leaves behind.
    Local and shared folders only: on S3 an object exists only once its upload completed.
    Younger files may belong to a request still running, so they stay."""
    folder = upload_folder / SUBMISSION_FILES
    if not folder.is_dir():
        return 0
    files = _t("submission_file")
    known = set(db.session.scalars(select(files.c.stored_name)))
    cutoff = (now - older_than).timestamp()
    removed = 0
    for path in folder.iterdir():
        if not path.is_file() or path.name in known or path.stat().st_mtime > cutoff:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed
