"""Pages every role shares: home, health check, language switch."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the home pages and the commands whose data spans every layer."""
    from lms.home.cli import init_cli
    from lms.home.views import bp

    app.register_blueprint(bp)
    init_cli(app)
