"""Tracking pages: the participant's gradebook, the cohort dashboard and its exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select

from courses.models import CourseVersion
from lms import policy
from lms.auth.models import Role
from lms.extensions import db
from lms.longjobs import services as longjobs
from lms.models import utcnow
from lms.regions.models import Province, Region
from lms.tracking import charts, maps, national, services
from lms.tracking.grid import Grid, figures_rows

bp = Blueprint("tracking", __name__)
bp.add_app_template_global(figures_rows, "figures_rows")


@bp.app_template_global()
def risk_label(risk: Any) -> str:
    return risk.text


@bp.get("/learn/<int:cohort_id>/gradebook")
@login_required
def gradebook(cohort_id: int) -> str:
    """The participant's own gradebook: each graded item, its weight, the course grade and
    what is still needed."""
    cohort, enrolment = policy.get_learning_cohort_or_abort(cohort_id)
    if enrolment is None:
        abort(403)
    version = db.session.get(CourseVersion, cohort.course_version_id)
    book = services.gradebooks(version, [enrolment.id])[enrolment.id]
    return render_template(
        "tracking/gradebook.html", cohort=cohort, version=version, book=book, owner=current_user
    )


def _staff_cohort(cohort_id: int):
    cohort = policy.get_cohort_or_abort(cohort_id)
    if cohort.course_version_id is None:
        abort(404)
    return cohort


@bp.get("/cohorts/<int:cohort_id>/dashboard")
@policy.roles_required(*policy.STAFF)
def dashboard(cohort_id: int) -> str:
    """Participants × sessions, averages per session, and who is at risk and why."""
    cohort = _staff_cohort(cohort_id)
    board = services.cohort_dashboard(cohort, utcnow())
    return render_template("tracking/dashboard.html", board=board, cohort=cohort, grid=Grid(board))


# --------------------------------------------------------------------------- exports


def _progress_table(board: services.Dashboard) -> tuple[list[str], list[list[Any]]]:
    head = [
        _("Name"),
        _("NIP"),
        _("Completion (%)"),
        _("Grade so far (%)"),
        _("Course grade (%)"),
        _("Learning gain"),
        _("At risk"),
    ]
    head += [f"{m.position}. {m.title}" for m in board.modules]
    rows = []
    for row in board.rows:
        line = [
            row.user.name,
            row.user.nip or "",
            _round(row.book.completion_percent),
            _round(row.book.grade_so_far),
            _round(row.book.final_grade),
            _round(row.gain, 2),
            "; ".join(r.text for r in row.risks),
        ]
        line += [f"{row.cells[m.id].completed}/{row.cells[m.id].activities}" for m in board.modules]
        rows.append(line)
    return head, rows


def _gradebook_table(board: services.Dashboard) -> tuple[list[str], list[list[Any]]]:
    lines = board.rows[0].book.lines if board.rows else []
    head = [_("Name"), _("NIP")]
    head += [f"{ln.item.activity.title} ({ln.item.weight:.1f}%)" for ln in lines]
    head += [_("Course grade (%)"), _("Passed")]
    rows = []
    for row in board.rows:
        line = [row.user.name, row.user.nip or ""]
        line += [_round(ln.result) for ln in row.book.lines]
        line += [_round(row.book.final_grade), _("yes") if row.book.passed else _("no")]
        rows.append(line)
    return head, rows


def _attendance_table(board: services.Dashboard) -> tuple[list[str], list[list[Any]]]:
    head = [_("Name"), _("NIP")] + [f"{m.position}. {m.title}" for m in board.modules]
    rows = [
        [row.user.name, row.user.nip or ""]
        + [row.cells[m.id].attendance or "" for m in board.modules]
        for row in board.rows
    ]
    return head, rows


def _round(value: float | None, digits: int = 1) -> float | str:
    return "" if value is None else round(value, digits)


def _safe(value: Any) -> Any:
    """Spreadsheet formula injection: a text cell must not start with = + - @."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


TABLES = {
    "progress": _progress_table,
    "gradebook": _gradebook_table,
    "attendance": _attendance_table,
}


@bp.get("/cohorts/<int:cohort_id>/export/<kind>.<fmt>")
@policy.roles_required(*policy.STAFF)
def export(cohort_id: int, kind: str, fmt: str) -> Response:
    """Cohort progress, gradebook or attendance as CSV or XLSX, for those who may see the
    cohort (the same numbers as the dashboard)."""
    if kind not in TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    cohort = _staff_cohort(cohort_id)
    board = services.cohort_dashboard(cohort, utcnow())
    head, rows = TABLES[kind](board)
    return _table_response(head, rows, fmt, f"{kind}-{cohort.region_code}-{cohort.id}")


# --------------------------------------------------------------------------- regions


SORTS = {
    "name": lambda f: f.label,
    "enrolled": lambda f: -(f.enrolled or 0),
    "completion": lambda f: -(f.completion or -1),
    "post": lambda f: -(f.post or -1),
    "gain": lambda f: -(f.gain if f.gain is not None else -9),
    "certificates": lambda f: -(f.certificates or 0),
    "maturity": lambda f: -(f.maturity_change if f.maturity_change is not None else -9),
}


def _figure_rows(items: list[national.Figures]) -> tuple[list[str], list[list[Any]]]:
    head = [
        _("Region"),
        _("Cohorts"),
        _("Enrolled"),
        _("Active (14 days)"),
        _("Completion (%)"),
        _("Mean post-test (%)"),
        _("Learning gain"),
        _("Certificates"),
        _("Maturity change"),
    ]
    categories: list[str] = []
    for f in items:
        categories += [c for c in f.extra.get("categories", {}) if c not in categories]
    head += [f"{c} (%)" for c in categories]
    rows = [
        [
            f.label,
            f.cohorts,
            f.enrolled,
            f.active,
            _round(f.completion),
            _round(f.post),
            _round(f.gain, 2),
            f.certificates,
            _round(f.maturity_change, 2),
        ]
        + [_round(f.extra.get("categories", {}).get(c)) for c in categories]
        for f in items
    ]
    return head, rows


PER_PAGE = 25
"""Regions a page of the national table: short enough to scroll on a phone."""


@dataclass(frozen=True)
class ListPage:
    """One page of an already computed list (the shape `_macros.pagination` reads)."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, items: list[Any], page: int, per_page: int | None = None) -> ListPage:
        per_page = per_page or PER_PAGE
        pages = max(1, -(-len(items) // per_page))
        page = min(max(1, page), pages)
        start = (page - 1) * per_page
        return cls(items[start : start + per_page], page, per_page, len(items))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@bp.get("/admin/dashboard")
@policy.roles_required(Role.ADMIN)
def national_dashboard() -> Any:
    """Every region with a cohort, side by side; sortable, filterable by province. The
    totals, map and charts take every region; the table shows 25 a page, so the page's
    cost stays flat from 20 regions to 514 (the exports hold them all)."""
    province = request.args.get("province", "").strip()[:2]
    sort = request.args.get("sort", "completion")
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        items = national.figures(by="region", province=province or None, now=utcnow())
        items.sort(key=SORTS.get(sort, SORTS["completion"]))
        head, rows = _figure_rows(items)
        return _table_response(head, rows, fmt, "nasional")
    board = national.region_board(
        sort=sort if sort in SORTS else "completion",
        province=province or None,
        page=max(1, request.args.get("page", 1, type=int)),
        per_page=PER_PAGE,
        top=20,
        map_metric=sort,
        now=utcnow(),
    )
    provinces = db.session.scalars(select(Province).order_by(Province.code)).all()
    map_metric, tiles = maps.tiles_of(board.provinces, provinces, sort)
    trend = national.weekly_trend(now=utcnow(), province=province or None, area=board.area)
    return render_template(
        "tracking/national.html",
        table=ListPage(board.items, board.page, PER_PAGE, board.total),
        map_metric=map_metric,
        tiles=tiles,
        map_size=(maps.COLUMNS, maps.ROWS),
        province=province,
        sort=sort,
        provinces=provinces,
        gains=national.gain_distribution(province=province or None, area=board.area),
        trend=trend,
        trend_chart=charts.trend_chart(trend) if trend else None,
        totals=board.totals,
        completion_chart=[(f.label, f.completion) for f in board.top],
    )


def national_export(params: dict[str, Any], progress: Any) -> longjobs.Result:
    """The national table as a long job (on the worker): every region's figures, with
    progress per row written. Params: format (csv/xlsx), province (two digits or empty)."""
    fmt = params.get("format") if params.get("format") in ("csv", "xlsx") else "csv"
    province = str(params.get("province") or "").strip()[:2]
    sort = str(params.get("sort") or "completion")
    items = national.figures(by="region", province=province or None, now=utcnow())
    items.sort(key=SORTS.get(sort, SORTS["completion"]))
    progress(0, len(items))
    head, rows = _figure_rows(items)
    body, mimetype = _table_bytes(head, rows, fmt, "nasional", progress)
    return longjobs.Result(body, f"nasional.{fmt}", mimetype)


@bp.get("/regions/<code>/dashboard")
@policy.roles_required(Role.ADMIN, Role.COORDINATOR)
def region_dashboard(code: str) -> Any:
    """All cohorts of one region side by side (its coordinator and admins)."""
    region = db.session.get(Region, code)
    if region is None:
        abort(404)
    if current_user.role == Role.COORDINATOR and current_user.region_code != code:
        abort(403)
    items = national.figures(by="cohort", region_code=code, now=utcnow())
    return render_template("tracking/region.html", region=region, items=items)


def _table_bytes(
    head: list[str],
    rows: list[list[Any]],
    fmt: str,
    name: str,
    progress: Any = None,
) -> tuple[bytes, str]:
    """The table as CSV or XLSX; `progress(done, total)` is told after each row."""
    total = len(rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(head)
        for done, row in enumerate(rows, start=1):
            writer.writerow([_safe(v) for v in row])
            if progress:
                progress(done, total)
        return out.getvalue().encode("utf-8-sig"), "text/csv"
    book = Workbook()
    sheet = book.active
    sheet.title = name[:30]
    sheet.append(head)
    for done, row in enumerate(rows, start=1):
        sheet.append([_safe(v) for v in row])
        if progress:
            progress(done, total)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), XLSX


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table_response(head: list[str], rows: list[list[Any]], fmt: str, name: str) -> Response:
    body, mimetype = _table_bytes(head, rows, fmt, name)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
