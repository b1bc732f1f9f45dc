"""A practice's strain (0-1), which lowers the fill probability of its adverts: hard-to-recruit practices.

Issue 12 asks the fill probability to fall with the practice's strain from overtime, burnout and
turnover. Each part is 0-1 and the strain is their weighted sum (``workforce.turnover.strain_weights``),
capped at 1; an advert fills with probability p x (1 - strain_sensitivity x strain).

- overtime: the clinicians' mean overtime above their own usual (hours per FTE-week, last month, from
  the burnout update) as a fraction of contracted hours, over ``strain_overtime_full``;
- burnout: the clinicians' mean burnout;
- turnover: leavers in the last 12 months per post (in post or vacant) above the practice's expected
  leaving rate, over ``strain_turnover_full``. Before a year has run, the months before the start hold
  a Poisson number of leavers at the expected rate and the part is its expectation over them, so the
  baseline starts at its steady level: a practice's leavers in a year scatter around the expected rate
  and only the excess counts, so a steady practice's mean turnover part is above 0 (about 0.2 for the
  practices of 25 posts of scenarios/baseline.yaml). Counting the months before the start at exactly
  the expected rate gave 0 at the start, below the steady level, and the vacancies seeded at that
  strain were fewer than the run then held (benchmarks/README.md, 'Seeded at the stationary strain').
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.units import FULL_TIME_HOURS_PER_WEEK

if TYPE_CHECKING:
    from sim.config.scenario import Turnover

YEAR_DAYS = 365


@dataclass(frozen=True)
class StrainParts:
    """The three parts of a practice's strain, each 0-1."""

    overtime: float
    burnout: float
    turnover: float


def overtime_part(cfg: Turnover, excess_hours: list[float]) -> float:
    """Mean overtime above the usual (hours per FTE-week) as a share of contracted hours, over the full level."""
    if not excess_hours:
        return 0.0
    share = max(0.0, sum(excess_hours) / len(excess_hours)) / FULL_TIME_HOURS_PER_WEEK
    return min(1.0, share / cfg.strain_overtime_full)


def turnover_part(cfg: Turnover, leaver_days: list[int], day: int, posts: float, expected_rate: float) -> float:
    """Leavers in the 12 months before ``day`` per post above ``expected_rate``, over the full level.

    The part of the window before the start (internal day 0) holds a Poisson number of leavers at the
    expected rate; the part is its expectation over that number (the steady state's, at the start).
    """
    if posts <= 0:
        return 0.0
    recent = sum(1 for d in leaver_days if day - YEAR_DAYS <= d < day)
    before = max(0, YEAR_DAYS - day) / YEAR_DAYS * expected_rate * posts
    counts, weights = poisson_weights(before)
    excess = (recent + counts) / posts - expected_rate
    return float(np.sum(weights * np.minimum(1.0, np.maximum(0.0, excess) / cfg.strain_turnover_full)))


def poisson_weights(mean: float) -> tuple[np.ndarray, np.ndarray]:
    """Counts 0..K and their Poisson(``mean``) probabilities, K far enough into the tail that they sum to 1."""
    if mean <= 0:
        return np.zeros(1), np.ones(1)
    k = np.arange(int(mean + 10 * math.sqrt(mean) + 10) + 1)
    log_pmf = -mean + k * math.log(mean) - np.array([math.lgamma(j + 1) for j in k])
    w = np.exp(log_pmf)
    return k.astype(float), w / w.sum()


def combined(cfg: Turnover, parts: StrainParts) -> float:
    """The practice's strain (0-1): the weighted sum of its parts, capped at 1."""
    w = cfg.strain_weights
    total = (w.get("overtime", 0.0) * parts.overtime + w.get("burnout", 0.0) * parts.burnout
             + w.get("turnover", 0.0) * parts.turnover)
    return min(1.0, total)


def strained_fill_probability(cfg: Turnover, p: float, parts: StrainParts) -> float:
    """An advert's fill probability ``p`` lowered by the practice's strain."""
    return p * (1.0 - cfg.strain_sensitivity * combined(cfg, parts))


__all__ = ["StrainParts", "combined", "overtime_part", "poisson_weights", "strained_fill_probability", "turnover_part"]
