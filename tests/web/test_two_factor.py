"""Two-factor sign-in for admins and coordinators: turned on by confirming a code, asked
after the password at every sign-in, recovery codes work once, and it can be turned off."""

from __future__ import annotations

import re

import pyotp

from lms.auth.models import User
from tests.conftest import PASSWORD


def test_two_factor_sign_in_with_codes_and_recovery(db, client, login, make_user):
    admin = make_user("admin")
    login(admin)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page  # the QR code, made on the server
    wrong = client.post_form("/account/two-factor", {"action": "enable", "code": "000000"})
    assert wrong.status_code == 422
    code = pyotp.TOTP(secret).now()
    done = client.post_form("/account/two-factor", {"action": "enable", "code": code})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    db.session.expire_all()
    assert db.session.get(User, admin.id).totp_secret == secret
    client.post_form("/logout")

    step = client.post_form("/login", {"email": admin.email, "password": PASSWORD})
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/code")
    assert client.get("/home").status_code == 302  # not logged in after the password alone
    assert client.post_form("/login/code", {"code": "123456"}).status_code == 422
    ok = client.post_form("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302 and client.get("/home").status_code == 200
    client.post_form("/logout")

    client.post_form("/login", {"email": admin.email, "password": PASSWORD})
    assert client.post_form("/login/code", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/home").status_code == 200  # a recovery code instead of the app
    client.post_form("/logout")
    client.post_form("/login", {"email": admin.email, "password": PASSWORD})
    assert client.post_form("/login/code", {"code": codes[0]}).status_code == 422  # once
    db.session.expire_all()
    assert len(db.session.get(User, admin.id).totp_recovery) == 9

    response = client.post_form("/login/code", {"code": codes[1]})
    assert response.status_code == 302
    off = client.post_form(
        "/account/two-factor", {"action": "disable", "code": pyotp.TOTP(secret).now()}
    )
    assert off.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).totp_secret is None


def test_only_admins_and_coordinators_turn_it_on(client, login, make_user):
    for role, status in (("participant", 403), ("mentor", 403), ("coordinator", 200)):
        login(make_user(role))
        assert client.get("/account/two-factor").status_code == status
        client.post_form("/logout")


def test_the_code_page_needs_the_password_first(client):
    assert client.get("/login/code").status_code == 302
