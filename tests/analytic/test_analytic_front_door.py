"""The front door's telephone queue against Erlang A (M/M/c+M): abandonment within 5%.

The model serves each practice's calls with ``sim.model.front_door_queue.phone_day`` (FCFS, handlers
by the hour, exponential call length and patience, a caller who would wait longer than their
patience hangs up then). With Poisson arrivals, a constant number of handlers, no redials and room
for everyone in the queue, each practice-day is an M/M/c+M queue: the share of callers who hang up
must agree with the Erlang A abandonment probability (tests/analytic/erlang.py) within 5%.
"""

import numpy as np
import pytest

from sim.model.front_door_queue import CALL_GAVE_UP, CALL_HANDLED, STATS, phone_day
from tests.analytic.erlang import ErlangA, MMc

DAYS = 150  # independent practice-days, each 24 hours of stationary arrivals
EDGE = 120.0  # minutes left out at each end of a day (the queue starts empty and closes at midnight)


def _abandoned_share(lam: float, call_mean: float, patience_mean: float, c: int, seed: int) -> float:
    """Share of callers (arriving away from the day's edges) who hung up, over ``DAYS`` practice-days."""
    rng = np.random.default_rng(seed)
    rings, practice = [], []
    for p in range(DAYS):
        t = np.cumsum(rng.exponential(1 / lam, int(lam * 1440 * 1.2)))
        t = t[t < 1440.0]
        rings.append(t)
        practice.append(np.full(t.size, p))
    ring, prac = np.concatenate(rings), np.concatenate(practice)
    n = ring.size
    first = np.searchsorted(prac, np.arange(DAYS + 1)).astype(np.int64)
    status = np.zeros(n, dtype=np.int64)
    done_at, waited, att = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
    stats = np.zeros((DAYS, len(STATS)))
    phone_day(first, ring, np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
              np.full((DAYS, 24), c, dtype=np.int64), np.full(DAYS, 10**6, dtype=np.int64), np.zeros(DAYS),
              0.0, 1440.0, call_mean, patience_mean, 0.0, 0.0, 1.0, 1, seed, status, done_at, waited, att, stats)
    assert ((status == CALL_HANDLED) | (status == CALL_GAVE_UP)).all()  # one try each: answered or hung up
    assert stats[:, 3].sum() == 0  # nobody hears engaged with room for everyone
    inside = (ring >= EDGE) & (ring < 1440.0 - EDGE)
    return float((status[inside] == CALL_GAVE_UP).mean())


@pytest.mark.parametrize(("lam", "call_mean", "patience_mean", "c"), [
    (0.75, 4.0, 10.0, 3),  # the 8 a.m. rush of a small practice: offered load equal to capacity
    (1.5, 4.0, 5.0, 5),  # overloaded (rho = 1.2): Erlang A stays finite where Erlang C has no answer
    (0.5, 4.0, 10.0, 3),  # lightly loaded (rho = 0.67): few hang up
])
def test_telephone_abandonment_agrees_with_erlang_a(lam, call_mean, patience_mean, c):
    simulated = _abandoned_share(lam, call_mean, patience_mean, c, seed=20261201)
    expected = ErlangA(lam, 1 / call_mean, c, 1 / patience_mean).p_abandon
    assert simulated == pytest.approx(expected, rel=0.05)


def test_erlang_a_reduces_to_erlang_c_wait_probability_with_endless_patience():
    # theta -> 0: the chain is M/M/c, so P(wait) is Erlang C's (a check on the formula itself)
    assert ErlangA(0.6, 0.25, 3, 1e-9).p_wait == pytest.approx(MMc(0.6, 0.25, 3).p_wait, rel=1e-4)
