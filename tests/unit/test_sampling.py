"""The bucketed cumulative search gives exactly numpy's searchsorted(side="right")."""

import numpy as np
import pytest

from sim.model.sampling import CumulativeSearch


@pytest.mark.parametrize("seed", range(12))
def test_bucketed_search_equals_searchsorted_right(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20_000))
    # zero rates give runs of equal cumulative values, the hard case for a "first index above u" search
    rate = rng.random(n) * rng.choice([0.0, 1.0, 7.0], n)
    cum = np.cumsum(rate)
    needles = np.concatenate([
        rng.random(50_000) * max(cum[-1], 1.0) * 1.02,  # inside the range and a little beyond
        cum[rng.integers(0, n, 2_000)],                 # exactly on cumulative values
        [0.0, cum[-1], -1.0, np.nextafter(cum[-1], -np.inf)],
    ])
    search = CumulativeSearch(cum, buckets=int(rng.integers(1, 2 * n + 2)))
    np.testing.assert_array_equal(search.search(needles), np.searchsorted(cum, needles, side="right"))


def test_all_zero_rates_search_to_the_end():
    cum = np.zeros(5)
    np.testing.assert_array_equal(CumulativeSearch(cum).search(np.array([0.0, 1.0, -1.0])), [5, 5, 0])
