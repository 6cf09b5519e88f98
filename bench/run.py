"""`make bench`: build the dataset, load-test it under gunicorn, write bench/report.md.

    python -m bench.run [--mode quick|full] [--regions N] [--participants N]
                        [--steps 5,10,20,40] [--step-time 15s]

Steps: migrate the database (BENCH_DATABASE_URL, else a fresh bench.sqlite3 in the project
folder), load the regions, generate the dataset (`lms bench generate`; a PostgreSQL
database that already holds it is reused), time every page alone and count its SQL
statements with the Flask test client, start gunicorn with the committed gunicorn.conf.py
pinned to CPU 0 (`taskset`), then step the load with Locust pinned to CPU 1: the mixed
workload at each number of users until participant pages' p95 passes 100 ms or
dashboards' passes 150 ms, then /healthz alone at the same steps (the ceiling). The
resident size of every gunicorn worker is read from /proc after the run; the report opens
with issue 14's targets, the measured figures and whether each is met.

Modes: `quick` (the default of `make bench`: 5 regions, steps of 15 s, a few minutes) and
`full` (`make bench-full`: 514 regions × 40 participants, steps up to 160 users of 60 s).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bench  # noqa: E402
from bench import sizes  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-not-for-production"  # noqa: S105
ROLES = ("participant", "mentor", "admin")


def _options(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--mode", choices=sorted(MODES), default=env("BENCH_MODE", "quick"))
    parser.add_argument("--database-url", default=env("BENCH_DATABASE_URL"))
    parser.add_argument("--regions", type=int, default=_int(env("BENCH_REGIONS")))
    parser.add_argument("--participants", type=int, default=_int(env("BENCH_PARTICIPANTS")))
    parser.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "1")))
    parser.add_argument(
        "--steps", default=env("BENCH_STEPS"), help="users per step, e.g. 5,10,20,40"
    )
    parser.add_argument("--step-time", default=env("BENCH_STEP_TIME"))
    parser.add_argument("--workers", type=int, default=_int(env("BENCH_WORKERS")))
    parser.add_argument(
        "--sizes",
        default=env("BENCH_SIZES", "20,514"),
        help="regions of the two datasets the admin dashboards are also timed on (target 1); "
        "empty: skip",
    )
    parser.add_argument(
        "--note", default=env("BENCH_NOTE", ""), help="a line put under the report's title"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--report", type=Path, default=ROOT / "bench" / "report.md")
    options = parser.parse_args(argv)
    for name, value in MODES[options.mode].items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    options.steps = [int(n) for n in str(options.steps).split(",") if n.strip()]
    return options


def _int(value: str | None) -> int | None:
    return int(value) if value else None


MODES: dict[str, dict[str, Any]] = {
    "quick": {"regions": 5, "participants": 40, "steps": "5,10,20,25,30,40", "step_time": "15s"},
    "full": {
        "regions": 514,
        "participants": 40,
        "steps": "5,10,20,25,30,40,60,80,160",
        "step_time": "60s",
    },
}
"""Dataset size and load steps of each mode; any of them can be given on its own."""

PARTICIPANT_P95_MS = 100
DASHBOARD_P95_MS = 150
"""Issue 14, target 4: the load at which participant pages and dashboards stay this fast."""


def _say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def _environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=env.get("SECRET_KEY", SECRET),
        LMS_CLI_LOCALE="en",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    return env


def _lms(env: dict[str, str], *args: str) -> None:
    _say("lms " + " ".join(args))
    subprocess.run([str(BIN / "lms"), *args], env=env, cwd=ROOT, check=True)  # noqa: S603


# --------------------------------------------------------------------------- database


def _prepare_database(options: argparse.Namespace, env: dict[str, str]) -> bool:
    """Migrate, load the regions and generate the dataset; False if it was there already."""
    _lms(env, "db", "upgrade")
    _lms(env, "regions", "load")
    from sqlalchemy import func, select

    from lms.auth.models import User
    from lms.extensions import db

    with _app().app_context():
        users = db.session.scalar(select(func.count(User.id)))
        bench_admin = db.session.scalar(select(User.id).where(User.email == bench.ADMIN_EMAIL))
    if bench_admin is not None:
        _say("the database already holds a bench dataset: reusing it")
        return False
    if users:
        raise SystemExit(
            f"{users} accounts are already in {options.database_url}; give BENCH_DATABASE_URL "
            "an empty database."
        )
    _lms(
        env,
        "bench",
        "generate",
        "--regions",
        str(options.regions),
        "--participants",
        str(options.participants),
        "--seed",
        str(options.seed),
    )
    return True


_APP: Any = None


def _app() -> Any:
    global _APP
    if _APP is None:
        from lms import create_app

        _APP = create_app({"TESTING": False})
    return _APP


def _manifest() -> dict[str, Any]:
    """The dataset's shape, for the Locust file to pick accounts from the naming scheme."""
    from sqlalchemy import func, select

    from lms.auth.models import Role, User
    from lms.cohorts.models import Cohort, Enrolment
    from lms.extensions import db

    with _app().app_context():
        bench_regions = list(
            db.session.scalars(
                select(User.region_code)
                .where(User.email.like(f"p-%@{bench.DOMAIN}"))
                .distinct()
                .order_by(User.region_code)
            )
        )
        sizes = db.session.scalars(
            select(func.count(Enrolment.id))
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Cohort.region_code.in_(bench_regions))
            .group_by(Cohort.id)
        ).all()
        mentors = db.session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.MENTOR.value, User.email.like(f"m-%@{bench.DOMAIN}")
            )
        )
    per_cohort = min(sizes, default=1)
    return {
        "regions": bench_regions,
        "participants": per_cohort or 1,
        "mentors": mentors or 1,
        "password": bench.PASSWORD,
    }


def _dataset() -> dict[str, int]:
    from sqlalchemy import func, select, table

    from lms.extensions import db

    names = (
        "region",
        "cohort",
        "user_account",
        "enrolment",
        "meeting",
        "attendance",
        "activity_completion",
        "quiz_attempt",
        "quiz_response",
        "submission",
        "review",
        "discussion_thread",
        "discussion_post",
    )
    with _app().app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(table(name))) for name in names
        }


# --------------------------------------------------------------------------- SQL per page


@contextmanager
def _counting(engine: Any) -> Iterator[list[str]]:
    from sqlalchemy import event

    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@dataclass(frozen=True)
class Single:
    """One request to a page through the test client, with nothing else running."""

    statements: int
    ms: float


def single_requests(manifest: dict[str, Any], roles: tuple[str, ...] = ROLES) -> dict[str, Single]:
    """SQL statements and time of each page, as the first account of each role sees it:
    the same pages Locust asks for, through the Flask test client on the same database
    (after a first request, as in the steady state of the load test: the median of five)."""
    from lms.extensions import db

    app = _app()
    with app.app_context():
        engine = db.engine
    emails = {
        "participant": bench.participant_email(manifest["regions"][0], 1),
        "mentor": bench.mentor_email(1),
        "admin": bench.ADMIN_EMAIL,
    }
    found: dict[str, Single] = {}
    for role in roles:
        client = app.test_client()
        form = client.get("/login").get_data(as_text=True)
        token = bench.CSRF.search(form)
        response = client.post(
            "/login",
            data={
                "email": emails[role],
                "password": manifest["password"],
                "csrf_token": token.group(1) if token else "",
            },
        )
        if response.status_code != 302:
            raise SystemExit(f"cannot log in as {emails[role]} ({response.status_code})")

        def get(path: str, client: Any = client) -> tuple[int, str]:
            found = client.get(path, follow_redirects=True)
            return found.status_code, found.get_data(as_text=True)

        for page in bench.PAGES_BY_ROLE[role](get):
            times: list[float] = []
            # A GET is timed five times after a warm-up (the median is kept); a POST once.
            for attempt in range(2 if page.method == "POST" else 6):
                with _counting(engine) as statements:
                    began = time.perf_counter()
                    if page.method == "POST":
                        client.post(page.path, data=dict(page.data), follow_redirects=True)
                    else:
                        client.get(page.path)
                    ms = 1000 * (time.perf_counter() - began)
                if attempt:
                    times.append(ms)
                    found[page.name] = Single(len(statements), statistics.median(times))
    client = app.test_client()
    client.get(bench.HEALTHZ.path)
    with _counting(engine) as statements:
        began = time.perf_counter()
        client.get(bench.HEALTHZ.path)
        ms = 1000 * (time.perf_counter() - began)
    found[bench.HEALTHZ.name] = Single(len(statements), ms)
    return found


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pinning() -> tuple[list[str], list[str], str]:
    """`taskset` prefixes for the server (CPU 0) and Locust (CPU 1), and a note on them."""
    taskset = shutil.which("taskset")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if taskset and len(cpus) >= 2:
        server, load = str(cpus[0]), str(cpus[1])
        return (
            [taskset, "-c", server],
            [taskset, "-c", load],
            f"gunicorn pinned to CPU {server}, Locust to CPU {load} (`taskset`)",
        )
    _say("NOTICE: not pinning (needs `taskset` and two CPUs); server and Locust share the CPUs")
    return [], [], "not pinned (no `taskset` or fewer than two CPUs): server and Locust share"


@contextmanager
def gunicorn(
    env: dict[str, str], workers: int, out: Path, prefix: list[str]
) -> Iterator[tuple[str, int]]:
    """gunicorn with the committed gunicorn.conf.py on a free port; yields (URL, master pid)
    and stops its whole group on the way out."""
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    log = out / "gunicorn.log"
    server_env = dict(
        env,
        LMS_BIND=f"127.0.0.1:{port}",
        LMS_WORKERS=str(workers),
        LMS_ACCESS_LOG=str(out / "access.log"),
        # No recycling during the run, so the resident size read afterwards is the grown one.
        LMS_MAX_REQUESTS="0",
        LMS_TIMEOUT="120",
    )
    command = [
        *prefix,
        str(BIN / "gunicorn"),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--error-logfile",
        str(log),
    ]
    _say(f"gunicorn (gunicorn.conf.py), {workers} workers, on {host}")
    process = subprocess.Popen(  # noqa: S603
        command, env=server_env, cwd=ROOT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
            try:
                with urllib.request.urlopen(host + "/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log}")
            time.sleep(0.3)
        yield host, process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        _say("gunicorn stopped")


def resident_mb(master: int) -> dict[int, float]:
    """Resident size (VmRSS, MB) of each worker of the gunicorn master `master`, from /proc."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip() or 0) != master or "VmRSS" not in fields:
            continue
        found[int(entry.name)] = int(fields["VmRSS"].split()[0]) / 1024
    return found


def locust(
    env: dict[str, str],
    host: str,
    prefix: Path,
    users: int,
    run_time: str,
    pin: list[str],
    *classes: str,
) -> int:
    """One load step. With the role classes, `run_time` is measured after every simulated
    person has logged in (see the locustfile); the Locust run is bounded all the same."""
    seconds = _seconds(run_time)
    people = "CeilingFlood" not in classes
    if people:
        env = dict(env, BENCH_STEP_SECONDS=str(seconds), BENCH_ROLE_USERS=str(users - 1))
    command = [
        *pin,
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds + 180 if people else seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--json-file",
        str(prefix),  # Locust adds .json
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    _say(f"locust {' '.join(classes)}: {users} users for {run_time}")
    return subprocess.run(command, env=env, cwd=ROOT).returncode  # noqa: S603


def _seconds(run_time: str) -> int:
    """Locust's duration notation (90, 90s, 2m, 1h) in seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = run_time.strip().lower()
    if text[-1:] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(float(text))


# --------------------------------------------------------------------------- report


@dataclass
class Figures:
    """One page's figures from Locust's final statistics."""

    requests: int
    failures: int
    times: Counter[int]
    """Response times (ms, rounded as Locust buckets them) and how often each occurred."""
    seconds: float
    """The run's duration, for the throughput."""

    def percentile(self, percent: float) -> int:
        """Locust's own rule (stats.calculate_response_time_percentile)."""
        wanted = int(self.requests * percent)
        processed = 0
        for response_time in sorted(self.times, reverse=True):
            processed += self.times[response_time]
            if self.requests - processed <= wanted:
                return response_time
        return 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def row(self, name: str, single: Single | None) -> str:
        alone = f"{single.statements} | {single.ms:,.1f}" if single else " | "
        return (
            f"| {name} | {self.requests:,} | {self.failures:,} | {self.percentile(0.5):,} "
            f"| {self.percentile(0.95):,} | {self.percentile(0.99):,} "
            f"| {self.rate:.1f} | {alone} |"
        )


def _figures(path: Path) -> dict[str, Figures]:
    """Per request name, from the JSON file Locust writes when it stops."""
    if not path.exists():
        return {}
    entries = json.loads(path.read_text())
    if not entries:
        return {}
    seconds = max(e["last_request_timestamp"] or 0 for e in entries) - min(
        e["start_time"] for e in entries
    )
    found: dict[str, Figures] = {}
    for entry in entries:
        times = Counter({int(k): v for k, v in entry["response_times"].items()})
        figures = found.setdefault(entry["name"], Figures(0, 0, Counter(), max(seconds, 1e-3)))
        figures.requests += entry["num_requests"]
        figures.failures += entry["num_failures"]
        figures.times.update(times)
    return found


def _total(figures: list[Figures], seconds: float | None = None) -> Figures:
    total = Figures(0, 0, Counter(), seconds or (figures[0].seconds if figures else 1.0))
    for item in figures:
        total.requests += item.requests
        total.failures += item.failures
        total.times.update(item.times)
    return total


def _is_page(name: str) -> bool:
    return name.split(" ", 1)[0] in ROLES


def _is_dashboard(name: str) -> bool:
    return _is_page(name) and name.endswith("dashboard")


def _is_participant(name: str) -> bool:
    return name.startswith("participant ")


@dataclass
class Step:
    """One load step: the mixed workload (or /healthz alone) at a number of users."""

    users: int
    figures: dict[str, Figures]
    code: int

    def total(self, keep: Any) -> Figures:
        names = [n for n in self.figures if keep(n)]
        seconds = max((f.seconds for f in self.figures.values()), default=1.0)
        return _total([self.figures[n] for n in names], seconds)

    @property
    def pages(self) -> Figures:
        return self.total(_is_page)

    @property
    def participant_p95(self) -> int:
        return self.total(_is_participant).percentile(0.95)

    @property
    def dashboard_p95(self) -> int:
        return self.total(_is_dashboard).percentile(0.95)

    @property
    def within(self) -> bool:
        """Participant pages and dashboards within target 4's p95, with no failure."""
        return (
            self.pages.requests > 0
            and self.pages.failures == 0
            and self.participant_p95 <= PARTICIPANT_P95_MS
            and self.dashboard_p95 <= DASHBOARD_P95_MS
        )


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def _alone(single: dict[str, Single], keep: Any) -> tuple[str, float] | None:
    found = [(name, s.ms) for name, s in single.items() if keep(name)]
    return max(found, key=lambda item: item[1]) if found else None


def targets_table(
    options: argparse.Namespace,
    single: dict[str, Single],
    steps: list[Step],
    capacity: Step | None,
    ceiling: float,
    server_cpus: int,
    rss: dict[int, float],
    sized: list[sizes.Timed] | None = None,
) -> list[str]:
    """Issue 14's targets 1–6, the figure this run measured and whether it is met."""
    size = f"{options.regions} × {options.participants}"
    rows = ["| # | target | measured | |", "|---|---|---|---|"]
    admin = _alone(single, lambda n: n.startswith("admin ") and n.endswith("dashboard"))
    full = options.regions >= 514
    contrast, contrast_met = sizes.verdict(sized or [])
    if contrast_met is not None:
        rows.append(
            "| 1 | national and region dashboards ≤ 50 ms alone at 514 × 40, size-independent "
            f"(≤ 1.3 × the time at 20 regions) | {contrast} | {_met(contrast_met)} |"
        )
    elif admin:
        rows.append(
            f"| 1 | national and region dashboards ≤ 50 ms alone at 514 × 40, "
            f"size-independent (≤ 1.3 × the time at 20 regions) | slowest {admin[1]:.1f} ms "
            f"(`{admin[0]}`) at {size}; size independence needs two datasets, not run here "
            f"| {_met(admin[1] <= 50) if full else 'not measured at 514 × 40'} |"
        )
    cohort = _alone(single, lambda n: n.startswith("mentor ") and n.endswith("dashboard"))
    if cohort:
        rows.append(
            f"| 2 | cohort dashboard ≤ 30 ms alone (40 participants × 9 sessions) "
            f"| {cohort[1]:.1f} ms at {options.participants} participants "
            f"| {_met(cohort[1] <= 30) if options.participants == 40 else 'other size'} |"
        )
    participant = _alone(single, lambda n: _is_participant(n) and " POST " not in n)
    if participant:
        rows.append(
            f"| 3 | participant pages ≤ 10 ms alone | slowest {participant[1]:.1f} ms "
            f"(`{participant[0]}`) | {_met(participant[1] <= 10)} |"
        )
    if capacity is not None:
        per_cpu = capacity.pages.rate / server_cpus
        ratio = capacity.pages.rate / ceiling if ceiling else 0.0
        rows.append(
            f"| 4 | ≥ 60 requests/s per server CPU with participant p95 ≤ "
            f"{PARTICIPANT_P95_MS} ms and dashboards p95 ≤ {DASHBOARD_P95_MS} ms "
            f"| {capacity.pages.rate:.1f} requests/s on {server_cpus} CPU "
            f"({per_cpu:.1f} per CPU) at {capacity.users} users; /healthz ceiling "
            f"{ceiling:.1f}/s; ratio {ratio:.2f} | {_met(per_cpu >= 60)} |"
        )
    else:
        first = steps[0] if steps else None
        seen = (
            f"; at the first step ({first.users} users) {first.pages.rate:.1f} pages/s, "
            f"ratio {first.pages.rate / ceiling if ceiling else 0:.2f}, participant p95 "
            f"{first.participant_p95} ms, dashboards p95 {first.dashboard_p95} ms"
            if first
            else ""
        )
        rows.append(
            f"| 4 | ≥ 60 requests/s per server CPU with participant p95 ≤ "
            f"{PARTICIPANT_P95_MS} ms and dashboards p95 ≤ {DASHBOARD_P95_MS} ms "
            f"| no step stayed within them (/healthz ceiling {ceiling:.1f}/s){seen} "
            "| **not met** |"
        )
    if rss:
        biggest = max(rss.values())
        rows.append(
            f"| 5 | resident size per worker ≤ 150 MB after the run | largest {biggest:.0f} MB "
            f"({len(rss)} workers: {', '.join(f'{v:.0f}' for v in sorted(rss.values()))}) "
            f"| {_met(biggest <= 150)} |"
        )
    else:
        rows.append("| 5 | resident size per worker ≤ 150 MB | not read | not measured |")
    rows.append(
        "| 6 | this table first; statement counts per page pinned by tests | this table; "
        "pins in `tests/web/test_query_counts.py` and the page tests | **met** |"
    )
    return rows


HEADER = (
    "| Page | Requests | Failures | p50 ms | p95 ms | p99 ms | Requests/s | SQL statements "
    "| Alone ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def write_report(
    options: argparse.Namespace,
    url: str,
    dataset: dict[str, int],
    single: dict[str, Single],
    steps: list[Step],
    ceilings: list[Step],
    rss: dict[int, float],
    pinning: str,
    server_cpus: int,
    seconds: float,
    sized: list[sizes.Timed] | None = None,
) -> str:
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    where = url.rsplit("/", 1)[-1] if dialect == "sqlite" else "(BENCH_DATABASE_URL)"
    within = [s for s in steps if s.within]
    capacity = max(within, key=lambda s: s.pages.rate) if within else None
    ceiling = max((c.total(lambda n: True).rate for c in ceilings), default=0.0)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# Benchmark report",
        "",
        f"Written by `make bench{'-full' if options.mode == 'full' else ''}` "
        f"({options.mode} mode) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({seconds:.0f} s in all). Load average at the end: {load}.",
        "",
        *([f"**{options.note}**", ""] if options.note else []),
        "## Issue 14 targets",
        "",
        *targets_table(options, single, steps, capacity, ceiling, server_cpus, rss, sized),
        "",
        "## Setup",
        "",
        f"- Database: {dialect} {where}",
        (
            f"- Dataset (`lms bench generate --regions {options.regions} "
            f"--participants {options.participants} --seed {options.seed}`): "
            if options.generated
            else "- Dataset (generated earlier, reused): "
        )
        + ", ".join(f"{n:,} {name}" for name, n in dataset.items()),
        f"- Server: gunicorn with `gunicorn.conf.py` ({options.workers} workers, "
        f"{os.environ.get('LMS_THREADS', '2')} threads each, no recycling during the run), "
        f"127.0.0.1; {pinning}. {os.cpu_count()} CPUs on the host.",
        f"- Load: Locust headless, participant 70 : mentor 20 : admin 10 plus one user on "
        f"/healthz, {os.environ.get('BENCH_WAIT_MIN', '0.1')}–"
        f"{os.environ.get('BENCH_WAIT_MAX', '0.5')} s think time; steps of "
        f"{options.step_time} at {', '.join(map(str, options.steps))} users, stopping after "
        f"the first step over the limits. The ceiling: /healthz without think time at the "
        "same steps, on the same server.",
        "- Each mixed step is measured in its steady state: the statistics start once every "
        "simulated person has logged in and found its pages, and run for the step's time. "
        "Requests/s counts the pages only (not /healthz).",
        "- Alone ms and SQL statements: requests to the page through the Flask test client "
        "on the same database as the first account of each role, before the load: after a "
        "first request, the median of five (a POST: its second request).",
        *(
            [
                "- Target 1's size contrast: the admin dashboards alone, the same way, on two "
                "more SQLite datasets (`python -m bench.sizes`, generated once into "
                "bench/datasets/ and reused while the generator, migrations and packages are "
                "unchanged):",
                "",
                "| Regions × participants | Page | SQL statements | Alone ms |",
                "|---|---|---:|---:|",
                *(
                    f"| {t.regions} × {options.participants} | {t.name} | {t.statements} "
                    f"| {t.ms:.1f} |"
                    for t in sized
                ),
            ]
            if sized
            else []
        ),
        "",
        "## Load steps",
        "",
        "| Users | Page requests/s | Failures | participant p95 ms | dashboards p95 ms "
        "| all pages p95 ms | within limits |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for step in steps:
        pages = step.pages
        lines.append(
            f"| {step.users} | {pages.rate:.1f} | {pages.failures:,} | {step.participant_p95:,} "
            f"| {step.dashboard_p95:,} | {pages.percentile(0.95):,} "
            f"| {'yes' if step.within else 'no'} |"
        )
    lines += [
        "",
        "| Users | /healthz alone requests/s | p50 ms | p95 ms |",
        "|---:|---:|---:|---:|",
    ]
    for step in ceilings:
        total = step.total(lambda n: True)
        lines.append(
            f"| {step.users} | {total.rate:.1f} | {total.percentile(0.5):,} "
            f"| {total.percentile(0.95):,} |"
        )
    shown = capacity or (steps[-1] if steps else None)
    if shown is not None:
        lines += [
            "",
            f"## Pages at {shown.users} users "
            f"({'the highest step within the limits' if capacity else 'the last step'})",
            "",
            HEADER,
        ]
        order = {role: i for i, role in enumerate(ROLES)}
        names = sorted(
            (n for n in shown.figures if _is_page(n)),
            key=lambda n: (order[n.split(" ", 1)[0]], n),
        )
        for name in names:
            lines.append(shown.figures[name].row(name, single.get(name)))
        if bench.HEALTHZ.name in shown.figures:
            lines.append(
                shown.figures[bench.HEALTHZ.name].row(
                    bench.HEALTHZ.name + ", during the mix", single.get(bench.HEALTHZ.name)
                )
            )
    failures = [
        row
        for path in sorted(options.out.glob("mixed-*_failures.csv"))
        for row in csv.DictReader(path.open(newline=""))
    ]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [
            f"- {r['Method']} {r['Name']}: {r['Error']} ({r['Occurrences']}×)"
            for r in failures[:10]
        ]
    codes = [s.code for s in [*steps, *ceilings] if s.code]
    if codes:
        lines += ["", f"Locust exit codes other than 0: {codes}."]
    text = "\n".join(lines) + "\n"
    options.report.write_text(text)
    return text


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    began = time.monotonic()
    # A SIGTERM unwinds like Ctrl+C does, so gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = options.database_url
    if not url:
        path = ROOT / "bench.sqlite3"
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    options.database_url = url
    env = _environment(url)
    os.environ.update(DATABASE_URL=url, SECRET_KEY=env["SECRET_KEY"], LMS_CLI_LOCALE="en")
    if options.out.exists():
        shutil.rmtree(options.out)
    options.out.mkdir(parents=True)

    options.generated = _prepare_database(options, env)
    manifest = _manifest()
    manifest_path = options.out / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2))
    env["BENCH_MANIFEST"] = str(manifest_path)
    dataset = _dataset()
    _say("timing each page alone and counting its SQL statements")
    single = single_requests(manifest)
    regions = [int(n) for n in str(options.sizes or "").split(",") if n.strip()]
    sized: list[sizes.Timed] = []
    if regions:
        _say(f"target 1: the admin dashboards alone at {' and '.join(map(str, regions))} regions")
        sized = sizes.measure(tuple(regions), options.participants, options.seed, env)
    with _app().app_context():
        from lms.extensions import db

        db.engine.dispose()  # the server gets the database to itself

    server_pin, load_pin, pinning = _pinning()
    server_cpus = 1 if server_pin else os.cpu_count() or 1
    if options.workers is None:
        options.workers = 2 * server_cpus + 1  # gunicorn's usual rule, for the pinned CPUs
    steps: list[Step] = []
    ceilings: list[Step] = []
    with gunicorn(env, options.workers, options.out, server_pin) as (host, master):
        for users in options.steps:
            prefix = options.out / f"mixed-{users}"
            code = locust(
                env, host, prefix, users, options.step_time, load_pin,
                "Participant", "Mentor", "Admin", "Ceiling",
            )  # fmt: skip
            steps.append(Step(users, _figures(prefix.with_suffix(".json")), code))
            _say(
                f"{users} users: {steps[-1].pages.rate:.1f} pages/s, participant p95 "
                f"{steps[-1].participant_p95} ms, dashboards p95 {steps[-1].dashboard_p95} ms"
            )
            if not steps[-1].within:
                break
        rss = resident_mb(master)
        for users in options.steps:
            prefix = options.out / f"ceiling-{users}"
            code = locust(env, host, prefix, users, options.step_time, load_pin, "CeilingFlood")
            ceilings.append(Step(users, _figures(prefix.with_suffix(".json")), code))
            _say(f"/healthz alone, {users} users: {ceilings[-1].total(lambda n: True).rate:.1f}/s")
    text = write_report(
        options,
        url,
        dataset,
        single,
        steps,
        ceilings,
        rss,
        pinning,
        server_cpus,
        time.monotonic() - began,
        sized,
    )
    print(text)
    _say(f"report written to {options.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
