"""Burnout follows overtime relative to the hours rostered, not the size of the contract."""

from __future__ import annotations

import pytest

from sim.experiments.runner import build_model
from sim.model.workforce import BURNOUT_WINDOW_DAYS, burnout_feedback
from tests.conftest import scenario, tiny_mapping


def test_part_time_and_full_time_gps_with_the_same_overrun_share_burn_out_alike():
    m = tiny_mapping(gps=(2, 3), days=60)
    m["workforce"] = {"leave_probability_at_full_burnout": 0.0, "reduce_sessions_probability_at_full_burnout": 0.0,
                      "overtime_reference_months": 0}  # the threshold alone: overtime against rostered hours
    model = build_model(scenario(m), 0)
    gps = [s for s in model.staff if s.kind == "gp"]
    small, full = gps[0], gps[1]
    small.fte, full.fte = 0.3, 1.0
    day = BURNOUT_WINDOW_DAYS + 1
    window = slice(day - BURNOUT_WINDOW_DAYS, day)
    sd = model.staff_days
    sd.session_minutes[:, window] = 0.0
    sd.overtime_minutes[:, window] = 0.0
    # the same 10% overrun: 3 evening hours a week against 24 daytime hours
    sd.session_minutes[small.index, window] = 180.0 / 7 * 1
    sd.session_minutes[full.index, window] = 180.0 / 7 * 8
    sd.overtime_minutes[small.index, window] = 18.0 / 7 * 1
    sd.overtime_minutes[full.index, window] = 18.0 / 7 * 8
    burnout_feedback(model, day)
    assert small.burnout > 0
    assert small.burnout == full.burnout
    # and a clinician without overrun does not build burnout
    assert gps[2].burnout == 0


def _month(model, day: int, share: dict[int, float]) -> None:
    """A month of rostered sessions for every clinician; ``share``: staff index -> overtime as a share of rostered time."""
    window = slice(day - BURNOUT_WINDOW_DAYS, day)
    sd = model.staff_days
    sd.session_minutes[:, window] = 180.0
    sd.overtime_minutes[:, window] = 0.0
    for s, f in share.items():
        sd.overtime_minutes[s, window] = 180.0 * f


def test_overtime_at_its_usual_level_builds_no_burnout_and_a_rise_does():
    # 6 h of overtime a full-time week (a quarter of 24 rostered hours), every month: over the 2 h threshold
    # but what these GPs usually work, so no burnout (an absolute threshold would burn them all out); a
    # rise of 5 h a week above it does
    m = tiny_mapping(gps=(2, 3), days=300)
    m["workforce"] = {"leave_probability_at_full_burnout": 0.0, "reduce_sessions_probability_at_full_burnout": 0.0}
    model = build_model(scenario(m), 0)
    gps = [s for s in model.staff if s.kind == "gp"]
    usual = {g.index: 0.25 for g in gps}
    day = BURNOUT_WINDOW_DAYS + 1
    _month(model, day, usual)
    model.staff_days.session_minutes[:, :day] = 180.0  # the warm-up too: where usual overtime starts
    for g in gps:
        model.staff_days.overtime_minutes[g.index, :day] = 45.0
    for month in range(6):
        _month(model, day + 30 * month, usual)
        burnout_feedback(model, day + 30 * month)
    assert all(g.burnout == 0 for g in gps)
    assert all(abs(g.usual_overtime - 6.0) < 1e-9 for g in gps)
    risen = {**usual, gps[0].index: 0.25 + 5.0 / 24}
    _month(model, day + 180, risen)
    burnout_feedback(model, day + 180)
    assert gps[0].burnout == pytest.approx(model.scenario.workforce.burnout_gain_per_hour * 3.0)
    assert all(g.burnout == 0 for g in gps[1:])
    # the same six months under an absolute threshold: everyone burns out
    m["workforce"]["overtime_reference_months"] = 0
    absolute = build_model(scenario(m), 0)
    absolute.staff_days.session_minutes[:, :] = 180.0
    for month in range(6):
        _month(absolute, day + 30 * month, usual)
        burnout_feedback(absolute, day + 30 * month)
    assert all(g.burnout > 0.5 for g in absolute.staff if g.kind == "gp")
