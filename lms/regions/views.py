"""Browsing and searching provinces and kabupaten/kota (admin)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.auth.models import Role
from lms.extensions import db
from lms.policy import roles_required
from lms.regions.models import Province, Region

bp = Blueprint("regions", __name__, url_prefix="/admin/regions")


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """All kabupaten/kota, searchable by name or code and filterable by province."""
    q = request.args.get("q", "").strip()[:100]
    province = request.args.get("province", "").strip()[:2]
    stmt = (
        select(Region)
        .join(Region.province)
        .options(joinedload(Region.province))
        .order_by(Region.code)
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(Region.name).like(like) | Region.code.like(f"{q}%"))
    if province:
        stmt = stmt.where(Region.province_code == province)
    page = db.paginate(stmt, per_page=50, error_out=False)
    provinces = db.session.execute(
        select(Province, func.count(Region.code))
        .outerjoin(Region, Region.province_code == Province.code)
        .group_by(Province.code)
        .order_by(Province.code)
    ).all()
    return render_template(
        "regions/index.html", page=page, provinces=provinces, q=q, province=province
    )
