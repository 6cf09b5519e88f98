"""The audit log page: admins read every entry, coordinators their region's."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from lms import policy
from lms.audit import services
from lms.auth.models import Role
from lms.extensions import db
from lms.policy import roles_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip()[:10])
    except ValueError:
        return None


@bp.get("/")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def index() -> str:
    """Audit entries in the user's scope, newest first, filterable, 50 to a page."""
    action = request.args.get("action", "")
    filters = services.AuditFilter(
        action=action if action in services.ACTIONS else "",
        actor=request.args.get("actor", "").strip()[:100],
        object_type=request.args.get("object_type", "").strip()[:40],
        object_id=request.args.get("object_id", "").strip()[:64],
        region_code=request.args.get("region", "").strip()[:5],
        since=_date_arg("since"),
        until=_date_arg("until"),
    )
    stmt = services.events_query(policy.audit_scope(current_user), filters)
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    args = {
        "action": filters.action,
        "actor": filters.actor,
        "object_type": filters.object_type,
        "object_id": filters.object_id,
        "region": filters.region_code,
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
    }
    return render_template(
        "audit/index.html",
        page=page,
        actors=services.actors_of(page.items),
        filters=filters,
        args={k: v for k, v in args.items() if v},
        actions=services.ACTIONS,
    )
