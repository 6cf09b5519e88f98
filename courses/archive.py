"""Zip files in and out for course packages: safe unpacking of uploads, reproducible packing.

Admins upload course packages (see `courses.package`) as zip files and download them the
same way. An uploaded zip is untrusted input, and a zip can attack the machine that
unpacks it in several well-known ways:

* zip-slip: a member named `../../etc/cron.d/x`, `/etc/passwd`, `C:\\x` or with
  backslashes (which Windows tools treat as separators) writes outside the target folder;
* symbolic links stored as members make later writes land somewhere else;
* zip bombs: a tiny archive that inflates to gigabytes, or simply thousands of members;
* a header that lies about a member's size, so checks on the declared size pass.

`extract_zip` therefore validates *every* member before it writes anything, and refuses
the whole archive (with an `ArchiveError` naming the offending member, in plain English
for the admin) on the first problem: names must be relative, use `/` only, have no
empty, `.` or `..` component and no NUL, and must resolve inside the destination;
symbolic links and encrypted members are refused; the member count and the declared
sizes must be within the limits. Only then are members written, each streamed in chunks
with a hard cap on the bytes actually produced, so that a lying header cannot get past
the limits either (Python's `zipfile` also stops at the declared size and then fails
the CRC check; the cap does not rely on that). If anything fails midway, everything
written so far is removed again, so the destination is left as it was found.

macOS adds `__MACOSX/` resource-fork folders and `.DS_Store` files to zips it makes;
those are skipped. Packages are usually zipped as their folder, so when every member
sits inside one top-level folder that folder is returned as the package root.

`make_zip` packs a package folder for download. Paths are sorted, timestamps and
permissions are fixed and symbolic links are skipped, so the same folder always gives
byte-for-byte the same zip (useful for caching and for comparing downloads).
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MAX_TOTAL_BYTES = 20 * 1024 * 1024
"""Default limit on the unpacked size of a whole archive (20 MB)."""
MAX_FILES = 500
"""Default limit on the number of entries (files and folders) in an archive."""
MAX_FILE_BYTES = 1024 * 1024
"""Default limit on the unpacked size of one member (1 MB, as `courses.package`)."""

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip can store; every member `make_zip` writes gets it."""
ZIP_PERMISSIONS = 0o644 << 16
"""Unix permissions (rw-r--r--) in the high 16 bits of `external_attr`."""

FILE_MODE = 0o644
DIR_MODE = 0o755

_CHUNK = 64 * 1024
_IGNORED_FOLDER = "__MACOSX"
_IGNORED_FILE = ".DS_Store"
_DRIVE = re.compile(r"[A-Za-z]:")
_SUPPORTED_COMPRESSION = (
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
)


class ArchiveError(Exception):
    """A zip archive was refused or could not be unpacked; the message says why."""


# --------------------------------------------------------------------------- unpacking


def extract_zip(
    data: bytes | BinaryIO,
    dest: Path,
    *,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_files: int = MAX_FILES,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Path:
    """Unpack the untrusted zip `data` (bytes or a seekable binary file) into `dest`.

    `dest` is created if needed and should be empty. Returns the package root: `dest /
    folder` when every member sits inside one top-level folder, otherwise `dest`.

    Raises `ArchiveError` when the archive is refused or cannot be unpacked; nothing
    written by this call is left behind in that case. `max_files` counts every entry of
    the archive (files and folders, including ones that are skipped).
    """
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ArchiveError("the file is not a zip archive") from exc

    with archive:
        members = _validated_members(
            archive.infolist(),
            Path(dest),
            max_total_bytes=max_total_bytes,
            max_files=max_files,
            max_file_bytes=max_file_bytes,
        )
        Path(dest).mkdir(parents=True, exist_ok=True)
        _extract(
            archive,
            members,
            Path(dest),
            max_total_bytes=max_total_bytes,
            max_file_bytes=max_file_bytes,
        )
    return Path(dest) / _package_root(members)


def _validated_members(
    infos: list[zipfile.ZipInfo],
    dest: Path,
    *,
    max_total_bytes: int,
    max_files: int,
    max_file_bytes: int,
) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """Check the whole archive; return the members to unpack with their path parts."""
    if len(infos) > max_files:
        raise ArchiveError(f"the archive has {len(infos)} entries; at most {max_files} are allowed")

    root = dest.resolve()
    members: list[tuple[zipfile.ZipInfo, tuple[str, ...]]] = []
    for info in infos:
        parts = _safe_parts(info, root)
        if parts[0] == _IGNORED_FOLDER or parts[-1] == _IGNORED_FILE:
            continue
        label = _label(info)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ArchiveError(f"member {label} is a symbolic link; links are not allowed")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"member {label} is encrypted; encrypted zips are not supported")
        if info.is_dir():
            members.append((info, parts))
            continue
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise ArchiveError(f"member {label} uses an unsupported compression method")
        if info.file_size > max_file_bytes:
            raise ArchiveError(
                f"member {label} is {info.file_size} bytes unpacked; "
                f"at most {max_file_bytes} bytes are allowed per file"
            )
        members.append((info, parts))

    if not any(not info.is_dir() for info, _ in members):
        raise ArchiveError("the archive contains no files")

    _check_layout(members)

    total = sum(info.file_size for info, _ in members if not info.is_dir())
    if total > max_total_bytes:
        raise ArchiveError(
            f"the archive unpacks to {total} bytes; at most {max_total_bytes} bytes are allowed"
        )
    return members


def _label(info: zipfile.ZipInfo) -> str:
    """The member's name as stored, quoted so control characters show."""
    return repr(info.orig_filename)


def _safe_parts(info: zipfile.ZipInfo, root: Path) -> tuple[str, ...]:
    """The path components of a member, or `ArchiveError` if the name is unsafe."""
    # ZipInfo.filename is cut at a NUL; orig_filename is the name as stored.
    name = info.orig_filename
    label = _label(info)
    if "\x00" in name:
        raise ArchiveError(f"member {label} has a NUL character in its name")
    if "\\" in name:
        raise ArchiveError(f"member {label} has a backslash in its name; use '/' between folders")
    if name.startswith("/") or _DRIVE.match(name):
        raise ArchiveError(f"member {label} has an absolute path; only relative paths are allowed")
    body = name[:-1] if name.endswith("/") else name
    parts = tuple(body.split("/"))
    if ".." in parts:
        raise ArchiveError(f"member {label} points outside the archive folder ('..')")
    if any(part in ("", ".") for part in parts):
        raise ArchiveError(f"member {label} has an empty or '.' folder in its path")
    target = root.joinpath(*parts).resolve()
    if target == root or not target.is_relative_to(root):
        raise ArchiveError(f"member {label} would be written outside the destination folder")
    return parts


def _check_layout(members: list[tuple[zipfile.ZipInfo, tuple[str, ...]]]) -> None:
    """Refuse duplicate members and names used both as a file and as a folder."""
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    for info, parts in members:
        if info.is_dir():
            folders.add(parts)
        elif parts in files:
            raise ArchiveError(f"member {_label(info)} appears more than once")
        else:
            files.add(parts)
        folders.update(parts[:end] for end in range(1, len(parts)))
    for info, parts in members:
        if not info.is_dir() and parts in folders:
            raise ArchiveError(f"member {_label(info)} is both a file and a folder")


def _extract(
    archive: zipfile.ZipFile,
    members: list[tuple[zipfile.ZipInfo, tuple[str, ...]]],
    dest: Path,
    *,
    max_total_bytes: int,
    max_file_bytes: int,
) -> None:
    """Write the validated members; on any failure remove what was written and raise."""
    created: list[Path] = []
    total = 0
    current = ""
    try:
        for info, parts in members:
            current = _label(info)
            if info.is_dir():
                _make_dirs(dest, parts, created)
                continue
            _make_dirs(dest, parts[:-1], created)
            target = dest.joinpath(*parts)
            with archive.open(info) as src, open(target, "xb", opener=_file_opener) as dst:
                # "xb" never opens an existing file, so this one is ours to remove,
                # even if it is only half written.
                created.append(target)
                os.fchmod(dst.fileno(), FILE_MODE)
                total += _copy_capped(
                    src,
                    dst,
                    current,
                    file_limit=max_file_bytes,
                    total_left=max_total_bytes - total,
                    max_total_bytes=max_total_bytes,
                )
    except ArchiveError:
        _remove(created)
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        _remove(created)
        raise ArchiveError(
            f"member {current} could not be unpacked: the archive is damaged ({exc})"
        ) from exc
    except OSError as exc:
        _remove(created)
        raise ArchiveError(f"member {current} could not be written: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(created)
        raise


def _file_opener(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)


def _make_dirs(dest: Path, parts: tuple[str, ...], created: list[Path]) -> None:
    folder = dest
    for part in parts:
        folder = folder / part
        if folder.is_symlink():
            raise ArchiveError(f"the destination folder already holds a link at {part!r}")
        if not folder.is_dir():
            folder.mkdir(mode=DIR_MODE)
            created.append(folder)


def _copy_capped(
    src: BinaryIO,
    dst: BinaryIO,
    label: str,
    *,
    file_limit: int,
    total_left: int,
    max_total_bytes: int,
) -> int:
    """Copy `src` to `dst`, never producing more than the limits allow; return the size.

    The declared sizes were checked already; this counts the bytes actually produced, so
    a member whose header lies is stopped after at most one byte past the limit is read.
    """
    limit = min(file_limit, total_left)
    written = 0
    while True:
        chunk = src.read(min(_CHUNK, limit + 1 - written))
        if not chunk:
            return written
        written += len(chunk)
        if written > limit:
            if limit == file_limit:
                raise ArchiveError(
                    f"member {label} unpacks to more than {file_limit} bytes "
                    "(more than its header says); at most that is allowed per file"
                )
            raise ArchiveError(
                f"the archive unpacks to more than {max_total_bytes} bytes "
                f"(more than its headers say), stopped at member {label}"
            )
        dst.write(chunk)


def _remove(created: Iterable[Path]) -> None:
    """Remove files and folders this call created, newest first."""
    for path in reversed(list(created)):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def _package_root(members: list[tuple[zipfile.ZipInfo, tuple[str, ...]]]) -> str:
    """The single top-level folder holding every member, or "" for the archive root."""
    tops = {parts[0] for _, parts in members}
    if len(tops) != 1:
        return ""
    (top,) = tops
    for info, parts in members:
        if len(parts) == 1 and not info.is_dir():
            return ""  # a top-level file, not a folder
    return top


# --------------------------------------------------------------------------- packing


def make_zip(folder: Path, *, prefix: str) -> bytes:
    """Zip every regular file under `folder` as `prefix/relative/path`, reproducibly.

    Symbolic links (to files or folders) are skipped, never followed. `prefix` must be a
    single folder name, such as the package slug.
    """
    if not prefix or prefix in (".", "..") or "/" in prefix or "\\" in prefix or "\x00" in prefix:
        raise ValueError(f"prefix must be a single folder name, not {prefix!r}")
    root = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel in _regular_files(root):
            info = zipfile.ZipInfo(f"{prefix}/{rel}", date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = ZIP_PERMISSIONS
            archive.writestr(info, _read_regular(root / rel))
    return buffer.getvalue()


def _regular_files(root: Path) -> list[str]:
    """Relative POSIX paths of the regular files under `root`, sorted, links skipped."""
    found: list[PurePosixPath] = []
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(current)
        dirnames[:] = [name for name in dirnames if not (base / name).is_symlink()]
        for name in filenames:
            path = base / name
            if stat.S_ISREG(path.lstat().st_mode):
                found.append(PurePosixPath(path.relative_to(root).as_posix()))
    return [str(path) for path in sorted(found, key=lambda path: path.parts)]


def _read_regular(path: Path) -> bytes:
    """The bytes of `path`, opened without following a link put there meanwhile."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()
