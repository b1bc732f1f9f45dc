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

from sim.config.scenario import MODES, Demand
from sim.model.calendar import Calendar
from sim.model.population import Population
from sim.model.sampling import CumulativeSearch


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
                 rng: np.random.Generator, calendar: Calendar | None = None):
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
        self.lead_mean = np.array([n.lead_days_mean for n in needs])
        self.lead_p = 1.0 / (1.0 + self.lead_mean)
        self.lead_shape = float(demand.lead_shape)
        # optional per-month need mix: calendar month (1-12) of each internal day and 12 x needs
        # cumulative probabilities; None keeps the one mix (and the original random draws)
        self.day_month: np.ndarray | None = None
        self.need_cum_by_month: np.ndarray | None = None
        if any(n.monthly_share_factor is not None for n in needs):
            if calendar is None:
                raise ValueError("need_types.*.monthly_share_factor needs the run's calendar")
            factor = np.array([n.monthly_share_factor or [1.0] * 12 for n in needs]).T  # 12 x needs
            by_month = self.need_p[None, :] * factor
            by_month = by_month / by_month.sum(axis=1, keepdims=True)
            self.need_cum_by_month = np.cumsum(by_month, axis=1)
            self.day_month = np.asarray(calendar.month, dtype=np.int64)
        self.holiday_next: np.ndarray | None = None
        self.holiday_avoid = 0.0
        if demand.holiday_booking is not None:
            if calendar is None:
                raise ValueError("demand.holiday_booking needs the run's calendar")
            hb = demand.holiday_booking
            self.holiday_next = calendar.first_after_window(hb.first_day, hb.last_day)
            self.holiday_avoid = float(hb.avoid_share)
            self.holiday_action = hb.action
        self.next_day_share = float(demand.next_day_share)
        self.next_working: np.ndarray | None = None
        if self.next_day_share > 0:
            if calendar is None:
                raise ValueError("demand.next_day_share needs the run's calendar")
            self.next_working = next_working_days(calendar.is_working_day)
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
        self.patient_search = CumulativeSearch(self.cum_rate)  # = np.searchsorted(cum_rate, u, "right"), faster
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
        patient = np.minimum(self.patient_search.search(u), self.pop.size - 1).astype(np.int32)
        if self.need_cum_by_month is None:
            need = rng.choice(self.need_p.size, size=n, p=self.need_p).astype(np.int8)
        else:
            cum = self.need_cum_by_month[self.day_month[day] - 1]
            need = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), self.need_p.size - 1).astype(np.int8)
        urgent = rng.random(n) < self.same_day_p[need]
        hour = self.hours[rng.choice(self.hours.size, size=n, p=self.hour_p)]
        minute = (hour * 60 + rng.integers(0, 60, size=n)).astype(np.int16)
        if self.lead_shape == 1.0:
            lead = (rng.geometric(self.lead_p[need]) - 1).astype(np.int16)
        else:
            k = self.lead_shape
            lead = rng.negative_binomial(k, k / (k + self.lead_mean[need])).astype(np.int16)
        lead[urgent] = 0
        tol = np.rint(rng.exponential(max(self.routine_tol_mean, 1e-9), size=n)).astype(np.int16)
        tol[urgent] = self.urgent_tol
        mu = rng.random(n)
        mode = np.empty(n, dtype=np.int8)
        for k in range(self.mode_cum.shape[0]):  # modes below u: the same as (mu > cum[need]).sum(axis=1)
            of_k = np.flatnonzero(need == k)
            mode[of_k] = np.searchsorted(self.mode_cum[k], mu[of_k], side="left")
        mode = np.minimum(mode, len(MODES) - 1)
        u_dna = rng.random(n)
        z = rng.standard_normal(n)
        u_triage = rng.random(n)
        # drawn last, holiday then next day: the other draws stay as without them
        u_holiday = rng.random(n) if self.holiday_next is not None else None
        if self.next_working is not None:
            lead = self._next_day(day, lead, urgent, rng.random(n))
        if u_holiday is not None:
            day, lead, keep = self._avoid_holiday(day, lead, urgent, u_holiday, last_day)
            if not keep.all():
                day, minute, patient, practice, need, urgent, lead, tol, mode, u_dna, z, u_triage = (
                    a[keep] for a in (day, minute, patient, practice, need, urgent, lead, tol, mode,
                                      u_dna, z, u_triage))
        order = np.lexsort((minute, day))
        return Requests(day=day[order], minute=minute[order], patient=patient[order],
                        practice=practice[order], need=need[order], urgent=urgent[order],
                        lead=lead[order], tolerance=tol[order], mode=mode[order], u_dna=u_dna[order],
                        z_duration=z[order], u_triage=u_triage[order])

    def _next_day(self, day: np.ndarray, lead: np.ndarray, urgent: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Lead after routine requests asking for the next working day (share ``next_day_share``)."""
        assert self.next_working is not None
        ask = ~urgent & (u < self.next_day_share)
        lead = lead.copy()
        gap = self.next_working[day[ask]] - day[ask]
        lead[ask] = np.minimum(gap, np.iinfo(np.int16).max).astype(np.int16)
        return lead

    def _avoid_holiday(self, day: np.ndarray, lead: np.ndarray, urgent: np.ndarray, u: np.ndarray,
                       last_day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Routine requests preferring a holiday-window day avoid it: (day, lead, keep) after the action.

        A deferred request that would fall after ``last_day - 1`` (outside this batch) is dropped.
        """
        assert self.holiday_next is not None
        pref = day.astype(np.int64) + lead
        inside = np.zeros(day.size, dtype=bool)
        ok = pref < self.holiday_next.size
        inside[ok] = self.holiday_next[pref[ok]] >= 0
        move = inside & ~urgent & (u < self.holiday_avoid)
        after = np.where(move, self.holiday_next[np.where(ok, pref, 0)], 0)
        day, lead, keep = day.copy(), lead.copy(), np.ones(day.size, dtype=bool)
        if self.holiday_action == "move_preferred_day":
            lead[move] = np.minimum(after[move] - day[move], np.iinfo(np.int16).max)
        elif self.holiday_action == "defer_request":
            day[move] = after[move]
            keep &= ~(move & (after >= last_day))
        else:  # drop_request
            keep &= ~move
        return day, lead, keep


def next_working_days(is_working_day: np.ndarray) -> np.ndarray:
    """For each internal day, the index of the first working day after it (``n`` past the last one)."""
    working = np.flatnonzero(np.asarray(is_working_day, dtype=bool))
    n = len(is_working_day)
    pos = np.searchsorted(working, np.arange(n), side="right")
    return np.append(working, n)[pos].astype(np.int64)
