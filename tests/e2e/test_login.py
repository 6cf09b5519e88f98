"""Logging in and out in a real browser: each role's home page, a wrong password."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from lms.regions.models import Region
from tests.e2e.conftest import url_ending

# The Indonesian catalog is still being written: texts that come from it are matched in both
# languages ("salah" / "wrong"); names, cohort names and numbers come from the data.
WRONG_PASSWORD = re.compile(r"salah|wrong", re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class World:
    people: dict[str, Person]
    own_cohort: str  # Sumedang (32.11): the participant's, the mentor's, the coordinator's
    other_cohort: str  # Bandung (32.73): nobody's but the admin's
    region_total: int


@pytest.fixture
def world(db: Any, make_user: Any, make_cohort: Any) -> World:
    participant = make_user("participant", name="Siti Rahmawati")
    mentor = make_user("mentor", name="Dr. Budi Santoso", institution="Universitas Padjadjaran")
    coordinator = make_user("coordinator", name="Dedi Kurniawan")
    admin = make_user("admin", name="Ratna Sari Dewi")
    own = make_cohort(
        region="32.11", name="Angkatan Sumedang I", mentors=[mentor], participants=[participant]
    )
    other = make_cohort(region="32.73", name="Angkatan Kota Bandung I")
    people = {
        u.role: Person(email=u.email, name=u.name)
        for u in (participant, mentor, coordinator, admin)
    }
    return World(
        people=people,
        own_cohort=own.name,
        other_cohort=other.name,
        region_total=db.session.scalar(select(func.count(Region.code))),
    )


def _cohort_rows(page: Page, name: str) -> Any:
    return page.get_by_test_id("cohort-row").filter(has_text=name)


@pytest.mark.parametrize("role", ["participant", "mentor", "coordinator", "admin"])
def test_login_as_each_role(page: Page, log_in: Any, world: World, role: str) -> None:
    person = world.people[role]
    log_in(person.email)

    expect(page.get_by_test_id("account-link")).to_have_text(person.name)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.name)
    main = page.locator("main")
    if role == "participant":
        enrolment = page.get_by_test_id("enrolment")
        expect(enrolment).to_have_count(1)
        expect(enrolment.get_by_role("heading", level=2)).to_have_text(world.own_cohort)
        expect(enrolment).to_contain_text("Kabupaten Sumedang")
        expect(enrolment).to_contain_text(world.people["mentor"].name)
        expect(main).not_to_contain_text(world.other_cohort)
    elif role in ("mentor", "coordinator"):
        expect(page.get_by_test_id("cohort-row")).to_have_count(1)
        expect(_cohort_rows(page, world.own_cohort)).to_contain_text("Kabupaten Sumedang")
        expect(main).not_to_contain_text(world.other_cohort)
    else:
        expect(page.get_by_test_id("cohort-row")).to_have_count(2)
        expect(_cohort_rows(page, world.own_cohort)).to_be_visible()
        expect(_cohort_rows(page, world.other_cohort)).to_contain_text("Kota Bandung")
        # Regions, cohorts, participants, mentors, coordinators.
        expect(page.locator("main section.stats article strong")).to_have_text(
            [str(world.region_total), "2", "1", "1", "1"]
        )

    page.locator("header form[action$='/logout'] button").click()
    expect(page).to_have_url(url_ending("/login"))
    expect(page.locator("main input[name=email]")).to_be_visible()
    expect(page.get_by_role("status")).to_be_visible()  # "you have logged out"
    expect(page.get_by_test_id("account-link")).to_have_count(0)

    page.goto("/home")  # the session really is gone
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_wrong_password_shows_error_next_to_field(
    page: Page, make_user: Any, submit_login: Any
) -> None:
    email = make_user("participant", email="siti.rahma@example.test").email
    submit_login(email, "not-the-password")

    expect(page).to_have_url(url_ending("/login"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    password = page.locator("main input[name=password]")
    error = page.get_by_test_id("error-password")
    expect(error).to_be_visible()
    expect(error).to_have_text(WRONG_PASSWORD)
    # Next to the password field, and tied to it for screen readers.
    expect(page.locator("main input[name=password] + [data-testid=error-password]")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-error")
    expect(error).to_have_attribute("id", "password-error")
    expect(page.get_by_test_id("error-email")).to_have_count(0)
    # The email typed is kept, the password is not sent back.
    expect(page.locator("main input[name=email]")).to_have_value(email)
    expect(password).to_have_value("")
    expect(page.get_by_test_id("account-link")).to_have_count(0)
