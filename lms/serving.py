"""Production serving checks, used by `gunicorn.conf.py` (`make serve`): the database must be
at the newest migration before any worker takes a request."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app

from lms.extensions import db


class NotMigrated(RuntimeError):
    """The database schema is behind (or ahead of) this code's migrations."""


def migration_state(app: Flask) -> tuple[set[str], set[str]]:
    """(revisions the database is at, heads of this code's migrations)."""
    with app.app_context():
        migrate = current_app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    return current, heads


def check_migrated(app: Flask) -> None:
    """Raise `NotMigrated` with what to run when the database is not at the newest migration."""
    current, heads = migration_state(app)
    if current != heads:
        raise NotMigrated(
            f"the database is at {', '.join(sorted(current)) or 'no revision'} but this code "
            f"expects {', '.join(sorted(heads))}: run `lms db upgrade` first"
        )
