"""Issue 14, target 1: the national and region dashboards timed alone on two dataset sizes
in the same `make bench` run (20 and 514 regions × 40 participants by default).

    python -m bench.sizes --regions 20,514 [--participants 40] [--seed 1]

Each size is its own SQLite file under bench/datasets/, generated once by
`lms bench generate` and reused by later runs while the generator, the migrations and the
shipped course packages are unchanged (the file name carries a hash of them); 514 regions
take a few minutes to generate the first time. The pages are timed in a child process per
database (the app reads its database from the environment), exactly as `bench.run` times
every page alone: the first admin account, after a first request, the median of five.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "bench" / "datasets"
BIN = Path(sys.executable).parent
SIZES = (20, 514)
RATIO = 1.3
"""The larger size may take at most this many times the smaller."""
LIMIT_MS = 50.0


@dataclass(frozen=True)
class Timed:
    """An admin dashboard alone at one size: its SQL statements and milliseconds."""

    regions: int
    name: str
    statements: int
    ms: float


def fingerprint() -> str:
    """What the generated data depends on: the generator, the migrations, the packages."""
    digest = hashlib.sha256()
    sources = [ROOT / "bench" / "generate.py"]
    sources += sorted((ROOT / "lms" / "migrations" / "versions").glob("*.py"))
    sources += sorted(p for p in (ROOT / "courses" / "packages").rglob("*") if p.is_file())
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def dataset(regions: int, participants: int, seed: int, env: dict[str, str]) -> str:
    """The database URL of a generated dataset of this size, generated if not there yet."""
    DATASETS.mkdir(parents=True, exist_ok=True)
    path = DATASETS / f"bench-{regions}x{participants}-s{seed}-{fingerprint()}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    child = {**env, "DATABASE_URL": f"sqlite:///{partial}"}
    for args in (
        ("db", "upgrade"),
        ("regions", "load"),
        ("bench", "generate", "--regions", str(regions), "--participants", str(participants),
         "--seed", str(seed)),
    ):  # fmt: skip
        subprocess.run([str(BIN / "lms"), *args], env=child, cwd=ROOT, check=True)  # noqa: S603
    partial.rename(path)  # only a complete dataset is ever reused
    return url


def time_dashboards(url: str, env: dict[str, str]) -> list[tuple[str, int, float]]:
    """(page, statements, ms) of the admin dashboards alone on the database at `url`."""
    found = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.sizes", "--time", url],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return [tuple(row) for row in json.loads(found.stdout.strip().splitlines()[-1])]


def measure(
    sizes: tuple[int, ...], participants: int, seed: int, env: dict[str, str]
) -> list[Timed]:
    timed = []
    for regions in sizes:
        url = dataset(regions, participants, seed, env)
        for name, statements, ms in time_dashboards(url, env):
            timed.append(Timed(regions, name, statements, ms))
    return timed


def is_dashboard(name: str) -> bool:
    return name.startswith("admin ") and name.endswith("dashboard")


def verdict(timed: list[Timed]) -> tuple[str, bool | None]:
    """Target 1's measured figure (markdown) and whether it is met (None: not measured)."""
    sizes = sorted({t.regions for t in timed})
    if len(sizes) < 2:
        return "size contrast not measured", None
    small, large = sizes[0], sizes[-1]
    parts, met = [], True
    for name in sorted({t.name for t in timed if is_dashboard(t.name)}):
        at = {t.regions: t for t in timed if t.name == name}
        if small not in at or large not in at:
            continue
        ratio = at[large].ms / at[small].ms if at[small].ms else float("inf")
        met = met and at[large].ms <= LIMIT_MS and ratio <= RATIO
        parts.append(
            f"`{name}` {at[large].ms:.1f} ms at {large} regions, {at[small].ms:.1f} ms at "
            f"{small} ({ratio:.2f} ×; statements {at[large].statements} and "
            f"{at[small].statements})"
        )
    if not parts:
        return "no admin dashboard answered", None
    return "; ".join(parts), met


def _time_here() -> None:
    """In the child: time the admin pages on DATABASE_URL and print them as JSON."""
    from bench import run

    single = run.single_requests(run._manifest(), roles=("admin",))
    print(
        json.dumps([[name, s.statements, s.ms] for name, s in single.items() if is_dashboard(name)])
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sizes", description=__doc__)
    parser.add_argument("--regions", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time", metavar="URL", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.time:
        _time_here()
        return 0
    from bench.run import _environment

    env = _environment(os.environ.get("DATABASE_URL", ""))
    sizes = tuple(int(n) for n in options.regions.split(",") if n.strip())
    timed = measure(sizes, options.participants, options.seed, env)
    for t in timed:
        print(f"{t.regions:>4} regions  {t.name:40s} {t.statements:>3} statements {t.ms:7.1f} ms")
    text, met = verdict(timed)
    print(text, "—", {None: "not measured", True: "met", False: "not met"}[met])
    return 0


if __name__ == "__main__":
    sys.exit(main())
