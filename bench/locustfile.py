"""The load test: participants, mentors and admins on a generated dataset, and the ceiling.

Run by `bench/run.py` (`make bench`), which passes the dataset's shape in BENCH_MANIFEST
(a JSON file: region codes, participants per cohort, mentors, password). Each simulated
user logs in through the real /login form (CSRF token scraped from the page), finds its
pages by following links (see `bench.participant_pages` and friends) and then requests
them at random by weight; every request is reported under its page's name.

User classes: Participant (weight 70), Mentor (20), Admin (10), Ceiling (one user asking
/healthz during the mix) and CeilingFlood (/healthz without pause; run on its own to
measure the server's ceiling). Accounts are taken in turn from the generated naming
scheme, so the same run asks for the same accounts and pages.

A load step (BENCH_STEP_SECONDS, set by bench/run.py) measures the steady state only: once
the last of its BENCH_ROLE_USERS simulated people has logged in and found its pages, the
statistics are reset and the run stops BENCH_STEP_SECONDS later.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench  # noqa: E402

MANIFEST = json.loads(Path(os.environ["BENCH_MANIFEST"]).read_text())
THINK = between(
    float(os.environ.get("BENCH_WAIT_MIN", "0.1")), float(os.environ.get("BENCH_WAIT_MAX", "0.5"))
)

_numbers = {role: itertools.count() for role in ("participant", "mentor", "admin")}
_started = itertools.count(1)
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "0"))
ROLE_USERS = int(os.environ.get("BENCH_ROLE_USERS", "0"))


def _ready(environment: Any) -> None:
    """One more person logged in; after the last, measure the steady state for the step."""
    if STEP_SECONDS and next(_started) == ROLE_USERS:
        environment.runner.stats.reset_all()
        gevent.spawn_later(STEP_SECONDS, environment.runner.quit)


def _email(role: str, n: int) -> str:
    """The n-th (0-based) simulated user of a role, spread over regions and cohorts."""
    codes = MANIFEST["regions"]
    if role == "participant":
        code = codes[n % len(codes)]
        return bench.participant_email(code, (n // len(codes)) % MANIFEST["participants"] + 1)
    if role == "mentor":
        return bench.mentor_email(n % MANIFEST["mentors"] + 1)
    return bench.ADMIN_EMAIL


class _Role(HttpUser):
    abstract = True
    role = ""
    wait_time = THINK

    def on_start(self) -> None:
        n = next(_numbers[self.role])
        self.rng = random.Random(n)
        self.email = _email(self.role, n)
        page = self.client.get("/login", name="login (GET form)")
        token = bench.CSRF.search(page.text)
        response = self.client.post(
            "/login",
            data={
                "email": self.email,
                "password": MANIFEST["password"],
                "csrf_token": token.group(1) if token else "",
            },
            name="login (POST)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed for {self.email}: {response.status_code}")
        self.pages = bench.PAGES_BY_ROLE[self.role](self._discover)
        _ready(self.environment)

    def _discover(self, path: str) -> tuple[int, str]:
        # Discovery requests are reported apart, so they do not skew the pages' figures.
        with self.client.get(path, name="discovery", catch_response=True) as response:
            response.success()  # a page the server lacks (404) is skipped, not an error
            return response.status_code, response.text

    @task
    def visit(self) -> None:
        page = bench.pick(self.pages, self.rng)
        if page.method == "POST":
            self.client.post(page.path, data=dict(page.data), name=page.name)
        else:
            self.client.get(page.path, name=page.name)


class Participant(_Role):
    weight = 70
    role = "participant"


class Mentor(_Role):
    weight = 20
    role = "mentor"


class Admin(_Role):
    weight = 10
    role = "admin"


class Ceiling(HttpUser):
    """One user asking the bare endpoint during the mix: its latency under load."""

    fixed_count = 1
    wait_time = THINK

    @task
    def healthz(self) -> None:
        self.client.get(bench.HEALTHZ.path, name=bench.HEALTHZ.name)


class CeilingFlood(HttpUser):
    """The bare endpoint without pause (run alone): what the server can serve at most."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get(bench.HEALTHZ.path, name="ceiling /healthz (flood, alone)")
