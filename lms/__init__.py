"""Living Lab LMS: the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent
TEMPLATES = ROOT.parent / "templates"


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

    # Every table is known to the migrations and the mappers.
    import courses.models  # noqa: F401
    import lms.assignments.models  # noqa: F401
    import lms.certificates.models  # noqa: F401
    import lms.maturity.models  # noqa: F401
    import lms.meetings.models  # noqa: F401
    import lms.notifications.models  # noqa: F401
    import lms.practices.models  # noqa: F401
    import quizzes.models  # noqa: F401
    from courses.learn_views import bp as learn_bp
    from courses.views import bp as authoring_bp
    from lms.assignments.views import bp as assignments_bp
    from lms.auth.views import bp as auth_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.cohorts.views import bp as cohorts_bp
    from lms.core.views import bp as core_bp
    from lms.maturity.views import bp as maturity_bp
    from lms.meetings.views import bp as schedule_bp
    from lms.notifications.views import bp as notifications_bp
    from lms.practices.views import bp as practices_bp
    from lms.regions.views import bp as regions_bp
    from lms.tracking.views import bp as tracking_bp
    from lms.users.views import bp as users_bp
    from quizzes.admin_views import bp as quiz_admin_bp
    from quizzes.views import bp as quizzes_bp

    for bp in (
        core_bp,
        auth_bp,
        regions_bp,
        users_bp,
        cohorts_bp,
        authoring_bp,
        learn_bp,
        schedule_bp,
        quizzes_bp,
        quiz_admin_bp,
        practices_bp,
        assignments_bp,
        notifications_bp,
        maturity_bp,
        tracking_bp,
        certificates_bp,
    ):
        app.register_blueprint(bp)

    from courses.signals import activity_completed
    from lms.certificates.services import on_completion

    activity_completed.connect(on_completion)

    from lms.cli import register_commands

    register_commands(app)
    return app
