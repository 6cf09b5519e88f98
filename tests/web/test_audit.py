"""The audit log: what admins and coordinators change is recorded with actor, time, address,
object and before/after; admins read it all, coordinators their region's; on PostgreSQL the
table refuses UPDATE and DELETE."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from lms.audit.models import AuditEvent
from lms.cohorts.models import Enrolment


def _events(db, action=None):
    db.session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt))


def _rows(html: str) -> int:
    return html.count('data-testid="audit-row"')


def test_account_changes_are_recorded_with_before_and_after(db, client, login, make_user):
    admin = make_user("admin", name="Admin Pusat")
    person = make_user("participant", name="Siti Aminah", region="32.11")
    login(admin)
    form = {
        "email": person.email,
        "name": "Siti Aminah, S.Kom.",
        "role": "mentor",
        "region_code": "32.11",
        "nip": "",
        "work_unit": "",
        "position": "",
        "institution": "",
        "password": "",
    }
    response = client.post_form(f"/users/{person.id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    (event,) = _events(db, "user.update")
    assert event.actor_id == admin.id and event.actor_role == "admin"
    assert event.ip == "127.0.0.1" and event.region_code == "32.11"
    assert event.object_type == "user" and event.object_id == str(person.id)
    assert event.before == {"name": "Siti Aminah", "role": "participant"}
    assert event.after == {"name": "Siti Aminah, S.Kom.", "role": "mentor"}
    # saving without a change records nothing
    form["name"] = "Siti Aminah, S.Kom."
    client.post_form(f"/users/{person.id}/edit", form)
    assert len(_events(db, "user.update")) == 1

    assert (
        client.post_form(
            f"/users/{person.id}/active", {"active": "0", "confirmed": "yes"}
        ).status_code
        == 302
    )
    (off,) = _events(db, "user.deactivate")
    assert off.before == {"active": True} and off.after == {"active": False}
    client.post_form(f"/users/{person.id}/reset-link")
    assert len(_events(db, "user.reset_link")) == 1
    new = {**form, "email": "baru@example.org", "name": "Orang Baru", "role": "participant"}
    new["password"] = "sandi-yang-panjang-sekali"
    assert client.post_form("/users/new", new).status_code == 302
    (created,) = _events(db, "user.create")
    assert created.after["email"] == "baru@example.org" and created.before == {}
    assert "password_hash" not in created.after

    page = client.get("/admin/audit/").get_data(as_text=True)
    assert _rows(page) == 4 and "Siti Aminah, S.Kom." in page and "127.0.0.1" in page
    page = client.get("/admin/audit/?action=user.update").get_data(as_text=True)
    assert _rows(page) == 1
    page = client.get("/admin/audit/?actor=pusat").get_data(as_text=True)
    assert _rows(page) == 4
    page = client.get("/admin/audit/?actor=nobody-like-this").get_data(as_text=True)
    assert _rows(page) == 0
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert _rows(client.get(f"/admin/audit/?since={tomorrow}").get_data(as_text=True)) == 0
    assert _rows(client.get(f"/admin/audit/?until={tomorrow}").get_data(as_text=True)) == 4
    page = client.get(f"/admin/audit/?object_type=user&object_id={person.id}")
    assert _rows(page.get_data(as_text=True)) == 3


def test_enrolments_and_course_moves_are_recorded(
    db, client, login, make_user, make_cohort, make_course, attach
):
    coordinator = make_user("coordinator", region="32.11")
    person = make_user("participant", region="32.11")
    cohort = make_cohort("32.11")
    login(coordinator)
    response = client.post_form(f"/cohorts/{cohort.id}/enrol", {"participants": [person.id]})
    assert response.status_code == 302
    (enrolled,) = _events(db, "cohort.enrol")
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolled.object_id == str(enrolment.id) and enrolled.after["user_id"] == person.id
    assert enrolled.actor_id == coordinator.id
    url = f"/cohorts/{cohort.id}/enrolments/{enrolment.id}/withdraw"
    assert client.post_form(url).status_code == 302
    (withdrawn,) = _events(db, "cohort.withdraw")
    assert withdrawn.before["status"] == "active" and withdrawn.after["status"] == "withdrawn"
    edit = {"name": "Angkatan Baru", "region_code": "32.11"}
    edit |= {"start_date": "2026-11-02", "end_date": "2027-03-01"}
    assert client.post_form(f"/cohorts/{cohort.id}/edit", edit).status_code == 302
    (changed,) = _events(db, "cohort.update")
    assert changed.after == {"name": "Angkatan Baru", "end_date": "2027-03-01"}

    client.post_form("/logout")
    admin = make_user("admin")
    login(admin)
    v1 = make_course(modules=1)
    v2 = make_course(slug="kursus-lain", modules=1)
    attach(cohort, v1)
    move = {"version_id": str(v2.id), "confirmed": "yes"}
    response = client.post_form(f"/cohorts/{cohort.id}/course", move)
    assert response.status_code == 302
    (moved,) = _events(db, "cohort.course")
    assert moved.before == {"course_version_id": v1.id}
    assert moved.after["course_version_id"] == v2.id


def test_coordinators_read_only_their_regions_entries(db, client, login, make_user):
    admin = make_user("admin")
    a = make_user("participant", region="32.11", name="Warga Sumedang")
    b = make_user("participant", region="35.10", name="Warga Banyuwangi")
    login(admin)
    for person in (a, b):
        client.post_form(f"/users/{person.id}/reset-link")
    client.post_form("/logout")
    login(make_user("coordinator", region="32.11"))
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert _rows(page) == 1 and a.email in page and b.email not in page
    # asking for another region's entries finds nothing
    page = client.get("/admin/audit/?region=35.10").get_data(as_text=True)
    assert _rows(page) == 0
    client.post_form("/logout")
    login(admin)
    assert _rows(client.get("/admin/audit/").get_data(as_text=True)) == 2
    assert _rows(client.get("/admin/audit/?region=35.10").get_data(as_text=True)) == 1
    client.post_form("/logout")
    for role in ("mentor", "participant"):
        login(make_user(role))
        assert client.get("/admin/audit/").status_code == 403
        client.post_form("/logout")


def test_a_change_that_fails_leaves_no_entry(db, client, login, make_user, make_cohort):
    coordinator = make_user("coordinator", region="32.11")
    outsider = make_user("participant", region="35.10")
    cohort = make_cohort("32.11")
    login(coordinator)
    client.post_form(f"/cohorts/{cohort.id}/enrol", {"participants": [outsider.id]})
    assert _events(db) == []


def test_the_page_issues_the_same_statements_for_more_entries(
    db, client, login, make_user, count_queries
):
    admin = make_user("admin")
    people = [make_user("participant") for _ in range(6)]
    login(admin)
    counts = []
    for batch in (people[:1], people[1:]):
        for person in batch:
            client.post_form(f"/users/{person.id}/reset-link")
        with count_queries() as counted:
            assert client.get("/admin/audit/").status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]


def test_the_log_refuses_update_and_delete_on_postgresql(db, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL (make test-pg)")
    from lms.audit.services import Change, record

    actor = make_user("admin")
    record(actor, "10.0.0.1", Change("user.reset_link", "user", actor.id, actor.email))
    db.session.commit()
    for statement in ("UPDATE audit_event SET ip = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(AuditEvent.ip)) == "10.0.0.1"
