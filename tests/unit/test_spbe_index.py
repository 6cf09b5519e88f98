"""The SPBE index of a self-assessment: Σ(weight × level) / Σ(weights given), per domain and
aspect too, rounded half up to two decimals, with the predicate of PermenPANRB 59/2020."""

from __future__ import annotations

import pytest

from lms import spbe
from lms.maturity.services import compute_index, weakest

ALL = [i.number for i in spbe.INDICATORS]


def _aspect(number):
    return [i.number for i in spbe.INDICATORS if i.aspect == number]


def test_the_weights_sum_to_100_and_to_their_domains():
    assert sum(i.weight for i in spbe.INDICATORS) == pytest.approx(100)
    assert len(spbe.INDICATORS) == 47
    for domain in spbe.DOMAINS:
        aspects = [a for a in spbe.ASPECTS if a.domain == domain.number]
        assert sum(a.weight for a in aspects) == pytest.approx(domain.weight)
        for aspect in aspects:
            weights = [i.weight for i in spbe.INDICATORS if i.aspect == aspect.number]
            assert sum(weights) == pytest.approx(aspect.weight)


def test_all_ones_is_1_kurang():
    result = compute_index(dict.fromkeys(ALL, 1))
    assert result.index == 1.0
    assert result.predicate == "Kurang"
    assert result.complete and result.given == 47
    assert set(result.domains.values()) == {1.0}
    assert set(result.aspects.values()) == {1.0} and len(result.aspects) == 8


def test_all_fives_is_5_memuaskan():
    result = compute_index(dict.fromkeys(ALL, 5))
    assert result.index == 5.0
    assert result.predicate == "Memuaskan"
    assert result.complete
    assert result.domains == {1: 5.0, 2: 5.0, 3: 5.0, 4: 5.0}


def test_a_mix_matches_the_hand_computation():
    levels = {}
    levels.update(zip(_aspect(1), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5], strict=True))  # 1.3 × 30 = 39
    levels.update(zip(_aspect(2), [2, 2, 3, 3], strict=True))  # 2.5 × 10 = 25
    levels.update(zip(_aspect(3), [4, 4, 4, 4], strict=True))  # 2.5 × 16 = 40
    levels.update(zip(_aspect(4), [1, 2], strict=True))  # 2.5 × 3 = 7.5
    levels.update(dict.fromkeys(_aspect(5), 3))  # 1.5 × 24 = 36
    levels.update(zip(_aspect(6), [5, 5, 2], strict=True))  # 1.5 × 12 = 18
    levels.update(dict.fromkeys(_aspect(7), 2))  # 2.75 × 20 = 55
    levels.update(zip(_aspect(8), [1, 2, 3, 4, 5, 5], strict=True))  # 3 × 20 = 60
    result = compute_index(levels)
    # (39 + 25 + 40 + 7.5 + 36 + 18 + 55 + 60) / 100 = 2.805, rounded half up
    assert result.index == 2.81
    assert result.predicate == "Baik"
    assert result.complete
    assert result.aspects == {1: 3.0, 2: 2.5, 3: 4.0, 4: 1.5, 5: 3.0, 6: 4.0, 7: 2.0, 8: 3.33}
    # domain 2: 72.5 / 25; domain 3: 54 / 16.5 = 3.2727; domain 4: 115 / 45.5 = 2.5275
    assert result.domains == {1: 3.0, 2: 2.9, 3: 3.27, 4: 2.53}


def test_one_level_per_domain_weighs_the_domains():
    levels = {}
    for domain, level in ((1, 2), (2, 3), (3, 4), (4, 5)):
        for indicator in spbe.INDICATORS:
            if spbe.domain_of(indicator.number).number == domain:
                levels[indicator.number] = level
    # (13 × 2 + 25 × 3 + 16.5 × 4 + 45.5 × 5) / 100 = 3.945
    result = compute_index(levels)
    assert result.index == 3.95
    assert result.predicate == "Sangat Baik"


@pytest.mark.parametrize(
    ("index", "name"),
    [
        (1.0, "Kurang"),
        (1.79, "Kurang"),
        (1.8, "Cukup"),
        (2.59, "Cukup"),
        (2.6, "Baik"),
        (3.49, "Baik"),
        (3.5, "Sangat Baik"),
        (4.19, "Sangat Baik"),
        (4.2, "Memuaskan"),
        (5.0, "Memuaskan"),
    ],
)
def test_predicate_boundaries(index, name):
    assert spbe.predicate(index) == name


@pytest.mark.parametrize(
    ("total", "index", "name"),
    [
        (17, 1.7, "Kurang"),
        (18, 1.8, "Cukup"),
        (25, 2.5, "Cukup"),
        (26, 2.6, "Baik"),
        (34, 3.4, "Baik"),
        (35, 3.5, "Sangat Baik"),
        (41, 4.1, "Sangat Baik"),
        (42, 4.2, "Memuaskan"),
    ],
)
def test_computed_indices_on_the_boundaries_get_the_upper_predicate(total, index, name):
    # Ten indicators of aspect 1 (equal weights 1.3) whose levels add up to `total`.
    levels = dict.fromkeys(_aspect(1), 1)
    extra = total - 10
    for indicator in _aspect(1):
        bump = min(4, extra)
        levels[indicator] += bump
        extra -= bump
    assert sum(levels.values()) == total
    result = compute_index(levels)
    assert result.index == index
    assert result.predicate == name


def test_partial_input_weighs_only_the_indicators_given():
    result = compute_index({1: 5, 32: 1})
    # (1.3 × 5 + 2.75 × 1) / (1.3 + 2.75) = 9.25 / 4.05 = 2.284
    assert result.index == 2.28
    assert result.predicate == "Cukup"
    assert not result.complete and result.given == 2
    assert result.domains == {1: 5.0, 4: 1.0}
    assert result.aspects == {1: 5.0, 7: 1.0}


def test_nothing_given_has_no_index():
    result = compute_index({})
    assert result.index is None and result.predicate is None
    assert result.given == 0 and not result.complete
    assert result.domains == {} and result.aspects == {}


@pytest.mark.parametrize("levels", [{1: 0}, {1: 6}, {1: True}, {1: 2.5}, {48: 3}, {0: 3}])
def test_bad_input_is_refused(levels):
    with pytest.raises(ValueError):
        compute_index(levels)


def test_weakest_are_the_lowest_levels_heaviest_first():
    levels = dict.fromkeys(ALL, 4)
    levels.update({1: 1, 32: 1, 42: 2, 11: 2, 21: 2, 5: 3})
    # equal levels: the heavier indicator first (32: 2.75 before 1: 1.3; 42: 3 > 11: 2.5 > 21: 1.5)
    assert weakest(levels) == [(32, 1), (1, 1), (42, 2), (11, 2), (21, 2)]
    assert weakest({}) == []


def test_predicate_bounds_of_permenpanrb_59_2020():
    """Each lower bound belongs to its predicate; below every bound is still "Kurang"."""
    from lms.spbe import predicate

    cases = [
        (5.0, "Memuaskan"), (4.2, "Memuaskan"), (4.19, "Sangat Baik"), (3.5, "Sangat Baik"),
        (3.49, "Baik"), (2.6, "Baik"), (2.59, "Cukup"), (1.8, "Cukup"), (1.79, "Kurang"),
        (0.0, "Kurang"), (-0.5, "Kurang"),
    ]  # fmt: skip
    assert [(index, predicate(index)) for index, _ in cases] == cases
