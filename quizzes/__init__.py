"""The quiz engine: question-type plugins, the quiz activity type, attempts and grading."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the quiz engine's models, pages and CLI."""
    import quizzes.models  # noqa: F401
    from quizzes.admin_views import bp as quiz_admin_bp
    from quizzes.cli import init_cli
    from quizzes.views import bp as quizzes_bp

    app.register_blueprint(quizzes_bp)
    app.register_blueprint(quiz_admin_bp)
    init_cli(app)
