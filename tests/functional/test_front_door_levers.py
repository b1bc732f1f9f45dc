"""Care navigation and online consultation at the front door: each does what it says, only while it runs."""

import numpy as np
import pytest

from sim.config.loading import load_scenario
from sim.model.interventions import attach
from sim.model.model import NAVIGATED
from tests.conftest import scenario


def _pair(ivs: list[dict], days: int = 70) -> tuple:
    """(with the interventions, without) on small.yaml with the front door, run."""
    base = load_scenario("scenarios/small.yaml", overrides={"horizon_days": days, "warm_up_days": 7, "front_door": {}})
    m = base.model_dump(mode="json")
    m["interventions"] = ivs
    with_it, without = attach(scenario(m), 0), attach(base, 0)
    for model in (with_it, without):
        model.run()
    return with_it, without


def test_care_navigation_sends_its_shares_by_need_only_while_it_runs():
    shares = {"acute_minor": {"pharmacy": 0.2, "self_care": 0.1}, "mental_health": {"social_prescriber": 0.3}}
    with_it, without = _pair([{"type": "care_navigation", "start": 1, "shares": shares}])
    fd, R, names = with_it.front_door, with_it.requests, with_it.need_names
    nav = with_it.state == NAVIGATED
    start = with_it.cal.warm_up + 30  # month 1 (internal days; warm-up first)
    assert not nav[fd.handled_day < start].any()
    on = (fd.handled_day >= start) & (fd.handled_day >= 0)
    minor, mh = R.need == names.index("acute_minor"), R.need == names.index("mental_health")
    assert not nav[~(minor | mh)].any()
    for need, row in ((minor, shares["acute_minor"]), (mh, shares["mental_health"])):
        for k, target in enumerate(("pharmacy", "self_care", "social_prescriber")):
            got = (fd.navigated_to[on & need] == k).mean()
            assert got == pytest.approx(row.get(target, 0.0), abs=0.02)
    # fewer appointments for acute minor illness; requests are the same (common random numbers)
    assert R.size == without.requests.size
    assert (with_it.appt_day[minor] >= 0).sum() < (without.appt_day[minor] >= 0).sum()


def test_care_navigation_names_unknown_needs():
    base = load_scenario("scenarios/small.yaml", overrides={"horizon_days": 20, "warm_up_days": 7, "front_door": {}})
    m = base.model_dump(mode="json")
    m["interventions"] = [{"type": "care_navigation", "shares": {"sprains": {"pharmacy": 0.1}}}]
    with pytest.raises(ValueError, match="sprains"):
        attach(scenario(m), 0)


def test_online_consultation_adds_online_demand_only_while_it_runs():
    with_it, without = _pair([{"type": "online_consultation", "start": 1, "end": 2, "new_demand": 0.1,
                               "online_share": 0.35}], days=100)
    w = with_it.cal.warm_up
    on, after = (w + 30, w + 60), (w + 62, w + 100)

    def count(model, lo, hi):
        day = model.requests.day
        return ((day >= lo) & (day < hi)).sum()

    assert count(with_it, *on) / count(without, *on) == pytest.approx(1.10, abs=0.02)
    assert count(with_it, *after) / count(without, *after) == pytest.approx(1.0, abs=0.02)
    R, fd = with_it.requests, with_it.front_door
    mine = (R.day >= on[0]) & (R.day < on[1]) & ~with_it.walk_in_practices[R.practice]
    assert (fd.channel[mine] == 1).mean() == pytest.approx((0.35 + 0.1) / 1.1, abs=0.02)
    later = (R.day >= after[0]) & ~with_it.walk_in_practices[R.practice]
    assert (fd.channel[later] == 1).mean() == pytest.approx(0.2, abs=0.02)


def test_out_of_hours_demand_fills_weekend_walk_in_hubs_and_keeps_the_weeks_demand():
    runs = {}
    for ooh in (None, {}):
        sc = load_scenario("scenarios/walk-in-hubs.yaml", overrides={"horizon_days": 60, "warm_up_days": 7,
                                                                     "front_door": {"out_of_hours": ooh}})
        model = attach(sc, 0)
        model.run()
        runs[ooh is not None] = model
    for on, model in runs.items():
        R, appt = model.requests, model.appt_day
        weekend_requests = (~model.cal.is_working_day[R.day]).sum()
        weekend_appts = ((appt >= 0) & ~model.cal.is_working_day[np.maximum(appt, 0)]).sum()
        if not on:
            assert weekend_requests == 0 and weekend_appts == 0  # the weekend hub sessions serve nobody
        else:
            # a weekend day at 15% of a weekday: 2 x 0.15 / (5 + 0.3) of the week's requests
            assert weekend_requests / R.size == pytest.approx(0.3 / 5.3, abs=0.005)
            assert weekend_appts > 0 and model.front_door.referred_111.sum() > 0
    assert runs[True].requests.size == pytest.approx(runs[False].requests.size, rel=0.02)
