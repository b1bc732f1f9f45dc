"""The calibration's replication counts: enough that the model's own noise is below its targets."""

import numpy as np
import pytest

from sim.calibrate.evaluate import DEFAULT_EVAL_REPS
from sim.calibrate.level import DEFAULT_FINAL_REPS
from sim.calibrate.noise import (
    EVAL_NOISE_PCT,
    FIT_TOTAL_SD_PCT,
    LEVEL_NOISE_PCT,
    MONTH_SD_PCT,
    SEASON_NOISE_PCT,
    replications_for,
)
from sim.calibrate.seasonal import DEFAULT_SEASON_REPS


def test_replications_for_is_the_smallest_count_whose_mean_meets_the_target():
    for sd, target in [(0.99, 0.2), (0.6, 0.12), (0.99, 0.35), (1.0, 0.5), (0.3, 1.0)]:
        n = replications_for(sd, target)
        assert sd / np.sqrt(n) <= target + 1e-12
        assert n == 1 or sd / np.sqrt(n - 1) > target


def test_the_mean_of_that_many_draws_has_that_noise():
    rng = np.random.default_rng(20191001)
    n = replications_for(MONTH_SD_PCT, EVAL_NOISE_PCT)
    means = rng.normal(0.0, MONTH_SD_PCT, size=(20_000, n)).mean(axis=1)
    assert means.std(ddof=1) == pytest.approx(MONTH_SD_PCT / np.sqrt(n), rel=0.03)
    assert means.std(ddof=1) <= EVAL_NOISE_PCT * 1.03


def test_defaults_come_from_the_rule():
    assert DEFAULT_EVAL_REPS == replications_for(MONTH_SD_PCT, EVAL_NOISE_PCT) == 25
    assert DEFAULT_FINAL_REPS == replications_for(FIT_TOTAL_SD_PCT, LEVEL_NOISE_PCT) == 25
    assert DEFAULT_SEASON_REPS == replications_for(MONTH_SD_PCT, SEASON_NOISE_PCT) == 9


def test_bad_targets_are_refused():
    with pytest.raises(ValueError):
        replications_for(1.0, 0.0)
    with pytest.raises(ValueError):
        replications_for(-1.0, 0.5)
