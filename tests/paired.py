"""Paired comparisons for direction tests: replication-by-replication differences and their 95% t-interval."""

from __future__ import annotations

import numpy as np
from scipy import stats


def paired(a: list[dict], b: list[dict], metric: str) -> tuple[float, float, float]:
    """Mean paired difference b - a of ``metric`` over replications, and its 95% interval."""
    d = np.array([y[metric] - x[metric] for x, y in zip(a, b, strict=True)], dtype=float)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean(), d.mean() - half, d.mean() + half


def assert_up(a: list[dict], b: list[dict], metric: str) -> None:
    """``metric`` rises from a to b: the paired interval lies above zero."""
    m, lo, hi = paired(a, b, metric)
    assert lo > 0, f"{metric}: expected a rise, got {m:.4g} [{lo:.4g}, {hi:.4g}]"


def assert_down(a: list[dict], b: list[dict], metric: str) -> None:
    """``metric`` falls from a to b: the paired interval lies below zero."""
    m, lo, hi = paired(a, b, metric)
    assert hi < 0, f"{metric}: expected a fall, got {m:.4g} [{lo:.4g}, {hi:.4g}]"
