"""Demand: requests for appointments drawn in vectorised batches from per-patient rates.

Per practice and day the count is Poisson with mean (sum of the list's rates) x (day weight) /
(annual weight); each request then picks a patient in proportion to their rate. This is exactly the
superposition of independent per-patient Poisson processes, at a cost proportional to requests, not
to patients x days. All draws come from the ``demand`` stream only, so scenarios that change staffing
see identical demand (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import MODES, Demand
from sim.population import Population


@dataclass
class Requests:
    """A batch of requests as a struct of arrays, sorted by (day, arrival minute)."""

    day: np.ndarray  # int32 internal day index
    minute: np.ndarray  # int16 minute of the day the request arrives
    patient: np.ndarray  # int32
    practice: np.ndarray  # int32
    need: np.ndarray  # int8 index into need_names
    urgent: np.ndarray  # bool: wants to be seen today
    lead: np.ndarray  # int16 preferred days ahead (routine)
    tolerance: np.ndarray  # int16 extra days the patient will wait beyond the preferred day
    mode: np.ndarray  # int8 index into MODES
    u_dna: np.ndarray  # float64 uniform for did-not-attend (per request: CRN)
    z_duration: np.ndarray  # float64 standard normal for consultation length (per request: CRN)
    u_triage: np.ndarray  # float64 uniform for triage-shift interventions (per request: CRN)

    @property
    def size(self) -> int:
        """Number of requests in the batch."""
        return int(self.day.size)


class DemandGenerator:
    """Draws requests day-block by day-block from one random stream."""

    def __init__(self, demand: Demand, population: Population, n_practices: int, day_weights: np.ndarray,
                 annual_weight: float, routine_tolerance_mean: float, urgent_tolerance: int,
                 rng: np.random.Generator):
        self.demand = demand
        self.pop = population
        self.rng = rng
        self.day_weights = day_weights
        self.annual_weight = annual_weight
        self.need_names = list(demand.need_types)
        needs = [demand.need_types[k] for k in self.need_names]
        self.need_p = np.array([n.share for n in needs])
        self.need_p = self.need_p / self.need_p.sum()
        self.same_day_p = np.array([n.same_day_share for n in needs])
        self.lead_p = 1.0 / (1.0 + np.array([n.lead_days_mean for n in needs]))
        self.mode_p = np.array([[n.mode_shares.get(m, 0.0) for m in MODES] for n in needs])
        self.mode_p = self.mode_p / self.mode_p.sum(axis=1, keepdims=True)
        self.mode_cum = np.cumsum(self.mode_p, axis=1)
        hours = sorted(demand.hourly_arrival)
        hw = np.array([demand.hourly_arrival[h] for h in hours], dtype=float)
        self.hours = np.array(hours)
        self.hour_p = hw / hw.sum()
        self.routine_tol_mean = routine_tolerance_mean
        self.urgent_tol = urgent_tolerance
        self.n_practices = n_practices
        self.set_population(population)

    def set_population(self, population: Population) -> None:
        """Recompute per-practice rate totals (after list growth, ageing or rate changes)."""
        self.pop = population
        self.cum_rate = np.cumsum(population.rate)
        self.practice_rate = np.bincount(population.practice, weights=population.rate,
                                         minlength=self.n_practices)
        starts = np.searchsorted(population.practice, np.arange(self.n_practices), side="left")
        self.practice_start_cum = np.where(starts > 0, self.cum_rate[np.maximum(starts - 1, 0)], 0.0)

    def draw(self, first_day: int, last_day: int, scale: np.ndarray | None = None) -> Requests:
        """Requests for internal days ``first_day`` .. ``last_day - 1``.

        ``scale`` optionally multiplies each practice's rate: a vector (one factor per practice) or a
        days x practices matrix (demand-growth interventions).
        """
        rng = self.rng
        days = np.arange(first_day, last_day)
        w = self.day_weights[days] / self.annual_weight
        expected = np.outer(w, self.practice_rate)
        if scale is not None:
            expected = expected * scale
        counts = rng.poisson(expected)  # days x practices
        n = int(counts.sum())
        day = np.repeat(np.repeat(days, self.n_practices), counts.ravel()).astype(np.int32)
        practice = np.repeat(np.tile(np.arange(self.n_practices), days.size), counts.ravel()).astype(np.int32)
        # patient in proportion to rate, within the practice's segment of the cumulative rates
        u = rng.random(n) * self.practice_rate[practice] + self.practice_start_cum[practice]
        patient = np.minimum(np.searchsorted(self.cum_rate, u, side="right"), self.pop.size - 1).astype(np.int32)
        need = rng.choice(self.need_p.size, size=n, p=self.need_p).astype(np.int8)
        urgent = rng.random(n) < self.same_day_p[need]
        hour = self.hours[rng.choice(self.hours.size, size=n, p=self.hour_p)]
        minute = (hour * 60 + rng.integers(0, 60, size=n)).astype(np.int16)
        lead = (rng.geometric(self.lead_p[need]) - 1).astype(np.int16)
        lead[urgent] = 0
        tol = np.rint(rng.exponential(max(self.routine_tol_mean, 1e-9), size=n)).astype(np.int16)
        tol[urgent] = self.urgent_tol
        mu = rng.random(n)
        mode = (mu[:, None] > self.mode_cum[need]).sum(axis=1).astype(np.int8)
        mode = np.minimum(mode, len(MODES) - 1)
        u_dna = rng.random(n)
        z = rng.standard_normal(n)
        u_triage = rng.random(n)
        order = np.lexsort((minute, day))
        return Requests(day=day[order], minute=minute[order], patient=patient[order],
                        practice=practice[order], need=need[order], urgent=urgent[order],
                        lead=lead[order], tolerance=tol[order], mode=mode[order], u_dna=u_dna[order],
                        z_duration=z[order], u_triage=u_triage[order])
