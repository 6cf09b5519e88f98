"""`make serve`: gunicorn's settings load, log JSON, and refuse an unmigrated database."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade

from lms import create_app
from lms.serving import NotMigrated, check_migrated

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_an_unmigrated_database_is_refused_then_accepted_after_upgrade(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.sqlite3'}"})
    with pytest.raises(NotMigrated, match="run `lms db upgrade` first"):
        check_migrated(app)
    with app.app_context():
        upgrade()
    check_migrated(app)  # at the newest migration: no error


def test_gunicorn_settings_log_json_and_stop_on_an_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    monkeypatch.setenv("LMS_WORKERS", "3")
    settings = runpy.run_path(str(CONF))
    assert settings["workers"] == 3 and settings["wsgi_app"] == "lms:create_app()"
    line = settings["access_log_format"]
    atoms = {key: value for key, value in json.loads(line).items()}
    assert atoms["status"] == "%(s)s" and "%(q)s" not in line  # no query strings logged
    logged = []
    server = SimpleNamespace(log=SimpleNamespace(error=lambda *a: logged.append(a[0] % a[1:])))
    with pytest.raises(SystemExit) as stopped:
        settings["on_starting"](server)
    assert stopped.value.code == 3
    assert "lms db upgrade" in logged[0]


def test_a_worker_hides_its_start_up_objects_from_the_garbage_collector(monkeypatch):
    """Without this, every full collection walks the app's ~200,000 start-up objects and a
    request now and then waits ~90 ms for it (the p95 of the dashboards under load)."""
    import gc

    settings = runpy.run_path(str(CONF))
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](SimpleNamespace())
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
