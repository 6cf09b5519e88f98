"""Login, logout, own profile, password change and one-time reset links."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from lms.auth import notices, recent, services
from lms.auth.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    LoginForm,
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
