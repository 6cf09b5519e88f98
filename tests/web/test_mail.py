"""One-time links are mailed only when SMTP is configured."""

from __future__ import annotations

import smtplib


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_reset_link_is_mailed_when_smtp_is_configured(app, client, make_user, login, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    target = make_user("participant", email="rina@example.org")
    login(make_user("admin"))
    client.post_form(f"/users/{target.id}/reset-link")
    assert len(FakeSMTP.sent) == 1
    message = FakeSMTP.sent[0]
    assert message["To"] == "rina@example.org"
    assert "/reset/" in message.get_content()


def test_no_mail_without_smtp(app, client, make_user, login, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    assert not app.config["MAIL_SERVER"]
    target = make_user("participant")
    login(make_user("admin"))
    page = client.post_form(f"/users/{target.id}/reset-link").get_data(as_text=True)
    assert "/reset/" in page
    assert FakeSMTP.sent == []


def test_password_and_email_changes_are_told_to_the_person(
    app, client, make_user, login, monkeypatch
):
    from tests.conftest import PASSWORD

    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    person = make_user("participant", email="rina@example.org", name="Rina")
    login(person)
    new = "sandi-baru-yang-panjang"
    form = {"current_password": PASSWORD, "new_password": new, "confirm": new}
    assert client.post_form("/account/password", form).status_code == 302
    (notice,) = FakeSMTP.sent
    assert notice["To"] == "rina@example.org" and "rina@example.org" in notice.get_content()
    client.post_form("/logout")
    login(make_user("admin"))
    edit = {"email": "rina.baru@example.org", "name": "Rina", "role": "participant"}
    edit |= {"region_code": "32.11", "nip": "", "work_unit": "", "position": ""}
    edit |= {"institution": "", "password": ""}
    assert client.post_form(f"/users/{person.id}/edit", edit).status_code == 302
    told = FakeSMTP.sent[1]
    assert told["To"] == "rina@example.org"  # the old address hears of the change
    assert "rina.baru@example.org" in told.get_content()
