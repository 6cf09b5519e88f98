"""Login, logout, own profile, password change and one-time reset links."""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from lms.auth import notices, recent, services, totp
from lms.auth.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    LoginForm,
    OneTimeCodeForm,
    PreferencesForm,
    ResetPasswordForm,
)
from lms.errors import form_status
from lms.extensions import limiter
from lms.models import utcnow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))


def _login_failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-account",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-ip",
)
def login() -> str | Response:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.totp_secret:
            # The password was right; the code from the authenticator app comes next.
            session["totp_user"] = user.id
            session["totp_next"] = _safe_next(request.args.get("next")) or ""
            return redirect(url_for("auth.login_code"))
        if user is not None:
            login_user(user)
            recent.mark()
            user.last_login_at = utcnow()
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
        form.password.errors.append(_("The email or password is wrong."))
    return render_template("auth/login.html", form=form), form_status(form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out and return to the login page."""
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> str | Response:
    """The user's own profile and display preferences."""
    form = PreferencesForm(obj=None)
    if request.method == "GET":
        form.locale.data = current_user.locale or "id"
        form.timezone.data = current_user.timezone or ""
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data or None
        flash(_("Your preferences were saved."), "success")
        response = redirect(url_for("auth.account"))
        from lms.web import LANG_COOKIE

        response.set_cookie(
            LANG_COOKIE, form.locale.data, max_age=365 * 86400, samesite="Lax", httponly=True
        )
        return response
    return render_template("auth/account.html", form=form), form_status(form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change one's own password; other sessions are logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.check_password(current_user, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            services.set_password(current_user, form.new_password.data)
            login_user(current_user._get_current_object())  # re-issue with the new version
            notices.password_changed(current_user.email)
            flash(_("Your password was changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), form_status(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response:
    """Set a new password through a one-time link issued by an admin."""
    if services.find_valid_reset_token(token) is None:
        abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = services.consume_reset_token(token, form.new_password.data)
        if user is None:
            abort(404)
        notices.password_changed(user.email)
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password was set. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), form_status(form)


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"])
def confirm_password() -> str | Response:
    """Enter one's password again before a sensitive action, then go back to it."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if services.check_password(current_user, form.password.data):
            recent.mark()
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
        form.password.errors.append(_("The password is wrong."))
    return render_template("auth/confirm_password.html", form=form), form_status(form)


# --------------------------------------------------------------------------- two-factor


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], deduct_when=_login_failed)
def login_code() -> str | Response:
    """Second step of signing in: a code from the authenticator app or a recovery code."""
    user = services.active_user(session.get("totp_user"))
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = OneTimeCodeForm()
    if form.validate_on_submit():
        if totp.second_factor_ok(user, form.code.data):
            target = session.pop("totp_next", "") or url_for("core.home")
            session.pop("totp_user", None)
            login_user(user)
            recent.mark()
            user.last_login_at = utcnow()
            return redirect(target)
        form.code.errors.append(_("The code is wrong or has expired."))
    return render_template("auth/login_code.html", form=form), form_status(form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> str | Response:
    """Turn two-factor sign-in on (scan, then confirm a code) or off (admins, coordinators)."""
    if not current_user.has_role(*totp.ROLES):
        abort(403)
    form = OneTimeCodeForm()
    action = request.form.get("action", "")
    if request.method == "POST" and not recent.recent():
        return recent.ask(url_for("auth.two_factor"))
    if current_user.totp_secret:
        if form.validate_on_submit() and action in ("disable", "recovery"):
            # A code from the app itself: a recovery code cannot renew the recovery codes.
            if action == "recovery" and totp.code_ok(current_user.totp_secret, form.code.data):
                codes = totp.new_recovery_codes(current_user)
                return render_template("auth/recovery_codes.html", codes=codes)
            if action == "disable" and totp.second_factor_ok(current_user, form.code.data):
                totp.disable(current_user)
                flash(_("Two-factor sign-in is off."), "success")
                return redirect(url_for("auth.two_factor"))
            form.code.errors.append(_("The code is wrong or has expired."))
        return render_template(
            "auth/two_factor.html",
            form=form,
            enabled=True,
            recovery_left=len(current_user.totp_recovery or []),
        ), form_status(form)
    secret = session.get("totp_pending") or totp.new_secret()
    session["totp_pending"] = secret
    if form.validate_on_submit() and action == "enable":
        codes = totp.enable(current_user, secret, form.code.data)
        if codes is not None:
            session.pop("totp_pending", None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(_("The code is wrong or has expired."))
    uri = totp.provisioning_uri(secret, current_user.email)
    return render_template(
        "auth/two_factor.html",
        form=form,
        enabled=False,
        secret=secret,
        qr=Markup(segno.make(uri, error="m").svg_inline(scale=4)),  # noqa: S704 (segno SVG)
    ), form_status(form)
