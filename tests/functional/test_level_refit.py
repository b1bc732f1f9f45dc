"""Issue 14 items 1-2: a transfer STP's own level, and a predictive interval blind to held-out months.

The level refit recovers a known ``rate_multiplier`` from data simulated by the model itself (on
replications the refit never runs); the out-of-sample discrepancy and the interval it widens do not
move when the predicted area's observed months change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import stdtrit

from sim.calibrate.ensemble import predictive_intervals
from sim.calibrate.level import (
    DEFAULT_FINAL_REPS,
    LEVEL_FIRST_REP,
    refit_level,
    scale_members,
    with_rate,
)
from sim.calibrate.observed import month_range, read_appointments
from sim.calibrate.outofsample import combined_sd, loo_discrepancy
from sim.calibrate.parameters import apply_parameters
from sim.calibrate.runs import run_targets, scenario_for
from tests.calibration_data import REGIONAL, WINDOW
from tests.conftest import scenario, tiny_mapping

FIT = month_range("2019-04:2019-09")
HOLDOUT = month_range("2019-10:2020-02")


def _rates(mapping: dict, months: list[pd.Timestamp], reps: tuple[int, ...]) -> dict:
    """Mean attended appointments per 1,000 by month over ``reps``."""
    runs = [run_targets(scenario_for(mapping, months), r, months) for r in reps]
    both = pd.concat(runs)
    both = both.loc[both["target"] == "attended_per_1000"]
    return both.groupby("month")["value"].mean().to_dict()


def test_level_refit_recovers_a_known_level_and_keeps_every_other_field():
    """Observed from the model at rate 0.7 (replications 7-10); the refit starts at 1.0.

    The tiny area's replications differ by about 5%, so both sides use four of them.
    """
    truth = 0.7
    months = month_range("2025-04:2025-05")
    base = scenario(tiny_mapping(list_sizes=(5000, 5000), gps=(3, 3), nurses=(2, 2))).model_dump(
        mode="json")
    assert base["demand"]["rate_multiplier"] == 1.0
    observed = _rates(apply_parameters(base, {"rate_multiplier": truth}), months, (7, 8, 9, 10))
    assert not {7, 8, 9, 10} & set(range(LEVEL_FIRST_REP,
                                             LEVEL_FIRST_REP + 16 + DEFAULT_FINAL_REPS))
    fit = refit_level(base, observed, months, reps=4, steps=3)
    assert fit.rate == pytest.approx(truth, rel=0.04)
    assert 3 <= len(fit.steps) <= 5  # the steps, then the final correction (25 replications)
    assert fit.steps[-1]["final_reps"] == DEFAULT_FINAL_REPS
    # the first step is the ratio step: attended nearly proportional to the rate off capacity
    assert fit.steps[0]["rate_multiplier"] == 1.0
    assert fit.steps[0]["simulated_over_observed"] > 1.2
    assert abs(fit.steps[-1]["simulated_over_observed"] - 1) < 0.06
    refitted = with_rate(base, fit.rate)
    assert refitted["demand"].pop("rate_multiplier") == fit.rate
    base["demand"].pop("rate_multiplier")
    assert refitted == base  # nothing else changed
    # held-out months are never needed; a fit month without an observation is refused
    with pytest.raises(ValueError, match="2025-05"):
        refit_level(base, {months[0]: 1.0}, months)


def test_scale_members_scales_only_the_rates_members_set():
    members = [{"weight": 1.0, "overrides": {"demand": {"rate_multiplier": 0.7}}},
               {"weight": 1.0, "overrides": {"booking": {"dna_same_day": 0.02}}}]
    scaled = scale_members(members, 0.9)
    assert scaled[0]["overrides"]["demand"]["rate_multiplier"] == pytest.approx(0.63)
    assert scaled[1] == members[1]
    assert members[0]["overrides"]["demand"]["rate_multiplier"] == 0.7  # input untouched


@pytest.fixture(scope="module")
def appointments() -> pd.DataFrame:
    return read_appointments(REGIONAL)


def test_out_of_sample_discrepancy_never_reads_the_predicted_area(appointments):
    """East London's (A3A8R) counts changed in every month: the discrepancy is unchanged."""
    md = loo_discrepancy(appointments, ["A3A8R"], FIT, HOLDOUT, WINDOW)
    assert set(md.errors["area"]) == {"72Q", "93C", "W2U3Z"} and len(md.errors) == 15
    assert 0.002 < md.relative_sd < 0.05
    changed = appointments.copy()
    own = changed["sub_icb_code"] == "A3A8R"
    changed.loc[own, "count"] = (changed.loc[own, "count"] * np.where(
        changed.loc[own, "month"].isin(HOLDOUT), 1.3, 0.8)).round().astype("int64")
    again = loo_discrepancy(changed, ["A3A8R"], FIT, HOLDOUT, WINDOW)
    assert again.relative_sd == md.relative_sd
    pd.testing.assert_frame_equal(again.errors, md.errors)
    # another area's held-out month does move it (it is what is measured)
    other = changed["sub_icb_code"] == "72Q"
    at = other & (changed["month"] == HOLDOUT[0])
    changed.loc[at, "count"] = (changed.loc[at, "count"] * 1.1).round().astype("int64")
    assert loo_discrepancy(changed, ["A3A8R"], FIT, HOLDOUT, WINDOW).relative_sd != md.relative_sd


def test_out_of_sample_discrepancy_needs_two_other_areas(appointments):
    keep = appointments["sub_icb_code"].isin(["A3A8R", "72Q"])
    md = loo_discrepancy(appointments.loc[keep], ["A3A8R"], FIT, HOLDOUT, WINDOW)
    assert md.relative_sd == 0.0 and "fewer than two" in md.note


def test_predictive_interval_is_the_runs_mean_plus_scaled_discrepancy():
    """No observed value enters: t x sqrt(s^2 (1 + 1/n) + (d x mean)^2) around the runs' mean."""
    rng = np.random.default_rng(14)
    values = rng.normal(300.0, 3.0, 8)
    runs = pd.DataFrame({"month": "2019-10", "replication": range(8), "value": values})
    d = combined_sd(0.015, 0.005)
    assert d == pytest.approx(np.hypot(0.015, 0.005))
    out = predictive_intervals(runs, d).iloc[0]
    mean, n = values.mean(), len(values)
    half = stdtrit(n - 1, 0.95) * np.sqrt(values.var(ddof=1) * (1 + 1 / n) + (d * mean) ** 2)
    assert out["pred_lower"] == pytest.approx(mean - half)
    assert out["pred_upper"] == pytest.approx(mean + half)
    assert out["sim_lower"] > out["pred_lower"] and out["sim_upper"] < out["pred_upper"]
