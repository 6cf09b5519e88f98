"""Cohorts: create, edit, mentors, enrol, withdraw, participant home."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.cohorts.models import Cohort, Enrolment, cohort_mentor


def test_admin_creates_cohort_and_duplicate_name_is_refused(client, db, make_user, login):
    login(make_user("admin"))
    data = {
        "region_code": "32.11",
        "name": "Angkatan 2",
        "start_date": "2027-01-04",
        "end_date": "2027-04-30",
    }
    response = client.post_form("/cohorts/new", data)
    assert response.status_code == 302
    response = client.post_form("/cohorts/new", {**data, "name": "angkatan 2"})
    assert response.status_code == 422
    assert 'data-testid="error-name"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Cohort.id))) == 1


def test_cohort_dates_and_region_are_validated_keeping_input(client, make_user, login):
    login(make_user("admin"))
    response = client.post_form(
        "/cohorts/new",
        {
            "region_code": "99.99",
            "name": "Angkatan X",
            "start_date": "2027-05-01",
            "end_date": "2027-04-01",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-end_date"' in page and 'value="Angkatan X"' in page


def test_coordinator_creates_cohort_only_in_own_region(client, db, make_user, login):
    login(make_user("coordinator", region="32.11"))
    response = client.post_form(
        "/cohorts/new",
        {
            "region_code": "35.10",
            "name": "Sneaky",
            "start_date": "2027-01-04",
            "end_date": "2027-04-30",
        },
    )
    # The region field is fixed to the coordinator's own region.
    assert response.status_code == 302
    assert db.session.scalar(select(Cohort.region_code)) == "32.11"


def test_admin_assigns_mentors_and_mentor_sees_cohort(
    app, client, db, make_user, login, make_cohort
):
    mentor = make_user("mentor", name="Dr. Rahmat")
    cohort = make_cohort("32.11", name="Angkatan Mentor")
    login(make_user("admin"))
    response = client.post_form(f"/cohorts/{cohort.id}/mentors", {"mentors": [str(mentor.id)]})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(cohort_mentor)) == 1
    client.post_form("/logout")
    login(mentor)
    assert "Angkatan Mentor" in client.get("/home").get_data(as_text=True)
    assert client.get(f"/cohorts/{cohort.id}").status_code == 200


def test_only_mentor_accounts_can_be_assigned(client, make_user, login, make_cohort):
    participant = make_user("participant")
    cohort = make_cohort()
    login(make_user("admin"))
    response = client.post_form(f"/cohorts/{cohort.id}/mentors", {"mentors": [str(participant.id)]})
    assert response.status_code == 422


def test_enrol_and_withdraw(client, db, make_user, login, make_cohort):
    cohort = make_cohort("32.11")
    p1 = make_user("participant", region="32.11", name="Asep")
    p2 = make_user("participant", region="35.10", name="Bambang")
    login(make_user("coordinator", region="32.11"))
    page = client.get(f"/cohorts/{cohort.id}/enrol").get_data(as_text=True)
    assert "Asep" in page and "Bambang" not in page
    assert (
        client.post_form(f"/cohorts/{cohort.id}/enrol", {"participants": [str(p1.id)]}).status_code
        == 302
    )
    # A participant of another region is refused, and nothing of that request is kept.
    client.post_form(f"/cohorts/{cohort.id}/enrol", {"participants": [str(p2.id)]})
    enrolments = db.session.scalars(select(Enrolment)).all()
    assert [(e.user_id, e.status) for e in enrolments] == [(p1.id, "active")]

    client.post_form(f"/cohorts/{cohort.id}/enrolments/{enrolments[0].id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolments[0].id).status == "withdrawn"
    # Re-enrolling brings the same enrolment back.
    client.post_form(f"/cohorts/{cohort.id}/enrol", {"participants": [str(p1.id)]})
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolments[0].id).status == "active"


def test_withdraw_checks_the_enrolment_belongs_to_the_cohort(client, make_user, login, make_cohort):
    p = make_user("participant", region="32.11")
    mine = make_cohort("32.11")
    other = make_cohort("32.11", participants=[p])
    login(make_user("coordinator", region="32.11"))
    from lms.extensions import db

    enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.cohort_id == other.id))
    assert (
        client.post_form(f"/cohorts/{mine.id}/enrolments/{enrolment}/withdraw").status_code == 404
    )


def test_participant_home_shows_cohort_region_mentors_and_dates(
    client, make_user, login, make_cohort
):
    mentor = make_user("mentor", name="Dr. Maria Ulfa", institution="Universitas Hasanuddin")
    participant = make_user("participant", region="73.71")
    make_cohort("73.71", name="Angkatan 1 Makassar", mentors=[mentor], participants=[participant])
    login(participant)
    page = client.get("/home").get_data(as_text=True)
    assert "Angkatan 1 Makassar" in page
    assert "Kota Makassar" in page and "WITA" in page
    assert "Dr. Maria Ulfa" in page and "Universitas Hasanuddin" in page
    assert "2 Nov 2026" in page or "2 Nov 2026" in page.replace("\xa0", " ")


def test_participant_without_cohort_is_told_so(client, make_user, login):
    login(make_user("participant"))
    assert 'data-testid="no-cohort"' in client.get("/home").get_data(as_text=True)
