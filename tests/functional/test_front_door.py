"""The front door: every contact ends in exactly one state, nothing is lost between channel and booking,
passed slots cannot be booked, and cloud telephony does what it says."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.loading import load_scenario
from sim.experiments.runner import run_single
from sim.model.daycycle import sessions_on
from sim.model.front_door import DONE, GONE, PENDING, expire_passed
from sim.model.front_door_queue import STATS
from sim.model.interventions import attach
from sim.model.model import (
    BOOKED,
    DNA,
    GAVE_UP,
    LOST,
    NAVIGATED,
    RESOLVED,
    SEEN,
    WAITING,
    GPSimModel,
)
from tests.conftest import scenario, tiny_mapping

ADMIN = {"role": "Admin", "count": 3, "fte": 0.8, "age": 40}


def _mapping(days: int, seed: int, front_door: dict, walk_in: bool = False) -> dict:
    m = tiny_mapping((3000, 5000), (2, 3), (1, 1), days=days, seed=seed, warm_up=7)
    for pr in m["area"]["pcns"][0]["practices"]:
        pr["staff"].append(dict(ADMIN))
    if walk_in:
        m["area"]["pcns"][0]["practices"][0]["access_mode"] = "walk_in"
    m["front_door"] = front_door
    return m


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=st.integers(5, 40), seed=st.integers(0, 10_000), walk_in=st.booleans(),
       phone=st.floats(0.0, 1.0), online_of_rest=st.floats(0.0, 1.0), patience=st.floats(0.5, 30.0),
       redial=st.floats(0.0, 1.0), attempts=st.integers(1, 5), cap=st.one_of(st.none(), st.floats(0.0, 5.0)),
       batch=st.integers(5, 120), queue=st.integers(0, 30), callback=st.floats(0.0, 1.0),
       triage=st.one_of(st.none(), st.floats(0.0, 1.0)), navigate=st.one_of(st.none(), st.floats(0.0, 1.0)),
       online_new=st.one_of(st.none(), st.floats(-0.1, 0.3)), ooh=st.one_of(st.none(), st.floats(0.0, 1.0)))
def test_every_contact_ends_in_exactly_one_state(days, seed, walk_in, phone, online_of_rest, patience, redial,
                                                 attempts, cap, batch, queue, callback, triage, navigate, online_new,
                                                 ooh):
    online = (1 - phone) * online_of_rest
    fd_cfg = {"channel_shares": {"telephone": phone, "online": online, "in_person": 1 - phone - online},
              "patience_minutes_mean": patience, "redial_probability": redial, "max_attempts": attempts,
              "online_daily_cap_per_1000": cap, "booking_batch_minutes": batch, "queue_positions": queue,
              "callback_share": callback,
              "out_of_hours": None if ooh is None else {"weekend_day_weight": 0.2, "nhs111_urgent_share": ooh}}
    m = _mapping(days, seed, fd_cfg, walk_in)
    if triage is not None:
        m["interventions"] = [{"type": "total_triage", "resolved_share": triage}]
    if navigate is not None:
        m.setdefault("interventions", []).append(
            {"type": "care_navigation", "shares": {"acute_minor": {"pharmacy": navigate / 2, "self_care": navigate / 2}}})
    if online_new is not None:
        m.setdefault("interventions", []).append({"type": "online_consultation", "new_demand": online_new})
    model = attach(scenario(m), 0)
    model.run()
    fd, state = model.front_door, model.state
    assert not (state == BOOKED).any()
    assert np.isin(state, [SEEN, DNA, WAITING, LOST, GAVE_UP, RESOLVED, NAVIGATED]).all()
    # navigated: handled, never booked, with a target; only with care navigation, only acute minor illness
    nav = state == NAVIGATED
    assert ((fd.navigated_to >= 0) == nav).all() and not (model.appt_day[nav] >= 0).any()
    assert (fd.progress[nav] == DONE).all()
    assert (navigate is not None and navigate > 0) or not nav.any()
    assert (model.requests.need[nav] == model.need_names.index("acute_minor")).all()
    # referred by NHS 111: urgent requests of closed days, handled that day
    R, ref = model.requests, fd.referred_111
    assert R.urgent[ref].all() and not model.cal.is_working_day[R.day[ref]].any()
    assert (fd.handled_day[ref] == R.day[ref]).all() and (ooh is not None or not ref.any())
    # resolved at triage: handled and triaged, never booked; only with total triage
    assert (fd.triaged[state == RESOLVED]).all() and not (model.appt_day[state == RESOLVED] >= 0).any()
    assert triage is not None or not (state == RESOLVED).any()
    # a contact gave up exactly when it never got through: only telephone contacts (or forms over the cap) do
    assert ((state == GAVE_UP) == (fd.progress == GONE)).all()
    assert ((fd.channel == 0) | fd.redirected)[state == GAVE_UP].all()
    # handled contacts reached booking on the day they were handled: booked, lost, or in the walk-in queue
    done = fd.progress == DONE
    assert ((fd.handled_day >= 0) == done).all()
    booked = model.appt_day >= 0
    assert done[booked].all()
    assert (model.appt_day[booked] >= fd.handled_day[booked]).all()
    assert not (state[done] == GAVE_UP).any()
    # still trying at the end: waiting, never booked
    pending = fd.progress == PENDING
    assert (state[pending] == WAITING).all() and not booked[pending].any()
    assert (fd.attempts <= attempts).all()
    # the day's calls: each attempt answered, hung up or engaged
    s = fd.stats.sum(axis=(0, 1))
    assert s[STATS.index("attempts")] == s[1] + s[2] + s[3]
    # channels add up: every request has one channel and one end, practice by practice
    for p in range(len(model.practices)):
        mine = model.requests.practice == p
        per_channel = np.bincount(fd.channel[mine], minlength=3)
        assert per_channel.sum() == mine.sum() == np.bincount(state[mine], minlength=8).sum()


def test_ledger_and_summary_count_contacts_that_gave_up_as_unmet():
    sc = scenario(_mapping(30, 5, {"patience_minutes_mean": 1.0, "max_attempts": 1}))
    result = run_single(sc, 0)
    led = result.ledger
    window = led[led["day"] >= 0]
    gave_up = int((window["state"] == "gave_up").sum())
    assert gave_up > 0
    head = result.headline()
    assert head["lost"] == int(window["state"].isin(["lost", "gave_up"]).sum())
    summary = result.summary.set_index(["level", "metric"])["value"]
    assert summary[("lgpo", "contacts_gave_up")] == gave_up
    assert summary[("lgpo", "requests_channel:telephone")] + summary[("lgpo", "requests_channel:online")] \
        + summary[("lgpo", "requests_channel:in_person")] == head["requests"]


def test_slots_that_have_started_cannot_be_booked():
    model = GPSimModel(scenario(_mapping(10, 2, {})), 0)
    model.step()  # the book is open for the days ahead; a later working day still has free slots
    d = next(t for t in range(3, model.cal.n) if model.cal.is_working_day[t])
    g = model.diaries
    before = g.free_sd[:, d] + g.free_rt[:, d]
    assert before.sum() > 0
    sessions = sessions_on(model, d)
    expire_passed(model, d, 480.0, sessions)  # 08:00: no session has started
    assert (g.free_sd[:, d] + g.free_rt[:, d] == before).all()
    expire_passed(model, d, 1440.0, sessions)  # midnight: every slot has started
    assert (g.free_sd[:, d] == 0).all() and (g.free_rt[:, d] == 0).all()
    assert (g.cap_sd[:, d] == 0).all() and (g.cap_rt[:, d] == 0).all()
    assert (g.rparent[:, d] > d).all() and (g.parent[:, d] > d).all()  # the day is marked full


def test_cloud_telephony_needs_the_front_door():
    m = tiny_mapping(days=10)
    m["interventions"] = [{"type": "cloud_telephony"}]
    with pytest.raises(ValueError, match="front_door"):
        attach(scenario(m), 0)


def test_cloud_telephony_cuts_engaged_and_abandoned_calls_only_while_it_runs():
    base = load_scenario("scenarios/small.yaml", overrides={"horizon_days": 60, "warm_up_days": 7,
                                                            "front_door": {}})
    m = base.model_dump(mode="json")
    m["interventions"] = [{"type": "cloud_telephony", "start": 1, "end": 2}]
    with_it = attach(scenario(m), 0)
    without = attach(base, 0)
    for model in (with_it, without):
        model.run()
    on = slice(with_it.cal.warm_up + 30, with_it.cal.warm_up + 59)  # month 1 (from 1 May) is on
    before = slice(with_it.cal.warm_up, with_it.cal.warm_up + 29)
    a, b = with_it.front_door.stats, without.front_door.stats
    np.testing.assert_array_equal(a[before], b[before])  # the same calls until it starts (common random numbers)
    hung_up = a[on, :, 2].sum() / a[on, :, 0].sum()
    # 70% of those who would hang up take a callback, but callers who heard engaged now queue (and some hang up)
    assert hung_up < 0.8 * b[on, :, 2].sum() / b[on, :, 0].sum()
    assert a[on, :, 3].sum() == 0  # nobody hears engaged
    assert a[on, :, 5].sum() > 0  # callbacks made


def test_total_triage_resolves_requests_and_costs_gp_slots():
    base = load_scenario("scenarios/small.yaml", overrides={"horizon_days": 40, "warm_up_days": 7,
                                                            "front_door": {}})
    m = base.model_dump(mode="json")
    m["interventions"] = [{"type": "total_triage", "resolved_share": 0.3}]
    with_it, without = attach(scenario(m), 0), attach(base, 0)
    for model in (with_it, without):
        model.run()
    triaged = with_it.front_door.triaged
    resolved = with_it.state == RESOLVED
    assert resolved.sum() == pytest.approx(0.3 * triaged.sum(), rel=0.05)
    assert with_it.front_door.triage_record.sum() == pytest.approx(2.5 * triaged.sum())
    gp = with_it.staff_table()["gp"]
    # GP slots went to triage: fewer GP appointments than without it
    assert with_it.staff_days.seen[gp].sum() < without.staff_days.seen[gp].sum()
