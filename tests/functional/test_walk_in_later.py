"""A walk-in practice that runs out of clinician time offers a later booked slot instead of losing the request."""

import numpy as np
import pandas as pd

from sim.experiments.runner import run_single
from tests.conftest import scenario, tiny_mapping


def _walk_in_run(later_slot: bool, seed: int, book_ahead: int = 14) -> pd.DataFrame:
    """The ledger of a stretched walk-in practice (T0: 6,000 patients, one GP) beside a booked one."""
    m = tiny_mapping(list_sizes=(6000, 3000), gps=(1, 2), nurses=(1, 1), days=40, seed=seed, warm_up=7)
    m["area"]["pcns"][0]["practices"][0]["access_mode"] = "walk_in"
    m["walk_in"] = {"later_slot": later_slot}
    m["booking"] = {"book_ahead_days": book_ahead}
    return run_single(scenario(m), 0).ledger


def test_later_slots_lower_the_walk_in_practices_lost_share_with_the_same_demand():
    """Five seeds: the same requests (common random numbers), fewer lost at the walk-in practice each time."""
    for seed in range(5):
        old, new = _walk_in_run(False, seed), _walk_in_run(True, seed)
        assert len(old) == len(new)
        assert (old["patient"].to_numpy() == new["patient"].to_numpy()).all()  # the same demand
        walk_old, walk_new = old[old["practice"] == "T0"], new[new["practice"] == "T0"]
        lost_old, lost_new = (walk_old["state"] == "lost").mean(), (walk_new["state"] == "lost").mean()
        assert lost_new < lost_old, (seed, lost_old, lost_new)


def test_a_later_slot_is_a_booked_appointment_on_a_later_day_within_the_book():
    led = _walk_in_run(True, 1, book_ahead=10)
    t0 = led[(led["practice"] == "T0") & led["urgent"]]
    later = t0[t0["queue_minutes"].isna() & t0["state"].isin(["seen", "dna", "waiting"])]
    assert len(later) > 0
    wait = later["wait_days"].to_numpy(dtype=float)
    assert (wait >= 1).all() and (wait <= 10).all()
    assert (later["staff"] >= 0).all()
    # each walk-in request ends in exactly one state, and lost ones (no slot in the book) have a destination
    assert set(t0["state"]) <= {"seen", "dna", "waiting", "lost"}
    lost = t0["state"] == "lost"
    assert t0.loc[lost, "destination"].notna().all() and t0.loc[~lost, "destination"].isna().all()


def test_without_a_later_day_in_the_book_nothing_is_rebooked():
    """book_ahead_days 0: no later day is open, so later_slot changes nothing."""
    a, b = _walk_in_run(False, 2, book_ahead=0), _walk_in_run(True, 2, book_ahead=0)
    assert np.array_equal(a["state"].astype(str).to_numpy(), b["state"].astype(str).to_numpy())
