"""Living Lab LMS: the core (app factory, accounts, regions, cohorts, policy, plugins).

The layers above it (see `COMPONENTS` and the import-linter contracts in pyproject.toml)
register themselves through their `init_app`; the core never imports them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent
TEMPLATES = ROOT.parent / "templates"

COMPONENTS = (
    "courses",  # the course engine, with the built-in reading and meeting types
    "quizzes",  # activity types
    "assignments",
    "discussions",
    "lms.tracking",  # reports
    "lms.certificates",
    "lms.maturity",
    "lms.api",  # the REST API and the LTI tool, above the reports whose functions they call
    "lms.lti",
    "lms.xapi",
    "lms.home",  # the home pages and commands that span every layer
    "lms.privacy",  # personal data: export, erasure, retention, notice (reads every layer)
)
"""Packages above the core, each with an `init_app(app)`, in the order they register."""


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, plugins, blueprints, CLI. No database access."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    from lms import config as lms_config

    app.config.from_mapping(lms_config.DEFAULTS)
    app.config.from_mapping(lms_config.from_environment(instance))
    if config:
        app.config.from_mapping(config)

    from lms import plugins, web

    web.init_app(app)
    plugins.init_app(app)

    # The core's own tables and pages.
    import lms.audit.models  # noqa: F401
    import lms.longjobs.models  # noqa: F401
    import lms.notifications.models  # noqa: F401
    import lms.practices.models  # noqa: F401
    import lms.settings.models  # noqa: F401
    from lms.audit.views import bp as audit_bp
    from lms.auth.views import bp as auth_bp
    from lms.cohorts.views import bp as cohorts_bp
    from lms.longjobs.views import bp as longjobs_bp
    from lms.notifications.views import bp as notifications_bp
    from lms.practices.views import bp as practices_bp
    from lms.regions.views import bp as regions_bp
    from lms.settings.views import bp as settings_bp
    from lms.users.views import bp as users_bp

    for bp in (
        auth_bp,
        regions_bp,
        users_bp,
        cohorts_bp,
        practices_bp,
        notifications_bp,
        audit_bp,
        longjobs_bp,
        settings_bp,
    ):
        app.register_blueprint(bp)
    from lms import users

    users.init_app(app)  # its long job kind

    from lms.cli import register_commands

    register_commands(app)

    # The layers above the core register themselves; the core only knows their names.
    for name in app.config.get("LMS_COMPONENTS", COMPONENTS):
        importlib.import_module(name).init_app(app)
    return app
