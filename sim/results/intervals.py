"""95% t-intervals over replications: the one definition compare, the report and the tests use."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
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


def t_prediction_interval(values: Iterable[float], level: float = 0.90,
                          extra_sd: float = 0.0) -> tuple[float, float, float]:
    """Mean and ``level`` prediction interval for one new value: t x sqrt(s^2 (1 + 1/n) + extra_sd^2).

    ``extra_sd`` adds a variance the replications do not show (a model discrepancy). NaN bounds
    with fewer than two finite values.
    """
    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    spread = math.sqrt(float(x.var(ddof=1)) * (1 + 1 / x.size) + extra_sd**2)
    half = float(stats.t.ppf(1 - (1 - level) / 2, x.size - 1)) * spread
    return m, m - half, m + half
