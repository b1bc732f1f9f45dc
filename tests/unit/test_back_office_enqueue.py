"""The back office's fast arrival order and day of a minute are exactly the slow ones', ties and day ends included."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.back_office_queue import arrival_order, day_of_minute


@pytest.mark.parametrize("coarse", [False, True])
def test_arrival_order_is_the_stable_order(coarse: bool) -> None:
    """Continuous arrivals (no ties) and minutes rounded down (many ties, kept in index order)."""
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 50, 12_000):
        arrival = 480.0 + rng.random(n) * 600.0
        if coarse:
            arrival = np.floor(arrival)
        np.testing.assert_array_equal(arrival_order(arrival), np.argsort(arrival, kind="stable"))


def test_day_of_is_floor_division() -> None:
    """Whole days, one ulp either side of them and random minutes: the day is ``minute // 1440`` every time."""
    day_of = day_of_minute  # compiled, called from Python
    k = np.arange(0, 800, dtype=np.float64) * 1440.0
    below, above = np.nextafter(k, -np.inf), np.nextafter(k, np.inf)
    minutes = np.concatenate([k, below[1:], above, np.random.default_rng(3).random(2000) * 1e6])
    assert [day_of(m) for m in minutes.tolist()] == [int(m // 1440.0) for m in minutes.tolist()]
