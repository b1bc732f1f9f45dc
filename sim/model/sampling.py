"""Fast exact sampling helpers for the demand draw (compiled)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _search_right_bucketed(cum, u, edges, first):  # pragma: no cover - compiled
    out = np.empty(u.size, np.int64)
    k = edges.size - 1
    scale = k / edges[k] if edges[k] > 0 else 0.0
    for i in range(u.size):
        x = u[i]
        b = min(max(int(x * scale), 0), k - 1)
        while b > 0 and x < edges[b]:  # the float estimate of the bucket may be one off
            b -= 1
        while b < k - 1 and x >= edges[b + 1]:
            b += 1
        lo, hi = first[b], first[b + 1]  # the answer lies in [lo, hi]
        while lo < hi:
            m = (lo + hi) >> 1
            if cum[m] <= x:
                lo = m + 1
            else:
                hi = m
        out[i] = lo
    return out


class CumulativeSearch:
    """``np.searchsorted(cum, u, side="right")`` for many needles ``u``, identical results, faster.

    A table of equal-width buckets over ``[0, cum[-1]]`` gives each needle a short stretch of
    ``cum`` to search, so the search stays in cache instead of walking a long array at random.
    """

    def __init__(self, cum: np.ndarray, buckets: int | None = None):
        self.cum = np.ascontiguousarray(cum, dtype=np.float64)
        k = max(1, buckets if buckets is not None else self.cum.size)
        top = float(self.cum[-1]) if self.cum.size else 0.0
        self.edges = np.linspace(0.0, top, k + 1)
        self.first = np.searchsorted(self.cum, self.edges, side="right").astype(np.int64)
        self.first[0] = 0  # needles below zero search from the start
        self.first[-1] = self.cum.size  # needles at or beyond the top search to the end

    def search(self, u: np.ndarray) -> np.ndarray:
        """First index whose cumulative value exceeds each ``u`` (``cum.size`` where none does)."""
        return _search_right_bucketed(self.cum, np.ascontiguousarray(u, dtype=np.float64), self.edges, self.first)
