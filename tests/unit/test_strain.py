"""A practice's strain combines overtime, burnout and turnover, and each lowers an advert's fill probability (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.workforce import Turnover
from sim.model.strain import (
    StrainParts,
    combined,
    overtime_part,
    strained_fill_probability,
    turnover_part,
)

CFG = Turnover()
CALM = StrainParts(overtime=0.0, burnout=0.0, turnover=0.0)


@pytest.mark.parametrize("part", ["overtime", "burnout", "turnover"])
def test_each_part_of_strain_lowers_the_fill_probability(part):
    strained = StrainParts(**{**CALM.__dict__, part: 0.6})
    assert strained_fill_probability(CFG, 0.8, CALM) == pytest.approx(0.8)
    assert strained_fill_probability(CFG, 0.8, strained) < 0.8


def test_full_strain_takes_the_sensitivity_off_the_fill_probability():
    full = StrainParts(overtime=1.0, burnout=1.0, turnover=1.0)
    assert combined(CFG, full) == pytest.approx(1.0)
    assert strained_fill_probability(CFG, 0.8, full) == pytest.approx(0.8 * (1 - CFG.strain_sensitivity))


def test_overtime_counts_only_above_the_usual_and_relative_to_contracted_hours():
    assert overtime_part(CFG, [-3.0, 1.0]) == 0.0  # on average below the usual: no strain
    # 3.75 hours per FTE-week above the usual is 10% of contracted hours: half the full level (20%)
    assert overtime_part(CFG, [3.75, 3.75]) == pytest.approx(0.5)
    assert overtime_part(CFG, [40.0]) == 1.0


def test_turnover_counts_leavers_above_the_expected_rate_and_the_months_before_the_start_at_it():
    # at the start the whole year holds Poisson leavers at the expected rate (see the test below)
    assert turnover_part(CFG, [], 0, posts=10, expected_rate=0.12) > 0.0
    # a year in: 3 leavers from 10 posts against 12% expected is 0.18 over, above the full level (0.14)
    assert turnover_part(CFG, [400, 500, 600], 700, posts=10, expected_rate=0.12) == 1.0
    assert 0 < turnover_part(CFG, [400, 500], 700, posts=10, expected_rate=0.12) < 1  # 0.08 over
    assert turnover_part(CFG, [10, 20], 700, posts=10, expected_rate=0.12) == 0.0  # left more than a year ago


def test_at_the_start_the_turnover_part_is_its_steady_level_over_poisson_leavers():
    # a steady practice's leavers in a year are Poisson at the expected rate and only the excess counts,
    # so its mean turnover part is above 0; the start is that mean, not 0 (which seeded too few vacancies)
    rng = np.random.default_rng(11)
    posts, rate = 25, 0.139
    leavers = rng.poisson(posts * rate, 200_000)
    steady = np.minimum(1.0, np.maximum(0.0, leavers / posts - rate) / CFG.strain_turnover_full)
    at_start = turnover_part(CFG, [], 0, posts=posts, expected_rate=rate)
    assert abs(at_start - steady.mean()) < 4 * steady.std() / np.sqrt(len(steady))
    assert at_start > 0.15
    # half a year in, the realised half counts as it is and the half before the start is still Poisson
    half = rng.poisson(posts * rate / 2, 200_000)
    mixed = np.minimum(1.0, np.maximum(0.0, (3 + half) / posts - rate) / CFG.strain_turnover_full)
    got = turnover_part(CFG, [10, 20, 30], 365 // 2 + 1, posts=posts, expected_rate=rate)
    assert abs(got - mixed.mean()) < 0.01
