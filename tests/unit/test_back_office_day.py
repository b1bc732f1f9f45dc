"""The compiled back-office day builds the same queues as the NumPy it replaced (stable arrival order per cell)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.back_office_day import enqueue_day
from sim.model.back_office_queue import enqueue, queued


@pytest.mark.parametrize("coarse", [False, True])
def test_enqueue_day_matches_a_stable_sort_of_the_day(coarse: bool) -> None:
    """Over 40 days (ties when arrivals are whole minutes, some tasks already gone), every cell's queue is the same."""
    rng = np.random.default_rng(11)
    n_p, n_k, days = 5, 4, 40
    per_day = rng.poisson(300, days)
    per_day[3] = 0
    per_day[4] = 1
    n = int(per_day.sum())
    first = np.concatenate([[0], np.cumsum(per_day)])
    practice = rng.integers(0, n_p, n).astype(np.int32)
    kind = rng.integers(0, n_k, n).astype(np.int8)
    within = rng.random(n) * 600.0
    arrival = np.repeat(np.arange(days), per_day) * 1440.0 + 480.0 + (np.floor(within / 20.0) if coarse else within)
    state = np.where(rng.random(n) < 0.1, 3, 0).astype(np.int8)  # 3: absorbed before queueing (a pool's SHARED)
    queues = [(np.full(n_p * n_k, -1, dtype=np.int64), np.full(n_p * n_k, -1, dtype=np.int64),
               np.zeros(n_p * n_k, dtype=np.int64), np.full(n, -1, dtype=np.int32)) for _ in range(2)]
    for d in range(days):
        new = np.arange(first[d], first[d + 1])
        new = new[state[new] == 0]
        enqueue(new[np.argsort(arrival[new], kind="stable")], practice, kind, n_k, *queues[0])
        enqueue_day(first[d], first[d + 1], state, 0, practice, kind, n_k, arrival, *queues[1])
        if d % 7 == 6:  # a served prefix leaves each cell: the next day's tasks join behind the rest
            for head, _tail, count, nxt in queues:
                for c in range(0, n_p * n_k, 3):
                    while count[c] > 2:
                        head[c], count[c] = nxt[head[c]], count[c] - 1
        for a, b in zip(queues[0], queues[1], strict=True):
            np.testing.assert_array_equal(a, b)
    (h0, _, c0, n0), (h1, _, c1, n1) = queues
    np.testing.assert_array_equal(queued(h0, c0, n0), queued(h1, c1, n1))
    assert c0.sum() > 100
    assert not coarse or (np.diff(np.sort(arrival)) == 0).any()  # the coarse case has ties to break
