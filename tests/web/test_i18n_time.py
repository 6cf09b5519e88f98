"""Language switch and dates in the viewer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.auth.models import User


def test_default_language_is_indonesian_and_switch_is_remembered(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="id"' in page and "Masuk" in page
    response = client.post_form("/language", {"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page
    client.post_form("/language", {"lang": "id", "next": "/login"})
    assert 'lang="id"' in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_foreign_redirects(client):
    response = client.post_form("/language", {"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] in ("/", "http://lms.test/")


def test_language_choice_is_stored_on_the_account(client, db, make_user, login):
    user = make_user("participant")
    login(user)
    client.post_form("/language", {"lang": "en", "next": "/home"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_error_pages_speak_the_users_language(client):
    assert "tidak ditemukan" in client.get("/no-such-page").get_data(as_text=True)
    client.post_form("/language", {"lang": "en", "next": "/login"})
    assert "does not exist" in client.get("/no-such-page").get_data(as_text=True)


def test_times_shown_in_region_time_zone(client, db, make_user, login):
    # 02:30 UTC is 09:30 WIB (Sumedang), 10:30 WITA (Makassar), 11:30 WIT (Jayapura).
    for region, expected in (("32.11", "09.30"), ("73.71", "10.30"), ("91.71", "11.30")):
        user = make_user("participant", region=region)
        login(user)
        db.session.get(User, user.id).last_login_at = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
        db.session.commit()
        page = client.get("/account").get_data(as_text=True)
        label = {"32.11": "WIB", "73.71": "WITA", "91.71": "WIT"}[region]
        assert f"{expected}" in page.replace(":", "."), (region, page[:200])
        assert label in page
        client.post_form("/logout")


def test_a_macro_imported_without_context_speaks_the_language_of_its_own_render(app):
    """Macros imported without context take the catalogue of the render in progress: a
    mail rendered in English inside an Indonesian page leaves the page's later macros in
    Indonesian, and the English render's macros in English."""
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_babel import force_locale
    from markupsafe import Markup

    page = SimpleNamespace(
        page=1, pages=2, total=30, prev_num=0, next_num=2, has_prev=False, has_next=True
    )
    macro = '{% from "_macros.html" import pagination_links %}{{ pagination_links(p, u) }}'

    def render(source, **extra):
        return render_template_string(source, p=page, u=lambda n: f"?page={n}", **extra)

    def english_inside():
        with force_locale("en"):
            return Markup(render(macro))  # noqa: S704 - our own template's output

    with app.test_request_context("/"):
        outer = render("{{ inner() }}|" + macro, inner=english_inside)
    inner_part, outer_part = outer.split("|", 1)
    assert 'aria-label="Pages"' in inner_part and "Next" in inner_part
    assert 'aria-label="Halaman"' in outer_part and "Berikutnya" in outer_part
