"""Supply-chain check for CI: pip-audit over the hashed lock (requirements/dev.lock).

Fails (exit 1) when a package has a known vulnerability. When the advisory service cannot
be reached, pip-audit either crashes (OSV: no DNS) or, with the PyPI service behind a
mirror that has no JSON API, quietly reports "No known vulnerabilities found" while
skipping every package. Both mean nothing was audited: this script says so plainly and
exits 0, so an offline build is not blocked but is never mistaken for an audited one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


# By default the lock `make install` installs from: every pinned version, hashes required,
# no resolver run (pip-audit reads the pins as they are).
LOCK_ARGS = ["-r", str(Path(__file__).resolve().parents[1] / "requirements" / "dev.lock"),
             "--require-hashes", "--disable-pip"]  # fmt: skip


def main() -> int:
    command = [
        os.environ.get("PIP_AUDIT", str(BIN / "pip-audit")),
        "--progress-spinner",
        "off",
        "--format",
        "json",
        *(sys.argv[1:] or LOCK_ARGS),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: NOT PERFORMED, the advisory service could not be reached ({last}).")
        return 0
    audited = [d for d in report["dependencies"] if "skip_reason" not in d]
    skipped = [d for d in report["dependencies"] if "skip_reason" in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        print(
            f"pip-audit: {len(vulnerable)} of {len(audited)} packages have known vulnerabilities."
        )
        return 1
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no packages"
        print(
            f"pip-audit: NOT PERFORMED, none of {len(skipped)} packages could be looked up "
            f"(the advisory service is unreachable from here; first reason: {reason})."
        )
        return 0
    note = f", {len(skipped)} could not be looked up" if skipped else ""
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities{note}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
