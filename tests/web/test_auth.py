"""Logging in and out, passwords, one-time links, rate limits, sessions."""

from __future__ import annotations

import re

from lms.auth.models import PasswordResetToken, User
from tests.conftest import PASSWORD


def test_login_with_right_password_lands_on_home(client, make_user, login):
    user = make_user("participant", name="Asep Saepudin")
    response = login(user)
    assert response.headers["Location"].endswith("/home")
    assert "Asep Saepudin" in client.get("/home").get_data(as_text=True)


def test_login_email_is_case_insensitive(client, make_user):
    user = make_user("mentor", email="mentor.case@example.org")
    response = client.post_form(
        "/login", {"email": "  Mentor.Case@Example.ORG ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert user.email in client.get("/account").get_data(as_text=True)


def test_wrong_password_is_refused_next_to_field_and_keeps_email(client, make_user):
    user = make_user("participant")
    response = client.post_form("/login", {"email": user.email, "password": "wrong-password-x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-password"' in page
    assert f'value="{user.email}"' in page
    assert client.get("/home").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("participant", active=False)
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 422


def test_logout_requires_post_and_ends_session(client, make_user, login):
    login(make_user("participant"))
    assert client.get("/logout").status_code == 405
    assert client.post_form("/logout").status_code == 302
    assert client.get("/home").status_code == 302


def test_next_parameter_only_follows_local_paths(client, make_user):
    user = make_user("admin")
    token = client.csrf_token()
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/home")
    client.post_form("/logout")
    response = client.post(
        "/login?next=/admin/regions/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": client.csrf_token()},
    )
    assert response.headers["Location"].endswith("/admin/regions/")


def test_login_is_rate_limited_per_account(app, client, make_user):
    user = make_user("participant")
    for _ in range(5):
        assert (
            client.post_form(
                "/login", {"email": user.email, "password": "nope-nope-nope"}
            ).status_code
            == 422
        )
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak" in response.get_data(as_text=True) or "Too many" in response.get_data(
        as_text=True
    )
    # Another account from the same address is still allowed.
    other = make_user("participant")
    assert (
        client.post_form("/login", {"email": other.email, "password": PASSWORD}).status_code == 302
    )


def test_login_is_rate_limited_per_ip(app, client, make_user):
    users = [make_user("participant") for _ in range(4)]
    failures = 0
    # 30 failures per 15 minutes from one address, spread over accounts under their own limit.
    for i in range(30):
        response = client.post_form(
            "/login", {"email": users[i % 4].email, "password": f"bad-{i}-xxxxxx"}
        )
        if response.status_code == 422:
            failures += 1
    assert failures >= 20
    response = client.post_form(
        "/login", {"email": make_user("mentor").email, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    user = make_user("participant")
    for _ in range(8):
        assert (
            client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code
            == 302
        )
        client.post_form("/logout")


def test_change_password_logs_out_other_sessions(app, client, make_user, login):
    user = make_user("participant")
    login(user)
    other = app.test_client()
    other.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert other.get("/home").status_code == 200

    response = client.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-brand-new-secret",
            "confirm": "a-brand-new-secret",
        },
    )
    assert response.status_code == 302
    assert client.get("/home").status_code == 200  # this session continues
    assert other.get("/home").status_code == 302  # the other one is logged out
    client.post_form("/logout")
    assert (
        client.post_form(
            "/login", {"email": user.email, "password": "a-brand-new-secret"}
        ).status_code
        == 302
    )


def test_change_password_errors_are_shown_per_field(client, make_user, login):
    login(make_user("participant"))
    response = client.post_form(
        "/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm": "other"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-new_password"' in page
    assert 'data-testid="error-confirm"' in page


def test_admin_reset_link_works_once(client, db, make_user, login):
    admin = make_user("admin")
    target = make_user("participant")
    login(admin)
    page = client.post_form(f"/users/{target.id}/reset-link").get_data(as_text=True)
    link = re.search(r'data-testid="reset-link">([^<]+)<', page).group(1)
    path = link.replace("http://lms.test", "")
    client.post_form("/logout")

    assert client.get(path).status_code == 200
    response = client.post_form(
        path, {"new_password": "fresh-password-123", "confirm": "fresh-password-123"}
    )
    assert response.status_code == 302
    assert client.get(path).status_code == 404  # used
    assert (
        client.post_form(
            "/login", {"email": target.email, "password": "fresh-password-123"}
        ).status_code
        == 302
    )
    assert db.session.query(PasswordResetToken).count() == 1


def test_unknown_reset_token_is_404(client):
    assert client.get("/reset/not-a-token").status_code == 404


def test_preferences_language_and_time_zone(client, db, make_user, login):
    user = make_user("mentor")
    login(user)
    response = client.post_form("/account", {"locale": "en", "timezone": "Asia/Jayapura"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "WIT" in page
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "Asia/Jayapura"
