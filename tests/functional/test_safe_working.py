"""Overload shows first as extra work per GP up to the safe working limit, then as lost demand (issue 12, item 5)."""

from __future__ import annotations

import numpy as np

from sim.experiments.runner import build_model
from sim.model.booking import EXTRA
from sim.model.states import LOST
from tests.conftest import scenario, tiny_mapping

LIMIT = 25  # the GP default: BMA, 25 patient contacts a day


def _run(gps: tuple[int, int]):
    """Two practices with ``gps`` GPs each, fixed workforce (no turnover, no burnout), 8 weeks."""
    m = tiny_mapping(list_sizes=(6000, 6000), gps=gps, nurses=(1, 1), days=56)
    m["workforce"] = {"feedback": False, "turnover": {"enabled": False}}
    model = build_model(scenario(m), 0)
    model.run()
    return model


def _gp_days(model):
    """(GP-day contacts, rostered slots, extras taken) over GP rows and reporting days, and lost same-day requests."""
    n, days = len(model.staff), model.cal.n
    has = model.appt_staff >= 0
    contacts = np.zeros((n, days), dtype=np.int64)
    np.add.at(contacts, (model.appt_staff[has], model.appt_day[has]), 1)
    extras = np.zeros((n, days), dtype=np.int64)
    ex = has & (model.appt_pool == EXTRA)
    np.add.at(extras, (model.appt_staff[ex], model.appt_day[ex]), 1)
    gp = np.array([s.kind == "gp" and not s.cover_post for s in model.staff])
    slots = model.staff_days.offered_slots[:n, :days].astype(np.int64)
    return contacts[gp], slots[gp], extras[gp]


def test_a_gp_cut_fills_gp_days_up_to_the_safe_limit_and_never_beyond():
    full, cut = _run((4, 4)), _run((2, 1))
    for model in (full, cut):
        contacts, slots, extras = _gp_days(model)
        # nobody works past the safe limit on extras: a day already rostered above it takes none
        assert (contacts <= np.maximum(slots, LIMIT)).all()
        assert not extras[slots >= LIMIT].any()
    _, s_full, e_full = _gp_days(full)
    c_cut, s_cut, e_cut = _gp_days(cut)
    # the cut shows first as extra work: extras per GP-day rise, and days below the limit reach it
    short = s_cut[(s_cut > 0) & (s_cut < LIMIT)]
    assert short.size
    assert e_cut.sum() / (s_cut > 0).sum() > 2 * e_full.sum() / max(1, (s_full > 0).sum())
    reached = (c_cut >= LIMIT) & (s_cut > 0) & (s_cut < LIMIT)
    assert reached.sum() > 0.5 * ((s_cut > 0) & (s_cut < LIMIT)).sum()
    # then as lost demand: more requests are lost with half the GPs
    assert (cut.state == LOST).mean() > (full.state == LOST).mean()


def test_same_day_requests_are_lost_only_once_the_practice_gps_extras_are_used_up():
    model = _run((2, 1))
    _, slots, extras = _gp_days(model)
    gp_rows = [s for s in model.staff if s.kind == "gp" and not s.cover_post]
    unit = np.array([s.unit for s in gp_rows])
    R = model.requests
    gp_role = model.role_index["GP"]
    gp_needs = [[any(model.diaries.rd_role[rd] == gp_role for rd in opts) for opts in per_need]
                for per_need in model.options]
    takes_gp = np.array([gp_needs[p][k] for p, k in zip(R.practice, R.need, strict=True)], dtype=bool)
    lost_urgent = (model.state == LOST) & R.urgent.astype(bool) & takes_gp
    assert lost_urgent.any()
    room = np.maximum(0, LIMIT - slots) - extras  # extras a GP could still have taken that day
    for p in range(len(model.practices)):
        for d in np.unique(R.day[lost_urgent & (R.practice == p)]):
            working = (unit == p) & (slots[:, d] > 0)
            assert not (room[working, d] > 0).any(), f"practice {p} day {d}: urgent request lost with extras left"
