"""The admin's site settings: which outside video players material may embed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from lms.audit.recorder import log
from lms.audit.services import Change
from lms.auth.models import Role
from lms.errors import form_status
from lms.markdown import VIDEO_PROVIDERS, embed_origins, parse_providers
from lms.policy import roles_required
from lms.settings import services

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")

PROVIDER_LABELS = {
    "youtube": _l("YouTube, through youtube-nocookie.com (no cookies before play)"),
    "vimeo": _l("Vimeo, with do-not-track (dnt=1)"),
}


class VideoEmbedForm(FlaskForm):
    providers = SelectMultipleField(
        _l("Video players the material may embed"),
        choices=[SelectChoice(name, PROVIDER_LABELS.get(name, name)) for name in VIDEO_PROVIDERS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


@bp.route("/video", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def video() -> Any:
    """Tick the privacy-friendly players a lone video link in the material becomes; the
    rest stay plain links. Until saved here, the LMS_VIDEO_EMBED config decides."""
    current = services.video_embed()
    saved = services.saved(services.VIDEO_EMBED) is not None
    form = VideoEmbedForm(data={"providers": list(parse_providers(current))})
    if form.validate_on_submit():
        value = ",".join(p for p in VIDEO_PROVIDERS if p in (form.providers.data or []))
        before, after = services.save(services.VIDEO_EMBED, value)
        log(
            Change(
                "settings.video_embed",
                "site_setting",
                services.VIDEO_EMBED,
                _("Outside video players"),
                None,
                {"providers": current if before is None else before},
                {"providers": after},
            )
        )
        flash(_("The video players were saved."), "success")
        return redirect(url_for("settings.video"))
    return render_template(
        "settings/video.html",
        form=form,
        saved=saved,
        origins=embed_origins(parse_providers(current)),
    ), form_status(form)
