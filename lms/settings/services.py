"""Reading and saving site settings. `video_embed` is the allow-list of outside video
players (lms.markdown.VIDEO_PROVIDERS); until an admin saves it, `LMS_VIDEO_EMBED` decides."""

from __future__ import annotations

from flask import current_app, g, has_request_context

from lms.extensions import db
from lms.settings.models import SiteSetting

VIDEO_EMBED = "video_embed"


def saved(key: str) -> str | None:
    """The value saved for `key`, or None when an admin never saved it."""
    row = db.session.get(SiteSetting, key)
    return None if row is None else row.value


def video_embed() -> str:
    """The effective allow-list ("youtube,vimeo"): the saved one, else the config's.

    Read at most once per request (kept on `g`): the page's material and its
    Content-Security-Policy header see the same list."""
    if has_request_context() and "lms_video_embed" in g:
        return g.lms_video_embed
    value = saved(VIDEO_EMBED)
    if value is None:
        value = str(current_app.config.get("LMS_VIDEO_EMBED") or "")
    if has_request_context():
        g.lms_video_embed = value
    return value


def looked_up_video_embed() -> str | None:
    """The list this request already read (for the CSP header), or None when it rendered
    no candidate video link, so the page needs no `frame-src` at all."""
    return g.get("lms_video_embed") if has_request_context() else None


def save(key: str, value: str) -> tuple[str | None, str]:
    """Save `value` under `key`; returns (before, after) for the audit log."""
    row = db.session.get(SiteSetting, key)
    before = None if row is None else row.value
    if row is None:
        row = SiteSetting(key=key, value=value)
        db.session.add(row)
    row.value = value
    if has_request_context():
        g.pop("lms_video_embed", None)
    return before, value
