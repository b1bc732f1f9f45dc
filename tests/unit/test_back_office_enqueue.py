"""The back office's fast arrival order is exactly the stable sort's, ties included."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.back_office_queue import arrival_order


@pytest.mark.parametrize("coarse", [False, True])
def test_arrival_order_is_the_stable_order(coarse: bool) -> None:
    """Continuous arrivals (no ties) and minutes rounded down (many ties, kept in index order)."""
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 50, 12_000):
        arrival = 480.0 + rng.random(n) * 600.0
        if coarse:
            arrival = np.floor(arrival)
        np.testing.assert_array_equal(arrival_order(arrival), np.argsort(arrival, kind="stable"))
