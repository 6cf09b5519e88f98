"""The API's plumbing: the flask-smorest `Api`, token authentication, scopes, problem+json
errors in the caller's language, cursor pagination and the per-token rate limit."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Flask, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_smorest import Api, Blueprint
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.api.schemas import ProblemSchema
from lms.api.tokens import authenticate, digest
from lms.auth.models import User
from lms.extensions import limiter
from lms.models import utcnow

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
LANGUAGES = ("id", "en")


class LmsApi(Api):
    """flask-smorest's Api with problem+json errors, answered only under /api/v1 (the
    pages keep their own HTML error pages)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Installed by `install_error_handlers`, which keeps the pages' handlers."""

    def _register_responses(self) -> None:
        import http

        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


TITLES: dict[int, Callable[[], str]] = {
    400: lambda: _("Bad request"),
    401: lambda: _("Authentication required"),
    403: lambda: _("Access denied"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Conflict"),
    412: lambda: _("Precondition failed"),
    413: lambda: _("Request too large"),
    415: lambda: _("Unsupported media type"),
    422: lambda: _("Invalid input"),
    428: lambda: _("Precondition required"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Server error"),
}
DETAILS: dict[int, Callable[[], str]] = {
    401: lambda: _("Send a valid personal access token: Authorization: Bearer <token>."),
    403: lambda: _("Your token does not give access to this."),
    404: lambda: _("There is nothing here, or it is outside what your token may see."),
    405: lambda: _("This method is not allowed here."),
    422: lambda: _("Some fields are invalid; see errors."),
    429: lambda: _("Too many requests for this token; wait and try again."),
    500: lambda: _("Something went wrong on our side; please try again."),
}


def problem(status: int, detail: str | None = None, **extra: Any) -> NoReturn:
    """Stop the request with a problem+json answer."""
    error = HTTPException(description=detail)
    error.code = status
    error.data = {"detail": detail, **extra}  # type: ignore[attr-defined]
    raise error


def problem_response(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, TITLES[500 if status >= 500 else 400])(),
        "status": status,
    }
    detail = data.get("detail") or (DETAILS[status]() if status in DETAILS else None)
    if detail:
        body["detail"] = str(detail)
    errors = data.get("errors") or data.get("messages")
    if errors:
        # webargs nests errors by location ({"json": {...}}); the caller wants the fields
        if isinstance(errors, dict) and set(errors) <= {"json", "query", "path", "headers"}:
            errors = {k: v for location in errors.values() for k, v in location.items()}
        body["errors"] = translated(errors)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if hasattr(error, "get_headers") and status in (405, 429):
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response


def _in_api() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def install_error_handlers(app: Flask) -> None:
    """Answer errors under /api/v1 with problem+json; leave every other page's handler."""
    handlers = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
    page_http = handlers.get(HTTPException)
    page_any = handlers.get(Exception)

    def on_http(error: HTTPException) -> Any:
        from lms.extensions import db

        if _in_api():
            db.session.rollback()
            _choose_locale()
            return problem_response(error)
        return page_http(error) if page_http else error

    def on_any(error: Exception) -> Any:
        if _in_api():
            import logging

            from lms.extensions import db

            logging.getLogger("lms.api").exception("Unhandled API error", exc_info=error)
            db.session.rollback()
            _choose_locale()
            return problem_response(InternalServerError())
        if page_any:
            return page_any(error)
        raise error

    app.register_error_handler(HTTPException, on_http)
    app.register_error_handler(Exception, on_any)


# --- authentication, scopes, language -----------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _choose_locale() -> None:
    """The caller's language: Accept-Language, else the token owner's, else Indonesian."""
    if "lms_locale" in g:
        return
    chosen = request.accept_languages.best_match(LANGUAGES)
    user = g.get("api_user")
    if chosen is None and user is not None and user.locale in LANGUAGES:
        chosen = user.locale
    g.lms_locale = chosen or "id"


def authenticate_request() -> None:
    """Every API request acts as the token's owner; cookies never count here."""
    secret = _bearer()
    token = authenticate(secret, utcnow()) if secret else None
    if token is not None:
        g.api_token, g.api_user = token, token.user
    _choose_locale()
    if token is None:
        problem(401)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not token.can_write:
        problem(403, _("This token may only read; create one with the write scope."))


def actor() -> User:
    return g.api_user


def rate_limit_key() -> str:
    secret = _bearer()
    return "api-token:" + digest(secret)[:24] if secret else "api-ip:" + (request.remote_addr or "")


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A resource blueprint: token required, rate limited per token (one shared budget)."""
    blp = Blueprint(
        f"api-{name}", __name__, url_prefix=PREFIX + url_prefix, description=description
    )
    blp.before_request(authenticate_request)
    limiter.shared_limit(
        lambda: current_app.config["LMS_API_RATE_LIMIT"], scope="api", key_func=rate_limit_key
    )(blp)
    return blp


# --- cursor pagination --------------------------------------------------------------------


def encode_cursor(key: Any) -> str:
    raw = json.dumps({"after": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: type) -> Any:
    """The key a page starts after; a 400 problem for a cursor we did not write."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        problem(400, _("The cursor is not one this API gave out."))
    if not isinstance(key, kind) or isinstance(key, bool):
        problem(400, _("The cursor is not one this API gave out."))
    return key


def page(rows: list[Any], limit: int, key: Callable[[Any], Any]) -> dict[str, Any]:
    """`rows` fetched with limit + 1: the page and the cursor of the next one."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(key(rows[-1])) if more else None}


# --- validation messages in the caller's language ------------------------------------------

_MESSAGES: list[tuple[str, Callable[..., str]]] = [
    (r"Missing data for required field\.", lambda: _("This field is required.")),
    (r"Field may not be null\.", lambda: _("This field cannot be empty (null).")),
    (r"Not a valid email address\.", lambda: _("Not a valid email address.")),
    (r"Not a valid integer\.", lambda: _("Not a whole number.")),
    (r"Not a valid string\.", lambda: _("Not a text.")),
    (r"Not a valid boolean\.", lambda: _("Not true or false.")),
    (r"Not a valid mapping type\.|Invalid input type\.", lambda: _("Not an object.")),
    (r"Not a valid list\.", lambda: _("Not a list.")),
    (r"Unknown field\.", lambda: _("There is no such field.")),
    (
        r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
        lambda min, max: _("Give %(min)s to %(max)s characters or items.", min=min, max=max),
    ),
    (
        r"Shorter than minimum length (?P<min>\d+)\.",
        lambda min: _("Give at least %(min)s characters or items.", min=min),
    ),
    (
        r"Longer than maximum length (?P<max>\d+)\.",
        lambda max: _("Give at most %(max)s characters or items.", max=max),
    ),
    (
        r"Must be one of: (?P<choices>.+)\.",
        lambda choices: _("Choose one of: %(choices)s.", choices=choices),
    ),
    (
        r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",
        lambda min, max: _("Give a number from %(min)s to %(max)s.", min=min, max=max),
    ),
]


def translated(errors: Any) -> Any:
    """marshmallow's (English) messages in the request's language; others as they are."""
    import re

    if isinstance(errors, dict):
        return {key: translated(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translated(value) for value in errors]
    if isinstance(errors, str):
        for pattern, message in _MESSAGES:
            match = re.fullmatch(pattern, errors)
            if match:
                return message(**match.groupdict())
    return errors
