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


def test_target_1_compares_the_admin_dashboards_at_two_sizes():
    from bench.sizes import Timed, verdict

    def timed(large_ms, small_ms=10.0, name="admin /admin/dashboard"):
        return [Timed(20, name, 12, small_ms), Timed(514, name, 12, large_ms)]

    text, met = verdict(timed(12.9))  # 1.29 × and under 50 ms
    assert met is True and "12.9 ms at 514 regions, 10.0 ms at 20 (1.29 ×" in text
    assert verdict(timed(13.1))[1] is False  # 1.31 ×: grows with the data
    assert verdict(timed(51.0, 50.0))[1] is False  # size-independent but over 50 ms
    both = timed(12.0) + timed(30.0, name="admin /regions/<code>/dashboard")
    assert verdict(both)[1] is False  # every dashboard must pass
    assert verdict([Timed(514, "admin /admin/dashboard", 12, 9.0)]) == (
        "size contrast not measured",
        None,
    )
    assert verdict(timed(5.0, name="admin /users/"))[1] is None  # not a dashboard
