"""The back office's compiled day of a minute is exactly floor division, day ends included."""

from __future__ import annotations

import numpy as np

from sim.model.back_office_queue import day_of_minute


def test_day_of_is_floor_division() -> None:
    """Whole days, one ulp either side of them and random minutes: the day is ``minute // 1440`` every time."""
    day_of = day_of_minute  # compiled, called from Python
    k = np.arange(0, 800, dtype=np.float64) * 1440.0
    below, above = np.nextafter(k, -np.inf), np.nextafter(k, np.inf)
    minutes = np.concatenate([k, below[1:], above, np.random.default_rng(3).random(2000) * 1e6])
    assert [day_of(m) for m in minutes.tolist()] == [int(m // 1440.0) for m in minutes.tolist()]
