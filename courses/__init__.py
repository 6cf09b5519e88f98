"""The course engine: course packages, authoring, delivery."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the course engine: models, authoring, delivery, schedule, CLI."""
    import courses.meetings.models  # noqa: F401
    import courses.models  # noqa: F401
    from courses.cli import init_cli
    from courses.learn_views import bp as learn_bp
    from courses.meetings.views import bp as schedule_bp
    from courses.views import bp as authoring_bp

    for bp in (authoring_bp, learn_bp, schedule_bp):
        app.register_blueprint(bp)
    init_cli(app)

    from courses.contract import mount_blueprints

    mount_blueprints(app, app.extensions["lms.registry"].activity_types)
