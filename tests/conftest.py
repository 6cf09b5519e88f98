"""The test harness every feature uses: app, client, db, factories, login, query counter.

The schema is built by running the Alembic migrations, never `create_all`. The suite
runs on SQLite by default and on PostgreSQL when LMS_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from courses import kept
from lms import create_app
from lms.auth.models import Role, User
from lms.auth.services import set_password
from lms.cohorts.models import Cohort, Enrolment, cohort_mentor
from lms.extensions import db as _db
from lms.extensions import limiter

PASSWORD = "correct-horse-battery"
KEEP_TABLES = {"province", "region", "alembic_version"}
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class Client(FlaskClient):
    """A test client that can fetch a CSRF token and post forms with it.

    Each request runs in an app context of its own, so it gets a fresh database
    session as in production, not the test's (which would hide lazy loads).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/login", follow_redirects=True).get_data(as_text=True)
        match = _CSRF.search(page)
        assert match, "no CSRF token found on the page"
        return match.group(1)

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _database_url(tmp_path_factory)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "lms.test",
        }
    )
    application.test_client_class = Client
    with application.app_context():
        if url.startswith("postgresql"):
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
        from lms.regions.services import load_regions

        load_regions()
        _db.session.commit()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The database inside an app context; every table but the region registry is emptied after."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        kept.forget()
        tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        limiter.reset()


@pytest.fixture
def client(app: Flask, db: Any) -> Client:
    return app.test_client()


_counter = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    """Create a committed user: make_user(role="mentor", region="32.11")."""

    def make(role: str = "participant", region: str | None = "", **fields: Any) -> User:
        n = next(_counter)
        if region == "":
            region = "32.11" if role in ("participant", "coordinator") else None
        password = fields.pop("password", PASSWORD)
        user = User(
            email=fields.pop("email", f"{role}{n}@example.org"),
            name=fields.pop("name", f"{role.title()} {n}"),
            role=Role(role).value,
            region_code=region,
            **fields,
        )
        if password == PASSWORD:
            user.password_hash = _password_hash()  # scrypt is slow: hash the common one once
            user.session_version = 1
        else:
            set_password(user, password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_cohort(db: Any) -> Callable[..., Cohort]:
    """Create a committed cohort: make_cohort(region="32.11", mentors=[m], participants=[p])."""

    def make(
        region: str = "32.11",
        name: str | None = None,
        mentors: list[User] = (),  # type: ignore[assignment]
        participants: list[User] = (),  # type: ignore[assignment]
        start: date = date(2026, 11, 2),
        end: date = date(2027, 2, 26),
    ) -> Cohort:
        cohort = Cohort(
            region_code=region,
            name=name or f"Angkatan {next(_counter)}",
            start_date=start,
            end_date=end,
        )
        db.session.add(cohort)
        db.session.flush()
        for mentor in mentors:
            db.session.execute(
                cohort_mentor.insert().values(cohort_id=cohort.id, user_id=mentor.id)
            )
        for participant in participants:
            db.session.add(Enrolment(cohort_id=cohort.id, user_id=participant.id))
        db.session.commit()
        return cohort

    return make


@pytest.fixture
def login(client: Client) -> Callable[..., Any]:
    """Log `user` in through the real login form."""

    def do(user: User, password: str = PASSWORD) -> Any:
        response = client.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """`with count_queries() as counted:` … `counted.n` is the SQL statements issued."""

    class Counted:
        n = 0
        statements: list[str]

    @contextmanager
    def counting() -> Iterator[Counted]:
        counted = Counted()
        counted.statements = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            counted.n += 1
            counted.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def course_package(
    slug: str = "kursus-uji",
    modules: int = 3,
    *,
    version: str = "1.0.0",
    activities: tuple[tuple[str, str], ...] = (("bacaan", "reading"), ("pertemuan", "meeting")),
    material: str = "## Materi\n\nIsi materi sesi.\n",
    unlock: dict[int, Any] | None = None,
    title: str = "Kursus Uji",
    questions: dict[int, list[dict[str, Any]]] | None = None,
) -> Any:
    """A valid course package built in memory: `modules` modules with the given activities.

    `activities` items are (key, type) or (key, type, settings). `unlock` maps a module
    number (1-based) to an UnlockRule for it; `questions` maps a module number to question
    dicts (key, type, name, text, config and optionally points, tags, feedback).
    """
    from courses import package as pkg

    unlock = unlock or {}
    questions = questions or {}

    def activity(n: int, spec: tuple[Any, ...]) -> Any:
        key, kind, *rest = spec
        settings = rest[0] if rest else {}
        return pkg.ActivityPackage(
            key=key,
            type=kind,
            title=f"{kind} {n}",
            settings=pkg.freeze_config(settings),
        )

    def question(spec: dict[str, Any]) -> Any:
        return pkg.QuestionPackage(
            key=spec["key"],
            type=spec["type"],
            name=spec.get("name", spec["key"]),
            text=spec.get("text", "Pertanyaan?"),
            points=spec.get("points", 1),
            tags=tuple(spec.get("tags", ())),
            feedback=spec.get("feedback", ""),
            config=pkg.freeze_config(spec.get("config", {})),
        )

    return pkg.CoursePackage(
        slug=slug,
        title=title,
        version=version,
        language="id",
        description="Kursus untuk pengujian.",
        modules=tuple(
            pkg.ModulePackage(
                slug=f"{n:02d}-sesi",
                title=f"Sesi {n}",
                summary=f"Ringkasan sesi {n}.",
                objectives=(f"Tujuan sesi {n}.",),
                duration_minutes=60,
                indicators=(n % 47 + 1,),
                meeting=pkg.MeetingPlan(duration_minutes=90, agenda=("Paparan", "Diskusi")),
                material=material,
                unlock=unlock.get(n),
                activities=tuple(activity(n, spec) for spec in activities),
                questions=tuple(question(spec) for spec in questions.get(n, ())),
            )
            for n in range(1, modules + 1)
        ),
    )


@pytest.fixture
def make_course(db: Any) -> Callable[..., Any]:
    """Import a course package (see `course_package`) and return its published version."""

    def make(**kwargs: Any) -> Any:
        from courses import services

        result = services.import_package(course_package(**kwargs))
        db.session.commit()
        return result.version

    return make


@pytest.fixture
def attach(db: Any) -> Callable[..., Any]:
    """Put a cohort on a course version: attach(cohort, version)."""

    def do(cohort: Cohort, version: Any) -> None:
        from courses import services

        services.attach_cohort(db.session.merge(cohort), db.session.merge(version))
        db.session.commit()

    return do


@contextmanager
def app_with_plugins(app: Flask, entry_points: list[Any]) -> Iterator[Flask]:
    """A second app on the test database whose registry also holds `entry_points`."""
    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "SERVER_NAME")},
            "TESTING": True,
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "RATELIMIT_STORAGE_URI": "memory://",
            "LMS_EXTRA_PLUGINS": list(entry_points),
        }
    )
    other.test_client_class = Client
    try:
        yield other
    finally:
        with other.app_context():
            _db.engine.dispose()
