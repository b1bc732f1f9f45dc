"""Costing a real run's staff table: the columns of staff.parquet are what sim.costs reads."""

from __future__ import annotations

import pytest

from sim.costs.staff import appointments_by_role, cost_per_appointment, staff_costs, unit_costs
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
