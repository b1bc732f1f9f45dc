"""Analytic queueing results used to validate the engine (Erlang C for M/M/c, Little's law).

With a = lambda/mu and rho = a/c < 1 (domain.md, "Validation from queueing theory"):
P0 = [sum_{n<c} a^n/n! + a^c/(c!(1-rho))]^-1, P(wait) = a^c/(c!(1-rho)) P0,
Lq = P(wait) rho/(1-rho), Wq = Lq/lambda.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from sim.model.walk_in import WalkInClinic, WalkInPatient


@dataclass(frozen=True)
class MMc:
    """Steady-state M/M/c figures."""

    lam: float
    mu: float
    c: int

    @property
    def rho(self) -> float:
        """Server utilisation lambda / (c mu)."""
        return self.lam / (self.c * self.mu)

    @property
    def p_wait(self) -> float:
        """Erlang C: probability an arrival has to wait."""
        a, c, rho = self.lam / self.mu, self.c, self.rho
        if rho >= 1:
            raise ValueError(f"unstable queue: rho = {rho:.3f} >= 1")
        head = sum(a**n / math.factorial(n) for n in range(c))
        tail = a**c / (math.factorial(c) * (1 - rho))
        return tail / (head + tail)

    @property
    def lq(self) -> float:
        """Mean number waiting."""
        return self.p_wait * self.rho / (1 - self.rho)

    @property
    def wq(self) -> float:
        """Mean wait in queue."""
        return self.lq / self.lam


@dataclass
class WalkInRun:
    """Measured walk-in queue figures after warm-up."""

    mean_wait: float
    mean_queue_length: float
    arrival_rate: float
    served: int
    batch_means: list[float]


def simulate_walk_in(lam: float, mu: float, c: int, horizon: float, warm_up: float,
                     rng: np.random.Generator, batches: int = 20) -> WalkInRun:
    """Poisson arrivals and exponential consultations through the model's WalkInClinic (one role)."""
    env = simpy.Environment()
    clinic = WalkInClinic(env)
    arrivals_after_warm_up = [0]

    def arrivals(env: simpy.Environment, draw: Callable[[], tuple[float, float]]):
        rid = 0
        while True:
            gap, service = draw()
            yield env.timeout(gap)
            clinic.arrive(WalkInPatient(rid, frozenset({0}), env.now, service))
            if env.now >= warm_up:
                arrivals_after_warm_up[0] += 1
            rid += 1

    def draw() -> tuple[float, float]:
        return float(rng.exponential(1.0 / lam)), float(rng.exponential(1.0 / mu))

    for k in range(c):
        env.process(clinic.server(k, 0))
    env.process(arrivals(env, draw))
    env.run(until=warm_up)
    clinic.reset_stats()
    env.run(until=warm_up + horizon)
    waits = np.asarray(clinic.stats.waits)
    chunks = np.array_split(waits, batches)
    return WalkInRun(mean_wait=float(waits.mean()), mean_queue_length=clinic.mean_queue_length(),
                     arrival_rate=arrivals_after_warm_up[0] / horizon, served=int(waits.size),
                     batch_means=[float(x.mean()) for x in chunks])
