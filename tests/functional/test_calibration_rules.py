"""Issue 14, the rules added to beat the simple forecast: each decided on the fit months only.

* a transfer STP's seasonal profile is the other STPs' mean, its own data left out, moved through
  the fitted STP's seasonal correction;
* the ensemble's implausibility floor is the fit months' replication noise, not 0.3 tolerances;
* the level's final correction on more replications brings the fit-month total within their noise;
* runs spread over worker processes give exactly the runs made in this one.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from sim.calibrate.ensemble import VARIANCE_FLOOR, implausibility, months_scale, variance_floor
from sim.calibrate.forecast import forecast_profile
from sim.calibrate.level import correct_level, elasticity, final_correction, with_rate
from sim.calibrate.observed import month_range, read_appointments, seasonal_profile
from sim.calibrate.runs import parallel_runs, run_many, run_targets, scenario_for
from sim.calibrate.transfer_season import TransferSeason, moved_profile
from tests.calibration_data import DAY_OF_WEEK, REGIONAL, WINDOW
from tests.conftest import scenario, tiny_mapping


@pytest.fixture(scope="module")
def appointments() -> pd.DataFrame:
    return read_appointments(REGIONAL)


def _season(appointments: pd.DataFrame) -> TransferSeason:
    """East London (A3A8R) fitted: its target leaves it out; a made-up correction."""
    target, _ = seasonal_profile(appointments, ["A3A8R"], WINDOW, DAY_OF_WEEK)
    corrected = [v * (1.03 if k == 11 else 0.99) for k, v in enumerate(target)]
    return TransferSeason(appointments, WINDOW, DAY_OF_WEEK, corrected, target)


def test_transfer_profile_leaves_its_own_data_out(appointments):
    """North West London's (W2U3Z) counts changed month by month: its profile does not move."""
    season = _season(appointments)
    own = season.own_target(["W2U3Z"])
    assert own == pytest.approx(forecast_profile(appointments, ["W2U3Z"], WINDOW))  # the forecast's
    profile = season.profile(["W2U3Z"])
    changed = appointments.copy()
    rows = changed["sub_icb_code"] == "W2U3Z"
    factor = 1 + 0.2 * changed.loc[rows, "month"].dt.month / 12
    changed.loc[rows, "count"] = (changed.loc[rows, "count"] * factor).round().astype("int64")
    again = TransferSeason(changed, season.window, season.day_of_week, season.corrected,
                           season.fitted_target)
    assert again.profile(["W2U3Z"]) == profile
    # the fitted STP's data do enter (it is one of the other STPs), unlike in its own target
    fitted = changed["sub_icb_code"] == "A3A8R"
    changed.loc[fitted, "count"] = (changed.loc[fitted, "count"] * (
        1 + 0.2 * changed.loc[fitted, "month"].dt.month / 12)).round().astype("int64")
    moved = TransferSeason(changed, season.window, season.day_of_week, season.corrected,
                           season.fitted_target).profile(["W2U3Z"])
    assert moved != profile


def test_transfer_profile_carries_the_fitted_correction(appointments):
    """request = corrected x own / fitted target, mean 1; own == fitted target gives corrected."""
    season = _season(appointments)
    same = moved_profile(season.corrected, season.fitted_target, season.fitted_target)
    mean = np.mean(season.corrected)
    assert same == pytest.approx([v / mean for v in season.corrected], abs=1e-4)
    own = season.own_target(["72Q"])
    profile = season.profile(["72Q"])
    assert np.mean(profile) == pytest.approx(1.0, abs=1e-3)
    ratio = np.array(profile) / np.array(season.corrected)
    expected = np.array(own) / np.array(season.fitted_target)
    assert ratio / ratio.mean() == pytest.approx(expected / expected.mean(), abs=2e-4)
    with pytest.raises(ValueError, match="12 values"):
        moved_profile([1.0] * 11, [1.0] * 12, [1.0] * 12)


def _trials(d_total: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"distance": d_total, "d_total": d_total})


def test_floor_comes_from_the_replication_noise():
    """With the noise measured, the floor is that noise (however small), not 0.3 tolerances."""
    # implausibility reads only the component's name and its months; one month: no rescaling
    comps = [SimpleNamespace(name="total", observed=pd.DataFrame(index=[0]))]
    assert variance_floor({"total": 0.02}, "total") == 0.02
    assert variance_floor({}, "total") == VARIANCE_FLOOR
    assert variance_floor({"total": 0.0}, "total") == VARIANCE_FLOOR
    # the closest quarter matches almost exactly: the floor decides
    trials = _trials([0.0001] * 4 + [0.05, 0.2, 0.5, 0.9])
    with_noise = implausibility(trials, comps, {"total": 0.02})
    without = implausibility(trials, comps, {})
    assert with_noise.iloc[-1] == pytest.approx(np.sqrt(0.9 / 0.02))
    assert without.iloc[-1] == pytest.approx(np.sqrt(0.9 / VARIANCE_FLOOR))
    assert (with_noise <= 3).sum() < (without <= 3).sum()
    # a structural discrepancy larger than the noise still sets v (the closest quarter's median)
    wide = _trials([0.5] * 4 + [1.0, 2.0, 4.0, 5.0])
    assert implausibility(wide, comps, {"total": 0.02}).iloc[-1] == pytest.approx(np.sqrt(10))


def test_cutoff_is_three_sigma_for_a_mean_over_the_fit_months():
    """A mean of k squared errors: the cut-off keeps what chi-square(k) / k keeps at 99.73%."""
    assert months_scale(1) == pytest.approx(3.0, abs=1e-6)
    assert months_scale(6) == pytest.approx(np.sqrt(chi2.ppf(0.9973002, 6) / 6), rel=1e-5)
    assert months_scale(6) == pytest.approx(1.829, abs=1e-3)
    trials = _trials([0.0001] * 4 + [0.05, 0.2, 0.5, 0.9])
    one = [SimpleNamespace(name="total", observed=pd.DataFrame(index=[0]))]
    six = [SimpleNamespace(name="total", observed=pd.DataFrame(index=range(6)))]
    ratio = implausibility(trials, six, {"total": 0.02}) / implausibility(trials, one, {"total": 0.02})
    assert ratio.to_numpy() == pytest.approx(3 / months_scale(6))
    # simulated: at the truth, 6 months of standard normal errors pass 99.7% of the time
    z = np.random.default_rng(7).standard_normal((20000, 6))
    ok = np.sqrt((z**2).mean(axis=1)) * 3 / months_scale(6) <= 3
    assert ok.mean() == pytest.approx(0.9973, abs=0.002)


def test_final_correction_arithmetic():
    assert final_correction(0.7, 1.02, 1.0) == pytest.approx(0.7 / 1.02)
    assert final_correction(0.7, 1.02, 0.5) == pytest.approx(0.7 / 1.02**2)
    assert final_correction(1.59, 0.5, 1.0) == 1.6  # the parameter's range
    assert elasticity([(1.0, 100.0), (1.01, 101.0)]) == 1.0  # too close: proportional
    assert elasticity([(1.0, 100.0), (0.7, 100.0 * 0.7**0.8)]) == pytest.approx(0.8)
    assert elasticity([(1.0, 100.0), (0.7, 100.0)]) == 0.5  # flat: bounded


def test_final_level_correction_matches_the_fit_months_within_noise():
    """Observed: the model at rate 0.7 (8 replications); the correction starts 6% off, at 0.742.

    After one correction on 8 fresh replications the fit-month total on 8 more replications, never
    used by either, is within 3 standard errors of the observed one (their combined noise).
    """
    months = month_range("2025-04:2025-05")
    base = scenario(tiny_mapping(list_sizes=(5000, 5000), gps=(3, 3), nurses=(2, 2))).model_dump(
        mode="json")

    def totals(rate: float, reps: range) -> np.ndarray:
        sc = scenario_for(with_rate(base, rate), months)
        runs = [run_targets(sc, r, months) for r in reps]
        return np.array([t.loc[t["target"] == "attended_per_1000", "value"].sum() for t in runs])

    truth = totals(0.7, range(7, 15))
    per_month = {}
    sc = scenario_for(with_rate(base, 0.7), months)
    for t in (run_targets(sc, r, months) for r in range(7, 15)):
        for m, v in t.loc[t["target"] == "attended_per_1000", ["month", "value"]].itertuples(
                index=False):
            per_month.setdefault(pd.Timestamp(m), []).append(v)
    observed = {m: float(np.mean(v)) for m, v in per_month.items()}
    start = totals(0.742, range(900, 908))
    fit = correct_level(with_rate(base, 0.742), observed, months, reps=8)
    assert fit.steps[0]["final_reps"] == 8.0 and fit.rate < 0.742
    after = totals(fit.rate, range(900, 908))
    se = np.sqrt(truth.var(ddof=1) / 8 + after.var(ddof=1) / 8)
    assert abs(after.mean() - truth.mean()) <= 3 * se
    assert abs(after.mean() - truth.mean()) < abs(start.mean() - truth.mean())


def test_runs_in_worker_processes_equal_runs_in_this_one():
    months = month_range("2025-04:2025-04")
    sc = scenario_for(scenario(tiny_mapping()).model_dump(mode="json"), months)
    serial = run_many([(sc, 3), (sc, 4)], months)
    with parallel_runs(2):
        pooled = run_many([(sc, 3), (sc, 4)], months)
    for a, b in zip(serial, pooled, strict=True):
        pd.testing.assert_frame_equal(a, b)
