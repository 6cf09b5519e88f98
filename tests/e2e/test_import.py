"""Bulk participant import as an admin: preview with a bad row, cancel, then confirm."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import url_ending

# example.com, not example.test: the import checks addresses with email_validator, which
# refuses special-use domains such as .test.
GOOD = [
    ("Asep Saepudin", "asep.saepudin@example.com", "198503152010011001"),
    ("Euis Komalasari", "euis.komalasari@example.com", "199001012015022002"),
]
BAD_REGION = "32.99"  # no such kabupaten/kota
CSV = (
    "name,email,nip,region_code,work_unit,position\n"
    f"{GOOD[0][0]},{GOOD[0][1]},{GOOD[0][2]},32.11,Dinas Kominfo,Pranata Komputer\n"
    f"{GOOD[1][0]},{GOOD[1][1]},{GOOD[1][2]},32.11,Bappeda,Analis Kebijakan\n"
    f"Ujang Salah,ujang.salah@example.com,,{BAD_REGION},Dinas Kominfo,Staf\n"
)
BAD_LINE = "4"  # the header is line 1


def _number(n: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!\d){n}(?!\d)")


def _upload(page: Page, path: Path) -> None:
    page.goto("/home")
    page.locator("main a[href$='/users/import']").click()
    expect(page).to_have_url(url_ending("/users/import"))
    form = page.locator("main form")
    form.locator("input[name=file]").set_input_files(path)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/users/import/[0-9a-f]{32}$"))


def _check_preview(page: Page) -> None:
    problems = page.get_by_test_id("import-problems").locator("tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.locator("td").nth(0)).to_have_text(BAD_LINE)
    expect(problems.locator("td").nth(1)).to_contain_text(BAD_REGION)
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text(_number(2))  # ready
    expect(summary).to_contain_text(_number(1))  # with problems
    rows = page.get_by_test_id("import-rows").locator("tbody tr")
    expect(rows).to_have_count(2)
    for (name, email, nip), row in zip(GOOD, (rows.nth(0), rows.nth(1)), strict=True):
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(email)
        expect(row).to_contain_text(nip)
    expect(page.get_by_test_id("import-confirm")).to_contain_text(_number(2))


def test_participant_csv_import_with_bad_row(
    page: Page, live_server: str, make_user: Any, log_in: Any, tmp_path: Path
) -> None:
    admin_email = make_user("admin", name="Ratna Sari Dewi").email
    csv_file = tmp_path / "peserta-sumedang.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    user_rows = page.get_by_test_id("user-row")
    log_in(admin_email)

    # First upload: look, then cancel.
    _upload(page, csv_file)
    preview_url = page.url
    expect(page.locator("main")).to_contain_text(csv_file.name)
    _check_preview(page)
    page.get_by_test_id("import-cancel").click()
    expect(page).to_have_url(url_ending("/users/import"))
    expect(page.get_by_role("status")).to_be_visible()  # "nothing was written"
    response = page.goto(preview_url)
    assert response is not None and response.status == 404  # the staged file is gone

    page.goto("/users/")
    expect(user_rows.filter(has_text=admin_email)).to_have_count(1)
    for _, email, _ in GOOD:
        expect(user_rows.filter(has_text=email)).to_have_count(0)
    expect(user_rows).to_have_count(1)

    # Second upload: confirm.
    _upload(page, csv_file)
    _check_preview(page)
    page.get_by_test_id("import-confirm").click()
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text(_number(2))  # created
    expect(result).to_contain_text(_number(1))  # skipped
    links = page.locator("main table tbody tr")
    expect(links).to_have_count(2)
    for (name, email, _), row in zip(GOOD, (links.nth(0), links.nth(1)), strict=True):
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(email)
        # One-time links name the server the admin is using, not the test SERVER_NAME.
        expect(row.locator("code")).to_have_text(
            re.compile("^" + re.escape(live_server) + r"/reset/\S+$")
        )

    page.locator("main a[href$='/users/']").click()
    expect(page).to_have_url(url_ending("/users/"))
    expect(user_rows).to_have_count(3)
    for name, email, nip in GOOD:
        row = user_rows.filter(has_text=email)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(nip)
        expect(row).to_contain_text("Kabupaten Sumedang")
    expect(user_rows.filter(has_text="ujang.salah@example.com")).to_have_count(0)
