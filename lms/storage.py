"""Uploaded files: checked (type by content, not only by name; size), stored outside
static under random names, and kept in step with the database.

Where the bytes live is a backend (LMS_STORAGE): `local` (default, UPLOAD_FOLDER), `shared`
(a folder mounted on every app machine, LMS_STORAGE_PATH, written durably) or `s3` (an
S3-compatible bucket through boto3). Views never open paths: they call `send`, which
streams the object with download headers.

A file is stored before its row is flushed. If the transaction then rolls back,
the files stored during it are deleted (a session listener), so a failed request leaves
neither a row without a file nor a file without a row.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import filetype
from flask import Response, abort, current_app, send_file
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


# --------------------------------------------------------------------------- backends


class Backend:
    """Where uploaded bytes live. Objects are named by `kind` (a folder such as
    "submissions") and a stored name the application chose (random, never the user's)."""

    name = "base"

    def spool_dir(self, kind: str) -> Path:
        """A folder for the temporary file a new upload is checked in before it is kept."""
        folder = Path(tempfile.gettempdir()) / "lms-upload-spool"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def keep(self, kind: str, stored_name: str, spooled: Path) -> None:
        """Make the checked temporary file the object `kind/stored_name` (all or nothing)."""
        raise NotImplementedError

    def open(self, kind: str, stored_name: str) -> BinaryIO:
        """A readable binary stream; FileNotFoundError if there is no such object."""
        raise NotImplementedError

    def size(self, kind: str, stored_name: str) -> int:
        raise NotImplementedError

    def delete(self, kind: str, stored_name: str) -> None:
        """Remove the object; nothing happens if it is not there."""
        raise NotImplementedError

    def exists(self, kind: str, stored_name: str) -> bool:
        try:
            self.size(kind, stored_name)
        except FileNotFoundError:
            return False
        return True

    def put_bytes(self, kind: str, stored_name: str, content: bytes) -> None:
        spool = self.spool_dir(kind)
        fd, name = tempfile.mkstemp(dir=spool, suffix=PARTIAL)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            self.keep(kind, stored_name, Path(name))
        finally:
            Path(name).unlink(missing_ok=True)

    def read_bytes(self, kind: str, stored_name: str) -> bytes:
        with self.open(kind, stored_name) as stream:
            return stream.read()


def _safe_name(stored_name: str) -> str:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name in (".", ".."):
        raise FileNotFoundError(stored_name)
    return stored_name


class LocalBackend(Backend):
    """A folder on this machine (default: UPLOAD_FOLDER, outside static) or a shared path
    mounted on every app machine (LMS_STORAGE=shared). Writes go to a temporary file in the
    same folder, flushed to disk, then renamed into place: a reader on any process sees
    the whole file or none, and a process killed mid-write leaves only a `.partial` file."""

    name = "local"

    def __init__(self, root: str | Path, *, durable: bool = False) -> None:
        self.root = Path(root)
        self.durable = durable

    def folder(self, kind: str) -> Path:
        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def path(self, kind: str, stored_name: str) -> Path:
        folder = self.folder(kind)
        path = (folder / _safe_name(stored_name)).resolve()
        if path.parent != folder.resolve():
            raise FileNotFoundError(stored_name)
        return path

    def spool_dir(self, kind: str) -> Path:
        return self.folder(kind)  # same file system: the rename is atomic

    def keep(self, kind: str, stored_name: str, spooled: Path) -> None:
        target = self.path(kind, stored_name)
        if self.durable:
            with open(spooled, "rb") as handle:
                os.fsync(handle.fileno())
        if spooled.parent.resolve() != target.parent:
            shutil.copyfile(spooled, target.with_name(target.name + PARTIAL))
            spooled = target.with_name(target.name + PARTIAL)
        os.replace(spooled, target)
        if self.durable:
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def open(self, kind: str, stored_name: str) -> BinaryIO:
        path = self.path(kind, stored_name)
        if not path.is_file():
            raise FileNotFoundError(stored_name)
        return open(path, "rb")

    def size(self, kind: str, stored_name: str) -> int:
        path = self.path(kind, stored_name)
        if not path.is_file():
            raise FileNotFoundError(stored_name)
        return path.stat().st_size

    def delete(self, kind: str, stored_name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(kind, stored_name).unlink(missing_ok=True)


class S3Backend(Backend):
    """An S3-compatible bucket (AWS, MinIO, Ceph, a cloud's object storage) through boto3.
    Keys are `<prefix><kind>/<stored name>`; an object appears only when its upload is
    complete, so several app processes and machines share it safely."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        prefix: str = "",
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        try:
            import boto3
        except ImportError as error:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "LMS_STORAGE=s3 needs boto3: pip install 'living-lab-lms[s3]'"
            ) from error
        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
        )

    def key(self, kind: str, stored_name: str) -> str:
        return f"{self.prefix}{kind}/{_safe_name(stored_name)}"

    def _missing(self, error: Exception) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def keep(self, kind: str, stored_name: str, spooled: Path) -> None:
        self.client.upload_file(str(spooled), self.bucket, self.key(kind, stored_name))

    def open(self, kind: str, stored_name: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(kind, stored_name))
        except ClientError as error:
            if self._missing(error):
                raise FileNotFoundError(stored_name) from error
            raise
        return answer["Body"]

    def size(self, kind: str, stored_name: str) -> int:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self.key(kind, stored_name))
        except ClientError as error:
            if self._missing(error):
                raise FileNotFoundError(stored_name) from error
            raise
        return int(answer["ContentLength"])

    def delete(self, kind: str, stored_name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(kind, stored_name))


def make_backend(config: Any) -> Backend:
    """The backend LMS_STORAGE names: local (default), shared or s3."""
    choice = str(config.get("LMS_STORAGE") or "local").lower()
    if choice == "local":
        return LocalBackend(config["UPLOAD_FOLDER"])
    if choice == "shared":
        path = config.get("LMS_STORAGE_PATH") or config["UPLOAD_FOLDER"]
        return LocalBackend(path, durable=True)
    if choice == "s3":
        if not config.get("LMS_S3_BUCKET"):
            raise RuntimeError("LMS_STORAGE=s3 needs LMS_S3_BUCKET")
        return S3Backend(
            config["LMS_S3_BUCKET"],
            endpoint_url=config.get("LMS_S3_ENDPOINT_URL"),
            region=config.get("LMS_S3_REGION"),
            prefix=config.get("LMS_S3_PREFIX") or "",
            access_key=config.get("LMS_S3_ACCESS_KEY_ID"),
            secret_key=config.get("LMS_S3_SECRET_ACCESS_KEY"),
        )
    raise RuntimeError(f"LMS_STORAGE must be local, shared or s3, not {choice!r}")


def backend() -> Backend:
    """The app's storage backend, made once per app (again if its settings change)."""
    config = current_app.config
    settings = tuple(str(config.get(name) or "") for name in _SETTINGS)
    made = current_app.extensions.get("lms.storage")
    if made is None or made[0] != settings:
        made = current_app.extensions["lms.storage"] = (settings, make_backend(config))
    return made[1]


_SETTINGS = (
    "LMS_STORAGE",
    "UPLOAD_FOLDER",
    "LMS_STORAGE_PATH",
    "LMS_S3_BUCKET",
    "LMS_S3_ENDPOINT_URL",
    "LMS_S3_REGION",
    "LMS_S3_PREFIX",
)


def upload_root(kind: str) -> Path:
    """The local folder of `kind` (local and shared backends only)."""
    chosen = backend()
    if not isinstance(chosen, LocalBackend):
        raise RuntimeError("uploads are not on a local folder")
    return chosen.folder(kind)


def send(kind: str, stored_name: str, *, content_type: str, download_name: str) -> Response:
    """A stored file as a download, streamed, never shown inline or sniffed; 404 if the
    object is missing. Authorization is the caller's: check it first."""
    chosen = backend()
    try:
        size = chosen.size(kind, stored_name)
        stream = chosen.open(kind, stored_name)
    except FileNotFoundError:
        abort(404)
    response = send_file(
        stream,
        mimetype=content_type,
        as_attachment=True,
        download_name=download_name,
        conditional=False,
    )
    response.headers["Content-Length"] = str(size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
    chosen = backend()
    # Checked in a temporary `.partial` file, then handed to the backend whole: a worker
    # killed mid-write leaves only the partial file, which `lms uploads cleanup` sweeps.
    partial = chosen.spool_dir(kind) / (stored_name + PARTIAL)
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
        chosen.keep(kind, stored_name, partial)
    except OSError as error:
        partial.unlink(missing_ok=True)
        chosen.delete(kind, stored_name)
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
        chosen.delete(kind, stored_name)
        raise
    partial.unlink(missing_ok=True)
    _pending(kind, stored_name)
    return StoredFile(stored_name, name, size, _MIME[ext], digest.hexdigest())


def path_of(kind: str, stored_name: str) -> Path:
    """The local path of a stored file (local and shared backends only)."""
    chosen = backend()
    if not isinstance(chosen, LocalBackend):
        raise FileNotFoundError(stored_name)
    return chosen.path(kind, stored_name)


def open_stored(kind: str, stored_name: str) -> BinaryIO:
    return backend().open(kind, stored_name)


def delete(kind: str, stored_name: str) -> None:
    backend().delete(kind, stored_name)


# --------------------------------------------------------------------------- consistency

_KEY = "lms_new_files"


def _pending(kind: str, stored_name: str) -> None:
    from lms.extensions import db

    db.session().info.setdefault(_KEY, []).append((backend(), kind, stored_name))


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_rollback")
def _remove_files(session: Session) -> None:
    for chosen, kind, stored_name in session.info.pop(_KEY, []):
        chosen.delete(kind, stored_name)
