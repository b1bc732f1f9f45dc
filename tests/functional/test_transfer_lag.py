"""Issue 14, second round: each transfer STP's own booking lag, the correction's replications, and
the targets read off the ledger's category codes. Each rule was decided on the fit months only.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibrate import fit as fit_module
from sim.calibrate import transfer as transfer_module
from sim.calibrate import transfer_season as season_module
from sim.calibrate.fit import fit
from sim.calibrate.level import LEVEL_FIRST_REP, LevelFit
from sim.calibrate.observed import month_range, read_appointments, seasonal_profile
from sim.calibrate.parameters import apply_parameters, parameters_by_name
from sim.calibrate.runs import run_targets, scenario_for
from sim.calibrate.simulated import simulated_targets
from sim.calibrate.targets import default_components
from sim.calibrate.transfer_season import TransferSeason, own_lag_profile
from sim.experiments.runner import build_model
from sim.results.tables import ledger_frame
from tests.calibration_data import DAY_OF_WEEK, REGIONAL, WINDOW
from tests.conftest import scenario, tiny_mapping


@pytest.fixture(scope="module")
def season() -> TransferSeason:
    """East London (A3A8R) fitted: its target leaves it out; a made-up correction."""
    appointments = read_appointments(REGIONAL)
    target, _ = seasonal_profile(appointments, ["A3A8R"], WINDOW, DAY_OF_WEEK)
    corrected = [v * (1.03 if k == 11 else 0.99) for k, v in enumerate(target)]
    return TransferSeason(appointments, WINDOW, DAY_OF_WEEK, corrected, target)


def test_targets_from_category_codes_equal_targets_from_strings():
    """The ledger's labels compared as category codes give exactly the string comparison's targets."""
    sc = scenario(tiny_mapping(days=45))
    model = build_model(sc, 2)
    model.run()
    ledger = ledger_frame(model)
    as_strings = ledger.assign(**{c: ledger[c].astype(object).where(ledger[c].notna(), None)
                                  for c in ("state", "role", "mode")})
    assert not isinstance(as_strings["state"].dtype, pd.CategoricalDtype)
    months = month_range("2025-01:2025-02")
    for wanted in (months, None):
        pd.testing.assert_frame_equal(simulated_targets(ledger, sc, wanted),
                                      simulated_targets(as_strings, sc, wanted))


def test_own_lag_profile_runs_the_correction_on_the_stp_towards_its_own_target(season,
                                                                               monkeypatch):
    """Steps chain from the moved profile towards the STP's leave-own-out target, ``reps`` each."""
    calls = []

    def fake(mapping, target, window, *, reps):
        profile = list(mapping["demand"]["monthly_seasonality"])
        calls.append((profile, list(target), list(window), reps))
        new = [round(v * (1.02 if k == 0 else 1.0), 4) for k, v in enumerate(profile)]
        return new, pd.DataFrame({"month": ["2019-03"], "new": [new[2]]})

    monkeypatch.setattr(season_module, "correct_seasonality", fake)
    start = season.profile(["W2U3Z"])
    mapping = {"demand": {"monthly_seasonality": start, "rate_multiplier": 0.7}}
    profile, table = own_lag_profile(mapping, season, ["W2U3Z"], 2, reps=5)
    assert len(calls) == 2
    assert calls[0][0] == start and calls[1][0] == profile_after(start, 1)
    assert all(c[1] == season.own_target(["W2U3Z"]) for c in calls)  # never the fitted STP's
    assert all(c[2] == list(season.window) and c[3] == 5 for c in calls)
    assert profile == profile_after(start, 2)
    assert list(table["step"]) == [1, 2]
    assert mapping["demand"]["monthly_seasonality"] == start  # the input is not changed


def profile_after(start: list[float], steps: int) -> list[float]:
    """The fake correction's result after ``steps`` steps: January up 2% each."""
    out = list(start)
    for _ in range(steps):
        out = [round(v * (1.02 if k == 0 else 1.0), 4) for k, v in enumerate(out)]
    return out


def test_own_lag_sits_between_the_level_steps_and_the_final_correction(season, monkeypatch):
    """Level steps (no final), then the profile at that rate, then the final correction under it."""
    log = []

    def fake_refit(mapping, observed, months, *, final_reps):
        log.append(("refit", final_reps, mapping["demand"]["monthly_seasonality"][0]))
        fit_ = LevelFit(input_rate=0.7, rate=0.75)
        fit_.steps = [{"rate_multiplier": 0.7, "simulated_over_observed": 0.95},
                      {"rate_multiplier": 0.75, "simulated_over_observed": 1.0}]
        return fit_

    def fake_lag(mapping, season_, sub_icbs, steps, *, reps):
        log.append(("lag", mapping["demand"]["rate_multiplier"], steps, reps))
        return [2.0] * 12, pd.DataFrame({"step": [1]})

    def fake_correct(mapping, observed, months, *, reps, first_rep, elasticity_):
        log.append(("correct", mapping["demand"]["rate_multiplier"],
                    mapping["demand"]["monthly_seasonality"][0], reps, first_rep))
        out = LevelFit(input_rate=0.75, rate=0.76)
        out.steps = [{"rate_multiplier": 0.75, "simulated_over_observed": 0.99}]
        return out

    monkeypatch.setattr(transfer_module, "refit_level", fake_refit)
    monkeypatch.setattr(transfer_module, "own_lag_profile", fake_lag)
    monkeypatch.setattr(transfer_module, "correct_level", fake_correct)
    mapping = {"demand": {"monthly_seasonality": [1.0] * 12, "rate_multiplier": 0.7}}
    level, out, table = transfer_module.own_level_and_lag(mapping, {}, [], season, ["W2U3Z"],
                                                           8, 2, 3)
    assert log == [("refit", 0, 1.0), ("lag", 0.75, 2, 3),
                   ("correct", 0.75, 2.0, 8, LEVEL_FIRST_REP + 2 * 2)]
    assert level.rate == 0.76 and len(level.steps) == 3
    assert out["demand"]["monthly_seasonality"] == [2.0] * 12 and len(table) == 1
    assert mapping["demand"]["monthly_seasonality"] == [1.0] * 12
    log.clear()  # off: the level refit with its own final correction, the profile kept
    level, out, table = transfer_module.own_level_and_lag(mapping, {}, [], season, ["W2U3Z"],
                                                           8, 0)
    assert log == [("refit", 8, 1.0)] and out is mapping and table.empty


def test_season_reps_reach_the_fitted_stps_correction(monkeypatch):
    """``season_reps`` is the replications of each correction step of the fit."""
    months = month_range("2025-04")
    base = scenario(tiny_mapping(list_sizes=(4000, 4000), gps=(2, 2), nurses=(1, 1))
                    ).model_dump(mode="json")
    observed = run_targets(scenario_for(apply_parameters(base, {"rate_multiplier": 0.7}), months),
                           5, months)
    reps_seen: list[int] = []

    def fake_correction(mapping, target, window, *, reps, list_size):
        reps_seen.append(reps)
        return list(mapping["demand"]["monthly_seasonality"]), pd.DataFrame({"month": ["2025-04"]})

    monkeypatch.setattr(fit_module, "correct_seasonality", fake_correction)
    fit(base, default_components(observed[["month", "target", "value"]]), months,
        params=parameters_by_name(["rate_multiplier"]), trials=5, pilot=1, polish=1, seed=2,
        season_target=[1.0] * 12, season_steps=2, season_reps=5,
        season_window=list(pd.date_range("2025-01-01", "2025-12-01", freq="MS")))
    assert reps_seen == [5, 5]
