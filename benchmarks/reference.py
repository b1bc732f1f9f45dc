"""The straightforward reference implementation the benchmark measures gpsim against.

How an agent-based model of the same demand is usually first written: every registered patient is
a Mesa agent stepped every simulated day, deciding whether to ask for an appointment that day; each
request is a SimPy process that waits until its arrival minute, queues for a clinician of its practice
(a ``simpy.Resource`` with one unit per clinician), is seen for a lognormal consultation if a
clinician is free before the clinic closes, and is lost otherwise.

It uses the same registered lists, per-patient rates (age band, long-term conditions, propensity:
:func:`sim.model.population.build_population`), day-of-week and seasonal profile, within-day arrival
profile and consultation-length distribution as gpsim, over the same days (warm-up plus horizon),
so it simulates about as many requests. It has no appointment book (no booking ahead, skill mix,
continuity or did-not-attend): it is a performance yardstick, not a second model.
"""

from __future__ import annotations

import math
import time

import mesa
import simpy

from sim.config.scenario import Scenario
from sim.model.calendar import MINUTES_PER_DAY, Calendar
from sim.model.population import build_population
from sim.model.rng import Streams

CLINIC_OPEN, CLINIC_CLOSE = 8 * 60 + 30, 18 * 60 + 30


class RefPatient(mesa.Agent):
    """A registered patient who may ask for an appointment on any day."""

    def __init__(self, model: ReferenceModel, practice: int, rate_per_year: float):
        super().__init__(model)
        self.practice = practice
        self.rate = rate_per_year

    def step(self) -> None:
        """Ask for an appointment today with probability rate x today's share of a year's demand."""
        if self.random.random() < self.rate * self.model.today:
            self.model.request(self)


class ReferenceModel(mesa.Model):
    """Patients as Mesa agents, requests as SimPy processes queuing for clinician resources."""

    def __init__(self, scenario: Scenario, replication: int = 0):
        streams = Streams(scenario.seed, replication)
        super().__init__(rng=streams.get("mesa"))
        self.env = simpy.Environment()
        self.scenario = scenario
        sc = scenario
        self.cal = Calendar(sc.start_date, sc.horizon_days, sc.warm_up_days)
        self.n_days = sc.warm_up_days + sc.horizon_days
        weights = self.cal.demand_weights(sc.demand.day_of_week, sc.demand.monthly_seasonality)
        self.day_share = weights / self.cal.mean_annual_weight(sc.demand.day_of_week, sc.demand.monthly_seasonality)
        hours = sorted(sc.demand.hourly_arrival)
        total = sum(sc.demand.hourly_arrival.values())
        self.hours = hours
        self.hour_weights = [sc.demand.hourly_arrival[h] / total for h in hours]
        gp = sc.roles["GP"]
        self.slot = gp.slot_minutes
        self.sigma = math.sqrt(math.log1p(gp.duration_cv ** 2))
        practices = [pr for _, _, pr in sc.iter_practices()]
        pop = build_population([p.list_size for p in practices],
                               [p.age_mix or sc.demand.default_age_mix for p in practices],
                               [p.ltc_multiplier for p in practices], sc.demand, streams.get("population"))
        for practice, rate in zip(pop.practice.tolist(), pop.rate.tolist(), strict=True):
            RefPatient(self, practice, rate)
        self.resources = [simpy.Resource(self.env, capacity=c) for c in self._clinicians(sc)]
        self.day = 0
        self.today = 0.0
        self.requests = 0
        self.appointments = 0
        self.lost = 0

    @staticmethod
    def _clinicians(sc: Scenario) -> list[int]:
        """Clinicians per practice: its own plus PCN staff shared in proportion to list size."""
        out = []
        for pcn in sc.area.pcns:
            pcn_heads = sum(g.count for g in pcn.staff if sc.roles[g.role].kind != "admin")
            pcn_list = sum(p.list_size for p in pcn.practices) or 1
            for pr in pcn.practices:
                own = sum(g.count for g in pr.staff if sc.roles[g.role].kind != "admin")
                out.append(max(1, own + round(pcn_heads * pr.list_size / pcn_list)))
        return out

    def request(self, patient: RefPatient) -> None:
        """Start the SimPy process of one request made today."""
        self.requests += 1
        hour = self.random.choices(self.hours, self.hour_weights)[0]
        minute = max(CLINIC_OPEN, hour * 60 + self.random.randrange(60))
        minutes = self.slot * math.exp(self.sigma * self.random.gauss(0.0, 1.0) - 0.5 * self.sigma ** 2)
        self.env.process(self.consultation(patient.practice, self.day * MINUTES_PER_DAY + minute, minutes))

    def consultation(self, practice: int, arrival: float, minutes: float):
        """Wait for the arrival minute, queue for a clinician until closing time, be seen or be lost."""
        yield self.env.timeout(arrival - self.env.now)
        close = self.day * MINUTES_PER_DAY + CLINIC_CLOSE
        with self.resources[practice].request() as req:
            got = yield req | self.env.timeout(max(0.0, close - self.env.now))
            if req not in got:
                self.lost += 1
                return
            yield self.env.timeout(minutes)
            self.appointments += 1

    def step(self) -> None:
        """One simulated day: every patient agent steps, then the SimPy clock runs to midnight."""
        self.today = float(self.day_share[self.day])
        self.agents.do("step")
        self.env.run(until=(self.day + 1) * MINUTES_PER_DAY)
        self.day += 1

    def run(self) -> None:
        """Warm-up and horizon, one day at a time."""
        while self.day < self.n_days:
            self.step()


def run_reference(scenario: Scenario, replication: int = 0) -> dict[str, float]:
    """Build and run the reference model; return wall seconds (build, simulate) and counts."""
    t0 = time.perf_counter()
    model = ReferenceModel(scenario, replication)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    return {"build_s": t1 - t0, "simulate_s": t2 - t1, "wall_s": t2 - t0, "patients": float(len(model.agents)),
            "requests": float(model.requests), "appointments": float(model.appointments),
            "lost": float(model.lost), "days": float(model.n_days)}


if __name__ == "__main__":
    import sys

    from sim.config.loading import load_scenario

    print(run_reference(load_scenario(sys.argv[1] if len(sys.argv) > 1 else "scenarios/small.yaml")))
