"""Burnout follows overtime relative to the hours rostered, not the size of the contract."""

from __future__ import annotations

from sim.experiments.runner import build_model
from sim.model.workforce import BURNOUT_WINDOW_DAYS, burnout_feedback
from tests.conftest import scenario, tiny_mapping


def test_part_time_and_full_time_gps_with_the_same_overrun_share_burn_out_alike():
    m = tiny_mapping(gps=(2, 3), days=60)
    m["workforce"] = {"leave_probability_at_full_burnout": 0.0, "reduce_sessions_probability_at_full_burnout": 0.0}
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
