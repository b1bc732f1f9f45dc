"""Functional and extreme-value tier: the model responds in the right direction, with common seeds."""

import itertools

import numpy as np
import pytest

from sim.experiments.runner import run_single
from sim.model.model import GPSimModel
from tests.conftest import scenario, tiny_mapping


def headline(mapping, rep=0):
    return run_single(scenario(mapping), rep).headline()


def test_zero_demand_gives_no_appointments():
    m = tiny_mapping(days=30)
    m["demand"] = {"rate_multiplier": 1e-12}
    model = GPSimModel(scenario(m))
    model.run()
    assert model.requests.size == 0
    assert model.staff_days.seen.sum() == 0 and model.staff_days.dna.sum() == 0
    assert model.staff_days.offered_slots.sum() > 0  # the clinics still open


def test_no_clinicians_loses_every_request():
    m = tiny_mapping(gps=(0, 0), nurses=(0, 0), days=20, pcn_staff=[{"role": "Admin", "count": 1}])
    m["area"]["pcns"][0]["practices"][0]["staff"] = [{"role": "Admin", "count": 2}]
    m["area"]["pcns"][0]["practices"][1]["staff"] = [{"role": "Admin", "count": 2}]
    h = headline(m)
    assert h["requests"] > 0 and h["lost"] == h["requests"] and h["appointments"] == 0


@pytest.mark.parametrize("rep", [0, 1, 2])
def test_more_gp_fte_never_raises_mean_wait_or_unmet(rep):
    results = []
    for gps in [(1, 1), (2, 2), (3, 4), (6, 8)]:
        h = headline(tiny_mapping(gps=gps, days=90), rep)
        results.append((h["mean_wait_days"], h["lost"]))
    waits = [w for w, _ in results]
    lost = [x for _, x in results]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(waits)), waits
    assert all(b <= a for a, b in itertools.pairwise(lost)), lost
    assert lost[0] > lost[-1]


def test_halving_capacity_raises_unmet_demand():
    full = tiny_mapping(gps=(4, 4), nurses=(2, 2), days=90)
    half = tiny_mapping(gps=(2, 2), nurses=(1, 1), days=90)
    unmet_full = [headline(full, r)["unmet_per_1000"] for r in range(3)]
    unmet_half = [headline(half, r)["unmet_per_1000"] for r in range(3)]
    assert all(h > f for h, f in zip(unmet_half, unmet_full, strict=True))
    assert np.mean(unmet_half) > 1.5 * np.mean(unmet_full)


def test_demand_is_identical_when_only_staffing_changes():
    # common random numbers: a staffing lever does not change the demand drawn
    a = GPSimModel(scenario(tiny_mapping(gps=(1, 1), days=40)), 2)
    b = GPSimModel(scenario(tiny_mapping(gps=(5, 5), nurses=(3, 3), days=40)), 2)
    for field in ("day", "minute", "patient", "need", "urgent", "lead", "tolerance", "mode", "u_dna", "z_duration"):
        np.testing.assert_array_equal(getattr(a.requests, field), getattr(b.requests, field))


def test_default_demand_rate_is_about_5_5_to_6_per_patient_year(small_scenario):
    model = GPSimModel(small_scenario, 0)
    reporting = model.requests.day >= small_scenario.warm_up_days
    per_patient_year = reporting.sum() / small_scenario.list_size * 365.25 / small_scenario.horizon_days
    assert 5.5 <= per_patient_year <= 6.0


def test_mesa_time_follows_the_simpy_clock():
    model = GPSimModel(scenario(tiny_mapping(days=5)), 0)
    for day in range(1, 4):
        model.step()
        assert model.time == model.env.now == day * 1440
    model.run()
    assert not model.running
    assert model.time == model.env.now == model.n_sim_days * 1440


def test_staff_and_patients_are_mesa_agents():
    import mesa

    model = GPSimModel(scenario(tiny_mapping(days=10)), 0)
    model.run()
    assert all(isinstance(s, mesa.Agent) for s in model.staff)
    kinds = {type(a).__name__ for a in model.agents}
    assert {"GP", "Nurse", "OtherDPC", "Pharmacist"} <= kinds
    p = model.patient(5)
    assert isinstance(p, mesa.Agent) and p.practice in {"T0", "T1"}
    assert p.usual_gp is None or p.usual_gp.kind == "gp"
    assert model.patient(5) is p
    hist = p.history()
    assert (hist["patient"] == 5).all()
    with pytest.raises(IndexError):
        model.patient(10**9)


def test_walk_in_practice_serves_same_day_in_queue_order():
    m = tiny_mapping(days=30, gps=(3, 3))
    m["area"]["pcns"][0]["practices"][0]["access_mode"] = "walk_in"
    res = run_single(scenario(m), 0)
    led = res.ledger
    walk = led[(led["practice"] == "T0") & led["urgent"] & (led["state"] == "seen") & led["queue_minutes"].notna()]
    assert len(walk) > 0
    assert (walk["wait_days"] == 0).all()
    assert (walk["queue_minutes"] >= 0).all()
    # not seen in the queue that day: a booked slot on a later day (walk_in.later_slot), not a queue place
    later = led[(led["practice"] == "T0") & led["urgent"] & led["state"].isin(["seen", "dna"])
                & led["queue_minutes"].isna()]
    assert (later["wait_days"] >= 1).all()
    booked = led[(led["practice"] == "T1") & (led["state"] == "seen")]
    assert booked["queue_minutes"].isna().all()
