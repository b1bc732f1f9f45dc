"""Costing a real run's staff table: the columns of staff.parquet are what sim.costs reads."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from sim.costs.staff import (
    StaffCostModel,
    appointments_by_role,
    cost_per_appointment,
    staff_costs,
    unit_costs,
)
from sim.experiments.compare import run_comparison
from sim.experiments.runner import run_single
from tests.conftest import scenario, tiny_mapping


def test_cost_of_a_tiny_run_adds_up_per_level():
    mapping = tiny_mapping(days=60)
    mapping["workforce"] = {"turnover": {"enabled": False}}  # everyone in post through the horizon: cost > 0
    result = run_single(scenario(mapping), 0)
    horizon = mapping["horizon_days"]
    costs = staff_costs(result.staff, horizon)
    assert costs["cost_gbp"].gt(0).all()
    # total = sum over staff of FTE-days x daily cost
    assert costs["cost_gbp"].sum() == pytest.approx((costs["fte_days"] * costs["daily_cost_gbp"]).sum())
    practices = {p["code"]: p["list_size"] for p in mapping["area"]["pcns"][0]["practices"]}
    pcn_of = dict.fromkeys(practices, "TN1")
    units = unit_costs(costs, practices, pcn_of, area="TL")
    totals = units.groupby("level")["cost_gbp"].sum()
    assert totals["lgpo"] == pytest.approx(costs["cost_gbp"].sum())
    assert totals["pcn"] == pytest.approx(costs["cost_gbp"].sum())  # the pharmacist is at the PCN
    assert totals["practice"] == pytest.approx(costs.loc[costs["level"] == "practice", "cost_gbp"].sum())
    per_role = appointments_by_role(result.ledger, horizon)
    headline = result.headline()
    assert sum(per_role.values()) == headline["appointments"]  # the summary's count
    table = cost_per_appointment(costs, per_role).set_index("role")
    gp = table.loc["GP"]
    assert gp["appointments"] == per_role["GP"] and 10 < gp["cost_per_appointment_gbp"] < 200


def test_comparison_carries_costs_against_the_reference_with_paired_intervals(tmp_path):
    base = tiny_mapping(days=30)
    more = dict(base, name="more-gps")
    more["area"] = {**base["area"], "pcns": [{**base["area"]["pcns"][0], "staff": [
        {"role": "Pharmacist", "count": 1, "fte": 0.5}, {"role": "GP", "count": 1, "fte": 0.8, "age": 45}]}]}
    paths = []
    for m in (base, more):
        path = tmp_path / f"{m['name']}.yaml"
        path.write_text(yaml.safe_dump(m))
        paths.append(path)
    table, _ = run_comparison(paths, 3, tmp_path / "out", workers=1)
    lg = table[table["level"] == "lgpo"].set_index(["metric", "scenario"])
    # one more 0.8 FTE salaried GP at the PCN for 30 days: the staff cost rises by exactly its cost
    gp = StaffCostModel().role_cost("GP", "gp", "salaried").total_gbp
    row = lg.loc[("cost_staff_gbp_year", "more-gps")]
    assert row["diff_mean"] == pytest.approx(0.8 * gp, rel=1e-5)  # summary.csv keeps 6 digits
    assert row["diff_ci_low"] == pytest.approx(0.8 * gp, rel=1e-5)
    assert row["units"] == "GBP per year"
    ratio = lg.loc[("cost_per_unmet_avoided_gbp", "more-gps")]
    d_cost = lg.loc[("cost_per_1000_gbp_year", "more-gps"), "diff_mean"]
    avoided = -lg.loc[("unmet_per_1000_year", "more-gps"), "diff_mean"]
    assert ratio["mean"] == pytest.approx(d_cost / avoided)
    assert (np.isfinite(ratio["diff_ci_low"]) and ratio["note"] == "") or "spans 0" in ratio["note"]
