"""The back office's merge of the sorted backlog with today's arrivals gives numpy's full argsort."""

from __future__ import annotations

import numpy as np

from sim.model.back_office_queue import merge_order


def test_merge_equals_argsort_or_falls_back() -> None:
    """Distinct keys with a sorted backlog: the merge is argsort's order; ties or an unsorted backlog: refused."""
    rng = np.random.default_rng(0)
    merged = 0
    for _ in range(2000):
        n_old, m = int(rng.integers(0, 60)), int(rng.integers(0, 60))
        ties = rng.random() < 0.5  # small integer keys: ties likely
        draw = (lambda k: rng.integers(0, 80, k).astype(float)) if ties else rng.random
        old = np.sort(draw(n_old))
        if rng.random() < 0.2:
            old = rng.permutation(old)
        key = np.concatenate([old, draw(m)])
        order, ok = merge_order(key, n_old, np.argsort(key[n_old:]))
        if ok:
            merged += 1
            np.testing.assert_array_equal(order, np.argsort(key))
        else:
            assert np.unique(key).size < key.size or (np.diff(old) <= 0).any()
    assert merged > 500
