"""Notice periods and the stationary vacancy stock they imply (``workforce.turnover``, issue 12).

A leaver gives notice and works it; the post is advertised from the notice date, so the adverts
run while the leaver is still in post and the gap is only what the adverts take beyond the notice.
The stock of posts vacant at any moment is then the leaving rate x the expected gap E[(S - n)+]:
S the adverts' total time (a geometric number of gamma adverts), n the notice. The stock of people
working their notice is the leaving rate x n. ``sim.model.turnover`` seeds both at the start.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from sim.model.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.config.scenario import Turnover
    from sim.model.agents import Staff

MAX_ADVERTS_IN_STOCK = 400  # adverts summed in the expected gap: (1 - 0.05)^400 leaves nothing of the tail


def notice_days(cfg: Turnover, agent: Staff) -> int:
    """Whole days of notice ``agent`` gives: their GP contract's, else their role's, else other roles'."""
    months = cfg.notice_months.get(agent.role, cfg.other_roles_notice_months)
    if agent.kind == "gp" and agent.contract in cfg.contract_notice_months:
        months = cfg.contract_notice_months[agent.contract]
    return round(months * DAYS_PER_MONTH)


@lru_cache(maxsize=256)
def expected_gap_days(p_fill: float, mean_days: float, notice: float, shape: int) -> float:
    """E[(S - notice)+] in days: S the sum of adverts until one fills, each gamma(shape, mean_days / shape).

    Given g adverts S is gamma(shape g); E[(X - n)+] of a gamma(k, theta) is k theta Q(k+1, n/theta)
    - n Q(k, n/theta), Q the regularised upper incomplete gamma, which for whole k is a Poisson sum.
    """
    theta = mean_days / shape
    x = notice / theta
    g = np.arange(1, MAX_ADVERTS_IN_STOCK + 1)
    k = shape * g
    j = np.arange(shape * MAX_ADVERTS_IN_STOCK + 1)
    log_pmf = -x + j * np.log(x) - np.cumsum(np.log(np.maximum(j, 1))) if x > 0 else np.where(j == 0, 0.0, -np.inf)
    q = np.concatenate([[0.0], np.cumsum(np.exp(log_pmf))])  # q[k] = P(Poisson(x) < k) = Q(k, x)
    gap = k * theta * q[k + 1] - notice * q[k]
    weight = p_fill * (1.0 - p_fill) ** (g - 1)
    return float(np.sum(weight * np.maximum(gap, 0.0)))


def systematic_draw(probs: np.ndarray, u: float) -> np.ndarray:
    """Which of ``probs`` are drawn by systematic sampling with offset ``u`` in [0, 1).

    Each item is drawn with its own probability, as by independent draws, but the number drawn is the
    floor or the ceiling of the probabilities' sum, not a binomial spread around it: seeded vacancies
    add posts for the whole run, so a role seeded two posts over its expectation stays over-staffed
    in that replication for ten years.
    """
    c = np.cumsum(np.asarray(probs, dtype=float))
    before = np.concatenate(([0.0], c[:-1]))
    return np.floor(c + u) > np.floor(before + u)


__all__ = ["expected_gap_days", "notice_days", "systematic_draw"]
