"""Paired comparisons for direction tests: replication-by-replication differences and their 95% t-interval."""

from __future__ import annotations

from sim.results.intervals import t_interval


def paired(a: list[dict], b: list[dict], metric: str) -> tuple[float, float, float]:
    """Mean paired difference b - a of ``metric`` over replications, and its 95% interval."""
    return t_interval([y[metric] - x[metric] for x, y in zip(a, b, strict=True)])


def assert_up(a: list[dict], b: list[dict], metric: str) -> None:
    """``metric`` rises from a to b: the paired interval lies above zero."""
    m, lo, hi = paired(a, b, metric)
    assert lo > 0, f"{metric}: expected a rise, got {m:.4g} [{lo:.4g}, {hi:.4g}]"


def assert_down(a: list[dict], b: list[dict], metric: str) -> None:
    """``metric`` falls from a to b: the paired interval lies below zero."""
    m, lo, hi = paired(a, b, metric)
    assert hi < 0, f"{metric}: expected a fall, got {m:.4g} [{lo:.4g}, {hi:.4g}]"
