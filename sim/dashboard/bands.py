"""Means and 95% intervals across the dashboard's replications: pure functions from snapshots to numbers.

Every band is the mean over replications and its 95% t-interval (:mod:`sim.results.intervals`, the
one definition the report and ``compare`` use), clipped to the range the measure can take (no
negative waiting list, no share above 100%). A difference between the two sides is taken within
each replication first (both sides of a replication draw the same demand) and the interval is of
those paired differences, which is narrower and honest about what the comparison shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.dashboard.state import Reps, Snapshot
from sim.results.intervals import t_interval, t_interval_columns

Bounds = tuple[float, float]
ANY: Bounds = (-math.inf, math.inf)
NON_NEGATIVE: Bounds = (0.0, math.inf)
PERCENT: Bounds = (0.0, 100.0)


@dataclass(frozen=True)
class Band:
    """Mean and 95% interval over replications (NaN bounds with one replication)."""

    mean: float
    low: float
    high: float
    n: int  # replications with a value

    @property
    def has_interval(self) -> bool:
        """True when both bounds are numbers."""
        return math.isfinite(self.low) and math.isfinite(self.high)


def clip(value: float, bounds: Bounds) -> float:
    """``value`` inside ``bounds`` (NaN stays NaN)."""
    return value if math.isnan(value) else min(max(value, bounds[0]), bounds[1])


def band(values: Sequence[float], bounds: Bounds = ANY) -> Band:
    """Mean and 95% t-interval of the finite ``values``, the interval clipped to ``bounds``."""
    x = [float(v) for v in values if v is not None and math.isfinite(v)]
    mean, low, high = t_interval(x)
    return Band(mean, clip(low, bounds), clip(high, bounds), len(x))


def values_of(snaps: Sequence[Snapshot], get: Callable[[Snapshot], float | None]) -> list[float]:
    """One number per replication (NaN where a replication has none)."""
    out = []
    for s in snaps:
        v = get(s)
        out.append(math.nan if v is None else float(v))
    return out


def attr_band(snaps: Sequence[Snapshot], attr: str, bounds: Bounds = ANY) -> Band:
    """Band of one snapshot attribute across replications."""
    return band(values_of(snaps, lambda s: getattr(s, attr)), bounds)


def paired_difference(a: Sequence[Snapshot], b: Sequence[Snapshot], attr: str) -> Band:
    """Band of ``b - a`` taken replication by replication (the sides' replications pair up by index)."""
    va, vb = values_of(a, lambda s: getattr(s, attr)), values_of(b, lambda s: getattr(s, attr))
    return band([y - x for x, y in zip(va, vb, strict=True)])


@dataclass(frozen=True)
class SeriesBand:
    """A time series across replications: reporting days with the mean and 95% interval of each."""

    days: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def series_band(reps: Reps, attr: str, bounds: Bounds = ANY, skip_first: bool = False) -> SeriesBand:
    """Day by day mean and 95% interval of ``Snapshot.<attr>`` over the replications of one side.

    Days where some replication has no value (NaN) use the replications that have one.
    """
    n_days = min(len(h) for h in reps)
    start = 1 if skip_first else 0
    x = np.array([[getattr(h[d], attr) for d in range(start, n_days)] for h in reps], dtype=float)
    days = np.array([reps[0][d].day for d in range(start, n_days)], dtype=int)
    if x.shape[1] == 0:
        empty = np.zeros(0)
        return SeriesBand(days, empty, empty.copy(), empty.copy())
    finite = np.isfinite(x).all(axis=0)
    mean, low, high = (np.full(x.shape[1], np.nan) for _ in range(3))
    if finite.any():
        mean[finite], low[finite], high[finite] = t_interval_columns(x[:, finite])
    for d in np.flatnonzero(~finite):  # rare: a window with nothing in it in some replication
        mean[d], low[d], high[d] = t_interval(x[:, d])
    return SeriesBand(days, mean, np.clip(low, *bounds), np.clip(high, *bounds))


def wait_share_bands(snaps: Sequence[Snapshot], n_bins: int) -> list[Band]:
    """Per booking interval: % of appointments booked so far, mean and interval over replications."""
    shares = []
    for s in snaps:
        total = sum(s.wait_bins)
        shares.append([100.0 * c / total if total else math.nan for c in s.wait_bins] or [math.nan] * n_bins)
    return [band([row[k] for row in shares], PERCENT) for k in range(n_bins)]


def role_bands(snaps: Sequence[Snapshot], attr: str, roles: Sequence[str]) -> list[Band]:
    """Per role: band of ``Snapshot.<attr>[role]`` (a dict by role) over replications."""
    return [band(values_of(snaps, lambda s, r=role: getattr(s, attr).get(r)), NON_NEGATIVE) for role in roles]


@dataclass(frozen=True)
class PracticeBand:
    """One practice across replications: what the area picture and the export show."""

    code: str
    name: str
    pcn: str
    list_size: int
    strain: Band  # % of requests unmet or late
    unmet: Band
    late: Band
    utilisation: Band


def practice_bands(snaps: Sequence[Snapshot]) -> list[PracticeBand]:
    """Every practice's strain, unmet and late shares and utilisation over replications (scenario order)."""
    full = [s for s in snaps if s.practices]
    if not full:
        return []
    out = []
    for k, p in enumerate(full[0].practices):
        rows = [s.practices[k] for s in full]
        out.append(PracticeBand(
            code=p.code, name=p.name, pcn=p.pcn, list_size=p.list_size,
            strain=band([r.strain_pct for r in rows], NON_NEGATIVE),
            unmet=band([r.unmet_pct for r in rows], PERCENT), late=band([r.late_pct for r in rows], PERCENT),
            utilisation=band([r.utilisation_pct for r in rows], NON_NEGATIVE)))
    return out
