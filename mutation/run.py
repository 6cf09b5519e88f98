"""Mutation testing of the rule modules with mutmut, and the report.

    .venv/bin/python -m mutation.run                       # every group (long: see README)
    .venv/bin/python -m mutation.run question-types policy # some groups
    .venv/bin/python -m mutation.run --changed             # groups whose files differ from main
    .venv/bin/python -m mutation.run --sample 30 --seconds 240 --no-threshold   # CI sample

mutmut copies the code to mutants/, turns each function of the modules named in
[tool.mutmut] only_mutate (pyproject.toml) into a trampoline holding all its mutants, runs the
test selection once to learn which tests reach which function, then runs each mutant against
those tests only. A group is a set of mutant-name patterns: the *rule* functions of a module
(grading, settings checks, scores, scopes), not the HTML drawing.

The report (docs/mutation-report.md, or --report PATH) lists per group the mutants killed,
survived, timed out and not reached, and every survivor with its diff; survivors accepted as
equivalent (mutation/accepted.toml, with the reason) are listed apart. The threshold: at least
90 % of the non-equivalent mutants of each group killed; exit status 1 below it.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import random
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = [sys.executable, "-m", "mutmut"]
THRESHOLD = 90.0
MAX_DIFFS = 60
"""Above this many survivors in a group the report lists names only (a diff costs a second)."""

# Group name -> (files, mutant-name patterns). Methods are named module.xǁClassǁmethod__mutmut_N,
# functions module.x_function__mutmut_N.
RULES = ("grade", "validate_config", "right_answer", "parse_response")
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "question-types": (
        ("quizzes/types/",),
        tuple(f"quizzes.types.*ǁ{method}__mutmut_*" for method in RULES)
        + (
            "quizzes.types._common.x_clamp__*",
            "quizzes.types._common.x_normalise_*",
            "quizzes.types._common.x_wildcard_pattern__*",
            "quizzes.types._common.x_index_of__*",
            "quizzes.types._common.x_is_int__*",
            "quizzes.types._common.x_is_number__*",
            "quizzes.types.short_answer.x_best__*",
            "quizzes.types.multiple_response.x__ticked__*",
            "quizzes.types.matching.x__chosen__*",
            "quizzes.types.numeric.x_*",
        ),
    ),
    "quiz-analysis": (("quizzes/analysis.py",), ("quizzes.analysis.*",)),
    "assignments": (
        ("assignments/activity.py",),
        (
            "assignments.activity.x_*",
            "assignments.activity.xǁCriterionǁ*",
            "assignments.activity.xǁAssignmentSettingsǁ*",
        ),
    ),
    "tracking": (
        (
            "lms/tracking/services.py",
            "courses/grades.py",
            "assignments/plugin.py",
            "quizzes/plugin.py",
        ),
        (
            "lms.tracking.services.*",
            "courses.grades.*",
            "assignments.plugin.*ǁresult_query__*",
            "assignments.plugin.*ǁrisks__*",
            "quizzes.plugin.*ǁrisks__*",
        ),
    ),
    # lms.spbe._indicators builds the module-level indicator table at import, before mutmut
    # switches a mutant on, so no test can see its mutants: mutation/listed.py weakens the
    # table itself instead (weights, names).
    "spbe": (
        ("lms/spbe.py", "lms/maturity/services.py"),
        ("lms.spbe.x_predicate__*", "lms.spbe.x_domain_of__*", "lms.maturity.services.*"),
    ),
    "policy": (("lms/policy.py",), ("lms.policy.*",)),
}
KILLED = {"killed"}
COUNTED = {"killed", "survived", "timeout", "no tests", "suspicious", "segfault"}


@dataclass
class GroupResult:
    name: str
    statuses: dict[str, str] = field(default_factory=dict)

    def of(self, *states: str) -> list[str]:
        return sorted(k for k, v in self.statuses.items() if v in states)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _mutmut(*args: str, capture: bool = True) -> str:
    command = ["nice", "-n", "10", *MUTMUT, *args] if os.name == "posix" else [*MUTMUT, *args]
    result = subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
        command, cwd=ROOT, capture_output=capture, text=True, check=False
    )
    return result.stdout if capture else ""


def statuses() -> dict[str, str]:
    found = {}
    for line in _mutmut("results", "--all", "true").splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def accepted() -> dict[str, str]:
    path = ROOT / "mutation" / "accepted.toml"
    if not path.exists():
        return {}
    return {k: v["reason"] for k, v in tomllib.loads(path.read_text("utf-8")).items()}


def changed_groups() -> list[str]:
    diff = subprocess.run(  # noqa: S603
        ["git", "diff", "--name-only", "main...HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return [
        name
        for name, (files, _p) in GROUPS.items()
        if any(f.startswith(prefix) for f in diff for prefix in files)
    ]


def diff_of(mutant: str) -> str:
    lines = _mutmut("show", mutant).splitlines()
    return "\n".join(ln for ln in lines if ln[:1] in "+-" and not ln.startswith(("+++", "---")))


def report(results: list[GroupResult], equivalents: dict[str, str], path: Path, note: str) -> bool:
    ok = True
    out = [
        "# Mutation testing report",
        "",
        "Written by `make mutation` (mutation/run.py, mutmut). Score = killed / (mutants − "
        f"accepted equivalents); threshold {THRESHOLD:.0f} % per group. {note}",
        "",
        "| group | mutants | killed | survived | timeout | not reached | equivalent | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    sections = []
    for group in results:
        counted = {k: v for k, v in group.statuses.items() if v in COUNTED}
        equivalent = [k for k in counted if k in equivalents and counted[k] != "killed"]
        killed = len(group.of(*KILLED))
        survivors = [
            k for k in group.of("survived", "no tests", "suspicious") if k not in equivalents
        ]
        base = len(counted) - len(equivalent)
        timeouts = len(group.of("timeout"))
        # A timeout is a mutant that made the tests loop: it counts as detected.
        score = 100.0 * (killed + timeouts) / base if base else 100.0
        not_run = len(group.of("not checked"))
        passed = score >= THRESHOLD and not not_run
        ok = ok and passed
        shown = f"{score:.1f} %{'' if passed else ' ✗'}" if counted else "not run"
        if counted and not_run:
            shown += f" ({not_run} not run)"
        out.append(
            f"| {group.name} | {len(counted)} | {killed} | {len(group.of('survived'))} | "
            f"{timeouts} | {len(group.of('no tests'))} | {len(equivalent)} | {shown} |"
        )
        if survivors or equivalent:
            sections.append(f"\n## {group.name}\n")
        if survivors:
            sections.append("Surviving mutants (a test should kill each):\n")
            for name in survivors:
                if len(survivors) > MAX_DIFFS:  # `mutmut show NAME` shows the change
                    sections.append(f"- `{name}` ({group.statuses[name]})")
                else:
                    diff = diff_of(name)
                    sections.append(f"- `{name}` ({group.statuses[name]})\n\n```diff\n{diff}\n```")
        if equivalent:
            sections.append("\nAccepted survivors (equivalent mutants):\n")
            for name in sorted(equivalent):
                sections.append(f"- `{name}`: {equivalents[name]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out + sections) + "\n", encoding="utf-8")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("groups", nargs="*", help=f"of: {', '.join(GROUPS)}")
    parser.add_argument("--changed", action="store_true", help="the groups whose files changed")
    parser.add_argument("--sample", type=int, default=0, help="run only N random mutants")
    parser.add_argument("--seconds", type=int, default=0, help="stop mutmut after this long")
    parser.add_argument("--report", default="docs/mutation-report.md")
    parser.add_argument("--no-threshold", action="store_true")
    parser.add_argument("--report-only", action="store_true", help="report the last run")
    parser.add_argument(
        "--survivors", action="store_true", help="rerun only the last run's survivors"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("MUTATION_JOBS", "1")),
        help="mutmut's --max-children (default 1, or MUTATION_JOBS: the machine is shared)",
    )
    parser.add_argument(
        "--ci",
        action="store_true",
        help="CI: a sample of 20 mutants of the changed groups (else of all), no threshold",
    )
    args = parser.parse_args(argv)
    if args.ci:
        args.changed = True
        args.sample = args.sample or 20
        args.no_threshold = True
    names = changed_groups() if args.changed else (args.groups or list(GROUPS))
    if args.ci and not names:
        names = list(GROUPS)
    unknown = set(names) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    if not names:
        print("No rule module changed: nothing to mutate.")
        return 0
    patterns = tuple(p for n in names for p in GROUPS[n][1])
    started = time.monotonic()
    if not args.report_only:
        selected: list[str] = list(patterns)
        if args.survivors:
            selected = [
                k
                for k, v in statuses().items()
                if _matches(k, patterns) and v in ("survived", "no tests", "not checked")
            ]
        if args.sample:
            # Generate the mutants first (a run of nothing), then pick a sample of names.
            _mutmut("run", "nothing.matches.this")
            every = [k for k in statuses() if _matches(k, patterns)]
            selected = random.Random(os.environ.get("MUTATION_SEED", "18")).sample(
                every, min(args.sample, len(every))
            )
        if not selected:
            print("No mutant to run.")
            selected = ["nothing.matches.this"]
        command = ["nice", "-n", "10", *MUTMUT, "run", "--max-children", str(args.jobs), *selected]
        left = args.seconds - (time.monotonic() - started) if args.seconds else None
        try:
            subprocess.run(  # noqa: S603
                command,
                cwd=ROOT,
                check=False,
                timeout=max(left, 10) if left is not None else None,
                stdout=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            print(f"mutmut stopped after {args.seconds} s (time box); reporting what ran")
        if args.sample:
            patterns = tuple(selected)
    every = statuses()
    results = [
        GroupResult(
            n,
            {k: v for k, v in every.items() if _matches(k, GROUPS[n][1]) and _matches(k, patterns)},
        )
        for n in names
    ]
    minutes = (time.monotonic() - started) / 60
    note = f"Groups: {', '.join(names)}; {minutes:.0f} min on this machine."
    if args.sample:
        note += (
            f" A sample of {args.sample} mutants (seed {os.environ.get('MUTATION_SEED', '18')})."
        )
    ok = report(results, accepted(), ROOT / args.report, note)
    print((ROOT / args.report).read_text("utf-8").split("\n## ", 1)[0])
    if args.no_threshold:
        return 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
