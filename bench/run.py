"""`make bench`: build the dataset, load-test it under gunicorn, write bench/report.md.

    python -m bench.run [--regions 20] [--participants 40] [--users 20] [--run-time 60s]

Steps: migrate the database (BENCH_DATABASE_URL, else a fresh bench.sqlite3 in the project
folder), load the regions, generate the dataset (`lms bench generate`; a PostgreSQL
database that already holds it is reused), count the SQL statements of every page with
the Flask test client, start gunicorn on a free port, run Locust headless twice (the mixed
workload, then /healthz alone as the ceiling), stop gunicorn and write the report.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
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

BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-not-for-production"  # noqa: S105
ROLES = ("participant", "mentor", "admin")


def _options(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--database-url", default=env("BENCH_DATABASE_URL"))
    parser.add_argument("--regions", type=int, default=int(env("BENCH_REGIONS", "20")))
    parser.add_argument("--participants", type=int, default=int(env("BENCH_PARTICIPANTS", "40")))
    parser.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "1")))
    parser.add_argument("--users", type=int, default=int(env("BENCH_USERS", "20")))
    parser.add_argument("--spawn-rate", type=float, default=float(env("BENCH_SPAWN_RATE", "10")))
    parser.add_argument("--run-time", default=env("BENCH_RUN_TIME", "60s"))
    parser.add_argument("--ceiling-time", default=env("BENCH_CEILING_TIME", "15s"))
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "2")))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--report", type=Path, default=ROOT / "bench" / "report.md")
    return parser.parse_args(argv)


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


def single_requests(manifest: dict[str, Any]) -> dict[str, Single]:
    """SQL statements and time of each page, as the first account of each role sees it:
    the same pages Locust asks for, through the Flask test client on the same database
    (the second request of each is measured, as in the steady state of the load test)."""
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
    for role in ROLES:
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
            for attempt in range(2):
                with _counting(engine) as statements:
                    began = time.perf_counter()
                    if page.method == "POST":
                        client.post(page.path, data=dict(page.data), follow_redirects=True)
                    else:
                        client.get(page.path)
                    ms = 1000 * (time.perf_counter() - began)
                if attempt:
                    found[page.name] = Single(len(statements), ms)
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


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """gunicorn serving the app on a free port, stopped (its whole group) on the way out."""
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--error-logfile",
        str(log),
        "lms:create_app()",
    ]
    _say(f"gunicorn, {workers} workers, on {host}")
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
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
        yield host
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        _say("gunicorn stopped")


def locust(
    env: dict[str, str], host: str, prefix: Path, users: int, rate: float, run_time: str, *classes
) -> int:
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(rate),
        "--run-time",
        run_time,
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

    def row(self, name: str, single: Single | None) -> str:
        alone = f"{single.statements} | {single.ms:,.0f}" if single else " | "
        return (
            f"| {name} | {self.requests:,} | {self.failures:,} | {self.percentile(0.5):,} "
            f"| {self.percentile(0.95):,} | {self.percentile(0.99):,} "
            f"| {self.requests / self.seconds:.1f} | {alone} |"
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


def _total(figures: list[Figures]) -> Figures:
    total = Figures(0, 0, Counter(), figures[0].seconds if figures else 1.0)
    for item in figures:
        total.requests += item.requests
        total.failures += item.failures
        total.times.update(item.times)
    return total


HEADER = (
    "| Page | Requests | Failures | p50 ms | p95 ms | p99 ms | Requests/s | SQL statements "
    "| Alone ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def write_report(
    options: argparse.Namespace,
    url: str,
    dataset: dict[str, int],
    single: dict[str, Single],
    codes: tuple[int, int],
    seconds: float,
) -> str:
    mixed = _figures(options.out / "mixed.json")
    ceiling = _figures(options.out / "ceiling.json")
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    where = url.rsplit("/", 1)[-1] if dialect == "sqlite" else "(BENCH_DATABASE_URL)"
    lines = [
        "# Benchmark report",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({seconds:.0f} s in all). Regenerate it with `make bench`.",
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
        f"- Server: gunicorn, {options.workers} sync workers, 127.0.0.1, "
        f"{os.cpu_count()} CPUs on the host (Locust runs on the same host).",
        f"- Load: Locust headless, {options.users} users (participant 70 : mentor 20 : "
        f"admin 10, plus one ceiling user), spawn rate {options.spawn_rate:g}/s, "
        f"{options.run_time}, {os.environ.get('BENCH_WAIT_MIN', '0.1')}–"
        f"{os.environ.get('BENCH_WAIT_MAX', '0.5')} s think time between requests.",
        "- SQL statements and Alone ms: one request to the page (its second one, as the "
        "first account of each role) through the Flask test client on the same database, "
        "with no other load: the statements it issues and its time in the app.",
        "",
        "## Pages (mixed workload)",
        "",
        HEADER,
    ]
    order = {role: i for i, role in enumerate(ROLES)}
    names = sorted(
        (n for n in mixed if n.split(" ", 1)[0] in order),
        key=lambda n: (order[n.split(" ", 1)[0]], n),
    )
    for name in names:
        lines.append(mixed[name].row(name, single.get(name)))
    if names:
        lines.append(_total([mixed[n] for n in names]).row("**All pages above**", None))
    setup = [n for n in mixed if n.startswith(("login", "discovery"))]
    lines += [
        "",
        "Requests made once per simulated user before its workload (not in the table above): "
        + ", ".join(f"{n} {mixed[n].requests:,}" for n in setup)
        + ".",
        "",
        "## Ceiling: the bare endpoint on the same server",
        "",
        "`/healthz` renders no template and runs one `SELECT 1`: the server's own cost per "
        "request. During the mix it shows the latency any page pays under that load; asked "
        f"alone ({options.users} users without think time, {options.ceiling_time}) it shows "
        "the most requests per second this server setup can answer.",
        "",
        HEADER,
    ]
    if bench.HEALTHZ.name in mixed:
        lines.append(
            mixed[bench.HEALTHZ.name].row(
                bench.HEALTHZ.name + ", during the mix", single.get(bench.HEALTHZ.name)
            )
        )
    for name, figures in ceiling.items():
        lines.append(figures.row(name, single.get(bench.HEALTHZ.name)))
    failures = options.out / "mixed_failures.csv"
    if failures.exists():
        with failures.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows:
            lines += ["", "## Failures", ""]
            lines += [
                f"- {r['Method']} {r['Name']}: {r['Error']} ({r['Occurrences']}×)"
                for r in rows[:10]
            ]
    if any(codes):
        lines += ["", f"Locust exit codes: mixed {codes[0]}, ceiling {codes[1]}."]
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
    _say("counting SQL statements per page")
    single = single_requests(manifest)
    with _app().app_context():
        from lms.extensions import db

        db.engine.dispose()  # the server gets the database to itself

    with gunicorn(env, options.workers, options.out / "gunicorn.log") as host:
        mixed = locust(
            env,
            host,
            options.out / "mixed",
            options.users,
            options.spawn_rate,
            options.run_time,
            "Participant",
            "Mentor",
            "Admin",
            "Ceiling",
        )
        flood = locust(
            env,
            host,
            options.out / "ceiling",
            options.users,
            options.spawn_rate,
            options.ceiling_time,
            "CeilingFlood",
        )
    text = write_report(options, url, dataset, single, (mixed, flood), time.monotonic() - began)
    print(text)
    _say(f"report written to {options.report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
