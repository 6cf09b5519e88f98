"""The /api/v1 resources. Thin views: load within the token owner's scope (lms/policy.py,
the same rules as the pages), call one service, answer. Objects outside the scope are
404, as if they did not exist."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import send_file
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from lms import policy
from lms.api import schemas as s
from lms.api.core import actor, api_blueprint, decode_cursor, page, problem, translated
from lms.auth.models import Role, User
from lms.cohorts import services as cohort_services
from lms.cohorts.models import Cohort, Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.regions.models import Region
from lms.users import services as user_services

regions = api_blueprint("regions", "/regions", "Kabupaten/kota with their Kemendagri codes")
cohorts = api_blueprint("cohorts", "/cohorts", "Cohorts, their enrolments, progress and gradebook")
users = api_blueprint("users", "/users", "Accounts within the token owner's scope")
courses = api_blueprint("course-versions", "/course-versions", "Course versions (admins)")
certificates = api_blueprint("certificates", "/certificates", "Certificate verification")
BLUEPRINTS = (regions, cohorts, users, courses, certificates)

ETAG = {"description": "Send it back as If-None-Match to get 304 when nothing changed"}


# --- regions -------------------------------------------------------------------------------


def _region(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "kind": region.kind,
        "province_code": region.province_code,
        "timezone": region.timezone,
    }


@regions.get("")
@regions.etag
@regions.arguments(s.PageArgs, location="query")
@regions.response(200, s.page_of(s.RegionSchema, "RegionPage"))
def list_regions(args: dict[str, Any]) -> dict[str, Any]:
    """Every kabupaten/kota, by code."""
    after = decode_cursor(args["cursor"], str)
    stmt = select(Region).order_by(Region.code).limit(args["limit"] + 1)
    if after is not None:
        stmt = stmt.where(Region.code > after)
    rows = [_region(r) for r in db.session.scalars(stmt)]
    return page(rows, args["limit"], lambda r: r["code"])


@regions.get("/<code>")
@regions.etag
@regions.response(200, s.RegionSchema)
def get_region(code: str) -> dict[str, Any]:
    """One region by its Kemendagri code (e.g. 32.11)."""
    region = db.session.get(Region, code)
    if region is None:
        problem(404)
    return _region(region)


# --- cohorts -------------------------------------------------------------------------------


def _cohort(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "region_code": cohort.region_code,
        "start_date": cohort.start_date,
        "end_date": cohort.end_date,
        "course_version_id": cohort.course_version_id,
    }


def _visible_cohort(cohort_id: int, *, manage: bool = False) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not policy.can_view_cohort_roster(actor(), cohort):
        problem(404)
    if manage and not policy.can_manage_cohort(actor(), cohort):
        problem(403)
    return cohort


@cohorts.get("")
@cohorts.etag
@cohorts.arguments(s.CohortArgs, location="query")
@cohorts.response(200, s.page_of(s.CohortSchema, "CohortPage"))
def list_cohorts(args: dict[str, Any]) -> dict[str, Any]:
    """The cohorts the token's owner may see (a coordinator: their region's)."""
    after = decode_cursor(args["cursor"], int)
    stmt = (
        select(Cohort)
        .where(policy.cohort_scope(actor()))
        .order_by(Cohort.id)
        .limit(args["limit"] + 1)
    )
    if after is not None:
        stmt = stmt.where(Cohort.id > after)
    if args["region_code"]:
        stmt = stmt.where(Cohort.region_code == args["region_code"])
    rows = [_cohort(c) for c in db.session.scalars(stmt)]
    return page(rows, args["limit"], lambda r: r["id"])


@cohorts.get("/<int(max=2147483647):cohort_id>")
@cohorts.etag
@cohorts.response(200, s.CohortSchema)
def get_cohort(cohort_id: int) -> dict[str, Any]:
    """One cohort."""
    return _cohort(_visible_cohort(cohort_id))


def _enrolment(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.id,
        "cohort_id": enrolment.cohort_id,
        "user_id": enrolment.user_id,
        "status": enrolment.status,
        "enrolled_at": enrolment.enrolled_at,
        "withdrawn_at": enrolment.withdrawn_at,
    }


@cohorts.get("/<int(max=2147483647):cohort_id>/enrolments")
@cohorts.etag
@cohorts.arguments(s.PageArgs, location="query")
@cohorts.response(200, s.page_of(s.EnrolmentSchema, "EnrolmentPage"))
def list_enrolments(args: dict[str, Any], cohort_id: int) -> dict[str, Any]:
    """The cohort's enrolments, active and withdrawn."""
    cohort = _visible_cohort(cohort_id)
    after = decode_cursor(args["cursor"], int)
    stmt = (
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(Enrolment.id)
        .limit(args["limit"] + 1)
    )
    if after is not None:
        stmt = stmt.where(Enrolment.id > after)
    rows = [_enrolment(e) for e in db.session.scalars(stmt)]
    return page(rows, args["limit"], lambda r: r["id"])


@cohorts.post("/<int(max=2147483647):cohort_id>/enrolments")
@cohorts.arguments(s.EnrolmentCreateSchema)
@cohorts.response(201, s.EnrolmentSchema)
def enrol(data: dict[str, Any], cohort_id: int) -> dict[str, Any]:
    """Enrol a participant of the cohort's region (write scope)."""
    cohort = _visible_cohort(cohort_id, manage=True)
    participant = db.session.get(User, data["user_id"])
    if participant is None or not policy.can_manage_user(actor(), participant):
        problem(422, errors={"user_id": [_("No participant with this id in your scope.")]})
    try:
        return _enrolment(cohort_services.enrol(cohort, participant))
    except DomainError as error:
        problem(422, errors={"user_id": [str(error)]})


@cohorts.delete("/<int(max=2147483647):cohort_id>/enrolments/<int(max=2147483647):user_id>")
@cohorts.response(200, s.EnrolmentSchema)
def withdraw(cohort_id: int, user_id: int) -> dict[str, Any]:
    """Withdraw a participant from the cohort (the records stay; write scope)."""
    cohort = _visible_cohort(cohort_id, manage=True)
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user_id)
    )
    if enrolment is None:
        problem(404)
    cohort_services.withdraw(enrolment)
    return _enrolment(enrolment)


def _books(cohort: Cohort, args: dict[str, Any]) -> tuple[list[Any], dict[int, Any], Any]:
    """A page of the cohort's enrolments with their gradebooks (the tracking service)."""
    after = decode_cursor(args["cursor"], int)
    stmt = (
        select(Enrolment, User.name)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(Enrolment.id)
        .limit(args["limit"] + 1)
    )
    if after is not None:
        stmt = stmt.where(Enrolment.id > after)
    rows = db.session.execute(stmt).all()
    if cohort.course_version_id is None or not rows:
        return rows, {}, None
    from courses.models import CourseVersion
    from lms.tracking.services import gradebooks  # the reports layer's public function

    version = db.session.get(CourseVersion, cohort.course_version_id)
    ids = [enrolment.id for enrolment, _ in rows[: args["limit"]]]
    return rows, gradebooks(version, ids), version


@cohorts.get("/<int(max=2147483647):cohort_id>/progress")
@cohorts.etag
@cohorts.arguments(s.PageArgs, location="query")
@cohorts.response(200, s.page_of(s.ProgressSchema, "ProgressPage"))
def progress(args: dict[str, Any], cohort_id: int) -> dict[str, Any]:
    """Completed activities per participant (the numbers of the cohort dashboard)."""
    cohort = _visible_cohort(cohort_id)
    rows, books, _version = _books(cohort, args)
    items = []
    for enrolment, name in rows:
        book = books.get(enrolment.id)
        completed, total = (book.completed, book.total) if book else (0, 0)
        items.append(
            {
                "enrolment_id": enrolment.id,
                "user_id": enrolment.user_id,
                "name": name,
                "status": enrolment.status,
                "completed": completed,
                "total": total,
                "completion_percent": round(100.0 * completed / total, 2) if total else 0.0,
            }
        )
    return page(items, args["limit"], lambda r: r["enrolment_id"])


@cohorts.get("/<int(max=2147483647):cohort_id>/gradebook")
@cohorts.etag
@cohorts.arguments(s.PageArgs, location="query")
@cohorts.response(200, s.page_of(s.GradebookSchema, "GradebookPage"))
def gradebook(args: dict[str, Any], cohort_id: int) -> dict[str, Any]:
    """Each participant's graded items, course grade and pass state."""
    cohort = _visible_cohort(cohort_id)
    rows, books, _version = _books(cohort, args)
    items = []
    for enrolment, name in rows:
        book = books.get(enrolment.id)
        items.append(
            {
                "enrolment_id": enrolment.id,
                "user_id": enrolment.user_id,
                "name": name,
                "final_grade": round(book.final_grade, 2) if book else 0.0,
                "grade_so_far": (
                    round(book.grade_so_far, 2) if book and book.grade_so_far is not None else None
                ),
                "pass_percent": book.pass_percent if book else 0.0,
                "passed": bool(book and book.passed),
                "items": [
                    {
                        "activity_id": line.item.activity.id,
                        "category": line.item.category,
                        "weight": line.item.weight,
                        "result": line.result,
                    }
                    for line in (book.lines if book else [])
                ],
            }
        )
    return page(items, args["limit"], lambda r: r["enrolment_id"])


# --- users ---------------------------------------------------------------------------------


def _user(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "region_code": user.region_code,
        "nip": user.nip,
        "work_unit": user.work_unit,
        "position": user.position,
        "institution": user.institution,
        "active": user.active,
    }


def _managed_user(user_id: int) -> User:
    target = db.session.get(User, user_id)
    if target is None or not policy.can_manage_user(actor(), target):
        problem(404)
    return target


@users.get("")
@users.etag
@users.arguments(s.UserArgs, location="query")
@users.response(200, s.page_of(s.UserSchema, "UserPage"))
def list_users(args: dict[str, Any]) -> dict[str, Any]:
    """The accounts the token's owner manages (a coordinator: their region's participants)."""
    after = decode_cursor(args["cursor"], int)
    stmt = select(User).where(policy.user_scope(actor())).order_by(User.id).limit(args["limit"] + 1)
    if after is not None:
        stmt = stmt.where(User.id > after)
    if args["role"]:
        stmt = stmt.where(User.role == args["role"])
    if args["region_code"]:
        stmt = stmt.where(User.region_code == args["region_code"])
    if args["active"] is not None:
        stmt = stmt.where(User.active.is_(args["active"]))
    rows = [_user(u) for u in db.session.scalars(stmt)]
    return page(rows, args["limit"], lambda r: r["id"])


@users.get("/<int(max=2147483647):user_id>")
@users.etag
@users.response(200, s.UserSchema)
def get_user(user_id: int) -> dict[str, Any]:
    """One account."""
    return _user(_managed_user(user_id))


def _user_input(data: dict[str, Any]) -> user_services.UserInput:
    """Typed input, within what the owner may assign (role and region)."""
    role = Role(data["role"])
    if role not in policy.assignable_roles(actor()):
        raise _Refused({"role": [_("You cannot give this role.")]})
    allowed = policy.import_region_codes(actor())
    if allowed is not None and data.get("region_code") not in allowed:
        raise _Refused({"region_code": [_("You can only manage accounts of your region.")]})
    return user_services.UserInput(
        email=data["email"],
        name=data["name"],
        role=role,
        region_code=data.get("region_code"),
        nip=data.get("nip"),
        work_unit=data.get("work_unit"),
        position=data.get("position"),
        institution=data.get("institution"),
    )


class _Refused(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _domain_errors(error: DomainError) -> dict[str, list[str]]:
    return {error.field or "_schema": [str(error)]}


@users.post("")
@users.arguments(s.UserCreateSchema)
@users.response(201, s.UserSchema)
def create_user(data: dict[str, Any]) -> dict[str, Any]:
    """Create an account (no password: the person sets one from a link; write scope)."""
    try:
        return _user(user_services.create_user(_user_input(data)))
    except _Refused as refused:
        problem(422, errors=refused.errors)
    except DomainError as error:
        problem(422, errors=_domain_errors(error))


@users.post("/bulk")
@users.arguments(s.BulkUsersSchema)
@users.response(200, s.BulkResultSchema)
def create_users(data: dict[str, Any]) -> dict[str, Any]:
    """Create many accounts; each row succeeds or fails on its own, with its reason."""
    results = []
    for index, row in enumerate(data["users"]):
        result: dict[str, Any] = {"index": index, "status": "invalid", "id": None, "errors": None}
        try:
            with db.session.begin_nested():
                user = user_services.create_user(_user_input(s.UserCreateSchema().load(row)))
            result.update(status="created", id=user.id)
        except ValidationError as error:
            result["errors"] = translated(error.normalized_messages())
        except _Refused as refused:
            result["errors"] = refused.errors
        except DomainError as error:
            result["errors"] = _domain_errors(error)
        results.append(result)
    created = sum(1 for r in results if r["status"] == "created")
    return {"created": created, "invalid": len(results) - created, "results": results}


@users.patch("/<int(max=2147483647):user_id>")
@users.arguments(s.UserUpdateSchema)
@users.response(200, s.UserSchema)
def update_user(data: dict[str, Any], user_id: int) -> dict[str, Any]:
    """Change the fields given (write scope)."""
    target = _managed_user(user_id)
    merged = _user(target) | data
    try:
        user_services.update_user(target, _user_input(merged))
    except _Refused as refused:
        problem(422, errors=refused.errors)
    except DomainError as error:
        problem(422, errors=_domain_errors(error))
    return _user(target)


@users.post("/<int(max=2147483647):user_id>/deactivate")
@users.response(200, s.UserSchema)
def deactivate_user(user_id: int) -> dict[str, Any]:
    """Deactivate an account: records stay, sessions end (write scope)."""
    target = _managed_user(user_id)
    if target.id == actor().id:
        problem(409, _("You cannot deactivate your own account."))
    user_services.set_active(target, False)
    return _user(target)


# --- course versions -----------------------------------------------------------------------


def _admin_only() -> None:
    if actor().role != Role.ADMIN:
        problem(403)


@courses.get("")
@courses.etag
@courses.arguments(s.PageArgs, location="query")
@courses.response(200, s.page_of(s.CourseVersionSchema, "CourseVersionPage"))
def list_versions(args: dict[str, Any]) -> dict[str, Any]:
    """Every version of every course, drafts included (admins)."""
    from courses.models import Course, CourseVersion

    _admin_only()
    after = decode_cursor(args["cursor"], int)
    stmt = (
        select(CourseVersion, Course.slug)
        .join(Course, Course.id == CourseVersion.course_id)
        .order_by(CourseVersion.id)
        .limit(args["limit"] + 1)
    )
    if after is not None:
        stmt = stmt.where(CourseVersion.id > after)
    rows = [
        {
            "id": v.id,
            "course_id": v.course_id,
            "slug": slug,
            "label": v.label,
            "status": v.status,
            "title": v.title,
            "language": v.language,
            "published_at": v.published_at,
        }
        for v, slug in db.session.execute(stmt)
    ]
    return page(rows, args["limit"], lambda r: r["id"])


@courses.get("/<int(max=2147483647):version_id>/package.zip")
@courses.response(
    200,
    {"format": "binary", "type": "string"},
    content_type="application/zip",
    description="A course package zip",
)
def export_version(version_id: int) -> Any:
    """The version as a course package zip, as `lms courses export` writes it (admins)."""
    from courses import archive
    from courses import services as course_services
    from courses.models import Course, CourseVersion

    _admin_only()
    version = db.session.get(CourseVersion, version_id)
    if version is None:
        problem(404)
    course = db.session.get(Course, version.course_id)
    with tempfile.TemporaryDirectory(prefix="lms-api-export-") as tmp:
        folder = Path(tmp) / course.slug
        course_services.export_version(version, course.slug, folder)
        data = archive.make_zip(folder, prefix=course.slug)
    suffix = "draft" if version.is_draft else version.label
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{course.slug}-{suffix}.zip",
    )


# --- certificates --------------------------------------------------------------------------


@certificates.get("/<code>")
@certificates.etag
@certificates.response(200, s.CertificateSchema)
def verify_certificate(code: str) -> dict[str, Any]:
    """Whether a certificate code is genuine: only what the public /verify page shows."""
    from lms.certificates.services import by_code

    certificate = by_code(code)
    if certificate is None:
        problem(404)
    return {
        "code": certificate.code,
        "participant_name": certificate.participant_name,
        "course_title": certificate.course_title,
        "issued_at": certificate.issued_at,
    }
