"""The admin's allow-list of outside video players (/admin/settings/video): saved in the
database, read by the material's rendering and by the page's Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from courses.models import Module
from lms.audit.models import AuditEvent
from lms.settings.models import SiteSetting

URL = "/admin/settings/video"
MATERIAL = "## Materi\n\n[Video SPBE](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n"
PLAYER = 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"'


@pytest.fixture
def admin_view(db, client, login, make_user, make_course):
    version = make_course(material=MATERIAL)
    login(make_user("admin"))
    module = db.session.scalar(select(Module.id).where(Module.version_id == version.id))
    return f"/admin/courses/{version.course_id}/versions/{version.id}/view-as/modules/{module}"


def test_admin_ticks_youtube_and_a_lone_link_becomes_a_player(db, client, admin_view):
    before = client.get(admin_view)
    assert PLAYER not in before.get_data(as_text=True)
    assert "frame-src" not in before.headers["Content-Security-Policy"]

    page = client.get(URL)
    assert page.status_code == 200
    assert 'value="youtube"' in page.get_data(as_text=True)
    saved = client.post_form(URL, {"providers": ["youtube"]})
    assert saved.status_code == 302
    assert db.session.get(SiteSetting, "video_embed").value == "youtube"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.video_embed"))
    assert event.after == {"providers": "youtube"} and event.before == {"providers": ""}
    assert "Pemutar video eksternal diubah" in client.get("/admin/audit/").get_data(as_text=True)

    after = client.get(admin_view)
    html = after.get_data(as_text=True)
    assert html.count("<iframe") == 1 and PLAYER in html
    csp = after.headers["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com" in csp and "vimeo" not in csp
    # A page without a video link frames nothing.
    assert "frame-src" not in client.get("/home").headers["Content-Security-Policy"]


def test_unticking_turns_the_player_back_into_a_plain_link(app, db, client, admin_view):
    app.config["LMS_VIDEO_EMBED"] = "youtube,vimeo"
    try:
        assert PLAYER in client.get(admin_view).get_data(as_text=True)  # the config default
        page = client.get(URL).get_data(as_text=True)
        ticked = re.findall(r'<input checked[^>]*value="(\w+)"', page)
        assert ticked == ["youtube", "vimeo"]  # the page shows the default it starts from
        assert client.post_form(URL, {}).status_code == 302  # nothing ticked: none allowed
        response = client.get(admin_view)
    finally:
        app.config["LMS_VIDEO_EMBED"] = ""
    html = response.get_data(as_text=True)
    assert "<iframe" not in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert "frame-src" not in response.headers["Content-Security-Policy"]
    assert db.session.get(SiteSetting, "video_embed").value == ""


def test_an_unknown_provider_is_refused(db, client, admin_view):
    response = client.post_form(URL, {"providers": ["dailymotion"]})
    assert response.status_code == 422
    assert db.session.get(SiteSetting, "video_embed") is None


@pytest.mark.parametrize("role", ["participant", "mentor", "coordinator"])
def test_only_an_admin_may_change_the_players(db, client, login, make_user, role):
    login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post_form(URL, {"providers": ["youtube"]}).status_code == 403
    assert db.session.get(SiteSetting, "video_embed") is None
