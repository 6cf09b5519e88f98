"""Schemathesis against /api/v1/openapi.json: for every operation, generated requests
never get a 5xx, every response matches the documented status codes, content types,
headers and schemas, and a coordinator's token never reads another region's data."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from lms.api import tokens
from lms.models import utcnow

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
OWN_REGION = "32.11"


@pytest.fixture
def two_regions(db, make_user, make_cohort, make_course, attach) -> dict[str, Any]:
    """Coordinator A's write token, and what of region B it must never see."""
    coordinator = make_user("coordinator", region=OWN_REGION)
    mine = make_user("participant", region=OWN_REGION)
    theirs = make_user("participant", region="35.10")
    x = make_cohort(OWN_REGION, participants=[mine])
    y = make_cohort("35.10", participants=[theirs])
    version = make_course(modules=1, activities=(("bacaan", "reading"),))
    attach(x, version)
    attach(y, version)
    _token, secret = tokens.create_token(
        coordinator, tokens.TokenInput("schemathesis", True, 30), utcnow()
    )
    db.session.commit()
    return {"secret": secret, "other_cohort": y.id, "other_user": theirs.id}


def _region_codes(body: Any) -> set[str]:
    """Every region_code anywhere in a JSON body."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "region_code" and isinstance(value, str):
                found.add(value)
            else:
                found |= _region_codes(value)
    elif isinstance(body, list):
        for value in body:
            found |= _region_codes(value)
    return found


SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_api_conforms_to_its_spec_and_keeps_regions_apart(app, two_regions, db):
    """Every operation of the spec, with generated valid requests, as coordinator A."""
    app.config["LMS_API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Identity: the test transport does not undo Flask-Compress (gzip and brotli are for browsers).
    headers = {"Authorization": f"Bearer {two_regions['secret']}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17

    for operation in operations:

        @given(case=operation.as_strategy())
        @SETTINGS
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            content_type = response.headers.get("Content-Type", [""])[0]
            if response.status_code == 200 and "json" in content_type:
                assert _region_codes(response.json()) <= {OWN_REGION}, (case.path, response.json())
            # The same request aimed at region B's cohort or participant finds nothing.
            path = case.path_parameters or {}
            if case.method == "GET" and ("cohort_id" in path or "user_id" in path):
                if "cohort_id" in path:
                    path["cohort_id"] = two_regions["other_cohort"]
                if "user_id" in path:
                    path["user_id"] = two_regions["other_user"]
                other = case.call(headers=headers)
                assert other.status_code in (400, 404, 422), (case.path, path, other.status_code)
            db.session.rollback()

        run()
    app.config["LMS_API_RATE_LIMIT"] = "300 per minute"


def test_the_spec_lists_every_api_route(app):
    """Nothing under /api/v1 escapes the spec (and so the run above)."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    routes = {
        rule.rule.replace("<int(max=2147483647):", "<")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and rule.endpoint.startswith("api-")
        and not rule.endpoint.startswith("api-docs")
    }
    assert routes == documented
