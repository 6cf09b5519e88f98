"""Home page per role, the health check and the language switch."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from courses import services as course_services
from courses.learn_views import viewer_today
from courses.meetings import services as meeting_services
from lms import policy, todo
from lms.auth.models import Role
from lms.cohorts import services as cohort_services
from lms.cohorts.models import Cohort, EnrolmentStatus
from lms.extensions import csrf, db
from lms.models import utcnow
from lms.regions.models import Region
from lms.users import services as user_services
from lms.web import LANG_COOKIE

bp = Blueprint("core", __name__)


@bp.get("/")
def index() -> Response:
    """Send visitors to their home page, or to the login page."""
    return redirect(url_for("core.home" if current_user.is_authenticated else "auth.login"))


@bp.get("/home")
@login_required
def home() -> str:
    """The user's own home page with their real data, by role."""
    if current_user.role == Role.PARTICIPANT:
        enrolments = cohort_services.participant_enrolments(current_user)
        following = [e for e in enrolments if e.status != EnrolmentStatus.WITHDRAWN]
        plans = course_services.session_plans(following, viewer_today())
        return render_template(
            "home/participant.html",
            enrolments=enrolments,
            plans={plan.enrolment.id: plan for plan in plans},
        )
    cohorts = list(
        db.session.scalars(
            cohort_services.cohort_list_query(policy.cohort_scope(current_user)).limit(20)
        )
    )
    context = {
        "cohorts": cohorts,
        "counts": cohort_services.participant_counts(cohorts),
        "mentors": cohort_services.with_mentors(cohorts),
    }
    if current_user.role == Role.MENTOR:
        context["upcoming"] = meeting_services.staff_meetings(
            current_user.id, since=utcnow() - timedelta(hours=12), limit=10
        )
        context["cohort_names"] = {c.id: c.name for c in cohorts}
        context["todo"] = todo.items_for(current_user)
    if current_user.role == Role.ADMIN:
        context["role_counts"] = user_services.count_by_role()
        context["cohort_total"] = db.session.scalar(select(func.count(Cohort.id)))
        context["region_total"] = db.session.scalar(select(func.count(Region.code)))
    return render_template("home/staff.html", **context)


@bp.get("/healthz")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    """200 with the database reachable, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.post("/language")
def set_language() -> Response:
    """Switch the interface language; remembered in a cookie and on the account."""
    lang = request.form.get("lang", "")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.index")
    response = redirect(target)
    if lang in ("id", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            current_user.locale = lang
    return response
