"""The load-step rules of `make bench` (bench/run.py): which step is within issue 14's limits."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.run import Figures, Step, _seconds


def _step(participant_ms: int, dashboard_ms: int, failures: int = 0) -> Step:
    return Step(
        10,
        {
            "participant /home": Figures(20, failures, Counter({participant_ms: 20}), 10.0),
            "mentor /cohorts/<cohort>/dashboard": Figures(5, 0, Counter({dashboard_ms: 5}), 10.0),
            "mentor /grading/": Figures(5, 0, Counter({900: 5}), 10.0),
            "login (POST)": Figures(10, 0, Counter({2000: 10}), 10.0),
        },
        0,
    )


@pytest.mark.parametrize(
    ("participant_ms", "dashboard_ms", "failures", "within"),
    [
        (100, 150, 0, True),  # the limits themselves pass; other pages and logins do not count
        (101, 150, 0, False),
        (100, 151, 0, False),
        (50, 50, 1, False),  # a failed request fails the step
    ],
)
def test_a_step_is_within_the_limits_only_below_both_p95s(
    participant_ms, dashboard_ms, failures, within
):
    step = _step(participant_ms, dashboard_ms, failures)
    assert step.within is within
    assert step.pages.requests == 30 and step.pages.rate == pytest.approx(3.0)


def test_step_times_in_locust_notation():
    assert [_seconds(t) for t in ("15s", "2m", "90", "1h")] == [15, 120, 90, 3600]
