"""Compiled order of a day's contacts by minute: what ``np.lexsort`` gives, in linear time.

The front door sorts each day's calls by (practice, ring minute) and its handled contacts by
(handling minute, request id). Minutes of a day are finite floats of a small range, so a counting
sort by whole minute, a sort within each minute and a stable counting sort by group give the same
order as a comparison sort, without a per-day argsort (``sim.model.front_door``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

N_BUCKETS = 2048  # whole minutes 0 .. 2046 each a bucket; later minutes (and below 0) share an end bucket
SHORT = 24  # runs up to this length are insertion-sorted, longer ones merge-sorted


@njit(cache=True)
def _less(key, tie, a, b):  # pragma: no cover - compiled
    """Item ``a`` comes before item ``b``: a smaller key, or the same key and a smaller tie."""
    return key[a] < key[b] or (key[a] == key[b] and tie[a] < tie[b])


@njit(cache=True)
def _merge_sort(order, lo, hi, key, tie, tmp):  # pragma: no cover - compiled
    """Sort ``order[lo:hi]`` by (key, tie) with a bottom-up merge sort (runs longer than :data:`SHORT`)."""
    n = hi - lo
    a, b = order[lo:hi], tmp[lo:hi]
    flip = False
    width = 1
    while width < n:
        src, dst = (b, a) if flip else (a, b)
        for s in range(0, n, 2 * width):
            m, e = min(s + width, n), min(s + 2 * width, n)
            i, j, k = s, m, s
            while i < m and j < e:
                if _less(key, tie, src[j], src[i]):
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < m:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < e:
                dst[k] = src[j]
                j += 1
                k += 1
        flip = not flip
        width *= 2
    if flip:
        a[:] = b


@njit(cache=True)
def minute_order(key, tie, group, n_groups):  # pragma: no cover - compiled
    """(order, first): items by (group, key, tie), and each group's offsets (``n_groups`` + 1) in that order.

    ``key``: finite minutes; ``tie``: distinct integers (the order among equal keys); ``group``:
    integers in 0 .. n_groups - 1. The order is ``np.lexsort((tie, key, group))``.
    """
    n = key.size
    count = np.zeros(N_BUCKETS + 1, dtype=np.int64)
    bucket = np.empty(n, dtype=np.int64)
    for i in range(n):
        k = key[i]
        if k >= N_BUCKETS - 1:
            b = N_BUCKETS - 1
        elif k > 0.0:
            b = int(k)  # truncation is the floor for k > 0: buckets ascend with the key
        else:
            b = 0
        bucket[i] = b
        count[b + 1] += 1
    for b in range(N_BUCKETS):
        count[b + 1] += count[b]
    by_minute = np.empty(n, dtype=np.int64)
    at = count[:N_BUCKETS].copy()
    for i in range(n):
        by_minute[at[bucket[i]]] = i
        at[bucket[i]] += 1
    tmp = np.empty(n, dtype=np.int64)
    for b in range(N_BUCKETS):
        lo, hi = count[b], count[b + 1]
        if hi - lo > SHORT:
            _merge_sort(by_minute, lo, hi, key, tie, tmp)
        else:  # insertion sort
            for i in range(lo + 1, hi):
                x = by_minute[i]
                j = i - 1
                while j >= lo and _less(key, tie, x, by_minute[j]):
                    by_minute[j + 1] = by_minute[j]
                    j -= 1
                by_minute[j + 1] = x
    first = np.zeros(n_groups + 1, dtype=np.int64)
    if n_groups <= 1:
        first[n_groups] = n
        return by_minute, first
    for i in range(n):
        first[group[i] + 1] += 1
    for g in range(n_groups):
        first[g + 1] += first[g]
    order = np.empty(n, dtype=np.int64)
    at = first[:n_groups].copy()
    for i in by_minute:  # stable: within a group, items keep their (key, tie) order
        order[at[group[i]]] = i
        at[group[i]] += 1
    return order, first
