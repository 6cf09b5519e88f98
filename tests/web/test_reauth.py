"""Sensitive actions (changing a role, issuing a password link) need the password entered
within the last ten minutes; otherwise the admin confirms it first."""

from __future__ import annotations

import time

from lms.auth.models import User
from tests.conftest import PASSWORD


def _age_login(client, seconds: int) -> None:
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - seconds


def test_a_role_change_after_ten_minutes_asks_for_the_password(db, client, login, make_user):
    admin = make_user("admin")
    person = make_user("participant", region="32.11")
    login(admin)
    _age_login(client, 11 * 60)
    form = {"email": person.email, "name": person.name, "role": "mentor", "region_code": "32.11"}
    form |= {"nip": "", "work_unit": "", "position": "", "institution": "", "password": ""}
    asked = client.post_form(f"/users/{person.id}/edit", form)
    assert asked.status_code == 302 and "/account/confirm" in asked.headers["Location"]
    db.session.expire_all()
    assert db.session.get(User, person.id).role == "participant"
    assert client.post_form(f"/users/{person.id}/reset-link").status_code == 302
    confirm = asked.headers["Location"].split("lms.test", 1)[-1]
    assert client.post_form(confirm, {"password": "salah-salah-salah"}).status_code == 422
    back = client.post_form(confirm, {"password": PASSWORD})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/users/{person.id}/edit")
    assert client.post_form(f"/users/{person.id}/edit", form).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).role == "mentor"
    assert client.post_form(f"/users/{person.id}/reset-link").status_code == 200


def test_other_edits_do_not_ask(db, client, login, make_user):
    admin = make_user("admin")
    person = make_user("participant", region="32.11")
    login(admin)
    _age_login(client, 3600)
    form = {"email": person.email, "name": "Nama Baru", "role": "participant"}
    form |= {"region_code": "32.11", "nip": "", "work_unit": "", "position": ""}
    form |= {"institution": "", "password": ""}
    assert client.post_form(f"/users/{person.id}/edit", form).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "Nama Baru"
