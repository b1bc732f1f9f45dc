"""Steady-state M/M/c figures (Erlang C) that the analytic tier checks the model against.

With a = lambda/mu and rho = a/c < 1 (domain.md, "Validation from queueing theory"):
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
