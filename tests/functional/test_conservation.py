"""Every request ends in exactly one state: requests = seen + dna + waiting + lost (per practice and total)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.scenario import default_roles
from sim.experiments.runner import run_single
from sim.model.model import BOOKED, GPSimModel
from tests.conftest import scenario, tiny_mapping

practice_st = st.tuples(st.integers(300, 4000), st.integers(0, 3), st.integers(0, 2))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(practices=st.lists(practice_st, min_size=1, max_size=3),
       days=st.integers(5, 40), seed=st.integers(0, 10_000), walk_in=st.booleans(),
       book_ahead=st.integers(0, 21), same_day=st.floats(0.0, 1.0), later_slot=st.booleans())
def test_every_request_ends_in_exactly_one_state(practices, days, seed, walk_in, book_ahead, same_day, later_slot):
    sizes, gps, nurses = zip(*practices, strict=True)
    mapping = tiny_mapping(sizes, gps, nurses, days=days, seed=seed, warm_up=7)
    mapping["booking"] = {"book_ahead_days": book_ahead}
    mapping["roles"] = {name: {**spec.model_dump(mode="json"), "same_day_slot_share": same_day}
                        for name, spec in default_roles().items()}
    if walk_in:
        mapping["area"]["pcns"][0]["practices"][0]["access_mode"] = "walk_in"
        mapping["walk_in"] = {"later_slot": later_slot}  # not seen in the queue: a later slot, else lost
    sc = scenario(mapping)
    model = GPSimModel(sc, 0)
    model.run()
    assert not (model.state == BOOKED).any()
    result = run_single(sc, 0)
    led = result.ledger
    counts = led.groupby(["practice", "state"], observed=False).size().unstack(fill_value=0)
    total_per_practice = led.groupby("practice", observed=False).size()
    assert (counts[["seen", "dna", "waiting", "lost"]].sum(axis=1) == total_per_practice).all()
    assert counts.to_numpy().sum() == len(led)
    # the summary agrees with the ledger for the reporting window
    head = result.headline()
    window = led[led["day"] >= 0]
    assert head["requests"] == len(window)
    assert head["lost"] == int((window["state"] == "lost").sum())
    # an appointment is never before its request, and seen/dna rows always have a clinician
    booked = led[led["state"].isin(["seen", "dna", "waiting"])]
    assert (booked["staff"] >= 0).all()
    assert (booked["wait_days"].to_numpy(dtype=float) >= 0).all()
    assert np.isfinite(led["duration_minutes"]).all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(practices=st.lists(practice_st, min_size=1, max_size=2), days=st.integers(3, 30),
       seed=st.integers(0, 10_000), walk_in=st.booleans())
def test_staff_day_workload_equals_the_ledger_on_every_day(practices, days, seed, walk_in):
    """Seen and DNA counts per clinician and day agree with the ledger, the horizon's last day included."""
    sizes, gps, nurses = zip(*practices, strict=True)
    mapping = tiny_mapping(sizes, gps, nurses, days=days, seed=seed, warm_up=7)
    if walk_in:
        mapping["area"]["pcns"][0]["practices"][0]["access_mode"] = "walk_in"
    model = GPSimModel(scenario(mapping), 0)
    model.run()
    for state, table in ((1, model.staff_days.seen), (2, model.staff_days.dna)):
        mine = model.state == state
        counted = np.zeros_like(table)
        np.add.at(counted, (model.appt_staff[mine], model.appt_day[mine]), 1)
        assert np.array_equal(counted[:, :model.n_sim_days], table[:, :model.n_sim_days])
        assert table[:, model.n_sim_days - 1].sum() == counted[:, model.n_sim_days - 1].sum()
