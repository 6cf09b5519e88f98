"""The REST API under /api/v1: tokens, scopes, the same policy as the pages, pagination,
ETags, problem+json in the caller's language, rate limits, per-row bulk results."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lms.api import tokens
from lms.api.models import ApiToken
from lms.auth.models import User
from lms.cohorts.models import Enrolment
from lms.models import utcnow

API = "/api/v1"


@pytest.fixture
def make_token(db):
    """make_token(user, write=True) -> the secret of a committed token."""

    def make(user: User, write: bool = True, days: int = 30) -> str:
        _token, secret = tokens.create_token(user, tokens.TokenInput("uji", write, days), utcnow())
        db.session.commit()
        return secret

    return make


def auth(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def world(db, make_user, make_cohort, make_token, make_course, attach):
    """Two regions, a cohort in each on a course, a coordinator and a participant each."""
    people = {
        "participant_a": make_user("participant", region="32.11"),
        "participant_b": make_user("participant", region="35.10"),
        "coordinator_a": make_user("coordinator", region="32.11"),
        "coordinator_b": make_user("coordinator", region="35.10"),
        "mentor": make_user("mentor"),
        "admin": make_user("admin"),
    }
    x = make_cohort("32.11", participants=[people["participant_a"]])
    y = make_cohort("35.10", participants=[people["participant_b"]])
    version = make_course(modules=1, activities=(("bacaan", "reading"),))
    attach(x, version)
    db.session.commit()
    secrets = {
        role: make_token(people[role]) for role in ("coordinator_a", "coordinator_b", "admin")
    }
    return {"people": people, "x": x, "y": y, "version": version, "tokens": secrets}


# --- who may read what ----------------------------------------------------------------------

# path -> expected status for: no token, coordinator A, coordinator B, admin
READS = {
    "/regions": [401, 200, 200, 200],
    "/regions/32.11": [401, 200, 200, 200],
    "/cohorts": [401, 200, 200, 200],
    "/cohorts/{x}": [401, 200, 404, 200],
    "/cohorts/{x}/enrolments": [401, 200, 404, 200],
    "/cohorts/{x}/progress": [401, 200, 404, 200],
    "/cohorts/{x}/gradebook": [401, 200, 404, 200],
    "/users": [401, 200, 200, 200],
    "/users/{participant_a}": [401, 200, 404, 200],
    "/users/{mentor}": [401, 404, 404, 200],
    "/course-versions": [401, 403, 403, 200],
    "/course-versions/{version}/package.zip": [401, 403, 403, 200],
    "/certificates/ZZZZ-ZZZZ-ZZZZ": [401, 404, 404, 404],
}
CALLERS = [None, "coordinator_a", "coordinator_b", "admin"]


def _fill(path: str, world: dict[str, Any]) -> str:
    p = world["people"]
    return API + path.format(
        x=world["x"].id,
        participant_a=p["participant_a"].id,
        mentor=p["mentor"].id,
        version=world["version"].id,
    )


@pytest.mark.parametrize("path", READS)
def test_read_access_table(client, world, path):
    for caller, expected in zip(CALLERS, READS[path], strict=True):
        headers = auth(world["tokens"][caller]) if caller else {}
        response = client.get(_fill(path, world), headers=headers)
        assert response.status_code == expected, (path, caller, response.get_data(as_text=True))
        if expected >= 400:
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["status"] == expected


# path, method, body -> expected status for: coordinator A, coordinator B, admin
WRITES = [
    ("/cohorts/{x}/enrolments", "post", {"user_id": "{participant_a2}"}, [201, 404, 201]),
    ("/cohorts/{x}/enrolments/{participant_a}", "delete", None, [200, 404, 200]),
    (
        "/users",
        "post",
        {"email": "baru@contoh.go.id", "name": "Baru", "region_code": "32.11"},
        [201, 422, 201],
    ),
    ("/users/{participant_a}", "patch", {"position": "Analis"}, [200, 404, 200]),
    ("/users/{participant_a}/deactivate", "post", None, [200, 404, 200]),
]


@pytest.mark.parametrize(("path", "method", "body", "expected"), WRITES)
def test_write_access_table(app, client, world, make_user, path, method, body, expected):
    for caller, status in zip(CALLERS[1:], expected, strict=True):
        extra = make_user("participant", region="32.11")
        filled = _fill(path, world)
        payload = None
        if body is not None:
            payload = {k: (extra.id if v == "{participant_a2}" else v) for k, v in body.items()}
            if "email" in payload:
                payload["email"] = f"{caller}-{payload['email']}"
        response = client.open(
            filled, method=method.upper(), json=payload, headers=auth(world["tokens"][caller])
        )
        assert response.status_code == status, (path, caller, response.get_data(as_text=True))
        if method == "delete" and status == 200:  # enrol again for the next caller
            client.post(
                _fill("/cohorts/{x}/enrolments", world),
                json={"user_id": world["people"]["participant_a"].id},
                headers=auth(world["tokens"]["admin"]),
            )


def test_a_coordinator_lists_only_their_region(client, world):
    headers = auth(world["tokens"]["coordinator_b"])
    cohorts = client.get(f"{API}/cohorts", headers=headers).get_json()["items"]
    assert {c["region_code"] for c in cohorts} == {"35.10"}
    users = client.get(f"{API}/users", headers=headers).get_json()["items"]
    assert {u["region_code"] for u in users} == {"35.10"}
    assert {u["role"] for u in users} == {"participant"}
    filtered = client.get(f"{API}/users?region_code=32.11", headers=headers).get_json()
    assert filtered["items"] == []


# --- tokens ----------------------------------------------------------------------------------


def test_only_a_hash_is_stored_and_use_is_noted(db, client, world):
    secret = world["tokens"]["admin"]
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored and tokens.digest(secret) in stored
    assert client.get(f"{API}/regions", headers=auth(secret)).status_code == 200
    db.session.expire_all()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.digest(secret)))
    assert token.last_used_at is not None


def test_read_scope_cannot_write(client, world, make_token):
    read_only = make_token(world["people"]["admin"], write=False)
    response = client.post(
        f"{API}/users", json={"email": "a@b.id", "name": "A"}, headers=auth(read_only)
    )
    assert response.status_code == 403
    assert "tulis" in response.get_json()["detail"]  # Indonesian unless asked otherwise
    assert client.get(f"{API}/users", headers=auth(read_only)).status_code == 200


def test_revoked_expired_and_unknown_tokens_are_refused(db, client, world):
    secret = world["tokens"]["coordinator_a"]
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.digest(secret)))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"{API}/regions", headers=auth(secret)).status_code == 401
    admin_secret = world["tokens"]["admin"]
    tokens.revoke(world["people"]["admin"], _id_of(db, admin_secret), utcnow())
    db.session.commit()
    response = client.get(f"{API}/regions", headers=auth(admin_secret))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"{API}/regions", headers=auth("lla_bukan-token")).status_code == 401


def test_a_deactivated_owner_s_token_stops_working(db, client, world):
    admin = db.session.get(User, world["people"]["admin"].id)
    admin.active = False
    db.session.commit()
    assert client.get(f"{API}/regions", headers=auth(world["tokens"]["admin"])).status_code == 401


def test_a_session_cookie_is_not_a_token(client, world, login):
    login(world["people"]["admin"])
    assert client.get(f"{API}/regions").status_code == 401


def _id_of(db, secret: str) -> int:
    return db.session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == tokens.digest(secret))
    )


def test_mentors_and_participants_cannot_create_tokens(world):
    for role in ("mentor", "participant_a"):
        with pytest.raises(tokens.TokenError):
            tokens.create_token(world["people"][role], tokens.TokenInput("x", False, 30), utcnow())


# --- behaviour ---------------------------------------------------------------------------------


def test_cursor_pagination_walks_every_region_once(client, world):
    headers = auth(world["tokens"]["admin"])
    seen, url = [], f"{API}/regions?limit=200"
    while url:
        body = client.get(url, headers=headers).get_json()
        seen += [r["code"] for r in body["items"]]
        url = (
            f"{API}/regions?limit=200&cursor={body['next_cursor']}" if body["next_cursor"] else None
        )
    assert len(seen) == len(set(seen)) == 514
    assert seen == sorted(seen)
    bad = client.get(f"{API}/regions?cursor=bukan", headers=headers)
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_etag_gives_304_until_something_changes(client, world):
    headers = auth(world["tokens"]["admin"])
    url = f"{API}/users/{world['people']['participant_a'].id}"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    client.patch(url, json={"position": "Kepala Bidang"}, headers=headers)
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["position"] == "Kepala Bidang"


def test_problems_speak_the_caller_s_language(client, world):
    headers = auth(world["tokens"]["admin"])
    english = client.post(
        f"{API}/users", json={"name": ""}, headers={**headers, "Accept-Language": "en"}
    )
    indonesian = client.post(
        f"{API}/users", json={"name": ""}, headers={**headers, "Accept-Language": "id"}
    )
    assert english.status_code == indonesian.status_code == 422
    assert english.get_json()["title"] == "Invalid input"
    assert indonesian.get_json()["title"] != "Invalid input"
    assert set(english.get_json()["errors"]) >= {"email", "name"}
    # field messages too, not only the title
    assert english.get_json()["errors"]["email"] == ["This field is required."]
    assert indonesian.get_json()["errors"]["email"] == ["Isian ini wajib diisi."]
    assert "karakter" in indonesian.get_json()["errors"]["name"][0]


def test_bulk_create_answers_every_row(db, client, world):
    headers = auth(world["tokens"]["coordinator_a"])
    rows = [
        {"email": "satu@contoh.go.id", "name": "Satu", "region_code": "32.11"},
        {"email": "bukan-email", "name": "Dua", "region_code": "32.11"},
        {"email": "tiga@contoh.go.id", "name": "Tiga", "region_code": "35.10"},
        {"email": "satu@contoh.go.id", "name": "Satu lagi", "region_code": "32.11"},
        {"email": "lima@contoh.go.id", "name": "Lima", "region_code": "32.11", "role": "admin"},
    ]
    response = client.post(f"{API}/users/bulk", json={"users": rows}, headers=headers)
    body = response.get_json()
    assert response.status_code == 200
    assert [r["status"] for r in body["results"]] == [
        "created",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert set(body["results"][1]["errors"]) == {"email"}
    assert set(body["results"][2]["errors"]) == {"region_code"}  # another region
    assert set(body["results"][3]["errors"]) == {"email"}  # taken by row 0
    assert set(body["results"][4]["errors"]) == {"role"}
    assert (body["created"], body["invalid"]) == (1, 4)
    assert db.session.scalar(select(func.count(User.id)).where(User.email.like("%contoh%"))) == 1


def test_enrol_withdraw_and_progress(db, client, world, make_user):
    headers = auth(world["tokens"]["coordinator_a"])
    newcomer = make_user("participant", region="32.11")
    x = world["x"].id
    created = client.post(
        f"{API}/cohorts/{x}/enrolments", json={"user_id": newcomer.id}, headers=headers
    )
    assert created.status_code == 201 and created.get_json()["status"] == "active"
    outsider = world["people"]["participant_b"]
    refused = client.post(
        f"{API}/cohorts/{x}/enrolments", json={"user_id": outsider.id}, headers=headers
    )
    assert refused.status_code == 422
    progress = client.get(f"{API}/cohorts/{x}/progress", headers=headers).get_json()["items"]
    assert {p["user_id"] for p in progress} == {world["people"]["participant_a"].id, newcomer.id}
    assert all(p["total"] == 1 and p["completed"] == 0 for p in progress)
    book = client.get(f"{API}/cohorts/{x}/gradebook", headers=headers).get_json()["items"]
    assert {b["passed"] for b in book} == {False}
    gone = client.delete(f"{API}/cohorts/{x}/enrolments/{newcomer.id}", headers=headers)
    assert gone.get_json()["status"] == "withdrawn"
    assert (
        db.session.scalar(select(Enrolment.status).where(Enrolment.user_id == newcomer.id))
        == "withdrawn"
    )


def test_package_export_is_a_course_zip(client, world):
    response = client.get(
        f"{API}/course-versions/{world['version'].id}/package.zip",
        headers=auth(world["tokens"]["admin"]),
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert any(name.endswith("course.toml") for name in names)


def test_rate_limit_per_token(app, client, world):
    app.config["LMS_API_RATE_LIMIT"] = "3 per minute"
    try:
        a, b = auth(world["tokens"]["admin"]), auth(world["tokens"]["coordinator_a"])
        codes = [client.get(f"{API}/regions/32.11", headers=a).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get(f"{API}/regions/32.11", headers=a)
        assert limited.mimetype == "application/problem+json"
        assert client.get(f"{API}/regions/32.11", headers=b).status_code == 200  # its own budget
    finally:
        app.config["LMS_API_RATE_LIMIT"] = "300 per minute"


def test_spec_and_docs_are_served_locally(client):
    spec = client.get(f"{API}/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"] == "3.1.0"
    docs = client.get(f"{API}/docs")
    page = docs.get_data(as_text=True)
    assert docs.status_code == 200
    assert page.count('data-testid="api-operation"') == sum(
        len([m for m in item if m in ("get", "post", "patch", "delete")])
        for item in spec.get_json()["paths"].values()
    )
    assert "http://" not in page.replace("http://lms.test", "") and "https://" not in page


# --- the token page ------------------------------------------------------------------------


def test_token_page_shows_the_secret_once_and_revokes(db, client, login, make_user):
    coordinator = make_user("coordinator", region="32.11")
    login(coordinator)
    created = client.post_form("/account/tokens", {"name": "SIMPEG", "write": "y", "days": "90"})
    page = created.get_data(as_text=True)
    assert created.status_code == 201
    secret = page.split('data-testid="token-secret"', 1)[1].split("<code>", 1)[1].split("<", 1)[0]
    assert secret.startswith("lla_")
    token = db.session.scalar(select(ApiToken))
    assert token.scopes == "read write" and token.token_hash == tokens.digest(secret)
    assert (token.expires_at - token.created_at).days == 90
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and token.prefix in listing
    assert client.get(f"{API}/users", headers=auth(secret)).status_code == 200
    assert client.post_form(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert client.get(f"{API}/users", headers=auth(secret)).status_code == 401
    assert "dicabut" in client.get("/account/tokens").get_data(as_text=True)


def test_token_page_refuses_a_nameless_or_odd_lifetime(client, login, make_user):
    login(make_user("admin"))
    assert client.post_form("/account/tokens", {"name": "", "days": "90"}).status_code == 422
    assert client.post_form("/account/tokens", {"name": "x", "days": "7"}).status_code == 422
