"""The REST API under /api/v1 (reports layer): OpenAPI 3.1 with flask-smorest, personal
access tokens, the same policy as the pages. It reaches course content only through the
course engine and the reports' public functions, never quizzes/ or assignments/."""

from __future__ import annotations

from typing import Any

API_SPEC_OPTIONS = {
    "info": {
        "description": (
            "Living Lab LMS: regions, cohorts, accounts, enrolments, course versions, "
            "progress, gradebooks and certificate verification. Authenticate with a personal "
            "access token (Authorization: Bearer lla_...). Lists are paged by cursor; reads "
            "carry an ETag; errors are RFC 9457 problem details in the caller's language "
            "(Accept-Language: id or en)."
        )
    },
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"token": []}],
    "servers": [{"url": "/"}],
}


def init_app(app: Any) -> None:
    """The API's blueprints, its OpenAPI document, the docs and token pages."""
    import lms.api.models  # noqa: F401
    from lms.api.core import LmsApi, install_error_handlers
    from lms.api.resources import BLUEPRINTS
    from lms.api.views import bp
    from lms.extensions import csrf

    app.config.setdefault("LMS_API_RATE_LIMIT", "300 per minute")
    app.config.setdefault("API_TITLE", "Living Lab LMS API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", API_SPEC_OPTIONS)

    api = LmsApi(app)
    app.extensions["lms_api"] = api
    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)  # token-authenticated, never by cookie
        api.register_blueprint(blueprint)
    app.register_blueprint(bp)
    install_error_handlers(app)
