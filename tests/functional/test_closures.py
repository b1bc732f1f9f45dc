"""Practices that fail (workforce.closures): a practice short of GPs for too long closes or merges.

A forced closure in a tiny area: the list moves to the PCN's other practices in proportion to their
GP FTE (all of it to the partner with the most GP FTE in a merge; to another PCN when its own has
no practice left), list sizes add up, future demand and booked appointments follow the patients,
usual GPs are at the new practice, and nobody works at the closed practice from its closing day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.runner import build_model, run_single, write_run
from sim.model.closures import shares
from tests.conftest import scenario, tiny_mapping
from tests.functional.test_workforce_properties import check_closed


def _mapping(mode: str = "close", enabled: bool = True, **kw) -> dict:
    """T0 has one 0.8-FTE GP (and an administrator) for 3,000 patients (0.27 GP FTE per 1,000); T1 2.4, T2 3.2."""
    m = tiny_mapping(list_sizes=(3000, 4000, 5000), gps=(1, 3, 4), nurses=(1, 1, 1), days=90, warm_up=7, **kw)
    m["area"]["pcns"][0]["practices"][0]["staff"].append({"role": "Admin", "count": 1, "fte": 1.0, "age": 40})
    m["workforce"] = {"feedback": False, "turnover": {"enabled": False},  # GP FTE stays as built
                      "closures": {"enabled": enabled, "gp_fte_per_1000_threshold": 0.3, "months_below": 1,
                                   "merge_or_close": mode}}
    return m


def _run(mapping: dict):
    model = build_model(scenario(mapping), 0)
    before = {"practice": model.population.practice.copy(), "usual_gp": model.population.usual_gp.copy()}
    model.run()
    return model, before


def test_a_failing_practice_closes_and_its_list_moves_in_proportion_to_gp_fte():
    model, before = _run(_mapping())
    assert list(model.closed_practices) == [0]
    day = model.closed_practices[0]
    assert day == 7  # below at the month starts of 25 March (day 0) and 1 April (day 7): one whole month
    check_closed(model)
    moved = before["practice"] == 0
    got = np.bincount(model.population.practice[moved], minlength=3)
    assert got.tolist() == [0, *shares(3000, np.array([2.4, 3.2])).tolist()] == [0, 1286, 1714]
    assert [(r["to_practice"], r["patients_moved"], r["to_level"]) for r in model.closures] == \
        [("T1", 1286, "pcn"), ("T2", 1714, "pcn")]
    assert all(r["staff_left"] == 4 for r in model.closures)  # GP, nurse, HCA, admin: their posts end, no vacancy
    ev = [e for e in model.events if e["event"] == "left_practice_closed"]
    assert len(ev) == 4 and {e["day"] for e in ev} == {day}
    # continuity resets honestly: the moved patients' usual GPs are GPs of their new practice
    gp_unit = {s.index: s.unit for s in model.staff if s.kind == "gp"}
    new = model.population.usual_gp[moved]
    assert all(gp_unit[int(g)] == p for g, p in zip(new, model.population.practice[moved], strict=True))
    # the receiving practices carry the moved patients' demand: requests from the closing day on are theirs
    R = model.requests
    late = np.isin(R.patient, np.flatnonzero(moved)) & (R.day >= day)
    assert late.sum() > 0 and set(np.unique(R.practice[late]).tolist()) == {1, 2}


def test_without_the_mechanism_nothing_closes():
    model, before = _run(_mapping(enabled=False))
    assert not model.closed_practices and not model.closures
    assert np.array_equal(model.population.practice, before["practice"])


def test_receiving_practices_lose_more_requests():
    """The cascade's first step: the practices taking the list lose a larger share of requests (same seed)."""
    on = run_single(scenario(_mapping()), 0).summary.set_index(["level", "unit", "metric"])["value"]
    off = run_single(scenario(_mapping(enabled=False)), 0).summary.set_index(["level", "unit", "metric"])["value"]
    for code in ("T1", "T2"):
        assert on[("practice", code, "lost_pct")] > off[("practice", code, "lost_pct")] + 1.0
        assert on[("practice", code, "patients_moved_in")] > 0
    assert on[("lgpo", "TL", "practices_closed")] == 1 and on[("lgpo", "TL", "patients_moved_out")] == 3000
    assert ("lgpo", "TL", "practices_closed") not in off.index  # rows only when the mechanism is on


def test_merge_moves_list_and_staff_to_the_partner_and_gps_keep_their_patients():
    model, before = _run(_mapping("merge"))
    check_closed(model)
    moved = before["practice"] == 0
    assert (model.population.practice[moved] == 2).all()  # T2 has the most GP FTE
    old_gp = next(s for s in model.staff if s.unit == 0 and s.kind == "gp")
    new_gp = next(s for s in model.staff if s.key == old_gp.key + "/m")
    assert new_gp.unit == 2 and new_gp.active and new_gp.joined_day == old_gp.left_day == model.closed_practices[0]
    kept = moved & (before["usual_gp"] == old_gp.index)
    assert kept.any() and (model.population.usual_gp[kept] == new_gp.index).all()
    assert model.closures[0]["staff_transferred"] == 4 and model.closures[0]["staff_left"] == 0
    bo = model.back_office  # the transferred administrator works in the partner's back office, same role
    admin = next(s for s in model.staff if s.unit == 0 and s.kind == "admin")
    moved_admin = next(s for s in model.staff if s.key == admin.key + "/m")
    role = {int(s): int(r) for s, r in zip(bo.admin_staff, bo.admin_role, strict=True)}
    assert role[moved_admin.index] == role[admin.index]


def test_a_pcn_with_no_practice_left_passes_the_list_to_the_lgpo():
    m = _mapping()
    pcns = m["area"]["pcns"]
    pcns.append({"code": "TN2", "practices": [pcns[0]["practices"].pop(0)]})  # T0 alone in its PCN
    model, _ = _run(m)
    check_closed(model)
    assert {r["to_level"] for r in model.closures} == {"lgpo"}
    s = run_single(scenario(m), 0).summary.set_index(["level", "unit", "metric"])["value"]
    assert s[("pcn", "TN2", "patients_moved_out_of_pcn")] == 3000


@pytest.mark.parametrize("bad", [{"months_below": 0}, {"gp_fte_per_1000_threshold": -0.1},
                                 {"merge_or_close": "sell"}])
def test_bad_closure_settings_are_rejected(bad):
    m = _mapping()
    m["workforce"]["closures"].update(bad)
    with pytest.raises(ValueError, match="closures"):
        scenario(m)


def test_the_run_folder_has_a_closures_table_when_closures_are_on(tmp_path):
    from_on = write_run(run_single(scenario(_mapping()), 0), tmp_path / "on", ledger=False, periods=("month",))
    table = pd.read_csv(from_on["closures"])
    assert table[["practice", "to_practice", "patients_moved"]].values.tolist() == \
        [["T0", "T1", 1286], ["T0", "T2", 1714]]
    ev = pd.read_csv(from_on["events"])
    assert (ev["event"] == "left_practice_closed").sum() == 4
    from_off = write_run(run_single(scenario(_mapping(enabled=False)), 0), tmp_path / "off", ledger=False,
                         periods=("month",))
    assert "closures" not in from_off and not (tmp_path / "off" / "closures.csv").exists()
