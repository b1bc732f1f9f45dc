"""The front door's compiled minute order is np.lexsort's order (sim.model.front_door_sort)."""

import numpy as np
import pytest

from sim.model.front_door_sort import minute_order


@pytest.mark.parametrize("keys", ["whole minutes", "continuous", "one crowded minute", "out of range"])
def test_minute_order_is_lexsort(keys):
    rng = np.random.default_rng(7)
    for trial in range(40):
        n = int(rng.integers(0, 1500))
        if keys == "whole minutes":  # many ties: the tie decides
            key = rng.integers(480, 1110, n).astype(float)
        elif keys == "continuous":
            key = 480.0 + 630.0 * rng.random(n)
        elif keys == "one crowded minute":  # a run far longer than SHORT within one minute: the merge sort
            key = np.where(rng.random(n) < 0.5, 480.0, 480.0 + rng.random(n))
        else:  # below 0 and past the last bucket share the end buckets
            key = rng.random(n) * 6000.0 - 1000.0
        n_groups = int(rng.integers(1, 9))
        group = rng.integers(0, n_groups, n).astype(np.int64)
        tie = rng.permutation(3 * n)[:n].astype(np.int64) if trial % 2 else np.arange(n, dtype=np.int64)
        order, first = minute_order(key, tie, group, n_groups)
        expected = np.lexsort((tie, key, group)) if n_groups > 1 else np.lexsort((tie, key))
        np.testing.assert_array_equal(order, expected)
        if n_groups > 1:
            np.testing.assert_array_equal(first, np.searchsorted(group[expected], np.arange(n_groups + 1)))
        else:
            np.testing.assert_array_equal(first, [0, n])
