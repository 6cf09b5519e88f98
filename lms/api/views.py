"""Pages of the API: the human-readable documentation and the token page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.api import tokens
from lms.api.core import PREFIX
from lms.api.forms import TokenForm
from lms.auth.models import Role
from lms.errors import attach_error, form_status
from lms.models import utcnow
from lms.policy import roles_required

bp = Blueprint("api_pages", __name__)

METHODS = ("get", "post", "patch", "put", "delete")


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The spec's operations grouped by tag, in the order they are declared."""
    groups: dict[str, dict[str, Any]] = {}
    for tag in spec.get("tags", []):
        groups[tag["name"]] = {
            "name": tag["name"],
            "description": tag.get("description"),
            "ops": [],
        }
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["other"])[0]
            group = groups.setdefault(
                tag, {"name": tag.removeprefix("api-"), "description": None, "ops": []}
            )
            group["ops"].append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": item.get("parameters", []) + op.get("parameters", []),
                    "body": _schema_name(op.get("requestBody")),
                    "responses": {
                        code: _schema_name(resp) for code, resp in op.get("responses", {}).items()
                    },
                }
            )
    return [g for g in groups.values() if g["ops"]]


def _schema_name(part: dict[str, Any] | None) -> str:
    if not part:
        return ""
    if "$ref" in part:
        return part["$ref"].rsplit("/", 1)[-1]
    for media in (part.get("content") or {}).values():
        schema = media.get("schema", {})
        return schema.get("$ref", "").rsplit("/", 1)[-1] or schema.get("format", "")
    return ""


@bp.get(f"{PREFIX}/docs")
def docs() -> str:
    """The API's reference, read from the OpenAPI document (no scripts, nothing remote)."""
    spec = current_app.extensions["lms_api"].spec.to_dict()
    return render_template(
        "api/docs.html",
        spec=spec,
        groups=_operations(spec),
        schemas=spec.get("components", {}).get("schemas", {}),
    )


@bp.route("/account/tokens", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def token_list() -> str | tuple[str, int]:
    """The owner's tokens; creating one shows its secret once."""
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        data = tokens.TokenInput(name=form.name.data, write=form.write.data, days=form.days.data)
        try:
            _token, secret = tokens.create_token(current_user, data, utcnow())
        except tokens.TokenError as error:
            attach_error(form, error)
        else:
            form = TokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        secret=secret,
        tokens=tokens.tokens_of(current_user),
        now=utcnow(),
    ), (201 if secret else form_status(form))


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def token_revoke(token_id: int) -> Response:
    """Revoke one of the owner's tokens at once."""
    from flask import abort

    token = tokens.revoke(current_user, token_id, utcnow())
    if token is None:
        abort(404)
    flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("api_pages.token_list"))
