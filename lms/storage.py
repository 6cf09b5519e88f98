"""Uploaded files: checked (type by content, not only by name; size), stored outside
static under random names, and kept in step with the database.

A file is written to disk before its row is flushed. If the transaction then rolls back,
the files written during it are deleted (a session listener), so a failed request leaves
neither a row without a file nor a file without a row.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.errors import DomainError

CHUNK = 64 * 1024
PARTIAL = ".partial"

# What each allowed extension must look like inside.
_ZIP_OFFICE = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
_MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
}
_MARKUP_SIGNS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


class UploadError(DomainError):
    """The file was refused; nothing was stored."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    size: int
    content_type: str
    sha256: str


def upload_root(kind: str) -> Path:
    root = Path(current_app.config["UPLOAD_FOLDER"]) / kind
    root.mkdir(parents=True, exist_ok=True)
    return root


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like(ext: str, head: bytes) -> bool:
    lowered = head[:1024].lstrip().lower()
    if any(lowered.startswith(sign) or sign in lowered for sign in _MARKUP_SIGNS):
        return False  # HTML, SVG or XML disguised under any name
    if ext in ("txt", "csv"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A cut in the middle of a character at the end of the sample is fine.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return False
        return b"\x00" not in head
    kind = filetype.guess(head)
    if kind is None:
        return False
    if ext in _ZIP_OFFICE:
        # Office files are zip archives; filetype recognises the OOXML/ODF ones.
        return kind.extension in (ext, "zip")
    if ext in ("jpg", "jpeg"):
        return kind.extension == "jpg"
    return kind.extension == ext


def store(
    stream: BinaryIO,
    original_name: str,
    *,
    kind: str,
    allowed: tuple[str, ...],
    max_bytes: int,
) -> StoredFile:
    """Check and write one upload; raises UploadError with a message for the participant."""
    name = os.path.basename(original_name.replace("\\", "/")).strip()[:255] or "berkas"
    ext = extension(name)
    if ext not in allowed:
        raise UploadError(
            _(
                "%(name)s: this type of file is not accepted here (allowed: %(types)s).",
                name=name,
                types=", ".join(allowed),
            ),
            "files",
        )
    head = stream.read(8192)
    if not _looks_like(ext, head):
        raise UploadError(
            _("%(name)s: the content is not a real .%(ext)s file.", name=name, ext=ext),
            "files",
        )
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    path = upload_root(kind) / stored_name
    # Written under a partial name and renamed when complete: a worker killed mid-write
    # leaves only a `.partial` file, which `lms uploads cleanup` sweeps away.
    partial = path.with_name(stored_name + PARTIAL)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "xb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(
                        _(
                            "%(name)s is larger than %(mb)d MB.",
                            name=name,
                            mb=max_bytes // (1024 * 1024),
                        ),
                        "files",
                    )
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
        if size == 0:
            raise UploadError(_("%(name)s is empty.", name=name), "files")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadError(
                _(
                    "The server's storage is full, so %(name)s could not be saved. Your text "
                    "is still here; try again later and tell your admin.",
                    name=name,
                ),
                "files",
            ) from error
        raise
    except BaseException:
        partial.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    _pending(path)
    return StoredFile(stored_name, name, size, _MIME[ext], digest.hexdigest())


def path_of(kind: str, stored_name: str) -> Path:
    path = (upload_root(kind) / stored_name).resolve()
    if path.parent != upload_root(kind).resolve():
        raise FileNotFoundError(stored_name)
    return path


# --------------------------------------------------------------------------- consistency

_KEY = "lms_new_files"


def _pending(path: Path) -> None:
    from lms.extensions import db

    db.session().info.setdefault(_KEY, []).append(str(path))


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_rollback")
def _remove_files(session: Session) -> None:
    for name in session.info.pop(_KEY, []):
        Path(name).unlink(missing_ok=True)
