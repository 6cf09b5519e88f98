"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.extensions import db as _db
from lms.web import migration_include_name


def test_models_and_migrations_agree(db):
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": migration_include_name}
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"models differ from migrations; run `lms db migrate`: {diff}"


def test_migrations_downgrade_and_upgrade_cleanly(app, tmp_path):
    from flask_migrate import downgrade, upgrade

    from lms import create_app

    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}",
            "SECRET_KEY": "x",
            "TESTING": True,
        }
    )
    with other.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        from sqlalchemy import inspect

        assert {"user_account", "cohort", "enrolment", "region"} <= set(
            inspect(_db.engine).get_table_names()
        )
        _db.engine.dispose()
