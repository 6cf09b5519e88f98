"""The hashed locks (`requirements/*.lock`, `make lock`) agree with pyproject.toml.

`make install` installs requirements/dev.lock with `--require-hashes`, so a dependency added
to pyproject.toml without re-running `make lock` would be missing from every fresh install.
These checks fail then: every requirement of pyproject (runtime, dev, the build backend, the
packages its extras such as `psycopg[binary]` pull in) is pinned in the lock to a version it
accepts, every pin carries a SHA-256, and the runtime lock holds the dev lock's versions.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s+--hash=\S+)*)", re.M)


def _lock(name: str) -> dict[str, tuple[str, list[str]]]:
    text = (ROOT / "requirements" / name).read_text()
    return {
        canonicalize_name(m.group(1)): (m.group(2), re.findall(r"--hash=(\S+)", m.group(3)))
        for m in PIN.finditer(text)
    }


RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]
BUILD = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]


def _missing(requirements: list[Requirement], lock: dict) -> list[str]:
    problems = []
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate():
            continue
        pinned = lock.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req} is not in the lock")
        elif not req.specifier.contains(pinned[0], prereleases=True):
            problems.append(f"{req} does not accept the locked {pinned[0]}")
    return problems


def _extras_requirements(requirements: list[Requirement]) -> list[Requirement]:
    """What `name[extra]` adds, read from the installed package's metadata."""
    found = []
    for req in requirements:
        for extra in req.extras:
            for line in metadata.requires(req.name) or []:
                sub = Requirement(line)
                if sub.marker is not None and sub.marker.evaluate({"extra": extra}):
                    sub.marker = None  # evaluated here, with the extra
                    found.append(sub)
    return found


def test_every_runtime_dependency_is_pinned_in_both_locks():
    for name in ("runtime.lock", "dev.lock"):
        lock = _lock(name)
        wanted = RUNTIME + BUILD + _extras_requirements(RUNTIME)
        assert _missing(wanted, lock) == [], f"run `make lock` ({name})"


def test_every_dev_dependency_is_pinned_in_the_dev_lock():
    lock = _lock("dev.lock")
    assert _missing(DEV + _extras_requirements(DEV), lock) == [], "run `make lock`"


def test_every_pin_has_a_sha256_hash():
    for name in ("runtime.lock", "dev.lock"):
        for package, (version, hashes) in _lock(name).items():
            assert hashes, f"{package}=={version} in {name} has no hash"
            assert all(h.startswith("sha256:") and len(h) == 7 + 64 for h in hashes)


def test_the_runtime_lock_holds_the_dev_locks_versions():
    dev = _lock("dev.lock")
    runtime = _lock("runtime.lock")
    assert {p: v for p, (v, _) in runtime.items() if dev[p][0] != v} == {}
    assert set(runtime) <= set(dev)


def test_make_install_installs_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/dev.lock" in makefile
    assert "--no-deps" in makefile  # the project itself adds nothing unlocked
