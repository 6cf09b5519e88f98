"""Certificates in a real browser (issue 19): the QR code on the certificate page scans at
every viewport (decoded from a screenshot by zxing-cpp) to the verification address, and
/verify has a form that takes a code in any case, with or without its dashes."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from lms.certificates.models import Certificate
from lms.cohorts.models import Enrolment
from tests.e2e.conftest import _log_in, url_ending

CODE = "ABCD-EFGH-JK23"


@pytest.fixture
def certified(db: Any, make_user: Any, make_cohort: Any) -> dict[str, Any]:
    participant = make_user("participant", name="Siti Rahmawati")
    cohort = make_cohort("32.11", name="Angkatan Sumedang I", participants=[participant])
    enrolment = db.session.query(Enrolment).filter_by(cohort_id=cohort.id).one()
    db.session.add(
        Certificate(
            enrolment_id=enrolment.id,
            code=CODE,
            participant_name="Siti Rahmawati",
            course_title="Dasar-Dasar SPBE",
            cohort_name=cohort.name,
            region_name="Kabupaten Sumedang",
            grade_percent=86.5,
            issued_at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    world = {"participant": participant.email}
    db.session.rollback()
    return world


@pytest.mark.parametrize("width,height", [(360, 740), (390, 844), (768, 1024), (1366, 768)])
def test_the_certificate_qr_code_scans_to_the_verification_address(
    browser: Browser, live_server: str, certified: dict[str, Any], width: int, height: int
) -> None:
    context = browser.new_context(
        locale="id-ID", base_url=live_server, viewport={"width": width, "height": height}
    )
    try:
        page = context.new_page()
        _log_in(page, certified["participant"])
        expect(page).to_have_url(url_ending("/home"))
        page.goto(f"/certificates/{CODE}")
        qr = page.locator(".certificate .qr svg")
        expect(qr).to_be_visible()
        qr.scroll_into_view_if_needed()
        box = qr.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        # The whole certificate as a participant sees it, not the element alone: what a
        # phone's camera gets.
        shot = page.locator(".certificate").screenshot()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
        texts = [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]
        assert texts == [f"{live_server}/verify/{CODE}"], (width, texts)
    finally:
        context.close()


def _check(page: Page, typed: str) -> None:
    page.goto("/verify")
    form = page.get_by_test_id("verify-form")
    form.locator("input[name=code]").fill(typed)
    form.get_by_test_id("verify-submit").click()


@pytest.mark.parametrize("typed", [CODE, "abcdefghjk23", "abcd efgh jk23", " Abcd-Efgh-Jk23 "])
def test_verify_has_a_form_that_takes_the_code_however_it_is_typed(
    page: Page, certified: dict[str, Any], typed: str
) -> None:
    _check(page, typed)  # no login: verification is public
    expect(page).to_have_url(url_ending(f"/verify/{CODE}"))
    verified = page.get_by_test_id("verified")
    expect(verified).to_contain_text("Siti Rahmawati")
    expect(verified).to_contain_text("Dasar-Dasar SPBE")


def test_verify_says_which_codes_are_wrong(page: Page, certified: dict[str, Any]) -> None:
    _check(page, "ABCD")
    expect(page.get_by_test_id("error-code")).to_be_visible()
    expect(page.locator("input[name=code]")).to_have_value("ABCD")
    _check(page, "zzzz-zzzz-zzzz")
    expect(page).to_have_url(url_ending("/verify/ZZZZ-ZZZZ-ZZZZ"))
    expect(page.get_by_test_id("not-verified")).to_contain_text("ZZZZ-ZZZZ-ZZZZ")
    page.goto(f"/verify/{CODE.replace('-', '').lower()}")  # a typed-in address
    expect(page.get_by_test_id("verified")).to_contain_text("Siti Rahmawati")
