"""95% t-intervals over replications: the one definition compare, the report and the tests use."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

QUANTILE = 0.975  # two-sided 95%


def t_interval(values: Iterable[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval of the finite values (NaN bounds with fewer than two, all NaN with none)."""
    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(QUANTILE, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def t_interval_columns(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise mean and 95% t-interval of a (replications x points) array; NaN bounds for one row."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    m = x.mean(axis=0)
    if n < 2:
        nan = np.full(m.shape, np.nan)
        return m, nan, nan.copy()
    half = stats.t.ppf(QUANTILE, n - 1) * x.std(axis=0, ddof=1) / np.sqrt(n)
    return m, m - half, m + half


def clip_interval(low: ArrayLike, high: ArrayLike, bounds: tuple[float, float] = (-math.inf, math.inf),
                  ) -> tuple[np.ndarray, np.ndarray]:
    """An interval's bounds clipped to the possible range ``bounds`` (NaN stays NaN).

    A t-interval is symmetric, so for a count near zero or a share near 100% it can reach values
    the outcome can never take (Leavers 1.3 [-0.1, 2.8]); reports show ``[0.0, 2.8]`` instead.
    """
    lo, hi = bounds
    return np.clip(np.asarray(low, dtype=float), lo, hi), np.clip(np.asarray(high, dtype=float), lo, hi)
