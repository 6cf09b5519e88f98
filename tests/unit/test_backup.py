"""`lms backup` and `lms restore`: a populated demo survives the round trip on SQLite and on
PostgreSQL (when the suite runs there), every table's row count and every file's checksum
equal; a non-empty target is refused unless forced; a damaged backup is refused."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, table, text

from lms import create_app
from lms.backup import sha256_of


def _pg_base() -> str | None:
    url = os.environ.get("LMS_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def _scratch_pg(name: str) -> str:
    """A fresh PostgreSQL database next to the test database; its SQLAlchemy URL."""
    base = _pg_base().replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    database = f"{admin.url.database}_{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return admin.url.set(database=database).render_as_string(hide_password=False)


def _app(url: str, uploads: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "backup-test",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(uploads),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        counts = {
            n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names
        }
    engine.dispose()
    return counts


def _checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256_of(p) for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request, tmp_path) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    if _pg_base() is None:
        pytest.skip("PostgreSQL round trip runs with LMS_TEST_DATABASE_URL (make test-pg)")
    yield _scratch_pg("bk_source"), _scratch_pg("bk_target")


def test_a_populated_demo_round_trips(urls, tmp_path):
    source_url, target_url = urls
    source_uploads, target_uploads = tmp_path / "up-source", tmp_path / "up-target"
    source = _app(source_url, source_uploads)
    with source.app_context():
        from flask_migrate import upgrade

        upgrade()
    runner = source.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    (source_uploads / "submissions").mkdir(parents=True)
    (source_uploads / "submissions" / "a1b2.pdf").write_bytes(b"%PDF-1.4 laporan\n")
    (source_uploads / "practices" / "x").mkdir(parents=True)
    (source_uploads / "practices" / "x" / "foto.png").write_bytes(os.urandom(4096))

    folder = tmp_path / "backup-1"
    result = runner.invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((folder / "manifest.json").read_text())
    before = _counts(source_url)
    assert manifest["tables"] == before
    assert before["user_account"] > 10 and before["cohort"] >= 2 and before["region"] == 514
    uploaded = {"submissions/a1b2.pdf", "practices/x/foto.png"}
    assert uploaded <= set(manifest["files"])
    # and the shipped course's module files (diagrams), kept under their SHA-256
    shipped = set(manifest["files"]) - uploaded
    assert shipped and all(name.startswith("course-assets/") for name in shipped)
    # a backup never overwrites another
    again = runner.invoke(args=["backup", str(folder)])
    assert again.exit_code != 0 and "not empty" in again.output

    target = _app(target_url, target_uploads)
    restorer = target.test_cli_runner()
    result = restorer.invoke(args=["restore", str(folder)])
    assert result.exit_code == 0, result.output
    assert _counts(target_url) == before
    assert _checksums(target_uploads) == _checksums(source_uploads)
    with target.app_context():
        from lms.auth.models import User
        from lms.auth.services import check_password
        from lms.extensions import db

        admin = db.session.scalar(db.select(User).where(User.email == "admin@demo.livinglab.id"))
        assert admin is not None and check_password(admin, "admin-demo-2026")
        db.session.remove()

    # the target now holds data: refused unless forced
    refused = restorer.invoke(args=["restore", str(folder)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    (target_uploads / "stray.txt").write_text("left behind")
    forced = restorer.invoke(args=["restore", "--force", str(folder)])
    assert forced.exit_code == 0, forced.output
    assert _counts(target_url) == before
    assert _checksums(target_uploads) == _checksums(source_uploads)

    # a damaged backup is refused before anything is touched
    (folder / "uploads" / "submissions" / "a1b2.pdf").write_bytes(b"tampered")
    damaged = restorer.invoke(args=["restore", "--force", str(folder)])
    assert damaged.exit_code != 0 and "a1b2.pdf: checksum differs" in damaged.output
    assert _counts(target_url) == before
    for app in (source, target):
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()
