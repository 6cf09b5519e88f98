"""Security headers, cookies, health check."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from lms.extensions import db as _db


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, make_user, login):
    login(make_user("admin"))
    for path in ("/home", "/users/", "/cohorts/", "/admin/regions/", "/users/import"):
        assert "<script" not in client.get(path).get_data(as_text=True), path


def test_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user("participant")
    response = client.post_form(
        "/login", {"email": user.email, "password": "correct-horse-battery"}
    )
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client, make_user):
    user = make_user("participant")
    token = client.csrf_token()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token},
        base_url="https://lms.test",
        headers={"Referer": "https://lms.test/login"},
    )
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(_db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_server_error_page_is_translated_and_rolls_back(app, client, make_user, login, monkeypatch):
    login(make_user("participant"))

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("lms.home.views.cohort_services.participant_enrolments", boom)
    response = client.get("/home")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.get_data(
        as_text=True
    ) or "Something went wrong" in response.get_data(as_text=True)
