"""The catalog of good practices: browse and search, a practice's page, curation and files."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms import spbe, storage
from lms.errors import attach_error, form_status
from lms.extensions import db
from lms.policy import roles_required
from lms.practices import policy, services
from lms.practices.forms import AttachmentForm, PracticeForm, StatusForm
from lms.practices.models import Practice, PracticeStatus

bp = Blueprint("practices", __name__, url_prefix="/practices")

STATUS_LABELS = {
    PracticeStatus.PUBLISHED.value: _l("Published"),
    PracticeStatus.PROPOSED.value: _l("Proposed"),
    PracticeStatus.REJECTED.value: _l("Rejected"),
}


def _int_arg(name: str, low: int, high: int) -> int | None:
    value = request.args.get(name, "").strip()
    if value.isdigit() and low <= int(value) <= high:
        return int(value)
    return None


def _code_arg(name: str, pattern: re.Pattern[str]) -> str:
    value = request.args.get(name, "").strip()[:5]
    return value if pattern.match(value) else ""


@bp.get("/")
@login_required
def index() -> str:
    """Published practices, searchable by text and filterable by indicator, domain and place."""
    status = PracticeStatus.PUBLISHED
    if policy.can_curate(current_user):
        requested = request.args.get("status", "")
        if requested in {s.value for s in PracticeStatus}:
            status = PracticeStatus(requested)
    filters = services.CatalogFilter(
        q=request.args.get("q", "").strip()[:100],
        indicator=_int_arg("indicator", 1, len(spbe.INDICATORS)),
        domain=_int_arg("domain", 1, len(spbe.DOMAINS)),
        region_code=_code_arg("region", services.REGION_CODE),
        province=_code_arg("province", services.PROVINCE_CODE),
        status=status,
    )
    page = db.paginate(
        services.catalog_query(filters), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    args = {
        "q": filters.q,
        "indicator": filters.indicator or "",
        "domain": filters.domain or "",
        "region": filters.region_code,
        "province": filters.province,
    }
    if status != PracticeStatus.PUBLISHED:
        args["status"] = status.value
    return render_template(
        "practices/index.html",
        page=page,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        indicators=services.indicators_of(page.items),
        adaptations=services.adaptation_counts(page.items),
        regions=services.regions_of(page.items),
        provinces=services.provinces(),
        spbe=spbe,
        can_curate=policy.can_curate(current_user),
        status_labels=STATUS_LABELS,
    )


def _render_show(
    practice: Practice, upload: AttachmentForm | None = None, status: int = 200
) -> tuple[str, int]:
    curator = policy.can_curate(current_user)
    detail = services.practice_detail(practice, with_creator=curator)
    return render_template(
        "practices/show.html",
        detail=detail,
        practice=practice,
        can_curate=curator,
        show_origin=detail.origin is not None
        and policy.can_view_practice(current_user, detail.origin),
        upload=upload or (AttachmentForm() if curator else None),
        status_form=StatusForm() if curator else None,
        status_labels=STATUS_LABELS,
        max_mb=services.MAX_ATTACHMENT_BYTES // (1024 * 1024),
    ), status


@bp.get("/<slug>")
@login_required
def show(slug: str) -> tuple[str, int]:
    """A practice: where, which indicators, what it is, its sources, files and lineage."""
    return _render_show(policy.get_practice_or_abort(slug))


def _origin_choices(form: PracticeForm, practice: Practice | None = None) -> None:
    """Published practices to derive from; an unpublished original already chosen stays."""
    choices = services.published_choices(exclude_id=practice.id if practice else None)
    origin_id = practice.derived_from_id if practice is not None else None
    if origin_id is not None and all(pid != origin_id for pid, _label in choices):
        origin = services.practice_by_id(origin_id)
        if origin is not None:
            choices.append((origin.id, origin.title))
    form.derived_from_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(pid), label) for pid, label in choices
    ]


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _practice_input(form: PracticeForm) -> services.PracticeInput | None:
    """The form's values as a PracticeInput, or None with every parse error placed next to
    its field."""
    parsed: dict[str, tuple[object, ...]] = {}
    for name, parse in (
        ("indicators", services.parse_indicators),
        ("links", services.parse_links),
    ):
        try:
            parsed[name] = parse(getattr(form, name).data or "")
        except services.PracticeError as error:
            attach_error(form, error)
    if len(parsed) < 2:
        return None
    return services.PracticeInput(
        title=form.title.data or "",
        slug=(form.slug.data or "").strip().lower(),
        region_code=(form.region_code.data or "").strip() or None,
        summary=form.summary.data or "",
        description=form.description.data or "",
        domain=_number(form.domain.data),
        aspect=_number(form.aspect.data),
        indicators=parsed["indicators"],  # type: ignore[arg-type]
        links=parsed["links"],  # type: ignore[arg-type]
        derived_from_id=_number(form.derived_from_id.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*policy.CURATORS)
def create() -> tuple[str, int] | Response:
    """Add a practice to the catalog; it is published at once."""
    form = PracticeForm()
    _origin_choices(form)
    valid = form.validate_on_submit()
    data = _practice_input(form) if form.is_submitted() else None
    if valid and data is not None:
        try:
            practice = services.create_practice(data, creator_id=current_user.id)
        except services.PracticeError as error:
            attach_error(form, error)
        else:
            flash(_("The practice %(title)s was added.", title=practice.title), "success")
            return redirect(url_for("practices.show", slug=practice.slug))
    return render_template("practices/form.html", form=form, practice=None, spbe=spbe), form_status(
        form
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@roles_required(*policy.CURATORS)
def edit(slug: str) -> tuple[str, int] | Response:
    """Edit a practice's text, tags, links and lineage."""
    practice = policy.get_practice_or_abort(slug)
    form = PracticeForm(obj=practice)
    _origin_choices(form, practice)
    if request.method == "GET":
        form.domain.data = str(practice.domain or "")
        form.aspect.data = str(practice.aspect or "")
        form.derived_from_id.data = str(practice.derived_from_id or "")
        numbers = services.indicators_of([practice])[practice.id]
        form.indicators.data = ", ".join(str(n) for n in numbers)
        form.links.data = services.links_text(practice.links or [])
    valid = form.validate_on_submit()
    data = _practice_input(form) if form.is_submitted() else None
    if valid and data is not None:
        try:
            services.update_practice(practice, data)
        except services.PracticeError as error:
            attach_error(form, error)
        else:
            flash(_("The practice was saved."), "success")
            return redirect(url_for("practices.show", slug=practice.slug))
    return render_template(
        "practices/form.html", form=form, practice=practice, spbe=spbe
    ), form_status(form)


@bp.post("/<slug>/status")
@roles_required(*policy.CURATORS)
def set_status(slug: str) -> Response:
    """Publish or reject a practice, recording who decided and when."""
    practice = policy.get_practice_or_abort(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_status(practice, PracticeStatus(form.status.data), current_user.id)
    except services.PracticeError as error:
        flash(str(error), "error")
    else:
        if practice.status == PracticeStatus.PUBLISHED:
            flash(_("The practice was published."), "success")
        else:
            flash(_("The practice was rejected."), "success")
    return redirect(url_for("practices.show", slug=practice.slug))


@bp.post("/<slug>/attachments")
@roles_required(*policy.CURATORS)
def upload(slug: str) -> tuple[str, int] | Response:
    """Attach a PDF, PNG or JPEG to a practice."""
    practice = policy.get_practice_or_abort(slug)
    form = AttachmentForm()
    if form.validate_on_submit():
        file = form.file.data
        content = file.stream.read(services.MAX_ATTACHMENT_BYTES + 1)
        try:
            services.add_attachment(
                practice,
                filename=file.filename or "",
                content=content,
            )
        except services.PracticeError as error:
            attach_error(form, error)
        else:
            flash(_("The file was attached."), "success")
            return redirect(url_for("practices.show", slug=practice.slug, _anchor="attachments"))
    return _render_show(practice, upload=form, status=form_status(form))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    """Download an attachment; never shown inline, never sniffed, never scripted."""
    attachment = policy.get_attachment_or_abort(attachment_id)
    return storage.send(
        services.ATTACHMENT_DIR,
        attachment.stored_name,
        content_type=attachment.content_type,
        download_name=attachment.original_name,
    )
