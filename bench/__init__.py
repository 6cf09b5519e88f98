"""Benchmark kit: a national-scale dataset generator and a load test (see bench/README.md).

This module holds what the generator, the Locust file and the runner share: the naming
scheme of generated accounts and how each role's pages are found. It imports nothing
heavy, so Locust (under gevent) can import it without loading the application.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

DOMAIN = "bench.example.org"
"""Generated accounts' mail domain: reserved for examples, yet accepted by the app's
e-mail validation (a `.local` address would be refused by the account forms)."""
PASSWORD = "bench-password-2026"  # noqa: S105 (the printed password of generated accounts)
COURSE = "spbe-dasar"
ADMIN_EMAIL = f"admin@{DOMAIN}"


def participant_email(region_code: str, number: int) -> str:
    """The `number`-th (1-based) participant of the cohort of `region_code`."""
    return f"p-{region_code}-{number:03d}@{DOMAIN}"


def mentor_email(number: int) -> str:
    """The `number`-th (1-based) mentor; mentor n has cohorts 10(n-1)+1 .. 10n by code."""
    return f"m-{number:03d}@{DOMAIN}"


def coordinator_email(region_code: str) -> str:
    return f"k-{region_code}@{DOMAIN}"


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    name: str
    """What the report calls it: role and URL pattern, e.g. `participant /learn/<cohort>`."""
    path: str
    method: str = "GET"
    weight: float = 1
    data: tuple[tuple[str, str], ...] = ()
    """Form fields of a POST (the CSRF token)."""


Get = Callable[[str], tuple[int, str]]
"""Fetch a path and return (status, body), following redirects."""

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
HEALTHZ = Page("ceiling /healthz (bare endpoint)", "/healthz")


def _links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(pattern, html)))


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


def participant_pages(get: Get) -> list[Page]:
    """Home, the session plan, the current module, its practice quiz, starting (or
    continuing) an attempt on it, its assignment, and its Q&A (see `discussion_pages`).
    Found by following the links."""
    pages = [Page("participant /home", "/home", weight=3)]
    _, home = get("/home")
    cohorts = _links(home, r'href="/learn/(\d+)"')
    if not cohorts:
        return pages
    cohort = cohorts[0]
    plan_path = f"/learn/{cohort}"
    pages.append(Page("participant /learn/<cohort>", plan_path, weight=2))
    _, plan = get(plan_path)
    # The plan lists the next module to work on first, then every module.
    modules = _links(plan, rf'href="(/learn/{cohort}/modules/\d+)"')
    if not modules:
        return pages
    pages.append(Page("participant /learn/<cohort>/modules/<module>", modules[0], weight=3))
    _, module = get(modules[0])
    quizzes = _links(module, rf'href="(/learn/{cohort}/quizzes/\d+)"')
    if quizzes:
        # Activities are in package order: pre-test, practice quiz, post-test.
        practice = quizzes[1] if len(quizzes) > 1 else quizzes[0]
        pages.append(Page("participant /learn/<cohort>/quizzes/<quiz>", practice, weight=2))
        _, quiz = get(practice)
        pages.append(
            Page(
                "participant POST quizzes/<quiz>/start -> attempt page",
                practice + "/start",
                method="POST",
                data=(("csrf_token", _csrf(quiz)),),
            )
        )
    assignments = _links(module, rf'href="(/learn/{cohort}/assignments/\d+)"')
    if assignments:
        pages.append(Page("participant /learn/<cohort>/assignments/<assignment>", assignments[0]))
    return pages + discussion_pages(get, module)


def discussion_pages(get: Get, module_html: str) -> list[Page]:
    """About 15 % of a participant's requests (weights 1 + 1 + 0.1 beside the 12 above):
    the module's Q&A, one of its threads, and a reply posted to it with the thread page's
    CSRF token. Found from the module page's Q&A link; none when the server has none."""
    spaces = _links(module_html, r'href="(/discussions/cohorts/\d+/modules/[^"/?#]+)"')
    if not spaces:
        return []
    pages = [Page("participant /discussions/cohorts/<cohort>/modules/<module>", spaces[0])]
    _, space = get(spaces[0])
    threads = _links(space, r'href="(/discussions/threads/\d+)"')
    if not threads:
        return pages
    pages.append(Page("participant /discussions/threads/<thread>", threads[0]))
    _, thread = get(threads[0])
    pages.append(
        Page(
            "participant POST discussions/threads/<thread>/reply",
            threads[0] + "/reply",
            method="POST",
            weight=0.1,
            data=(
                ("csrf_token", _csrf(thread)),
                ("body", "Terima kasih, penjelasannya membantu kami di daerah."),
            ),
        )
    )
    return pages


def mentor_pages(get: Get) -> list[Page]:
    """Home, the grading queue, a submission's grading page, and one cohort's roster,
    schedule and dashboard (the dashboard only where the server has one)."""
    pages = [Page("mentor /home", "/home"), Page("mentor /grading/", "/grading/", weight=3)]
    _, home = get("/home")
    _, queue = get("/grading/")
    submissions = _links(queue, r'href="(/grading/submissions/\d+)"')
    if not submissions:
        _, queue = get("/grading/?status=all")
        submissions = _links(queue, r'href="(/grading/submissions/\d+)"')
    if submissions:
        pages.append(Page("mentor /grading/submissions/<id>", submissions[0], weight=3))
    cohorts = _links(home, r'href="/cohorts/(\d+)"')
    if cohorts:
        cohort = cohorts[0]
        pages.append(Page("mentor /cohorts/<cohort>", f"/cohorts/{cohort}"))
        pages.append(Page("mentor /cohorts/<cohort>/schedule", f"/cohorts/{cohort}/schedule"))
        status, _ = get(f"/cohorts/{cohort}/dashboard")
        if status == 200:
            pages.append(
                Page("mentor /cohorts/<cohort>/dashboard", f"/cohorts/{cohort}/dashboard", weight=2)
            )
    return pages


EXPORT_LINK = r'href="(/[^"#]*(?:export|format=|\.csv|\.xlsx)[^"#]*)"'


def _pattern(path: str) -> str:
    """A URL as a report names it: ids as <id>, of the query only the format kept."""
    parts = urlsplit(path)
    name = re.sub(r"/\d[\d.]*", "/<id>", parts.path)
    fmt = parse_qs(parts.query).get("format")
    return f"{name}?format={fmt[0]}" if fmt else name


def admin_pages(get: Get) -> list[Page]:
    """Home, courses, the national cohort and user lists, and (where the server has them)
    the national dashboard, its exports and a region's dashboard."""
    pages = [
        Page("admin /home", "/home"),
        Page("admin /admin/courses/", "/admin/courses/"),
        Page("admin /cohorts/", "/cohorts/"),
        Page("admin /users/", "/users/"),
    ]
    status, dashboard = get("/admin/dashboard")
    if status == 200:
        pages.append(Page("admin /admin/dashboard", "/admin/dashboard", weight=3))
        for link in _links(dashboard, EXPORT_LINK)[:4]:
            path = link.replace("&amp;", "&")
            pages.append(Page("admin " + _pattern(path), path))
        regions = _links(dashboard, r'href="(/regions/[\d.]+/dashboard)"')
        if regions:
            pages.append(Page("admin /regions/<code>/dashboard", regions[0], weight=2))
    return pages


PAGES_BY_ROLE: dict[str, Callable[[Get], list[Page]]] = {
    "participant": participant_pages,
    "mentor": mentor_pages,
    "admin": admin_pages,
}


def pick(pages: list[Page], rng: random.Random) -> Page:
    return rng.choices(pages, weights=[p.weight for p in pages])[0]
