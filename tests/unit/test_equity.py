"""Equity outcomes: IMD quintiles from the shipped file, area build's scores, and groups that add up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.cli.area import area
from sim.config.types import AGE_BANDS, IMD_2019_QUINTILE_FLOORS, imd_quintile_of
from sim.experiments.runner import run_single
from sim.model.model import GPSimModel
from sim.model.population import deprivation_factor
from sim.nhsdata.area import build_area
from sim.nhsdata.imd import imd_quintiles, read_imd
from sim.results.intervals import t_interval
from tests.conftest import ROOT, scenario, tiny_mapping

DATA = ROOT / "calibration" / "data"
IMD = DATA / "imd-by-practice_fingertips-93553.csv.gz"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2026-03.csv"


def test_quintile_floors_are_the_national_2019_quintiles_of_the_shipped_file():
    q = imd_quintiles(read_imd(IMD, year=2019), 2019)
    floors = q.groupby("imd_quintile")["imd_score"].min()
    assert tuple(round(floors[k], 6) for k in (1, 2, 3, 4)) == IMD_2019_QUINTILE_FLOORS
    assert (q["imd_score"].map(imd_quintile_of) == q["imd_quintile"]).all()
    assert imd_quintile_of(68.7) == 1 and imd_quintile_of(3.4) == 5 and imd_quintile_of(18.437513) == 3


def test_area_build_fills_each_practice_imd_score_from_fingertips(tmp_path: Path):
    mapping = build_area(MAP, PATIENTS, pcns="U60094", imd_file=IMD)
    scores = read_imd(IMD, year=2019).set_index("practice_code")["imd_score"]
    practices = [pr for pcn in mapping["area"]["pcns"] for pr in pcn["practices"]]
    assert all(pr["imd_score"] == round(float(scores[pr["code"]]), 3) for pr in practices)
    scenario(mapping | {"horizon_days": 7})  # the schema takes it
    out = tmp_path / "a.yaml"  # the CLI reads the shipped file by default
    result = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(PATIENTS),
                                       "--pcn", "U60094", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(out.read_text())
    assert [pr["imd_score"] for pcn in written["area"]["pcns"] for pr in pcn["practices"]] == [
        pr["imd_score"] for pr in practices]


def imd_mapping(scores=(40.0, 10.0), days: int = 60, seed: int = 3, gradient: float | None = None) -> dict:
    """Two practices alike in everything but their IMD score (Q1 and Q5); ``gradient`` sets the demand gradient."""
    m = tiny_mapping(list_sizes=(4000, 4000), gps=(2, 2), nurses=(1, 1), days=days, seed=seed)
    for pr, score in zip(m["area"]["pcns"][0]["practices"], scores, strict=True):
        pr["imd_score"] = score
    if gradient is not None:
        m.setdefault("demand", {})["deprivation_gradient"] = gradient
    return m


@pytest.fixture(scope="module")
def summary() -> pd.Series:
    return run_single(scenario(imd_mapping()), 0).summary.set_index(["level", "unit", "metric"])["value"]


def test_groups_add_up_to_the_unit_totals(summary):
    s = summary
    for level, unit in (("lgpo", "TL"), ("pcn", "TN1"), ("practice", "T0")):
        req = [s.get((level, unit, f"requests_age:{b}"), 0.0) for b in AGE_BANDS]
        lost = [s.get((level, unit, f"lost_pct_age:{b}"), 0.0) / 100 * r for b, r in zip(AGE_BANDS, req, strict=True)]
        assert sum(req) == s[level, unit, "requests"]
        assert sum(lost) == pytest.approx(s[level, unit, "lost"])
    q_req = [s.get(("lgpo", "TL", f"requests_imd:Q{k}"), 0.0) for k in range(1, 6)]
    assert sum(q_req) == s["lgpo", "TL", "requests"]
    # two practices: Q1 is practice T0 and Q5 is T1, so their rows are the practices' own
    assert s["lgpo", "TL", "requests_imd:Q1"] == s["practice", "T0", "requests"]
    assert s["lgpo", "TL", "lost_pct_imd:Q5"] == pytest.approx(s["practice", "T1", "lost_pct"])
    assert s["lgpo", "TL", "mean_wait_days_imd:Q1"] == pytest.approx(s["practice", "T0", "mean_wait_days"])
    assert s["lgpo", "TL", "continuity_upc_imd:Q5"] == pytest.approx(s["practice", "T1", "continuity_upc"])
    assert s["practice", "T0", "imd_quintile"] == 1 and s["practice", "T1", "imd_score"] == 10.0
    assert ("practice", "T0", "lost_pct_imd:Q1") not in s.index  # by quintile only where practices differ


def test_without_a_demand_gradient_alike_practices_lose_alike_shares_by_quintile():
    # a deprivation gradient of zero: alike practices in Q1 and Q5 differ only by noise
    diffs = []
    for seed in range(6):
        s = run_single(scenario(imd_mapping(days=45, seed=seed, gradient=0.0)), 0).summary.set_index("metric")
        lg = s[s["level"] == "lgpo"]["value"]
        diffs.append(lg["lost_pct_imd:Q1"] - lg["lost_pct_imd:Q5"])
    mean, lo, hi = t_interval(diffs)
    assert lo < 0 < hi, (mean, lo, hi, diffs)
    assert np.std(diffs) > 0  # the two practices are not the same draws


def test_the_deprivation_gradient_raises_demand_in_the_most_deprived_quintile_by_its_factor():
    # g = 0.3: Q1's rate x (1 + g/2), Q5's x (1 - g/2); requests per patient follow over seeds (Poisson noise)
    g, ratios = 0.3, []
    for seed in range(5):
        s = run_single(scenario(imd_mapping(days=45, seed=seed, gradient=g)), 0).summary.set_index("metric")
        lg = s[s["level"] == "lgpo"]["value"]
        ratios.append(lg["requests_imd:Q1"] / lg["requests_imd:Q5"])
    mean, lo, hi = t_interval(ratios)
    assert lo < (1 + g / 2) / (1 - g / 2) < hi, (mean, lo, hi)
    assert lo > 1.15  # far from flat


def test_patients_carry_their_practice_quintile_and_a_scoreless_practice_counts_as_q3():
    sc = scenario(imd_mapping(scores=(40.0, None), days=7))
    model = GPSimModel(sc, 0)
    pop = model.population
    assert set(pop.imd_quintile[pop.practice == 0]) == {1} and set(pop.imd_quintile[pop.practice == 1]) == {0}
    assert deprivation_factor(np.array([1, 3, 5, 0]), 0.2).tolist() == pytest.approx([1.1, 1.0, 0.9, 1.0])
    flat = GPSimModel(scenario(imd_mapping(scores=(40.0, None), days=7, gradient=0.0)), 0).population
    factor = deprivation_factor(pop.imd_quintile, sc.demand.deprivation_gradient)
    assert np.allclose(pop.rate, flat.rate * factor)  # the same patients; only the factor differs
