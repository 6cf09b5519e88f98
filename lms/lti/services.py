"""LTI 1.3 rules: platform registration, who a launch is (account matched or created,
enrolled in the platform's cohort), grade passback and the roster. Services flush; the
request boundary (or the command) commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.services import normalise_email
from lms.cohorts import services as cohort_services
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.errors import DomainError
from lms.extensions import db
from lms.lti.models import LtiGradeLink, LtiIdentity, LtiPlatform

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class LtiError(DomainError):
    """A launch or registration rule was broken."""


@dataclass(frozen=True)
class PlatformInput:
    name: str
    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    cohort_id: int


PLATFORM_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "deployment_id",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
    "cohort_id",
)
"""What a registration holds (and what the audit log compares)."""


def deployment_ids(text: str) -> list[str]:
    """The deployment ids typed one per line (or separated by commas), in order, once each."""
    found: list[str] = []
    for part in re.split(r"[\n,]", text):
        value = part.strip()
        if value and value not in found:
            found.append(value)
    return found


def _checked(data: PlatformInput, platform_id: int | None) -> dict[str, Any]:
    """The registration's values, trimmed; the rules any registration keeps."""
    values = {
        "name": data.name.strip(),
        "issuer": data.issuer.strip(),
        "client_id": data.client_id.strip(),
        "auth_login_url": data.auth_login_url.strip(),
        "auth_token_url": data.auth_token_url.strip(),
        "key_set_url": data.key_set_url.strip(),
        "cohort_id": data.cohort_id,
    }
    ids = deployment_ids(data.deployment_id)
    if not ids:
        raise LtiError(_("Give at least one deployment id."), "deployment_id")
    if any(len(value) > 255 for value in ids):
        raise LtiError(_("A deployment id has at most 255 characters."), "deployment_id")
    values["deployment_id"] = "\n".join(ids)
    taken = select(LtiPlatform.id).where(
        LtiPlatform.issuer == values["issuer"], LtiPlatform.client_id == values["client_id"]
    )
    if platform_id is not None:
        taken = taken.where(LtiPlatform.id != platform_id)
    if db.session.scalar(taken) is not None:
        raise LtiError(_("This issuer and client id are already registered."), "client_id")
    if db.session.get(Cohort, data.cohort_id) is None:
        raise LtiError(_("Choose a cohort."), "cohort_id")
    return values


def register_platform(data: PlatformInput) -> LtiPlatform:
    platform = LtiPlatform(**_checked(data, None))
    db.session.add(platform)
    db.session.flush()
    return platform


def update_platform(platform: LtiPlatform, data: PlatformInput) -> LtiPlatform:
    """Change a registration (the platform moved, got a new key set URL or deployment).
    Identities, grade links and pending deep links stay with it."""
    for name, value in _checked(data, platform.id).items():
        setattr(platform, name, value)
    db.session.flush()
    return platform


def platform_of(claims: dict[str, Any]) -> LtiPlatform:
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) else aud
    platform = db.session.scalar(
        select(LtiPlatform).where(
            LtiPlatform.issuer == claims.get("iss"), LtiPlatform.client_id == client_id
        )
    )
    if platform is None:  # PyLTI1p3 found it a moment ago
        raise LtiError(_("This platform is not registered."))
    return platform


def account_for(platform: LtiPlatform, claims: dict[str, Any]) -> User:
    """The launching user's account: the one linked before, else the participant with
    their email in the cohort's region, else a new participant. Staff accounts are never
    taken over by a platform."""
    cohort = db.session.get(Cohort, platform.cohort_id)
    subject = str(claims.get("sub") or "")
    if not subject:
        raise LtiError(_("The launch names no user."))
    identity = db.session.scalar(
        select(LtiIdentity).where(
            LtiIdentity.platform_id == platform.id, LtiIdentity.subject == subject
        )
    )
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        email = normalise_email(str(claims.get("email") or ""))
        if "@" not in email:
            raise LtiError(_("The platform did not send the user's email address."))
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and (
            user.role != Role.PARTICIPANT or user.region_code != cohort.region_code
        ):
            raise LtiError(_("The account with this email cannot be opened from another platform."))
        if user is None:
            name = " ".join(str(claims.get("name") or "").split()) or " ".join(
                f"{claims.get('given_name') or ''} {claims.get('family_name') or ''}".split()
            )
            user = User(
                email=email,
                name=(name or email)[:200],
                role=Role.PARTICIPANT.value,
                region_code=cohort.region_code,
            )
            db.session.add(user)
            db.session.flush()
        db.session.add(LtiIdentity(platform_id=platform.id, subject=subject, user_id=user.id))
        db.session.flush()
    if not user.active:
        raise LtiError(_("This account is deactivated."))
    return user


def enrolment_for(platform: LtiPlatform, user: User) -> Enrolment:
    """The user's active enrolment in the platform's cohort (enrolled now if need be)."""
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.cohort_id == platform.cohort_id, Enrolment.user_id == user.id
        )
    )
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        return enrolment
    cohort = db.session.get(Cohort, platform.cohort_id)
    return cohort_services.enrol(cohort, user)


def module_slug(claims: dict[str, Any]) -> str | None:
    """The module a resource link opens: custom parameter `module`, or `?module=` on the
    target link."""
    custom = claims.get(CUSTOM_CLAIM) or {}
    if isinstance(custom, dict) and custom.get("module"):
        return str(custom["module"])
    target = str(claims.get("https://purl.imsglobal.org/spec/lti/claim/target_link_uri") or "")
    values = parse_qs(urlparse(target).query).get("module")
    return values[0] if values else None


def remember_grade_link(
    platform: LtiPlatform, enrolment: Enrolment, claims: dict[str, Any]
) -> LtiGradeLink | None:
    """Keep the AGS line item (and the roster address) the course grade goes back to."""
    endpoint = claims.get(AGS_CLAIM) or {}
    lineitem = endpoint.get("lineitem") if isinstance(endpoint, dict) else None
    scopes = endpoint.get("scope") or [] if isinstance(endpoint, dict) else []
    if not lineitem or SCORE_SCOPE not in scopes:
        return None
    nrps = claims.get(NRPS_CLAIM) or {}
    link = db.session.scalar(
        select(LtiGradeLink).where(
            LtiGradeLink.platform_id == platform.id,
            LtiGradeLink.enrolment_id == enrolment.id,
            LtiGradeLink.lineitem_url == lineitem,
        )
    )
    if link is None:
        link = LtiGradeLink(
            platform_id=platform.id,
            enrolment_id=enrolment.id,
            subject=str(claims["sub"]),
            lineitem_url=lineitem,
            scopes=list(scopes),
        )
        db.session.add(link)
    link.scopes = list(scopes)
    link.memberships_url = nrps.get("context_memberships_url") if isinstance(nrps, dict) else None
    db.session.flush()
    return link


GRADE_RETRY = (60, 300, 1800, 7200)
"""Seconds the queue waits before each new try of a grade the platform did not take
(LMS_LTI_RETRY overrides it)."""
_PASSBACK_KEY = "lms_lti_passback"


def on_result(_sender: Any, *, enrolment_id: int, activity_id: int) -> None:
    """A result or completion changed a participant's course grade: if a platform launched
    them with a line item, a job sends the grade once this transaction commits (retried
    with growing waits; without a job queue `lms lti send-grades` from cron sends it)."""
    from lms import jobs

    session = db.session()
    transaction = session.get_transaction()
    seen = session.info.get(_PASSBACK_KEY)
    if seen is None or seen[0] is not transaction:
        seen = session.info[_PASSBACK_KEY] = (transaction, set())
    if enrolment_id in seen[1]:
        return
    seen[1].add(enrolment_id)
    linked = db.session.scalar(
        select(LtiGradeLink.id).where(LtiGradeLink.enrolment_id == enrolment_id).limit(1)
    )
    if linked is not None:
        raw = str(current_app.config.get("LMS_LTI_RETRY") or "")
        retry = tuple(int(part) for part in raw.replace(",", " ").split()) or GRADE_RETRY
        jobs.enqueue_after_commit(
            "lms.lti.services.send_grade", enrolment_id, inline=False, retry=retry
        )


def send_grade(enrolment_id: int) -> int:
    """The job: send one participant's course grade if it changed. A platform that refuses
    raises, so the queue tries again."""
    from lms.models import utcnow

    return len(send_grades(utcnow(), enrolment_id=enrolment_id))


def send_grades(
    now: datetime, cohort_id: int | None = None, enrolment_id: int | None = None
) -> list[tuple[LtiGradeLink, float]]:
    """Send each linked participant's course grade (0-100) when it changed since last time."""
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.grade import Grade
    from pylti1p3.service_connector import ServiceConnector

    from courses.models import CourseVersion
    from lms.lti.tool import registration_of
    from lms.tracking.services import gradebooks  # the reports' public function

    stmt = (
        select(LtiGradeLink, LtiPlatform, Enrolment)
        .join(LtiPlatform, LtiPlatform.id == LtiGradeLink.platform_id)
        .join(Enrolment, Enrolment.id == LtiGradeLink.enrolment_id)
    )
    if cohort_id is not None:
        stmt = stmt.where(Enrolment.cohort_id == cohort_id)
    if enrolment_id is not None:
        stmt = stmt.where(Enrolment.id == enrolment_id)
    rows = db.session.execute(stmt).all()
    by_cohort: dict[int, list[int]] = {}
    for _link, _platform, enrolment in rows:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment.id)
    grades: dict[int, float] = {}
    for cid, enrolment_ids in by_cohort.items():
        cohort = db.session.get(Cohort, cid)
        if cohort.course_version_id is None:
            continue
        version = db.session.get(CourseVersion, cohort.course_version_id)
        for enrolment_id, book in gradebooks(version, enrolment_ids).items():
            grades[enrolment_id] = round(book.final_grade, 2)
    sent = []
    for link, platform, enrolment in rows:
        grade = grades.get(enrolment.id)
        if grade is None or grade == link.last_score:
            continue
        connector = ServiceConnector(registration_of(platform))
        service = AssignmentsGradesService(
            connector, {"scope": link.scopes, "lineitem": link.lineitem_url}
        )
        score = (
            Grade()
            .set_score_given(grade)
            .set_score_maximum(100)
            .set_timestamp(now.isoformat())
            .set_activity_progress("Completed" if grade else "InProgress")
            .set_grading_progress("FullyGraded")
            .set_user_id(link.subject)
        )
        service.put_grade(score)
        link.last_score, link.last_sent_at = grade, now
        sent.append((link, grade))
    db.session.flush()
    return sent


def roster(platform: LtiPlatform) -> list[dict[str, Any]]:
    """The platform course's members (Names and Roles), from the latest link that has it."""
    from pylti1p3.names_roles import NamesRolesProvisioningService
    from pylti1p3.service_connector import ServiceConnector

    from lms.lti.tool import registration_of

    url = db.session.scalar(
        select(LtiGradeLink.memberships_url)
        .where(LtiGradeLink.platform_id == platform.id, LtiGradeLink.memberships_url.is_not(None))
        .order_by(LtiGradeLink.id.desc())
        .limit(1)
    )
    if url is None:
        raise LtiError(_("No launch from this platform has offered its roster yet."))
    service = NamesRolesProvisioningService(
        ServiceConnector(registration_of(platform)), {"context_memberships_url": url}
    )
    return list(service.get_members())
