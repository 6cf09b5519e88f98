"""Creating, editing and deactivating accounts; bulk participant import."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.auth.models import PasswordResetToken, User
from lms.cohorts.models import Enrolment
from tests.conftest import PASSWORD

GOOD_NIP = "198503122010011001"


def _form(**overrides):
    data = {
        "name": "Rina Marlina",
        "email": "rina@example.org",
        "role": "participant",
        "region_code": "32.11",
        "nip": GOOD_NIP,
        "work_unit": "Diskominfo",
        "position": "Pranata Komputer",
        "institution": "",
        "password": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_participant_and_gets_one_time_link(client, db, make_user, login):
    login(make_user("admin"))
    response = client.post_form("/users/new", _form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="reset-link"' in page
    user = db.session.scalar(select(User).where(User.email == "rina@example.org"))
    assert user.nip == GOOD_NIP and user.password_hash is None
    assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 1


def test_duplicate_email_and_nip_are_refused_next_to_field_keeping_input(client, make_user, login):
    make_user("participant", email="taken@example.org", nip=GOOD_NIP)
    login(make_user("admin"))
    response = client.post_form("/users/new", _form(email="Taken@Example.org", name="Dewi Lestari"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-email"' in page and 'value="Dewi Lestari"' in page
    response = client.post_form("/users/new", _form(email="new@example.org"))
    assert 'data-testid="error-nip"' in response.get_data(as_text=True)


def test_invalid_nip_and_short_password_are_explained(client, make_user, login):
    login(make_user("admin"))
    response = client.post_form("/users/new", _form(nip="198502302010011001", password="short"))
    page = response.get_data(as_text=True)
    assert 'data-testid="error-nip"' in page and "tanggal lahir" in page.lower()
    assert 'data-testid="error-password"' in page


def test_coordinator_cannot_create_accounts_outside_region_or_other_roles(
    client, db, make_user, login
):
    login(make_user("coordinator", region="32.11"))
    response = client.post_form("/users/new", _form(region_code="35.10"))
    assert response.status_code == 422
    assert 'data-testid="error-region_code"' in response.get_data(as_text=True)
    response = client.post_form("/users/new", _form(role="admin"))
    assert response.status_code == 422
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "rina@example.org")) == 0
    )


def test_deactivated_user_is_logged_out_and_keeps_records(
    app, client, db, make_user, login, make_cohort
):
    admin = make_user("admin")
    participant = make_user("participant")
    make_cohort(participants=[participant])
    other = app.test_client()
    other.post_form("/login", {"email": participant.email, "password": PASSWORD})
    assert other.get("/home").status_code == 200
    login(admin)
    asked = client.post_form(f"/users/{participant.id}/active", {"active": "0"})
    assert asked.status_code == 200 and 'data-testid="confirm-deactivate"' in asked.get_data(
        as_text=True
    )
    assert other.get("/home").status_code == 200  # nothing happens before the confirmation
    confirm = {"active": "0", "confirm": "1"}
    assert client.post_form(f"/users/{participant.id}/active", confirm).status_code == 302
    assert other.get("/home").status_code == 302
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1
    client.post_form(f"/users/{participant.id}/active", {"active": "1"})
    assert (
        other.post_form("/login", {"email": participant.email, "password": PASSWORD}).status_code
        == 302
    )


def test_admin_cannot_deactivate_self(client, db, make_user, login):
    admin = make_user("admin")
    login(admin)
    client.post_form(f"/users/{admin.id}/active", {"active": "0", "confirm": "1"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_user_list_is_searchable(client, make_user, login):
    make_user("participant", name="Asep Saepudin")
    make_user("participant", name="Bambang Sutrisno", region="35.10")
    login(make_user("admin"))
    page = client.get("/users/?q=asep").get_data(as_text=True)
    assert "Asep Saepudin" in page and "Bambang" not in page


def test_coordinator_sees_only_own_region_participants(client, make_user, login):
    make_user("participant", name="Asep Saepudin", region="32.11")
    make_user("participant", name="Bambang Sutrisno", region="35.10")
    make_user("mentor", name="Dr. Mentor")
    login(make_user("coordinator", region="32.11"))
    page = client.get("/users/").get_data(as_text=True)
    assert "Asep Saepudin" in page and "Bambang" not in page and "Dr. Mentor" not in page


# Import ---------------------------------------------------------------------

CSV_HEADER = "name,email,nip,region_code,work_unit,position\n"


def _csv(*rows: str) -> bytes:
    return (CSV_HEADER + "\n".join(rows) + "\n").encode()


def _upload(client, content: bytes, filename: str = "peserta.csv", cohort: str = ""):
    return client.post_form(
        "/users/import",
        {"file": (io.BytesIO(content), filename), "cohort_id": cohort},
        content_type="multipart/form-data",
    )


def _count(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)).where(User.role == "participant"))


def test_import_preview_lists_every_bad_row_and_cancel_writes_nothing(client, db, make_user, login):
    make_user("participant", email="exists@example.org")
    login(make_user("admin"))
    content = _csv(
        "Asep,asep@example.org,198503122010011001,32.11,Diskominfo,Analis",
        "Rina,rina@example.org,,32.11,Bappeda,Perencana",
        "Bad NIP,bad1@example.org,198502302010011001,32.11,,",
        "Bad region,bad2@example.org,,99.99,,",
        "Dup,asep@example.org,,32.11,,",
        ",noname@example.org,,32.11,,",
        "Exists,exists@example.org,,32.11,,",
        "Bad mail,not-an-email,,32.11,,",
    )
    response = _upload(client, content)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    problems = re.findall(r'<tr class="row-error"><td>(\d+)</td>', page)
    assert sorted(set(map(int, problems))) == [4, 5, 6, 7, 8, 9]
    assert "2 baris siap diimpor" in page
    assert _count(db) == 1

    token = preview_url.rstrip("/").split("/")[-1]
    assert client.post_form(f"/users/import/{token}/cancel").status_code == 302
    assert _count(db) == 1
    assert client.get(preview_url).status_code == 404


def test_import_confirm_creates_valid_rows_and_enrols(client, db, make_user, login, make_cohort):
    cohort = make_cohort("32.11")
    login(make_user("coordinator", region="32.11"))
    content = _csv(
        "Asep,asep@example.org,198503122010011001,32.11,Diskominfo,Analis",
        "Rina,rina@example.org,,32.11,Bappeda,Perencana",
        "Other region,x@example.org,,35.10,,",
    )
    preview_url = _upload(client, content, cohort=str(cohort.id)).headers["Location"]
    token = preview_url.rstrip("/").split("/")[-1]
    page = client.post_form(f"/users/import/{token}/confirm").get_data(as_text=True)
    assert 'data-testid="import-result"' in page and "2 akun dibuat" in page
    assert _count(db) == 2  # the coordinator is not a participant
    assert (
        db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id))
        == 2
    )
    # A replayed confirmation finds nothing to do.
    assert client.post_form(f"/users/import/{token}/confirm").status_code == 404


def test_import_enrols_existing_participants_of_the_region(
    client, db, make_user, login, make_cohort
):
    existing = make_user("participant", email="old@example.org", region="32.11")
    cohort = make_cohort("32.11")
    login(make_user("admin"))
    preview_url = _upload(
        client, _csv("Old,old@example.org,,32.11,,"), cohort=str(cohort.id)
    ).headers["Location"]
    token = preview_url.rstrip("/").split("/")[-1]
    client.post_form(f"/users/import/{token}/confirm")
    enrolled = db.session.scalars(
        select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)
    ).all()
    assert enrolled == [existing.id]


def test_import_reads_xlsx_with_indonesian_headers(client, db, make_user, login):
    login(make_user("admin"))
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "Email", "NIP", "Kode Daerah", "OPD", "Jabatan"])
    sheet.append(
        ["Asep", "asep@example.org", "198503122010011001", "32.11", "Diskominfo", "Analis"]
    )
    sheet.append(["Float NIP", "f@example.org", 198503122010011001.0, "32.11", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    preview_url = _upload(client, buffer.getvalue(), "peserta.xlsx").headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "asep@example.org" in page
    assert re.search(r'<tr class="row-error"><td>3</td>', page)


def test_import_refuses_bad_files_with_a_clear_message(client, make_user, login):
    login(make_user("admin"))
    response = _upload(client, b"foo,bar\n1,2\n")
    assert response.status_code == 422
    assert 'data-testid="error-file"' in response.get_data(as_text=True)
    response = _upload(client, b"<html></html>", "peserta.html")
    assert response.status_code == 422
    response = _upload(client, b"not a zip", "peserta.xlsx")
    assert response.status_code == 422


def test_another_user_cannot_open_a_staged_import(app, client, make_user, login):
    login(make_user("admin"))
    preview_url = _upload(client, _csv("Asep,asep@example.org,,32.11,,")).headers["Location"]
    other = app.test_client()
    other.post_form("/login", {"email": make_user("admin").email, "password": PASSWORD})
    assert other.get(preview_url).status_code == 404
