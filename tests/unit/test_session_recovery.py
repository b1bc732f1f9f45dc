"""Burnout session cuts are not a ratchet: they come back as burnout recovers, FTE follows them, and a
vacancy is advertised at the post's contract (issue 12, item 1: a steady baseline)."""

from __future__ import annotations

import pytest

from sim.experiments.runner import build_model
from sim.model.workforce import BURNOUT_WINDOW_DAYS, burnout_feedback, reduce_sessions, remove_staff
from tests.conftest import scenario, tiny_mapping

SESSIONS_PER_FTE = 8.0  # the GP role's default sessions_per_fte_week
CONTRACT = 0.8 * SESSIONS_PER_FTE  # tiny_mapping's GPs: 0.8 FTE, 6.4 sessions a week


def _overtime(model, s: int, day: int, hours_per_week: float) -> None:
    """Give staff member ``s`` a month of 6.4 rostered sessions with ``hours_per_week`` overtime."""
    window = slice(day - BURNOUT_WINDOW_DAYS, day)
    sd = model.staff_days
    sd.session_minutes[:, window] = 180.0 * CONTRACT / 7
    sd.overtime_minutes[:, window] = 0.0
    sd.overtime_minutes[s, window] = 60.0 * hours_per_week / 7


def test_a_gp_whose_burnout_recovers_gets_their_sessions_and_fte_back():
    m = tiny_mapping(gps=(2, 3), days=200)
    m["workforce"] = {"leave_probability_at_full_burnout": 0.0, "reduce_sessions_probability_at_full_burnout": 1.0,
                      "burnout_gain_per_hour": 1.0, "overtime_reference_months": 0}
    model = build_model(scenario(m), 0)
    gp = next(s for s in model.staff if s.kind == "gp")
    day = BURNOUT_WINDOW_DAYS + 1
    _overtime(model, gp.index, day, 20.0)  # far above the threshold: burnout 1, a cut for certain
    burnout_feedback(model, day)
    assert gp.burnout == 1.0
    assert gp.sessions_per_week == pytest.approx(CONTRACT - 1)
    assert model.pattern[gp.index].sum() == pytest.approx(CONTRACT - 1)
    assert gp.fte == pytest.approx((CONTRACT - 1) / SESSIONS_PER_FTE)  # FTE = sessions / sessions_per_fte_week
    # the overload goes; burnout falls below the recovery threshold: the cut comes back, not beyond the contract
    gp.burnout = 0.0
    for month in range(1, 4):
        later = day + 30 * month
        _overtime(model, gp.index, later, 0.0)
        burnout_feedback(model, later)
    assert gp.sessions_per_week == pytest.approx(CONTRACT)
    assert model.pattern[gp.index].sum() == pytest.approx(CONTRACT)
    assert model.pattern[gp.index].max() <= 1.0
    assert gp.fte == pytest.approx(0.8)
    assert [e["event"] for e in model.events if e["staff"] == gp.index] == ["reduced_sessions", "restored_sessions"]


def test_a_recruit_into_a_cut_post_works_the_contracted_sessions():
    m = tiny_mapping(gps=(2, 3), days=150)
    m["workforce"] = {"feedback": False, "turnover": {
        "annual_leaving_rate": {"GP": 0.0}, "other_roles_rate": 0.0, "fill_probability": {"GP": 1.0},
        "time_to_fill_months": {"GP": 0.5}, "strain_sensitivity": 0.0}}
    model = build_model(scenario(m), 0)
    gp = next(s for s in model.staff if s.kind == "gp")
    leave_day = 20

    def cut_then_leave(mm, d: int) -> None:
        reduce_sessions(mm, gp.index, d, by=3.0)
        assert gp.sessions_per_week == pytest.approx(CONTRACT - 3)
        remove_staff(mm, gp.index, d, event="left")

    model.phases.at(leave_day, cut_then_leave)
    model.run()
    filled = [e for e in model.events if e["event"] == "vacancy_filled"]
    assert len(filled) == 1
    recruit = model.staff[filled[0]["staff"]]
    assert recruit.sessions_per_week == pytest.approx(CONTRACT)
    assert recruit.fte == pytest.approx(0.8)
    assert model.pattern[recruit.index].sum() == pytest.approx(CONTRACT)
