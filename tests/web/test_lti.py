"""LTI 1.3 against a platform simulated here: its own RSA key published by a local JWKS
endpoint (a real HTTP server on 127.0.0.1), signed id_tokens, an OAuth2 token endpoint,
AGS score and NRPS membership endpoints. Launches are refused for a bad signature, a wrong
audience, a replayed nonce and an expired token."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import func, select

from lms.auth.models import User
from lms.cohorts.models import Enrolment
from lms.lti import services
from lms.lti.models import LtiGradeLink, LtiIdentity, LtiKey

ISS = "https://moodle.sumedangkab.go.id"
CLIENT = "living-lab-client"
DEPLOYMENT = "deployment-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _rsa() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    """The platform's side: keys, the HTTP endpoints, and what it received."""

    def __init__(self) -> None:
        self.key = _rsa()
        self.kid = "platform-key-1"
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}
        self.scores: list[dict[str, Any]] = []
        self.score_failures = 0
        """How many score posts to refuse (HTTP 503) before taking them."""
        self.token_requests: list[dict[str, list[str]]] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, body: Any, content_type: str = "application/json") -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    self._send(platform.jwks)
                elif self.path.startswith("/memberships"):
                    self._send(
                        {
                            "id": "m",
                            "context": {"id": "c1"},
                            "members": [
                                {
                                    "user_id": "u-1",
                                    "name": "Siti Aminah",
                                    "email": "siti@sumedangkab.go.id",
                                    "roles": [
                                        "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
                                    ],
                                }
                            ],
                        },
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                if self.path == "/token":
                    platform.token_requests.append(parse_qs(body))
                    self._send(
                        {"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600}
                    )
                elif self.path.endswith("/scores") and platform.score_failures > 0:
                    platform.score_failures -= 1
                    self.send_error(503)
                elif self.path.endswith("/scores"):
                    platform.scores.append(json.loads(body))
                    self._send({})
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce: str, key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": ISS,
            "aud": CLIENT,
            "sub": "u-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": "siti@sumedangkab.go.id",
            "name": "Siti Aminah",
            CLAIM + "deployment_id": DEPLOYMENT,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "resource_link": {"id": "rl-1"},
            CLAIM + "target_link_uri": "http://lms.test/lti/launch",
            CLAIM + "custom": {"module": "01-sesi"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitem": f"{self.base}/lineitems/7/lineitem",
                "lineitems": f"{self.base}/lineitems",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base}/memberships",
                "service_versions": ["2.0"],
            },
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture
def platform(db, make_cohort, make_course, attach):
    simulated = Platform()
    cohort = make_cohort("32.11")
    version = make_course(modules=2, activities=(("bacaan", "reading"),))
    attach(cohort, version)
    services.register_platform(
        services.PlatformInput(
            name="Moodle Sumedang",
            issuer=ISS,
            client_id=CLIENT,
            deployment_id=DEPLOYMENT,
            auth_login_url=f"{simulated.base}/auth",
            auth_token_url=f"{simulated.base}/token",
            key_set_url=f"{simulated.base}/jwks",
            cohort_id=cohort.id,
        )
    )
    db.session.commit()
    simulated.cohort_id = cohort.id
    yield simulated
    simulated.close()


def login_step(client) -> tuple[str, str]:
    """The platform starts the OIDC login; we answer with a redirect carrying state and nonce."""
    response = client.get(
        "/lti/login",
        query_string={
            "iss": ISS,
            "login_hint": "u-1",
            "client_id": CLIENT,
            "target_link_uri": "http://lms.test/lti/launch",
            "lti_message_hint": "rl-1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    query = parse_qs(urlparse(response.headers["Location"]).query)
    assert query["client_id"] == [CLIENT] and query["response_type"] == ["id_token"]
    return query["state"][0], query["nonce"][0]


def launch(client, platform: Platform, **claims: Any):
    state, nonce = login_step(client)
    token = platform.id_token(nonce, **claims)
    return client.post("/lti/launch", data={"id_token": token, "state": state}), token, state


def test_resource_launch_creates_the_account_enrols_and_opens_the_module(db, client, platform):
    response, _token, _state = launch(client, platform)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert f"/learn/{platform.cohort_id}/modules/" in response.headers["Location"]
    user = db.session.scalar(select(User).where(User.email == "siti@sumedangkab.go.id"))
    assert user.role == "participant" and user.region_code == "32.11"
    assert (
        db.session.scalar(select(Enrolment.status).where(Enrolment.user_id == user.id)) == "active"
    )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200  # logged in as the launching user
    # a second launch of the same person reuses the account
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    again, _t, _s = launch(client, platform)
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(User.id)).where(User.email.like("siti%"))) == 1
    assert db.session.scalar(select(func.count(LtiIdentity.id))) == 1


def test_existing_participant_is_matched_but_staff_is_never_taken_over(
    db, client, platform, make_user
):
    make_user("admin", email="siti@sumedangkab.go.id")
    refused, _t, _s = launch(client, platform)
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count(LtiIdentity.id))) == 0


REASONS = {
    "bad_signature": "Signature verification failed",
    "wrong_audience": "Registration not found",  # an id_token meant for another tool
    "expired": "Signature has expired",
    "unknown_nonce": "Invalid Nonce",
}


@pytest.mark.parametrize("case", list(REASONS))
def test_refused_launches(db, client, platform, case):
    state, nonce = login_step(client)
    claims: dict[str, Any] = {}
    key = None
    if case == "bad_signature":
        key = _rsa()
    elif case == "wrong_audience":
        claims["aud"] = "another-tool"
    elif case == "expired":
        claims["exp"] = int(time.time()) - 60
        claims["iat"] = int(time.time()) - 600
    elif case == "unknown_nonce":
        nonce = uuid.uuid4().hex
    token = platform.id_token(nonce, key=key, **claims)
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert 'data-testid="lti-refused"' in response.get_data(as_text=True)
    reason = response.get_data(as_text=True).split('lti-refused">', 1)[1].split("<", 1)[0]
    assert REASONS[case] in reason
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_a_replayed_id_token_is_refused(db, client, platform):
    first, token, state = launch(client, platform)
    assert first.status_code == 302
    replay = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert replay.status_code == 403
    assert "Invalid Nonce" in replay.get_data(as_text=True)


def test_course_grade_goes_back_and_the_roster_comes_in(db, client, platform, app):
    response, _t, _s = launch(client, platform)
    assert response.status_code == 302
    link = db.session.scalar(select(LtiGradeLink))
    assert link.lineitem_url.endswith("/lineitems/7/lineitem")
    runner = app.test_cli_runner()
    # the reading of module 1 done: the course grade is still 0 (nothing graded), sent once
    result = runner.invoke(args=["lti", "send-grades"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 grades" in result.output
    assert platform.scores and platform.scores[0]["userId"] == "u-1"
    assert platform.scores[0]["scoreMaximum"] == 100
    assert platform.token_requests[0]["grant_type"] == ["client_credentials"]
    assert "Sent 0 grades" in runner.invoke(args=["lti", "send-grades"]).output  # unchanged
    roster = runner.invoke(args=["lti", "roster", str(link.platform_id)])
    assert roster.exit_code == 0 and "siti@sumedangkab.go.id" in roster.output


def test_deep_linking_returns_the_chosen_modules_signed(db, client, platform):
    state, nonce = login_step(client)
    token = platform.id_token(
        nonce,
        **{
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
            CLAIM + "resource_link": None,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": f"{platform.base}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque",
            },
        },
    )
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 302, response.get_data(as_text=True)
    picker = client.get(response.headers["Location"])
    page = picker.get_data(as_text=True)
    assert picker.status_code == 200 and "01-sesi" not in page  # titles shown, not slugs
    from courses.models import Module

    first = db.session.scalar(select(Module.id).order_by(Module.position).limit(1))
    answer = client.post(response.headers["Location"], data={"modules": [str(first)]})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    value = html.split('name="JWT" value="', 1)[1].split('"', 1)[0]
    ours = db.session.scalar(select(LtiKey).where(LtiKey.retired_at.is_(None)))
    decoded = jwt.decode(
        value,
        ours.public_pem,
        algorithms=["RS256"],
        audience=ISS,
    )
    items = decoded["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"] for i in items] == [{"module": "01-sesi"}]
    assert decoded["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque"


def test_key_rotation_keeps_the_old_key_published(db, client, app):
    first = client.get("/lti/jwks.json").get_json()["keys"]
    assert len(first) == 1
    result = app.test_cli_runner().invoke(args=["lti", "rotate-key"])
    assert result.exit_code == 0
    after = client.get("/lti/jwks.json").get_json()["keys"]
    assert len(after) == 2 and first[0]["kid"] in {k["kid"] for k in after}
    current = db.session.scalar(select(LtiKey).where(LtiKey.retired_at.is_(None)))
    assert after[0]["kid"] == current.kid != first[0]["kid"]
    assert serialization.load_pem_public_key(current.public_pem.encode())


def test_admin_registers_a_platform(db, client, login, make_user, make_cohort):
    login(make_user("admin"))
    cohort = make_cohort("32.11")
    page = client.get("/admin/lti/platforms")
    assert "/lti/jwks.json" in page.get_data(as_text=True)
    response = client.post_form(
        "/admin/lti/platforms",
        {
            "name": "Moodle Banyuwangi",
            "issuer": "https://elearning.banyuwangikab.go.id",
            "client_id": "abc",
            "deployment_id": "1",
            "auth_login_url": "https://elearning.banyuwangikab.go.id/mod/lti/auth.php",
            "auth_token_url": "https://elearning.banyuwangikab.go.id/mod/lti/token.php",
            "key_set_url": "https://elearning.banyuwangikab.go.id/mod/lti/certs.php",
            "cohort_id": str(cohort.id),
        },
    )
    assert response.status_code == 302
    assert "Moodle Banyuwangi" in client.get("/admin/lti/platforms").get_data(as_text=True)
    from lms.audit.models import AuditEvent

    event = db.session.scalar(select(AuditEvent))
    assert event.action == "lti_platform.create" and event.region_code == "32.11"
    assert event.after["issuer"] == "https://elearning.banyuwangikab.go.id"


# --------------------------------------------------------------------------- automatic passback

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def quiz_platform(db, make_cohort, make_course, attach):
    """A platform whose cohort follows a course with a post-test of one question."""
    from tests.web.test_quizzes import _choice, _quiz_course

    simulated = Platform()
    cohort = make_cohort("32.11")
    version = _quiz_course(make_course, [_choice("q1")], attempts=2)
    attach(cohort, version)
    services.register_platform(
        services.PlatformInput(
            name="Moodle Sumedang",
            issuer=ISS,
            client_id=CLIENT,
            deployment_id=DEPLOYMENT,
            auth_login_url=f"{simulated.base}/auth",
            auth_token_url=f"{simulated.base}/token",
            key_set_url=f"{simulated.base}/jwks",
            cohort_id=cohort.id,
        )
    )
    db.session.commit()
    simulated.cohort_id = cohort.id
    yield simulated
    simulated.close()


def _take_the_quiz(db, client, cohort_id: int, answer: str) -> None:
    from courses.models import Activity
    from tests.web.test_quizzes import _revision, _start, _tokens

    activity = db.session.scalar(select(Activity).where(Activity.type == "quiz"))
    cohort = SimpleNamespace(id=cohort_id)
    attempt_id = _start(client, cohort, activity)
    page = client.get(f"/learn/{cohort_id}/attempts/{attempt_id}").get_data(as_text=True)
    response = client.post_form(
        f"/learn/{cohort_id}/attempts/{attempt_id}/submit",
        {"revision": _revision(page), "q1": _tokens(page, "q1")[answer]},
    )
    assert response.status_code == 302


def test_a_new_result_sends_the_course_grade_by_a_job(app, db, client, quiz_platform, monkeypatch):
    import redis
    from rq import SimpleWorker

    from lms import jobs

    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except redis.RedisError as error:
        if os.environ.get("LMS_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI sets LMS_REQUIRE_REDIS=1)")
    conn.flushdb()  # our own database number
    monkeypatch.setitem(app.config, "LMS_REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "LMS_LTI_RETRY", "0")  # retried at once, not in a minute
    monkeypatch.setattr(jobs, "_worker_app", app)
    try:
        response, _t, _s = launch(client, quiz_platform)
        assert response.status_code == 302
        assert jobs.queue(conn).count == 0  # a launch is no result: nothing to send
        _take_the_quiz(db, client, quiz_platform.cohort_id, "Salah")
        assert jobs.queue(conn).count == 1 and quiz_platform.scores == []  # after the commit
        quiz_platform.score_failures = 1  # the platform refuses once: the job is retried
        SimpleWorker([jobs.queue(conn)], connection=conn).work(burst=True)
        assert quiz_platform.score_failures == 0
        assert [s["scoreGiven"] for s in quiz_platform.scores] == [0]
        assert quiz_platform.scores[0]["userId"] == "u-1"
        assert quiz_platform.scores[0]["scoreMaximum"] == 100
        # a better second attempt changes the grade: sent again, without any command
        _take_the_quiz(db, client, quiz_platform.cohort_id, "Benar")
        SimpleWorker([jobs.queue(conn)], connection=conn).work(burst=True)
        assert [s["scoreGiven"] for s in quiz_platform.scores] == [0, 100]
        db.session.expire_all()
        link = db.session.scalar(select(LtiGradeLink))
        assert link.last_score == 100 and link.last_sent_at is not None
    finally:
        conn.flushdb()


def test_without_a_queue_the_grade_waits_for_the_command(app, db, client, quiz_platform):
    assert not app.config["LMS_REDIS_URL"]
    response, _t, _s = launch(client, quiz_platform)
    assert response.status_code == 302
    _take_the_quiz(db, client, quiz_platform.cohort_id, "Benar")
    assert quiz_platform.scores == []  # never sent inside the participant's request
    result = app.test_cli_runner().invoke(args=["lti", "send-grades"])
    assert result.exit_code == 0 and "Sent 1 grades" in result.output
    assert [s["scoreGiven"] for s in quiz_platform.scores] == [100]


# --------------------------------------------------------------------------- editing


def _form(platform_row, **changes: str) -> dict[str, str]:
    data = {
        "name": platform_row.name,
        "issuer": platform_row.issuer,
        "client_id": platform_row.client_id,
        "deployment_id": platform_row.deployment_id,
        "auth_login_url": platform_row.auth_login_url,
        "auth_token_url": platform_row.auth_token_url,
        "key_set_url": platform_row.key_set_url,
        "cohort_id": str(platform_row.cohort_id),
    }
    data.update(changes)
    return data


def test_admin_edits_a_registration_and_the_new_deployment_launches(
    db, client, login, make_user, platform
):
    from lms.audit.models import AuditEvent
    from lms.lti.models import LtiPlatform

    row = db.session.scalar(select(LtiPlatform))
    # before the edit, a launch from a second deployment is refused
    refused, _t, _s = launch(client, platform, **{CLAIM + "deployment_id": "deployment-2"})
    assert refused.status_code == 403
    admin = make_user("admin")
    login(admin)
    page = client.get(f"/admin/lti/platforms/{row.id}/edit").get_data(as_text=True)
    assert 'value="living-lab-client"' in page and "deployment-1" in page
    response = client.post_form(
        f"/admin/lti/platforms/{row.id}/edit",
        _form(row, name="Moodle Kab. Sumedang", deployment_id="deployment-1\n deployment-2 \n"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(LtiPlatform, row.id)
    assert row.name == "Moodle Kab. Sumedang"
    assert row.deployment_ids == ["deployment-1", "deployment-2"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lti_platform.update"))
    assert event.actor_id == admin.id and event.object_id == str(row.id)
    assert event.before == {"name": "Moodle Sumedang", "deployment_id": "deployment-1"}
    assert event.after == {
        "name": "Moodle Kab. Sumedang",
        "deployment_id": "deployment-1\ndeployment-2",
    }
    listing = client.get("/admin/lti/platforms").get_data(as_text=True)
    assert "Moodle Kab. Sumedang" in listing and "<code>deployment-2</code>" in listing
    client.post_form("/logout")
    accepted, _t, _s = launch(client, platform, **{CLAIM + "deployment_id": "deployment-2"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)


def test_an_invalid_edit_is_refused_next_to_the_field_and_keeps_what_was_typed(
    db, client, login, make_user, platform
):
    from lms.audit.models import AuditEvent
    from lms.lti.models import LtiPlatform

    row = db.session.scalar(select(LtiPlatform))
    other = services.register_platform(
        services.PlatformInput(
            name="Moodle lain",
            issuer=ISS,
            client_id="other-client",
            deployment_id="9",
            auth_login_url="https://x.test/auth",
            auth_token_url="https://x.test/token",
            key_set_url="https://x.test/jwks",
            cohort_id=row.cohort_id,
        )
    )
    db.session.commit()
    login(make_user("admin"))
    url = f"/admin/lti/platforms/{other.id}/edit"
    taken = client.post_form(url, _form(other, client_id=CLIENT, name="Nama baru"))
    assert taken.status_code == 422
    html = taken.get_data(as_text=True)
    assert 'data-testid="error-client_id"' in html and 'value="Nama baru"' in html
    bad_url = client.post_form(url, _form(other, key_set_url="bukan alamat"))
    assert bad_url.status_code == 422
    assert 'data-testid="error-key_set_url"' in bad_url.get_data(as_text=True)
    empty = client.post_form(url, _form(other, deployment_id=" \n , "))
    assert empty.status_code == 422
    assert 'data-testid="error-deployment_id"' in empty.get_data(as_text=True)
    # without the CSRF token nothing is changed
    forged = client.post(url, data=_form(other, name="Palsu"))
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(LtiPlatform, other.id).name == "Moodle lain"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
    assert client.get("/admin/lti/platforms/999999/edit").status_code == 404
