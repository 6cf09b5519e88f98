"""LTI 1.3 endpoints (login, launch, JWKS, deep linking) and the admin's registrations."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms.audit.recorder import log
from lms.audit.services import Change, snapshot
from lms.auth.models import Role
from lms.cohorts.models import Cohort
from lms.errors import attach_error, form_status
from lms.extensions import csrf, db, limiter
from lms.lti import keys, services
from lms.lti.forms import DeepLinkForm, PlatformForm
from lms.lti.models import LtiDeepLinkRequest, LtiPlatform
from lms.lti.tool import DatabaseToolConf, NonceOnce, new_token, registration_of
from lms.models import utcnow
from lms.policy import roles_required

bp = Blueprint("lti", __name__)


def _refused(message: str, status: int = 403) -> tuple[str, int]:
    return render_template("lti/refused.html", message=message), status


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("60 per minute")
def login() -> Any:
    """OIDC third-party initiated login: send the browser back to the platform."""
    flask_request = FlaskRequest()
    target = flask_request.get_param("target_link_uri")
    if not target:
        return _refused(_("The platform sent no target link."), 400)
    try:
        oidc = FlaskOIDCLogin(
            flask_request, DatabaseToolConf(), session_service=NonceOnce(flask_request)
        )
        return oidc.redirect(target)
    except (OIDCException, LtiException):
        return _refused(_("This platform is not registered here."), 400)


@bp.post("/lti/launch")
@csrf.exempt
@limiter.limit("60 per minute")
def launch() -> Any:
    """A signed launch: open the module for the user, or let a teacher pick modules."""
    flask_request = FlaskRequest()
    try:
        message = FlaskMessageLaunch(
            flask_request, DatabaseToolConf(), session_service=NonceOnce(flask_request)
        )
        claims = message.get_launch_data()
    except LtiException as error:
        return _refused(_("The launch was refused: %(reason)s", reason=str(error)))
    try:
        platform = services.platform_of(claims)
        if message.is_deep_link_launch():
            return _start_deep_link(platform, claims)
        if not message.is_resource_launch():
            return _refused(_("This kind of launch is not supported."), 400)
        user = services.account_for(platform, claims)
        enrolment = services.enrolment_for(platform, user)
        services.remember_grade_link(platform, enrolment, claims)
    except services.LtiError as error:
        return _refused(str(error))
    login_user(user)
    user.last_login_at = utcnow()
    return redirect(_module_url(platform, services.module_slug(claims)))


def _module_url(platform: LtiPlatform, slug: str | None) -> str:
    from courses.models import Module

    cohort = db.session.get(Cohort, platform.cohort_id)
    if slug and cohort.course_version_id is not None:
        module_id = db.session.scalar(
            select(Module.id).where(
                Module.version_id == cohort.course_version_id, Module.slug == slug
            )
        )
        if module_id is not None:
            return url_for("learn.module", cohort_id=cohort.id, module_id=module_id)
    return url_for("learn.plan", cohort_id=cohort.id)


def _start_deep_link(platform: LtiPlatform, claims: dict[str, Any]) -> Response:
    roles = claims.get("https://purl.imsglobal.org/spec/lti/claim/roles") or []
    if not any(("Instructor" in r) or ("Administrator" in r) for r in roles):
        raise services.LtiError(_("Only the platform's teachers can choose sessions."))
    pending = LtiDeepLinkRequest(
        token=new_token(),
        platform_id=platform.id,
        deployment_id=claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
        settings=claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"],
        subject=str(claims.get("sub") or ""),
    )
    db.session.add(pending)
    db.session.flush()
    return redirect(url_for("lti.deep_link", token=pending.token))


def _pending_or_404(token: str) -> tuple[LtiDeepLinkRequest, LtiPlatform]:
    pending = db.session.scalar(select(LtiDeepLinkRequest).where(LtiDeepLinkRequest.token == token))
    if pending is None or (utcnow() - pending.created_at).total_seconds() > 3600:
        abort(404)
    return pending, db.session.get(LtiPlatform, pending.platform_id)


def _modules(platform: LtiPlatform) -> list[Any]:
    from courses import services as course_services

    cohort = db.session.get(Cohort, platform.cohort_id)
    if cohort.course_version_id is None:
        return []
    return course_services.modules_of(cohort.course_version_id)


@bp.route("/lti/deep-link/<token>", methods=["GET", "POST"])
@csrf.exempt
def deep_link(token: str) -> Any:
    """The platform's teacher picks sessions; the answer goes back signed with our key."""
    from pylti1p3.deep_link import DeepLink

    pending, platform = _pending_or_404(token)
    modules = _modules(platform)
    form = DeepLinkForm(meta={"csrf": False})  # the unguessable token in the URL stands in
    form.modules.choices = [SelectChoice(m.id, f"{m.position}. {m.title}") for m in modules]
    if form.validate_on_submit():
        chosen = [m for m in modules if m.id in form.modules.data]
        resources = [
            DeepLinkResource()
            .set_url(url_for("lti.launch", _external=True))
            .set_title(m.title)
            .set_custom_params({"module": m.slug})
            for m in chosen
        ]
        link = DeepLink(registration_of(platform), pending.deployment_id, pending.settings)
        jwt_value = link.get_response_jwt(resources)
        return_url = pending.settings["deep_link_return_url"]
        db.session.delete(pending)
        return render_template("lti/deep_link_return.html", jwt=jwt_value, return_url=return_url)
    return render_template("lti/deep_link.html", form=form, platform=platform), form_status(form)


@bp.get("/lti/jwks.json")
def jwks() -> Response:
    """Our public keys."""
    return jsonify(keys.jwks(utcnow()))


def _platform_form(platform: LtiPlatform | None = None) -> PlatformForm:
    form = PlatformForm(obj=platform)
    form.cohort_id.choices = [
        SelectChoice(c.id, f"{c.name} ({c.region_code})")
        for c in db.session.scalars(select(Cohort).order_by(Cohort.name))
    ]
    return form


def _platform_input(form: PlatformForm) -> services.PlatformInput:
    return services.PlatformInput(
        **{f: getattr(form, f).data for f in services.PlatformInput.__dataclass_fields__}
    )


def _audit(action: str, platform: LtiPlatform, before: dict[str, Any]) -> None:
    log(
        Change(
            action,
            "lti_platform",
            platform.id,
            platform.name,
            db.session.scalar(select(Cohort.region_code).where(Cohort.id == platform.cohort_id)),
            before,
            snapshot(platform, services.PLATFORM_FIELDS),
        )
    )


@bp.route("/admin/lti/platforms", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def platforms() -> Any:
    """Registered platforms, a new registration, and the URLs to give the platform."""
    form = _platform_form()
    if form.validate_on_submit():
        try:
            platform = services.register_platform(_platform_input(form))
        except services.LtiError as error:
            attach_error(form, error)
        else:
            _audit("lti_platform.create", platform, {})
            return redirect(url_for("lti.platforms"))
    registered = db.session.execute(
        select(LtiPlatform, Cohort.name)
        .join(Cohort, Cohort.id == LtiPlatform.cohort_id)
        .order_by(LtiPlatform.id)
    ).all()
    tool = {
        "login": url_for("lti.login", _external=True),
        "launch": url_for("lti.launch", _external=True),
        "jwks": url_for("lti.jwks", _external=True),
    }
    return render_template(
        "lti/platforms.html", form=form, registered=registered, tool=tool
    ), form_status(form)


@bp.route("/admin/lti/platforms/<int:platform_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def platform_edit(platform_id: int) -> Any:
    """Change a registration: issuer, client id, deployment ids, endpoints, cohort."""
    platform = db.session.get(LtiPlatform, platform_id) or abort(404)
    # A POST is the whole registration as typed: nothing is filled in from the saved one.
    form = _platform_form(platform if request.method == "GET" else None)
    if form.validate_on_submit():
        before = snapshot(platform, services.PLATFORM_FIELDS)
        try:
            services.update_platform(platform, _platform_input(form))
        except services.LtiError as error:
            attach_error(form, error)
        else:
            _audit("lti_platform.update", platform, before)
            flash(_("The registration was saved."), "success")
            return redirect(url_for("lti.platforms"))
    return render_template("lti/platform_edit.html", form=form, platform=platform), form_status(
        form
    )
