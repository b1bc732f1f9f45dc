"""Parameter uncertainty (issue 14): the ensemble field, one member per replication, both widths."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.config.loading import ScenarioError
from sim.experiments.compare import run_comparison
from sim.experiments.ensemble import member_index, with_member
from sim.experiments.parallel import ReplicationTask, run_replications
from tests.conftest import scenario, tiny_mapping

ENSEMBLE = [{"weight": 1.0, "parameters": {"rate_multiplier": 0.6},
             "overrides": {"demand": {"rate_multiplier": 0.6}}},
            {"weight": 1.0, "parameters": {"rate_multiplier": 1.4},
             "overrides": {"demand": {"rate_multiplier": 1.4}}}]


def _with_ensemble(**kwargs) -> dict:
    m = tiny_mapping(days=28, warm_up=7, **kwargs)
    m["demand"] = {"rate_multiplier": 0.6}  # the fitted value: the first member's
    m["ensemble"] = copy.deepcopy(ENSEMBLE)
    return m


def test_ensemble_validates_and_bad_members_are_refused():
    sc = scenario(_with_ensemble())
    assert [m.weight for m in sc.ensemble] == [1.0, 1.0]
    assert sc.member(1).demand.rate_multiplier == 1.4 and not sc.member(1).ensemble
    assert scenario(tiny_mapping()).ensemble == []
    bad = _with_ensemble()
    bad["ensemble"][1]["overrides"] = {"demand": {"rate_multiplier": -1}}
    with pytest.raises(ScenarioError, match=r"ensemble\[1\]"):
        scenario(bad)
    bad["ensemble"][1]["overrides"] = {"area": {"code": "X"}}
    with pytest.raises(ScenarioError, match=r"ensemble\[1\].*area cannot vary"):
        scenario(bad)
    bad["ensemble"][1] = {"weight": 0, "overrides": {}}
    with pytest.raises(ScenarioError, match="weight"):
        scenario(bad)


def test_a_scenario_that_changes_a_varied_field_keeps_its_own_value():
    m = _with_ensemble()
    sc = scenario(m)
    assert [sc.member(k).demand.rate_multiplier for k in (0, 1)] == [0.6, 1.4]
    m["demand"] = {"rate_multiplier": 2.0, "lead_shape": 3.0}  # a lever on the varied field
    m["ensemble"][1]["overrides"]["demand"]["lead_shape"] = 2.0  # a field the fitted set omits
    lever = scenario(m)
    assert [lever.member(k).demand.rate_multiplier for k in (0, 1)] == [2.0, 2.0]
    assert lever.member(1).demand.lead_shape == 2.0


def test_member_draw_depends_on_seed_and_replication_only_and_follows_weights():
    draws = [member_index([1.0, 3.0], 7, r) for r in range(4000)]
    assert draws == [member_index([2.0, 6.0], 7, r) for r in range(4000)]  # scale-free
    assert np.mean(draws) == pytest.approx(0.75, abs=0.03)
    assert draws != [member_index([1.0, 3.0], 8, r) for r in range(4000)]
    sc = scenario(_with_ensemble())
    for r in range(5):
        run_sc, k = with_member(sc, r)
        assert k == member_index([1.0, 1.0], sc.seed, r)
        assert run_sc.demand.rate_multiplier == ENSEMBLE[k]["overrides"]["demand"]["rate_multiplier"]


def test_sweep_tasks_run_each_replication_with_its_member():
    m = _with_ensemble()
    reps = (0, 1, 2, 3, 4, 5)
    got = run_replications(ReplicationTask(key="t", scenario=m, replications=reps))["summary"]
    requests = got.loc[got["metric"] == "requests"].set_index("replication")["value"]
    fixed = {}
    for k in (0, 1):
        mk = copy.deepcopy(m)
        mk["ensemble"] = []
        mk["demand"] = {"rate_multiplier": ENSEMBLE[k]["overrides"]["demand"]["rate_multiplier"]}
        one = run_replications(ReplicationTask(key=f"m{k}", scenario=mk, replications=reps))["summary"]
        fixed[k] = one.loc[one["metric"] == "requests"].set_index("replication")["value"]
    for r in reps:
        assert requests[r] == fixed[member_index([1.0, 1.0], m["seed"], r)][r]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    root = tmp_path_factory.mktemp("ens")
    base = _with_ensemble()
    lever = _with_ensemble()
    lever["name"] = "lever"
    lever["roles"] = {"GP": {"same_day_slot_share": 0.6}}
    for name, m in (("base", base), ("lever", lever)):
        (root / f"{name}.yaml").write_text(yaml.safe_dump(m))
    out = root / "out"
    table, labels = run_comparison([root / "base.yaml", root / "lever.yaml"], 8, out, workers=1)
    return table, labels, out


def test_comparison_draws_the_same_member_in_every_scenario(compared):
    _, labels, out = compared
    members = {lab: [json.loads((out / lab / f"rep-{r:03d}" / "manifest.json").read_text())
                     ["ensemble_member"] for r in range(8)] for lab in labels}
    assert members[labels[0]] == members[labels[1]]
    assert set(members[labels[0]]) == {0, 1}  # both members drawn in 8 replications


def test_comparison_with_an_ensemble_reports_wider_intervals_than_noise_alone(compared):
    table, labels, out = compared
    assert {"ci_width", "ci_width_noise", "diff_ci_width", "diff_ci_width_noise"} <= set(table.columns)
    assert (out / labels[0] / "noise-only" / "rep-000" / "manifest.json").exists()
    row = table.loc[(table["level"] == "lgpo") & (table["metric"] == "requests")]
    for _, r in row.iterrows():
        # rate multiplier 0.6 or 1.4: parameters dominate the width
        assert r["ci_width"] > 3 * r["ci_width_noise"] > 0
    on_disk = pd.read_csv(out / "comparison.csv")
    assert "ci_width_noise" in on_disk.columns


def test_comparison_without_an_ensemble_is_unchanged(tmp_path: Path):
    m = tiny_mapping(days=28, warm_up=7)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(m))
    table, _ = run_comparison([tmp_path / "a.yaml"], 2, tmp_path / "out", workers=1)
    assert "ci_width_noise" not in table.columns
    assert not (tmp_path / "out" / "tiny" / "noise-only").exists()


def test_calibration_ensemble_covers_the_true_parameter_in_repeated_small_fits():
    """Data simulated by the model itself (rate multiplier 0.8): ten fits, each with its own
    observed replication and model seed; the ensemble's 90% range holds the truth in >= 8."""
    from sim.calibrate.ensemble import members, parameter_intervals, select
    from sim.calibrate.fit import fit
    from sim.calibrate.observed import month_range
    from sim.calibrate.parameters import apply_parameters, parameters_by_name
    from sim.calibrate.runs import run_targets, scenario_for
    from sim.calibrate.targets import default_components

    truth = 0.8
    months = month_range("2025-04:2025-05")
    params = parameters_by_name(["rate_multiplier"])
    covered, widths = 0, []
    for k in range(10):
        base = scenario(tiny_mapping(list_sizes=(4000, 4000), gps=(3, 3), nurses=(2, 2),
                                     seed=100 + k)).model_dump(mode="json")
        sc = scenario_for(apply_parameters(base, {"rate_multiplier": truth}), months)
        observed = run_targets(sc, 500 + k, months)
        comps = default_components(observed)
        result = fit(base, comps, months, params=params, trials=14, pilot=2, polish=1, seed=k,
                     wave=8)
        sets, _ = select(result.trials, comps, params, result.best, noise=result.noise)
        assert result.noise["total"] > 0 and len(sets) >= 2
        assert (result.trials["stage"] == "wave").sum() == 8
        entries, _ = members(base, sets, params, None)
        assert entries[0]["parameters"]["rate_multiplier"] == pytest.approx(
            result.best["rate_multiplier"])
        lo, hi = parameter_intervals(entries)["rate_multiplier"]
        covered += lo <= truth <= hi
        widths.append(hi - lo)
    assert covered >= 8
    assert np.median(widths) < 0.15  # an interval, not the whole search range (0.3-1.6)
