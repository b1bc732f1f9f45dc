"""Additional roles allocated by need (IMD score) or list size: the same FTE, shared differently."""

from __future__ import annotations

import pytest

from sim.config.loading import load_scenario
from sim.model.interventions import attach
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"


def added_fte(name: str) -> dict[str, float]:
    """FTE of the posts the skill_mix intervention added, by PCN code."""
    model = attach(load_scenario(SCENARIOS / f"{name}.yaml", overrides={"horizon_days": 7, "warm_up_days": 1}), 0)
    model.run()
    out: dict[str, float] = {}
    for s in model.staff:
        if "/add" in s.key:
            code = s.key.split("/")[0]
            out[code] = out.get(code, 0.0) + s.fte
    return out


def test_need_allocation_shares_the_same_fte_by_patients_times_imd_score():
    by_list, by_need = added_fte("arrs-by-list-size"), added_fte("arrs-by-need")
    assert sum(by_need.values()) == pytest.approx(sum(by_list.values()), rel=1e-9)
    assert sum(by_list.values()) == pytest.approx((0.5 + 0.3) * 250_020 / 10_000)
    sc = load_scenario(SCENARIOS / "baseline.yaml")
    need = {pcn.code: sum(p.list_size * p.imd_score for p in pcn.practices) for pcn in sc.area.pcns}
    lists = {pcn.code: sum(p.list_size for p in pcn.practices) for pcn in sc.area.pcns}
    for code in need:
        assert by_need[code] / sum(by_need.values()) == pytest.approx(need[code] / sum(need.values()))
        assert by_list[code] / sum(by_list.values()) == pytest.approx(lists[code] / sum(lists.values()))
    assert by_need["EXN1"] > by_list["EXN1"] and by_need["EXN6"] < by_list["EXN6"]


def test_a_hub_scoped_to_one_pcn_serves_that_pcn_only():
    for name, code in (("hub-most-deprived-pcn", "EXN1"), ("hub-least-deprived-pcn", "EXN6")):
        model = attach(load_scenario(SCENARIOS / f"{name}.yaml", overrides={"horizon_days": 7, "warm_up_days": 1}), 0)
        model.run()
        hub_units = {s.key.split("/")[0] for s in model.staff if "hub" in s.key.lower()}
        assert hub_units == {code}, hub_units
