"""Access scopes pinned by what each role's lists contain (issue 18): not only "the page
answers 200" but exactly which cohorts and accounts are listed, in the query and on the
page. Three regions' cohorts: Sumedang (32.11) A and B, Banyuwangi (35.10) C."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms import policy
from lms.auth.models import Role, User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus


@pytest.fixture
def world(db, make_user, make_cohort):
    mentor_a = make_user("mentor", name="Mentor A")
    mentor_c = make_user("mentor", name="Mentor C")
    lone_mentor = make_user("mentor", name="Mentor Tanpa Angkatan")
    sumedang = make_user("participant", region="32.11", name="Peserta Sumedang")
    banyuwangi = make_user("participant", region="35.10", name="Peserta Banyuwangi")
    withdrawn = make_user("participant", region="32.11", name="Peserta Mundur")
    a = make_cohort("32.11", name="Angkatan A", mentors=[mentor_a], participants=[sumedang])
    b = make_cohort("32.11", name="Angkatan B", participants=[withdrawn])
    c = make_cohort("35.10", name="Angkatan C", mentors=[mentor_c], participants=[banyuwangi])
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == withdrawn.id))
    enrolment.status = EnrolmentStatus.WITHDRAWN.value
    db.session.commit()
    users = {
        "admin": make_user("admin", name="Admin Pusat"),
        "coordinator": make_user("coordinator", region="32.11", name="Koordinator Sumedang"),
        "coordinator_c": make_user("coordinator", region="35.10", name="Koordinator Banyuwangi"),
        "mentor_a": mentor_a,
        "mentor_c": mentor_c,
        "lone_mentor": lone_mentor,
        "sumedang": sumedang,
        "banyuwangi": banyuwangi,
        "withdrawn": withdrawn,
    }
    return users, {"A": a, "B": b, "C": c}


def _listed(db, user):
    names = db.session.scalars(
        select(Cohort.name).where(policy.cohort_scope(user)).order_by(Cohort.name)
    )
    return [n.removeprefix("Angkatan ") for n in names]


@pytest.mark.parametrize(
    ("who", "cohorts"),
    [
        ("admin", ["A", "B", "C"]),
        ("coordinator", ["A", "B"]),  # the region's cohorts only, not Banyuwangi's C
        ("coordinator_c", ["C"]),
        ("mentor_a", ["A"]),  # the cohorts they mentor, not every cohort
        ("mentor_c", ["C"]),
        ("lone_mentor", []),
        ("sumedang", ["A"]),  # participants: the cohorts they are enrolled in
        ("banyuwangi", ["C"]),
    ],
)
def test_cohort_scope_lists_exactly_these_cohorts(db, world, who, cohorts):
    users, _ = world
    assert _listed(db, users[who]) == cohorts


def test_a_user_without_a_known_role_sees_no_cohort(db, world):
    users, _ = world
    stranger = User(id=-1, role="visitor", region_code="32.11")
    assert _listed(db, stranger) == []


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("admin", ["Angkatan A", "Angkatan B", "Angkatan C"], []),
        ("coordinator", ["Angkatan A", "Angkatan B"], ["Angkatan C"]),
        ("mentor_a", ["Angkatan A"], ["Angkatan B", "Angkatan C"]),
        ("lone_mentor", [], ["Angkatan A", "Angkatan B", "Angkatan C"]),
    ],
)
def test_the_cohort_list_page_and_home_show_only_the_scope(
    client, login, world, who, shown, hidden
):
    users, _ = world
    login(users[who])
    for url in ("/cohorts/", "/"):
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        for name in shown:
            assert name in page, (url, name)
        for name in hidden:
            assert name not in page, (url, name)


@pytest.mark.parametrize(
    ("who", "cohort", "view", "manage"),
    [
        ("admin", "C", True, True),
        ("coordinator", "A", True, True),
        ("coordinator", "C", False, False),
        ("mentor_a", "A", True, False),
        ("mentor_a", "C", False, False),
        ("lone_mentor", "A", False, False),
        ("sumedang", "A", False, False),
    ],
)
def test_cohort_roster_and_management_rights(db, world, who, cohort, view, manage):
    users, cohorts = world
    user, target = users[who], cohorts[cohort]
    assert policy.can_view_cohort_roster(user, target) is view
    assert policy.can_manage_cohort(user, target) is manage
    assert policy.can_take_attendance(user, target) is (
        view and user.role in (Role.ADMIN, Role.MENTOR)
    )


def test_creating_cohorts_and_assigning_mentors(db, world):
    users, _ = world
    assert policy.can_create_cohort_in(users["admin"], "35.10")
    assert policy.can_create_cohort_in(users["coordinator"], "32.11")
    assert not policy.can_create_cohort_in(users["coordinator"], "35.10")
    assert not policy.can_create_cohort_in(users["mentor_a"], "32.11")
    assert policy.can_assign_mentors(users["admin"])
    assert not policy.can_assign_mentors(users["coordinator"])
    assert policy.can_attach_course(users["admin"])
    assert not policy.can_attach_course(users["coordinator"])


def test_user_scope_a_coordinator_lists_the_regions_participants_only(db, world):
    users, _ = world

    def listed(actor):
        return sorted(db.session.scalars(select(User.name).where(policy.user_scope(actor))))

    assert listed(users["coordinator"]) == ["Peserta Mundur", "Peserta Sumedang"]
    assert listed(users["coordinator_c"]) == ["Peserta Banyuwangi"]
    assert len(listed(users["admin"])) == len(users)
    assert listed(users["mentor_a"]) == []
    assert listed(users["sumedang"]) == []


def test_the_user_list_page_shows_only_the_scope(client, login, world):
    users, _ = world
    login(users["coordinator"])
    page = client.get("/users/").get_data(as_text=True)
    assert "Peserta Sumedang" in page and "Peserta Mundur" in page
    for hidden in ("Peserta Banyuwangi", "Koordinator Banyuwangi", "Mentor A", "Admin Pusat"):
        assert hidden not in page


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("admin", "coordinator_c", True),
        ("coordinator", "sumedang", True),
        ("coordinator", "banyuwangi", False),  # another region
        ("coordinator", "coordinator", False),  # not a participant
        ("coordinator", "mentor_a", False),
        ("mentor_a", "sumedang", False),
    ],
)
def test_managing_an_account(db, world, actor, target, allowed):
    users, _ = world
    assert policy.can_manage_user(users[actor], users[target]) is allowed


def test_roles_a_manager_may_give_and_regions_an_import_may_write(db, world):
    users, _ = world
    assert policy.assignable_roles(users["admin"]) == tuple(Role)
    assert policy.assignable_roles(users["coordinator"]) == (Role.PARTICIPANT,)
    assert policy.assignable_roles(users["mentor_a"]) == ()
    assert policy.import_region_codes(users["admin"]) is None
    assert policy.import_region_codes(users["coordinator"]) == {"32.11"}
    assert policy.import_region_codes(users["mentor_a"]) == set()


def test_a_withdrawn_participant_has_no_learner_enrolment(db, world):
    users, cohorts = world
    assert policy.learner_enrolment(users["sumedang"], cohorts["A"].id) is not None
    assert policy.learner_enrolment(users["withdrawn"], cohorts["B"].id) is None
    assert policy.learner_enrolment(users["sumedang"], cohorts["C"].id) is None
    assert policy.learner_enrolment(users["mentor_a"], cohorts["A"].id) is None


def _as(app, user):
    """A request context in which `user` is logged in (current_user)."""
    from flask_login import login_user

    context = app.test_request_context("/")
    context.push()
    login_user(user)
    return context


def _status(call) -> int:
    from werkzeug.exceptions import HTTPException

    try:
        call()
    except HTTPException as error:
        return error.code
    return 200


@pytest.mark.parametrize(
    ("who", "cohort", "view", "manage"),
    [
        ("admin", "C", 200, 200),
        ("coordinator", "A", 200, 200),
        ("coordinator", "C", 403, 403),  # another region's cohort
        ("mentor_a", "A", 200, 403),  # a mentor sees the roster, never manages
        ("mentor_a", "B", 403, 403),  # a cohort they do not mentor
        ("sumedang", "A", 403, 403),  # participants use the learning pages
    ],
)
def test_opening_a_cohort_by_id(app, db, world, who, cohort, view, manage):
    users, cohorts = world
    context = _as(app, users[who])
    try:
        wanted = cohorts[cohort].id
        assert _status(lambda: policy.get_cohort_or_abort(wanted)) == view
        assert _status(lambda: policy.get_cohort_or_abort(wanted, manage=True)) == manage
        assert _status(lambda: policy.get_cohort_or_abort(999_999)) == 404
        if view == 200:
            assert policy.get_cohort_or_abort(wanted).id == wanted
    finally:
        context.pop()


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("admin", "mentor_c", 200),
        ("coordinator", "sumedang", 200),
        ("coordinator", "banyuwangi", 403),  # a participant of another region
        ("coordinator", "mentor_a", 403),  # not a participant
        ("mentor_a", "sumedang", 403),
    ],
)
def test_opening_an_account_by_id(app, db, world, count_queries, who, target, status):
    users, _ = world
    context = _as(app, users[who])
    try:
        wanted = users[target].id
        assert _status(lambda: policy.get_user_or_abort(wanted)) == status
        assert _status(lambda: policy.get_user_or_abort(999_999)) == 404
        if status == 200:
            db.session.expunge_all()
            with count_queries() as counted:
                found = policy.get_user_or_abort(wanted)
                assert found.id == wanted
                found.region  # noqa: B018 (loaded with the account: the edit page shows it)
            assert counted.n == 1
    finally:
        context.pop()


def test_an_import_writes_nowhere_for_anyone_but_admins_and_coordinators(db, world):
    users, _ = world
    # A participant has a region, but may not import into it.
    assert policy.import_region_codes(users["sumedang"]) == set()
    assert policy.import_region_codes(users["lone_mentor"]) == set()


@pytest.mark.parametrize(
    ("who", "labels"),
    [
        ("admin", {"Sumedang", "Banyuwangi", "Pusat"}),
        ("coordinator", {"Sumedang"}),
        ("coordinator_c", {"Banyuwangi"}),
        ("mentor_a", set()),
        ("sumedang", set()),
    ],
)
def test_audit_scope_lists_exactly_these_entries(db, world, who, labels):
    from lms.audit.models import AuditEvent

    users, _ = world
    for label, region in (("Sumedang", "32.11"), ("Banyuwangi", "35.10"), ("Pusat", None)):
        db.session.add(
            AuditEvent(action="user.update", object_type="user", object_label=label,
                       region_code=region)
        )  # fmt: skip
    db.session.commit()
    listed = db.session.scalars(
        select(AuditEvent.object_label).where(policy.audit_scope(users[who]))
    ).all()
    assert set(listed) == labels and len(listed) == len(labels)


@pytest.mark.parametrize(
    ("who", "cohort", "status", "enrolled"),
    [
        ("sumedang", "A", 200, True),
        ("sumedang", "C", 403, False),  # a cohort that exists, not theirs
        ("sumedang", None, 404, False),  # no such cohort
        ("withdrawn", "B", 403, False),  # withdrawn: no learning pages
        ("mentor_a", "A", 200, False),  # staff see the pages, without an enrolment
        ("mentor_a", "C", 403, False),
        ("coordinator", "A", 200, False),
        ("coordinator", "B", 404, False),  # no course yet
        ("admin", "C", 200, False),
    ],
)
def test_opening_a_cohorts_learning_pages(
    app, db, world, make_course, attach, who, cohort, status, enrolled
):
    users, cohorts = world
    version = make_course(slug="kursus-kebijakan")
    attach(cohorts["A"], version)
    attach(cohorts["C"], version)
    wanted = cohorts[cohort].id if cohort else 999_999
    if who == "withdrawn":  # B has a course: still refused, the enrolment is withdrawn
        attach(cohorts["B"], version)
    context = _as(app, db.session.get(User, users[who].id))
    try:
        assert _status(lambda: policy.get_learning_cohort_or_abort(wanted)) == status
        if status == 200:
            found, enrolment = policy.get_learning_cohort_or_abort(wanted)
            assert found.id == wanted
            assert (enrolment is not None) is enrolled
            if enrolled:
                assert enrolment.user_id == users[who].id and enrolment.cohort_id == wanted
    finally:
        context.pop()
