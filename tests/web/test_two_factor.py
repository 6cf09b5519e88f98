"""Two-factor sign-in for admins and coordinators: turned on by confirming a code, asked
after the password at every sign-in, recovery codes work once, and it can be turned off."""

from __future__ import annotations

import re
import smtplib

import pyotp
import pytest

from lms.auth.models import User
from tests.conftest import PASSWORD
from tests.web.test_mail import FakeSMTP


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


@pytest.fixture
def outbox(app, monkeypatch):
    """Mail sent through a fake SMTP server (SMTP configured)."""
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    return FakeSMTP.sent


def _turn_on(client, user):
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post_form(
        "/account/two-factor", {"action": "enable", "code": pyotp.TOTP(secret).now()}
    )
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_new_recovery_codes_replace_the_old_ones(db, client, login, make_user):
    coordinator = make_user("coordinator")
    login(coordinator)
    secret, old = _turn_on(client, coordinator)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "10 kode pemulihan" in page  # how many are left, in Indonesian
    # A recovery code cannot renew the recovery codes: only the app.
    refused = client.post_form("/account/two-factor", {"action": "recovery", "code": old[0]})
    assert refused.status_code == 422
    renewed = client.post_form(
        "/account/two-factor", {"action": "recovery", "code": pyotp.TOTP(secret).now()}
    )
    new = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", renewed.get_data(as_text=True))
    assert renewed.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret == secret  # still on
    client.post_form("/logout")
    client.post_form("/login", {"email": coordinator.email, "password": PASSWORD})
    assert client.post_form("/login/code", {"code": old[1]}).status_code == 422  # old: gone
    assert client.post_form("/login/code", {"code": new[0]}).status_code == 302


def test_an_admin_resets_another_persons_two_factor(db, client, login, make_user, outbox):
    from lms.audit.models import AuditEvent

    coordinator = make_user("coordinator")
    login(coordinator)
    secret, _ = _turn_on(client, coordinator)
    client.post_form("/logout")

    other_coordinator = make_user("coordinator")
    login(other_coordinator)  # a coordinator may not, not even in the same region
    url = f"/users/{coordinator.id}/two-factor/reset"
    assert client.post_form(url).status_code == 403
    client.post_form("/logout")

    admin = make_user("admin")
    login(admin)
    form = client.get(f"/users/{coordinator.id}/edit").get_data(as_text=True)
    assert 'data-testid="reset-two-factor"' in form
    asked = client.post_form(url)
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret == secret  # not before confirming
    done = client.post_form(url, {"confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/users/{coordinator.id}/edit"
    )
    db.session.expire_all()
    reset = db.session.get(User, coordinator.id)
    assert reset.totp_secret is None and reset.totp_recovery == []
    event = db.session.query(AuditEvent).filter_by(action="user.two_factor_reset").one()
    assert event.actor_id == admin.id and event.object_id == str(coordinator.id)
    assert [m["To"] for m in outbox] == [coordinator.email]
    client.post_form("/logout")
    # The coordinator signs in with the password alone again.
    step = client.post_form("/login", {"email": coordinator.email, "password": PASSWORD})
    assert step.status_code == 302 and not step.headers["Location"].endswith("/login/code")
