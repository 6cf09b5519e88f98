"""Apply each weakening listed in issue 18 by hand-written text replacement, run the tests
of its area, and check that they fail; the source is always restored.

    .venv/bin/python -m mutation.check_listed            # every listed weakening
    .venv/bin/python -m mutation.check_listed tf-right   # those whose id starts so

Exit status 1 if any weakening goes unnoticed (or no longer applies: the rule moved, so
update its entry). The list is in `mutation/listed.py`.

It edits the source files in place (and puts them back): do not run the suite from the same
work tree meanwhile, it may import a weakened module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from mutation.listed import LISTED

ROOT = Path(__file__).resolve().parents[1]


def run(ids: list[str]) -> int:
    chosen = [m for m in LISTED if not ids or any(m.id.startswith(i) for i in ids)]
    unnoticed = []
    for mutant in chosen:
        path = ROOT / mutant.path
        original = path.read_text(encoding="utf-8")
        if original.count(mutant.old) != 1:
            print(f"STALE   {mutant.id}: the text to change is not found once in {mutant.path}")
            unnoticed.append(mutant.id)
            continue
        started = time.monotonic()
        try:
            path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
            result = subprocess.run(  # noqa: S603 (our own interpreter and test paths)
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "-p",
                    "no:randomly",
                    *mutant.tests,
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
        finally:
            path.write_text(original, encoding="utf-8")
        seconds = time.monotonic() - started
        if result.returncode == 1:
            failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
            print(f"killed  {mutant.id} ({seconds:.0f} s): {failed[0][7:] if failed else ''}")
        else:
            print(f"SURVIVED {mutant.id} (pytest exit {result.returncode}): {mutant.what}")
            unnoticed.append(mutant.id)
    print(f"{len(chosen) - len(unnoticed)} of {len(chosen)} listed weakenings fail the tests")
    return 1 if unnoticed else 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
