"""The SPBE maturity self-assessment of a region (PermenPANRB 59/2020, 47 indicators)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    import lms.maturity.models  # noqa: F401
    from lms.maturity.views import bp

    app.register_blueprint(bp)
