"""Request plumbing shared by every page: extensions, i18n, sessions, headers, errors, commit."""

from __future__ import annotations

import functools
import os
from typing import Any

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask import (
    Flask,
    Response,
    before_render_template,
    g,
    has_app_context,
    has_request_context,
    jsonify,
    render_template,
    request,
    template_rendered,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_datetime, get_locale, get_timezone, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from lms.regions.models import TIMEZONE_ABBREVIATIONS

LANG_COOKIE = "lms_lang"
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            request is not None and request.is_secure
        )


def select_locale() -> str:
    languages = ("id", "en")
    if not has_request_context():
        return os.environ.get("LMS_CLI_LOCALE", "en")
    if g.get("lms_locale") in languages:  # chosen by a layer above (the API: Accept-Language)
        return g.lms_locale
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return "id"


def select_timezone() -> str:
    if not has_request_context():
        return "Asia/Jakarta"
    if current_user and current_user.is_authenticated:
        return current_user.effective_timezone
    return "Asia/Jakarta"


def load_user(session_id: str) -> Any:
    from lms.auth.models import User

    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    from lms.notifications.models import Notification

    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    from lms.authors import CourseAuthor

    authored = (
        select(func.count(CourseAuthor.id))
        .where(CourseAuthor.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(User, unread, authored)
        .options(joinedload(User.region))
        .where(User.id == int(user_id))
    ).first()
    if row is None:
        return None
    user, user.unread_notifications, user.authored_courses = row[0], row[1], row[2]
    if user.session_version != int(version) or not user.active:
        return None
    return user


def _security_headers(response: Response) -> Response:
    from lms.markdown import embed_origins, parse_providers
    from lms.settings.services import looked_up_video_embed

    # Only a page whose material had a candidate video link read the allow-list; the
    # players it may frame are exactly the ones allowed for that render.
    providers = parse_providers(looked_up_video_embed() or "")
    if providers:
        frames = " ".join(embed_origins(providers))
        response.headers.setdefault("Content-Security-Policy", f"{CSP}; frame-src {frames}")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if (
        request.endpoint != "static"  # the same for everyone: cached (lms/assets.py)
        and current_user
        and getattr(current_user, "is_authenticated", False)
    ):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def local_decimal(value: float | None, digits: int | None = None) -> str:
    """A number in the reader's locale (3,45 in Indonesian): `digits` fixed decimals, or as
    few as needed (up to 2) when None; "—" for no value."""
    return _decimal_in(get_locale(), value, digits)


def local_percent(value: float | None, digits: int = 0) -> str:
    """A percentage given as 0-100, in the reader's locale (4,4% in Indonesian)."""
    return _percent_in(get_locale(), value, digits)


def decimal_in(locale: Locale | None, value: float | None, digits: int | None = None) -> str:
    """`local_decimal` with the locale looked up once by the caller (a page of many numbers)."""
    return _decimal_in(locale, value, digits)


def percent_in(locale: Locale | None, value: float | None, digits: int = 0) -> str:
    """`local_percent` with the locale looked up once by the caller (a page of many numbers)."""
    return _percent_in(locale, value, digits)


def _decimal_in(locale: Locale | None, value: float | None, digits: int | None) -> str:
    if value is None:
        return "—"
    pattern = "#,##0.##" if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return _formatted(value, pattern, locale)


def _percent_in(locale: Locale | None, value: float | None, digits: int) -> str:
    if value is None:
        return "—"
    return _formatted(value / 100, "#,##0" + ("." + "0" * digits if digits else "") + "%", locale)


# A dashboard formats ~1,500 numbers a render, most of them repeated (the same few percents):
# the pattern is parsed once, and each (value, pattern, locale) is formatted once per process.
# The result is what flask_babel.format_decimal/format_percent give for the same arguments.
@functools.lru_cache(maxsize=16384)
def _formatted(value: float, pattern: str, locale: Locale | None) -> str:
    return _number_pattern(pattern).apply(value, locale or Locale.parse("en"))


@functools.lru_cache(maxsize=32)
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@pass_context
def _decimal_filter(context: Context, value: float | None, digits: int | None = None) -> str:
    return _decimal_in(_render_locale(context), value, digits)


@pass_context
def _percent_filter(context: Context, value: float | None, digits: int = 0) -> str:
    return _percent_in(_render_locale(context), value, digits)


@pass_context
def _figure(context: Context, value: float | None, digits: int = 0, suffix: str = "") -> str:
    """A figure of a table or chart: the number in the reader's locale with its unit, or
    "—" for none (a function rather than a macro: a national table has hundreds)."""
    if value is None:
        return "—"
    return _decimal_in(_render_locale(context), value, digits) + suffix


def _render_translations(context: Context) -> Any:
    """The catalogue looked up once per render (the context processor) rather than per
    string. A template imported without context (the macros) has no `_translations`: it
    takes the catalogue of the render in progress (`_push_render`), or looks it up as
    Flask-Babel does outside any render."""
    found = context.get("_translations")
    if found is not None:
        return found
    stack = g.get("_lms_renders") if has_app_context() else None
    return stack[-1] if stack else get_translations()


def _push_render(_app: Any, template: Any, context: dict[str, Any], **_: Any) -> None:
    """Before a render: its catalogue on top of the request's stack of renders (a mail
    rendered in another language during a request pushes its own, then pops it)."""
    g.setdefault("_lms_renders", []).append(context.get("_translations") or get_translations())


def _pop_render(_app: Any, template: Any, context: dict[str, Any], **_: Any) -> None:
    stack = g.get("_lms_renders")
    if stack:
        stack.pop()


@pass_context
def _template_gettext(context: Context, string: str) -> str:
    return _render_translations(context).ugettext(string)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _render_translations(context).ungettext(singular, plural, n)


@pass_context
def _template_pgettext(context: Context, msgctxt: str, string: str) -> str:
    return _render_translations(context).upgettext(msgctxt, string)


@pass_context
def _template_npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> str:
    return _render_translations(context).unpgettext(msgctxt, singular, plural, n)


def _render_locale(context: Context) -> Locale | None:
    """The locale looked up once per render (the context processor) rather than per number."""
    locale = context.get("_number_locale")
    return locale if locale is not None else get_locale()


def _commit_at_request_boundary(response: Response) -> Response:
    """The one place a request's work is committed: on success, else rolled back."""
    if response.status_code < 400:
        db.session.commit()
    elif response.status_code == 503:
        _rollback_quietly()  # the database is away: nothing to roll back that it would keep
    else:
        db.session.rollback()
    return response


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.close()


ERROR_MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have access to this page."),
    404: _l("The page you are looking for does not exist."),
    405: _l("This action is not allowed here."),
    413: _l("The uploaded file is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    503: _l(
        "The database cannot be reached at the moment (a restart or maintenance). "
        "Nothing from this request was saved. Please wait a moment and try again."
    ),
    500: _l("Something went wrong on our side. The team has been notified; please try again."),
}
ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    413: _l("File too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Temporarily unavailable"),
}


def _render_error(code: int, message: Any = None) -> tuple[str, int]:
    db.session.rollback()
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            message=message or ERROR_MESSAGES.get(code, ERROR_MESSAGES[500]),
        ),
        code,
    )


def _handle_http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    return _render_error(error.code)


def _handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    return _render_error(
        400,
        _l("This form has expired or was not sent from this site. Reload the page and try again."),
    )


def _handle_unexpected(error: Exception) -> tuple[str, int]:
    import logging

    logging.getLogger("lms").exception("Unhandled error", exc_info=error)
    return _render_error(500)


def _is_database_unavailable(error: Exception) -> bool:
    """The database went away (restart, failover, network): not a bug in this request."""
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return isinstance(error, sa_exc.PendingRollbackError | sa_exc.DisconnectionError)


# Form fields never echoed back into the "send again" form of the 503 page.
_NOT_RESENT = {"password", "current_password", "new_password", "code"}


def _handle_database_unavailable(error: Exception) -> tuple[Any, int]:
    """503, not a 500 trace, while the database restarts. The user is told nothing was
    saved; a form's fields come back in a "send again" form on the page (files excepted),
    and the quiz page's autosave gets JSON and retries on its own."""
    import logging

    logging.getLogger("lms").warning("Database unavailable: %s", error.__class__.__name__)
    _rollback_quietly()
    # The user could not be loaded: render as anonymous rather than query again.
    g._login_user = login_manager.anonymous_user()
    message = ERROR_MESSAGES[503]
    if request.headers.get("X-Requested-With") == "fetch" or request.is_json:
        response = jsonify(ok=False, retry=True, message=str(message))
    else:
        resend = None
        if request.method == "POST" and request.form:
            resend = [
                (name, value)
                for name, values in request.form.lists()
                if name not in _NOT_RESENT
                for value in values
            ]
        response = Response(
            render_template(
                "errors/error.html",
                code=503,
                title=ERROR_TITLES[503],
                message=message,
                resend=resend,
                resend_url=request.full_path.rstrip("?"),
                files_lost=bool(request.files),
            )
        )
    response.status_code = 503
    response.headers["Retry-After"] = "10"
    return response, 503


def _handle_unexpected_or_database(error: Exception) -> Any:
    if _is_database_unavailable(error):
        return _handle_database_unavailable(error)
    return _handle_unexpected(error)


def local_datetime(value: Any, fmt: str = "medium") -> str:
    """A UTC datetime shown in the viewer's time zone, with WIB/WITA/WIT."""
    if value is None:
        return ""
    tz = str(get_timezone())
    return f"{format_datetime(value, fmt)} {TIMEZONE_ABBREVIATIONS.get(tz, tz)}"


def migration_include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves alone tables only migrations create: the SQLite FTS5 search
    table of discussion posts and its shadow tables (migration s4_discussion_fts)."""
    return not (type_ == "table" and (name or "").startswith("discussion_post_fts"))


def init_app(app: Flask) -> None:
    if os.environ.get("LMS_PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS,
        render_as_batch=True,
        compare_type=True,
        include_name=migration_include_name,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    # HTML, CSS, JS, JSON and SVG compressed (brotli or gzip, as the browser accepts).
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Files sent from disk (module files, downloads) are streamed and left alone: compressing
    # a stream would also compress a range (206) answer, and flask-compress's wrapper never
    # closes the file it replaces.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)
    from lms import assets

    assets.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"),
    )

    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)

    app.after_request(_security_headers)
    app.after_request(_commit_at_request_boundary)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(Exception, _handle_unexpected_or_database)

    # Templates translate some 70-3,000 strings a page: the catalogue is looked up once per
    # render (the context processor) instead of through Flask-Babel's per-call lookup.
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        newstyle=True,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )
    before_render_template.connect(_push_render, app)
    template_rendered.connect(_pop_render, app)
    app.jinja_env.filters["local_datetime"] = local_datetime
    from lms.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["local_date"] = lambda d, fmt="medium": format_date(d, fmt) if d else ""
    app.jinja_env.filters["decimal"] = _decimal_filter
    app.jinja_env.filters["percent"] = _percent_filter
    app.jinja_env.globals["figure"] = _figure

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from lms.labels import role_label, status_label

        return {
            "current_locale": select_locale(),
            "_number_locale": get_locale(),
            "_translations": get_translations(),
            "role_label": role_label,
            "status_label": status_label,
        }
