"""Take the README's screenshots: each role's main page, on a phone and on a desktop.

    .venv/bin/python docs/screenshots.py          # or: make screenshots

Builds the demo world (`lms demo`) in a fresh SQLite database in a temporary folder,
serves it on a free local port, logs each demo account in with Chromium (Playwright, the
browser tests' /usr/bin/chromium) and writes docs/screenshots/<role>-<phone|desktop>.png.
Nothing outside the temporary folder and docs/screenshots is touched.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# role -> (email, password, page to show ({cohort}: the Banyuwangi cohort), what to scroll to)
ROLES = {
    "participant": ("peserta8@demo.livinglab.id", "participant-demo-2026", "/home", None),
    "mentor": (
        "mentor1@demo.livinglab.id",
        "mentor-demo-2026",
        "/cohorts/{cohort}/dashboard",
        "grid-controls",
    ),
    "coordinator": (
        "koordinator.sumedang@demo.livinglab.id",
        "coordinator-demo-2026",
        "/home",
        None,
    ),
    "admin": ("admin@demo.livinglab.id", "admin-demo-2026", "/admin/dashboard", "province-map"),
}


def build(folder: Path) -> tuple[object, int]:
    """The app on a fresh database with the demo world; returns (app, a cohort's id)."""
    sys.path.insert(0, str(HERE.parent))
    from flask_migrate import upgrade
    from sqlalchemy import select

    from lms import create_app
    from lms.cohorts.models import Cohort
    from lms.extensions import db
    from lms.home.demo import load_demo
    from lms.regions.services import load_regions

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'screens.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "SECRET_KEY": "screenshots",
        }
    )
    with app.app_context():
        upgrade()
        load_regions()
        with app.test_request_context("/"):
            load_demo()
        db.session.commit()
        cohort = db.session.scalar(
            select(Cohort.id).where(Cohort.name == "Angkatan 1 Banyuwangi 2026")
        )
    return app, cohort


def shoot(app: object, cohort: int) -> list[Path]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: object, **kwargs: object) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(exist_ok=True)
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for role, (email, password, path, scroll_to) in ROLES.items():
                for device, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                    context = browser.new_context(
                        viewport=viewport,
                        locale="id-ID",
                        base_url=base,
                        is_mobile=device == "phone",
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    page.goto("/login")
                    page.locator("main input[name=email]").fill(email)
                    page.locator("main input[name=password]").fill(password)
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_url("**/home")
                    page.goto(path.format(cohort=cohort))
                    if scroll_to:
                        page.get_by_test_id(scroll_to).evaluate("el => el.scrollIntoView()")
                    target = OUT / f"{role}-{device}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return written


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app, cohort = build(Path(folder))
        for path in shoot(app, cohort):
            print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
