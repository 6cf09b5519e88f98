"""`.ci/audit.py`: a known vulnerability fails the build; an unreachable advisory service
is reported as "not performed" and does not (it used to pass silently as "no known
vulnerabilities")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"


def _run(tmp_path: Path, stdout: str, code: int = 0, stderr: str = "") -> tuple[int, str]:
    fake = tmp_path / "pip-audit"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"sys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({code})\n"
    )
    fake.chmod(0o755)
    run = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env={"PIP_AUDIT": str(fake), "PATH": "/usr/bin:/bin"},
    )
    return run.returncode, run.stdout


def test_a_known_vulnerability_fails(tmp_path):
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.0", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.1.2",
                "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
            },
        ],
        "fixes": [],
    }
    code, out = _run(tmp_path, json.dumps(report), code=1)
    assert code == 1 and "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in out


def test_nothing_looked_up_is_not_performed_not_passed(tmp_path):
    report = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}]}
    code, out = _run(tmp_path, json.dumps(report))
    assert code == 0 and "NOT PERFORMED" in out


def test_an_unreachable_service_is_not_performed(tmp_path):
    code, out = _run(tmp_path, "", code=1, stderr="ConnectionError: Failed to resolve")
    assert code == 0 and "NOT PERFORMED" in out and "Failed to resolve" in out


def test_a_clean_audit_passes(tmp_path):
    report = {"dependencies": [{"name": "flask", "version": "3.1.0", "vulns": []}]}
    code, out = _run(tmp_path, json.dumps(report))
    assert code == 0 and "1 packages audited, no known vulnerabilities" in out
