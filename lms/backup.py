"""Backups: one folder holding a consistent database snapshot, the uploads and a manifest.

A backup folder contains:

- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite,
  copied with SQLite's online backup API, so writers may keep working meanwhile);
- `uploads/`, a copy of the upload folder;
- `manifest.json`: format, time, dialect, Alembic revision, every table's row count and
  every file's size and SHA-256 (the database file included).

On PostgreSQL the row counts and the dump read the same snapshot (`pg_export_snapshot`
shared with `pg_dump --snapshot`), so the manifest describes exactly what was dumped. On
SQLite the counts are read from the copy. `restore` checks every checksum before it
touches anything, refuses a target that already holds tables or files unless `force` is
given, and compares the restored row counts with the manifest afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, inspect, select, table, text

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    tables: int
    rows: int
    files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(engine: Engine) -> str:
    """The engine's URL as pg_dump and pg_restore understand it (no SQLAlchemy driver)."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_env(engine: Engine) -> dict[str, str]:
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    return env


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _count_rows(conn: Any) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {
        name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }


def _tool(name: str) -> str:
    """The full path of a PostgreSQL client program (LMS_PG_BIN names its folder)."""
    folder = os.environ.get("LMS_PG_BIN")
    found = shutil.which(name, path=folder) if folder else shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found; install postgresql-client or set LMS_PG_BIN.")
    return found


def _revision(counts: dict[str, int], conn: Any) -> str | None:
    if "alembic_version" not in counts:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _copy_tree(source: Path, target: Path) -> dict[str, dict[str, Any]]:
    """Copy every regular file under `source` to `target`; return {relative path: facts}."""
    files: dict[str, dict[str, Any]] = {}
    if not source.is_dir():
        return files
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(source).as_posix()
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files[relative] = {"size": destination.stat().st_size, "sha256": sha256_of(destination)}
    return files


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def backup(engine: Engine, upload_folder: Path, target: Path, echo: Callable = print) -> Summary:
    """Write a backup of the database behind `engine` and of `upload_folder` into `target`,
    which must be missing or empty."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; give a new folder for each backup.")
    target.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    database_file: Path
    if dialect == "postgresql":
        database_file = target / PG_DUMP
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _count_rows(conn)
            revision = _revision(counts, conn)
            echo(f"Dumping the database (snapshot {snapshot}) ...")
            result = subprocess.run(  # noqa: S603 (fixed program, arguments from config)
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={database_file}",
                    f"--dbname={_libpq_url(engine)}",
                ],
                env=_pg_env(engine),
                capture_output=True,
                text=True,
            )
            conn.rollback()
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    elif dialect == "sqlite":
        database_file = target / SQLITE_COPY
        echo("Copying the database with SQLite's online backup API ...")
        source = sqlite3.connect(_sqlite_path(engine))
        copy = sqlite3.connect(database_file)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        counts, revision = _sqlite_counts(database_file)
    else:
        raise BackupError(f"Backups of {dialect} databases are not supported.")
    echo("Copying the uploads ...")
    files = _copy_tree(upload_folder, target / UPLOADS)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dialect": dialect,
        "alembic_revision": revision,
        "database": {
            "file": database_file.name,
            "size": database_file.stat().st_size,
            "sha256": sha256_of(database_file),
        },
        "tables": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Summary(target, len(counts), sum(counts.values()), len(files))


def _sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            counts = _count_rows(conn)
            return counts, _revision(counts, conn)
    finally:
        engine.dispose()


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup folder.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def verify(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Every way the folder differs from its manifest (missing, resized or changed files)."""
    problems = []
    expected = {manifest["database"]["file"]: manifest["database"]}
    expected.update({f"{UPLOADS}/{k}": v for k, v in manifest["files"].items()})
    for relative, facts in expected.items():
        path = folder / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.stat().st_size != facts["size"] or sha256_of(path) != facts["sha256"]:
            problems.append(f"{relative}: checksum differs from the manifest")
    return problems


def restore(
    engine: Engine,
    upload_folder: Path,
    source: Path,
    *,
    force: bool = False,
    echo: Callable = print,
) -> Summary:
    """Restore the backup in `source` into the (empty) database and upload folder.

    With `force`, whatever the target holds is dropped first."""
    manifest = read_manifest(source)
    dialect = engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError(
            f"The backup is of a {manifest['dialect']} database; the target is {dialect}."
        )
    problems = verify(source, manifest)
    if problems:
        raise BackupError("The backup is damaged: " + "; ".join(problems))
    tables = inspect(engine).get_table_names()
    occupied = []
    if tables:
        occupied.append(f"the database has {len(tables)} tables")
    if _has_files(upload_folder):
        occupied.append(f"{upload_folder} holds files")
    if occupied and not force:
        raise BackupError(
            "The target is not empty ("
            + ", ".join(occupied)
            + "); restore into an empty database and folder, or pass --force to replace them."
        )
    database_file = source / manifest["database"]["file"]
    if dialect == "postgresql":
        if tables:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        echo("Restoring the database with pg_restore ...")
        result = subprocess.run(  # noqa: S603 (fixed program, arguments from config)
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={_libpq_url(engine)}",
                str(database_file),
            ],
            env=_pg_env(engine),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        with engine.connect() as conn:
            counts = _count_rows(conn)
    else:
        engine.dispose()
        echo("Restoring the database with SQLite's backup API ...")
        target = _sqlite_path(engine)
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(database_file)
        live = sqlite3.connect(target)
        try:
            with live:
                copy.backup(live)
        finally:
            live.close()
            copy.close()
        counts = _sqlite_counts(target)[0]
    if force and upload_folder.is_dir():
        shutil.rmtree(upload_folder)
    echo("Restoring the uploads ...")
    files = _copy_tree(source / UPLOADS, upload_folder)
    if counts != manifest["tables"]:
        differ = sorted(
            name
            for name in set(counts) | set(manifest["tables"])
            if counts.get(name) != manifest["tables"].get(name)
        )
        raise BackupError("Row counts differ from the manifest after restore: " + ", ".join(differ))
    if files != manifest["files"]:
        raise BackupError("Restored files differ from the manifest.")
    return Summary(upload_folder, len(counts), sum(counts.values()), len(files))
