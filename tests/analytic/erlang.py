"""Steady-state M/M/c figures (Erlang C) that the analytic tier checks the model against.

With a = lambda/mu and rho = a/c < 1 (the Erlang C formula; docs/sources.md):
P0 = [sum_{n<c} a^n/n! + a^c/(c!(1-rho))]^-1, P(wait) = a^c/(c!(1-rho)) P0,
Lq = P(wait) rho/(1-rho), Wq = Lq/lambda. For c = 1 these are also the M/G/1 figures of any service
time with coefficient of variation 1 (Pollaczek-Khinchine: the mean wait depends on the first two
moments only, and P(wait) = rho).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MMc:
    """Steady-state M/M/c figures: arrival rate ``lam``, service rate ``mu`` per server, ``c`` servers."""

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


@dataclass(frozen=True)
class ErlangA:
    """Steady-state M/M/c+M (Erlang A): arrivals ``lam``, service rate ``mu``, ``c`` servers, patience rate ``theta``.

    Palm's queue with exponential patience (Garnett, Mandelbaum & Reiman, "Designing a call center with
    impatient customers", MSOM 2002; Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with applications
    to call centers", 2007). The number in system is a birth-death chain with births ``lam`` and deaths
    min(n, c) mu + max(n - c, 0) theta; abandonments flow at theta E[(N - c)+], so
    P(abandon) = theta E[(N - c)+] / lam. The chain is summed to ``n_max`` states (its tail is negligible
    there: deaths grow linearly in n while births stay ``lam``).
    """

    lam: float
    mu: float
    c: int
    theta: float
    n_max: int = 2_000

    def _pi(self) -> list[float]:
        """Stationary distribution of the number in system (normalised), in log space for stability."""
        logs, acc = [0.0], 0.0
        for n in range(1, self.n_max + 1):
            acc += math.log(self.lam) - math.log(min(n, self.c) * self.mu + max(n - self.c, 0) * self.theta)
            logs.append(acc)
        top = max(logs)
        weights = [math.exp(x - top) for x in logs]
        total = sum(weights)
        return [x / total for x in weights]

    @property
    def p_abandon(self) -> float:
        """Probability an arriving caller hangs up before being answered."""
        pi = self._pi()
        return self.theta * sum(p * (n - self.c) for n, p in enumerate(pi) if n > self.c) / self.lam

    @property
    def p_wait(self) -> float:
        """Probability an arriving caller finds every server busy (PASTA)."""
        return sum(p for n, p in enumerate(self._pi()) if n >= self.c)
