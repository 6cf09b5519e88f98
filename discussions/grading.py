"""The mentor's participation grading for a graded discussion, mounted by the engine at
/activities/discussion/ (the activity type's blueprint)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from courses import services as course_services
from courses.models import Activity, Module
from discussions import participation
from discussions.participation import TYPE_NAME, min_posts, min_words, rubric_of
from lms import policy
from lms.auth.models import Role
from lms.cohorts.models import Cohort, Enrolment
from lms.errors import DomainError
from lms.extensions import db

bp = Blueprint("discussion", __name__)


def _load(activity_id: int, cohort_id: int) -> tuple[Activity, Module, Cohort]:
    cohort = policy.get_cohort_or_abort(cohort_id)
    if not (current_user.role == Role.ADMIN or policy.can_take_attendance(current_user, cohort)):
        abort(403)
    row = db.session.execute(
        select(Activity, Module)
        .join(Module, Module.id == Activity.module_id)
        .where(
            Activity.id == activity_id,
            Activity.type == TYPE_NAME,
            Module.version_id == cohort.course_version_id,
        )
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1], cohort


@bp.route("/<int:activity_id>/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@login_required
def grade(activity_id: int, cohort_id: int) -> Any:
    """Each participant's substantive posts, and the rubric to grade their participation."""
    activity, module, cohort = _load(activity_id, cohort_id)
    config = course_services.decode_settings(activity.config)
    status = 200
    if request.method == "POST":
        enrolment = db.session.get(Enrolment, request.form.get("enrolment", type=int) or 0)
        if enrolment is None or enrolment.cohort_id != cohort.id:
            abort(404)
        levels = {
            str(i): request.form.get(f"level-{i}", type=int) for i in range(len(rubric_of(config)))
        }
        try:
            with db.session.begin_nested():
                participation.grade(activity, enrolment, levels)
        except DomainError as error:
            flash(str(error), "error")
            status = 422
        else:
            flash(_("Participation graded."), "success")
            return redirect(
                url_for("discussion.grade", activity_id=activity.id, cohort_id=cohort.id)
            )
    return render_template(
        "discussions/grading.html",
        activity=activity,
        module=module,
        cohort=cohort,
        rubric=rubric_of(config),
        min_posts=min_posts(config),
        min_words=min_words(config),
        rows=participation.grading_rows(cohort, activity, module.slug),
    ), status
