"""The Mesa model: one SimPy environment is the only clock; ``model.time`` follows it (minutes).

``model.step()`` advances the clock one simulated day. Each day a SimPy process opens the next day
of the appointment book, books that day's requests in arrival order, and starts one process per
clinician session (and walk-in queues where configured). Monthly workforce events hook in through
:meth:`GPSimModel.add_monthly_hook` (used by scenario interventions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mesa
import numpy as np
import simpy

from sim.agents import STAFF_CLASSES, Patient, Staff
from sim.booking import BookingRules, book_request
from sim.calendar import MINUTES_PER_DAY, Calendar
from sim.clinic import SessionResult, WalkInClinic, WalkInPatient, booked_session, lognormal_factor
from sim.config import AGE_BANDS, Scenario, StaffGroup
from sim.demand import DemandGenerator, Requests
from sim.diary import ROUTINE, SAME_DAY, Diaries
from sim.organisation import LGPOUnit, PCNUnit, PracticeUnit
from sim.population import assign_usual_gps, build_population
from sim.rng import Streams

# ledger states: every request ends in exactly one of SEEN, DNA, WAITING, LOST
BOOKED, SEEN, DNA, WAITING, LOST = 0, 1, 2, 3, 4
STATE_NAMES = {SEEN: "seen", DNA: "dna", WAITING: "waiting", LOST: "lost", BOOKED: "booked"}
HALF_DAYS = 10  # Monday AM .. Friday PM


@dataclass
class StaffDays:
    """Per staff member and internal day: capacity offered and work done."""

    offered_slots: np.ndarray
    seen: np.ndarray
    dna: np.ndarray
    clinical_minutes: np.ndarray
    overtime_minutes: np.ndarray
    admin_minutes: np.ndarray
    session_minutes: np.ndarray

    @classmethod
    def zeros(cls, n_staff: int, n_days: int) -> StaffDays:
        """Empty arrays for ``n_staff`` x ``n_days``."""
        z = lambda: np.zeros((n_staff, n_days), dtype=np.float64)  # noqa: E731
        return cls(z(), z(), z(), z(), z(), z(), z())


class GPSimModel(mesa.Model):
    """General practice in one LGPO: practices and PCNs, their staff, patients and requests."""

    def __init__(self, scenario: Scenario, replication: int = 0,
                 demand_scale: Callable[[GPSimModel], np.ndarray] | None = None):
        self.streams = Streams(scenario.seed, replication)
        super().__init__(rng=self.streams.get("mesa"))
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment()
        self.time = 0.0  # kept equal to env.now (minutes from the first simulated day)
        self.rules = BookingRules(scenario.booking.book_ahead_days, scenario.booking.continuity_extra_days,
                                  scenario.booking.preference_days_per_rank)
        H = scenario.booking.book_ahead_days
        self.cal = Calendar(scenario.start_date, scenario.horizon_days, scenario.warm_up_days,
                            extra_days=H + 2)
        self.n_sim_days = scenario.warm_up_days + scenario.horizon_days
        self.role_names = list(scenario.roles)
        self.role_index = {r: i for i, r in enumerate(self.role_names)}
        self.role_specs = [scenario.roles[r] for r in self.role_names]
        self.need_names = list(scenario.demand.need_types)
        self.monthly_hooks: list[Callable[[GPSimModel, int], None]] = []
        self._patients: dict[int, Patient] = {}
        self._build_organisation()
        self._build_population()
        self._build_staff_calendars()
        self.diaries = Diaries(len(self.staff), self.cal.n)
        for s in self.staff:
            if s.is_clinician:
                self.diaries.add_clinician(s.index, s.unit, self.role_index[s.role])
        self._build_options()
        self.staff_days = StaffDays.zeros(len(self.staff), self.cal.n)
        self.day_book: dict[int, dict[int, list[int]]] = {}
        self.day = 0  # internal day index of the next day to simulate
        self._draw_demand(demand_scale(self) if demand_scale else None)
        self.env.process(self._day_driver())

    # ---------------------------------------------------------------- construction
    def _add_staff(self, group: StaffGroup, unit: int, unit_code: str, ordinal: dict[str, int]) -> list[int]:
        spec = self.scenario.roles[group.role]
        cls = STAFF_CLASSES[spec.kind]
        out = []
        for age in group.ages():
            k = ordinal.get(group.role, 0)
            ordinal[group.role] = k + 1
            sessions = group.sessions_per_week
            if sessions is None:
                sessions = group.fte * spec.sessions_per_fte_week
            agent = cls(self, index=len(self.staff), role=group.role, unit=unit, fte=group.fte,
                        sessions_per_week=float(sessions), age=age, contract=group.contract)
            agent.key = f"{unit_code}/{group.role}/{k}"
            self.staff.append(agent)
            out.append(agent.index)
        return out

    def _build_organisation(self) -> None:
        sc = self.scenario
        self.staff: list[Staff] = []
        self.practices: list[PracticeUnit] = []
        self.pcns: list[PCNUnit] = []
        n_practices = sum(len(p.practices) for p in sc.area.pcns)
        self.lgpo = LGPOUnit(code=sc.area.code, name=sc.area.name)
        for i, pcn in enumerate(sc.area.pcns):
            unit = PCNUnit(index=i, code=pcn.code, name=pcn.name or pcn.code, unit=n_practices + i)
            self.pcns.append(unit)
            self.lgpo.pcns.append(i)
            for pr in pcn.practices:
                pu = PracticeUnit(index=len(self.practices), code=pr.code, name=pr.name or pr.code, pcn=i,
                                  list_size=pr.list_size, access_mode=pr.access_mode)
                self.practices.append(pu)
                unit.practices.append(pu.index)
        self.n_units = n_practices + len(self.pcns) + 1  # practices, PCN pools, the LGPO
        self.lgpo_unit = self.n_units - 1
        for i, pcn in enumerate(sc.area.pcns):
            for j, pr in enumerate(pcn.practices):
                pu = self.practices[self.pcns[i].practices[j]]
                ordinal: dict[str, int] = {}
                for g in pr.staff:
                    pu.staff += self._add_staff(g, pu.index, pu.code, ordinal)
            ordinal = {}
            for g in pcn.staff:
                self.pcns[i].staff += self._add_staff(g, self.pcns[i].unit, pcn.code, ordinal)
        ordinal = {}
        for g in sc.area.staff:
            self.lgpo.staff += self._add_staff(g, self.lgpo_unit, sc.area.code, ordinal)

    def unit_level(self, unit: int) -> tuple[str, str]:
        """(level, code) of a booking unit: practice, PCN pool or the LGPO."""
        if unit < len(self.practices):
            return "practice", self.practices[unit].code
        if unit < self.lgpo_unit:
            return "pcn", self.pcns[unit - len(self.practices)].code
        return "lgpo", self.lgpo.code

    def _build_population(self) -> None:
        sc = self.scenario
        sizes, mixes, ltcm = [], [], []
        for _, _, pr in sc.iter_practices():
            sizes.append(pr.list_size)
            mixes.append(pr.age_mix or sc.demand.default_age_mix)
            ltcm.append(pr.ltc_multiplier)
        self.population = build_population(sizes, mixes, ltcm, sc.demand, self.streams.get("population"))
        gps = [[s for s in pu.staff if self.staff[s].kind == "gp"] for pu in self.practices]
        weights = [[self.staff[s].sessions_per_week for s in g] for g in gps]
        assign_usual_gps(self.population, gps, weights, self.streams.get("registration"))

    def _build_staff_calendars(self) -> None:
        """Weekly half-day pattern per clinician and absence spells (leave, sickness) per day."""
        n, S = self.cal.n, len(self.staff)
        self.pattern = np.zeros((S, HALF_DAYS), dtype=float)  # session fraction worked per half-day
        self.absent = np.zeros((S, n), dtype=bool)
        order = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]  # half-day indices: weekday*2 + (0 AM, 1 PM)
        for s in self.staff:
            sessions = min(s.sessions_per_week, float(HALF_DAYS))
            rot = (s.index * 3) % HALF_DAYS
            seq = order[rot:] + order[:rot]
            full = int(sessions)
            for h in seq[:full]:
                self.pattern[s.index, h] = 1.0
            if sessions - full > 1e-9 and full < HALF_DAYS:
                self.pattern[s.index, seq[full]] = sessions - full
            self.absent[s.index] = self._absence_spells(s, n)

    def _absence_spells(self, s: Staff, n: int) -> np.ndarray:
        """Leave and sickness as spells (a two-state chain) from the staff member's own stream."""
        spec = self.scenario.roles[s.role]
        share = getattr(spec, "absence_share", 0.0)
        mean = getattr(spec, "absence_spell_days", 5.0)
        out = np.zeros(n, dtype=bool)
        if share <= 0:
            return out
        rng = self.streams.get(f"absence/{s.key}")
        p_end = 1.0 / mean
        p_start = share * p_end / max(1e-9, 1.0 - share)
        u = rng.random(n)
        state = u[0] < share
        for t in range(n):
            out[t] = state
            state = (u[t] >= p_end) if state else (u[t] < p_start)
        return out

    def _build_options(self) -> None:
        """For each practice and need: the role diaries that may serve it, in preference order."""
        self.options: list[list[list]] = []
        for pu in self.practices:
            units = [pu.index, self.pcns[pu.pcn].unit]
            per_need = []
            for need in self.need_names:
                opts = []
                for role in self.scenario.demand.need_types[need].eligible_roles:
                    r = self.role_index[role]
                    for u in units:
                        rd = self.diaries.roles.get((u, r))
                        if rd is not None:
                            opts.append(rd)
                per_need.append(opts)
            self.options.append(per_need)
        self.need_continuity = [self.scenario.demand.need_types[n].continuity for n in self.need_names]
        self.need_roles = [frozenset(self.role_index[r] for r in self.scenario.demand.need_types[n].eligible_roles)
                           for n in self.need_names]

    def _draw_demand(self, scale: np.ndarray | None) -> None:
        sc = self.scenario
        weights = self.cal.demand_weights(sc.demand.day_of_week, sc.demand.monthly_seasonality)
        annual = self.cal.mean_annual_weight(sc.demand.day_of_week, sc.demand.monthly_seasonality)
        gen = DemandGenerator(sc.demand, self.population, len(self.practices), weights, annual,
                              sc.booking.routine_tolerance_days_mean, sc.booking.urgent_tolerance_days,
                              self.streams.get("demand"))
        self.requests: Requests = gen.draw(0, self.n_sim_days, scale)
        n = self.requests.size
        self.day_start = np.searchsorted(self.requests.day, np.arange(self.n_sim_days + 1)).tolist()
        self.state = np.zeros(n, dtype=np.int8)
        self.appt_day = np.full(n, -1, dtype=np.int32)
        self.appt_staff = np.full(n, -1, dtype=np.int32)
        self.appt_pool = np.full(n, -1, dtype=np.int8)
        self.duration = np.zeros(n, dtype=np.float32)
        self.queue_minutes = np.full(n, np.nan, dtype=np.float32)

    # ---------------------------------------------------------------- daily cycle
    def _open_day(self, t: int) -> None:
        """Open day ``t`` of every clinician's book: slots from their pattern unless absent."""
        if t >= self.cal.n - 1:
            return
        if not self.cal.is_working_day[t]:
            self.diaries.seal_day(t)
            return
        wd = int(self.cal.weekday[t])
        default_share = self.scenario.booking.same_day_slot_share
        sd_days = self.staff_days
        for s in self.staff:
            if not s.active or not s.is_clinician or self.absent[s.index, t]:
                continue
            spec = self.role_specs[self.role_index[s.role]]
            frac = self.pattern[s.index, 2 * wd] + self.pattern[s.index, 2 * wd + 1]
            if frac <= 0:
                continue
            slots = int(frac * spec.session_minutes / spec.slot_minutes)
            share = default_share if spec.same_day_slot_share is None else spec.same_day_slot_share
            same_day = round(slots * share)
            if s.unit < len(self.practices) and self.practices[s.unit].access_mode == "walk_in":
                self.walk_in_budget[(s.index, t)] = same_day * spec.slot_minutes
                self.diaries.open_day(t, s.index, 0, slots - same_day)
            else:
                self.diaries.open_day(t, s.index, same_day, slots - same_day)
            sd_days.offered_slots[s.index, t] = slots
            sd_days.session_minutes[s.index, t] = frac * spec.session_minutes
        self.diaries.seal_day(t)

    def _book_day(self, d: int) -> None:
        """Book every request made on internal day ``d``, in order of arrival."""
        a, b = self.day_start[d], self.day_start[d + 1]
        if a == b:
            return
        R = self.requests
        practice = R.practice[a:b].tolist()
        need = R.need[a:b].tolist()
        urgent = R.urgent[a:b].tolist()
        lead = R.lead[a:b].tolist()
        tol = R.tolerance[a:b].tolist()
        usual = self.population.usual_gp[R.patient[a:b]].tolist()
        staff_out = np.full(b - a, -1, dtype=np.int32)
        day_out = np.full(b - a, -1, dtype=np.int32)
        pool_out = np.full(b - a, -1, dtype=np.int8)
        walk_in: list[int] = []
        diaries, rules, options, cont = self.diaries, self.rules, self.options, self.need_continuity
        book = self.day_book
        access = [p.access_mode == "walk_in" for p in self.practices]
        for i in range(b - a):
            p = practice[i]
            if urgent[i] and access[p]:
                walk_in.append(a + i)
                continue
            n = need[i]
            res = book_request(diaries, options[p][n], d, urgent[i], lead[i], tol[i], usual[i], cont[n], rules)
            if res.staff >= 0:
                staff_out[i], day_out[i], pool_out[i] = res.staff, res.day, res.pool
                book.setdefault(res.day, {}).setdefault(res.staff, []).append(a + i)
        self.appt_staff[a:b] = staff_out
        self.appt_day[a:b] = day_out
        self.appt_pool[a:b] = pool_out
        lost = staff_out < 0
        if walk_in:
            lost[np.asarray(walk_in) - a] = False
        self.state[a:b][lost] = LOST
        if walk_in:
            self._run_walk_in(d, walk_in)

    def _start_sessions(self, t: int) -> None:
        """Start one SimPy process per clinician session on internal day ``t``."""
        booked = self.day_book.pop(t, {})
        if not self.cal.is_working_day[t]:
            return
        wd = int(self.cal.weekday[t])
        starts = self.scenario.booking.session_start_minutes
        base = t * MINUTES_PER_DAY
        R = self.requests
        for s in self.staff:
            if not s.is_clinician:
                if s.active and not self.absent[s.index, t]:
                    self.staff_days.admin_minutes[s.index, t] = s.fte * 450.0  # 7.5 h x FTE
                continue
            appts = booked.get(s.index, [])
            slots = int(self.staff_days.offered_slots[s.index, t])
            if slots == 0 and not appts:
                continue
            spec = self.role_specs[self.role_index[s.role]]
            rid = np.asarray(appts, dtype=np.int64)
            if rid.size:
                wait = t - R.day[rid]
                p_dna = self._dna_probability(wait)
                attends = (R.u_dna[rid] >= p_dna).tolist()
                s2 = np.log1p(spec.duration_cv ** 2)
                mins = (spec.slot_minutes * np.exp(np.sqrt(s2) * R.z_duration[rid] - 0.5 * s2)).tolist()
            else:
                attends, mins = [], []
            att = dict(zip(appts, attends, strict=True))
            dur = dict(zip(appts, mins, strict=True))
            result = SessionResult()
            # the day's sessions in order; appointments fill the earliest slots
            halves = [(h, self.pattern[s.index, 2 * wd + h]) for h in (0, 1)]
            halves = [(h, f) for h, f in halves if f > 0] or [(0, 1.0)]
            total_frac = sum(f for _, f in halves)
            k = 0
            for j, (h, f) in enumerate(halves):
                n_slots = round(slots * f / total_frac) if j < len(halves) - 1 else slots - k
                chunk = appts[k:k + n_slots] if j < len(halves) - 1 else appts[k:]
                k += len(chunk)
                self.env.process(booked_session(
                    self.env, base + starts[h], spec.slot_minutes, n_slots, chunk,
                    att.__getitem__, dur.__getitem__, self._record_outcome, result))
            self.staff_days.admin_minutes[s.index, t] = spec.admin_minutes_per_session * total_frac
            self._session_results.append((s.index, t, result))

    def _record_outcome(self, rid: int, attended: bool, minutes: float) -> None:
        self.state[rid] = SEEN if attended else DNA
        self.duration[rid] = minutes

    def _dna_probability(self, wait_days: np.ndarray) -> np.ndarray:
        return self.scenario.booking.dna_probability(wait_days)

    def _run_walk_in(self, d: int, rids: list[int]) -> None:
        """Walk-in practices: today's same-day requests queue for the next free eligible clinician."""
        R = self.requests
        wi = self.scenario.walk_in
        base = d * MINUTES_PER_DAY
        by_practice: dict[int, list[int]] = {}
        for rid in rids:
            by_practice.setdefault(int(R.practice[rid]), []).append(rid)
        for p, group in by_practice.items():
            clinic = WalkInClinic(self.env, max_wait=wi.max_wait_minutes,
                                  on_served=self._walk_in_served, on_lost=self._walk_in_lost)
            for s in self.practices[p].staff:
                budget = self.walk_in_budget.pop((s, d), 0.0)
                if budget > 0:
                    r = self.role_index[self.staff[s].role]
                    self.env.process(self._walk_in_server(clinic, s, r, base + wi.open_minute,
                                                          base + wi.close_minute, budget))
            self.env.process(self._walk_in_arrivals(clinic, group, base, base + wi.close_minute))

    def _walk_in_server(self, clinic: WalkInClinic, s: int, role: int, start: float, until: float, budget: float):
        if self.env.now < start:
            yield self.env.timeout(start - self.env.now)
        yield from clinic.server(s, role, until=until + self.scenario.walk_in.max_wait_minutes,
                                 budget_minutes=budget)

    def _walk_in_arrivals(self, clinic: WalkInClinic, rids: list[int], base: float, close: float):
        R = self.requests
        for rid in rids:
            at = base + max(int(R.minute[rid]), self.scenario.walk_in.open_minute)
            if at > close:
                self._walk_in_lost(WalkInPatient(rid, frozenset(), at, 0.0))
                continue
            if self.env.now < at:
                yield self.env.timeout(at - self.env.now)
            need = int(R.need[rid])
            roles = self.need_roles[need]
            slot = min(self.role_specs[r].slot_minutes for r in roles)
            minutes = slot * lognormal_factor(float(R.z_duration[rid]), self.role_specs[min(roles)].duration_cv)
            clinic.arrive(WalkInPatient(rid, roles, self.env.now, minutes))
        # at the end of the day everyone still queued is lost
        end = base + MINUTES_PER_DAY - 1
        if self.env.now < end:
            yield self.env.timeout(end - self.env.now)
        clinic.close()

    def _walk_in_served(self, patient: WalkInPatient, staff: int, wait: float) -> None:
        rid = patient.rid
        t = rid_day = int(self.requests.day[rid])
        self.state[rid] = SEEN
        self.appt_day[rid] = rid_day
        self.appt_staff[rid] = staff
        self.appt_pool[rid] = SAME_DAY
        self.duration[rid] = patient.service_minutes
        self.queue_minutes[rid] = wait
        sd = self.staff_days
        sd.seen[staff, t] += 1
        sd.clinical_minutes[staff, t] += patient.service_minutes

    def _walk_in_lost(self, patient: WalkInPatient) -> None:
        self.state[patient.rid] = LOST

    def _day_driver(self):
        H = self.scenario.booking.book_ahead_days
        self.walk_in_budget: dict[tuple[int, int], float] = {}
        self._session_results: list[tuple[int, int, SessionResult]] = []
        for t in range(H + 1):
            self._open_day(t)
        last_month = None
        for d in range(self.n_sim_days):
            month = self.cal.dates[d].month
            if month != last_month:
                for hook in self.monthly_hooks:
                    hook(self, d)
                last_month = month
            if d > 0:
                self._open_day(d + H)
            self._book_day(d)
            self._start_sessions(d)
            yield self.env.timeout(MINUTES_PER_DAY)
            self._collect_sessions()

    def _collect_sessions(self) -> None:
        sd = self.staff_days
        for s, t, r in self._session_results:
            sd.seen[s, t] += r.seen
            sd.dna[s, t] += r.dna
            sd.clinical_minutes[s, t] += r.clinical_minutes
            sd.overtime_minutes[s, t] += r.overtime_minutes
        self._session_results.clear()

    # ---------------------------------------------------------------- Mesa interface
    def add_monthly_hook(self, hook: Callable[[GPSimModel, int], None]) -> None:
        """Call ``hook(model, internal_day)`` on the first simulated day of every month."""
        self.monthly_hooks.append(hook)

    def step(self) -> None:
        """Advance the SimPy clock by one simulated day."""
        if self.day >= self.n_sim_days:
            self.running = False
            return
        self.day += 1
        self.env.run(until=self.day * MINUTES_PER_DAY)
        self.time = self.env.now
        if self.day >= self.n_sim_days:
            self.running = False
            self._finalise()

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Run to the end of the horizon, calling ``progress(done, total)`` after each day."""
        while self.running and self.day < self.n_sim_days:
            self.step()
            if progress:
                progress(self.day, self.n_sim_days)

    def _finalise(self) -> None:
        """Requests still booked after the last simulated day are waiting at horizon end."""
        self.state[(self.state == BOOKED) & (self.appt_day >= self.n_sim_days)] = WAITING
        stray = self.state == BOOKED
        if stray.any():  # booked into a day that was never run: must not happen
            raise RuntimeError(f"{int(stray.sum())} requests left booked inside the horizon")

    # ---------------------------------------------------------------- views
    def patient(self, index: int) -> Patient:
        """The Mesa agent for patient ``index`` (created on first use)."""
        if not 0 <= index < self.population.size:
            raise IndexError(f"no patient {index}; the area has {self.population.size}")
        agent = self._patients.get(index)
        if agent is None:
            agent = self._patients[index] = Patient(self, index)
        return agent

    def staff_workload(self, s: int) -> dict[str, float]:
        """Totals for staff member ``s`` so far."""
        sd = self.staff_days
        return {"seen": float(sd.seen[s].sum()), "dna": float(sd.dna[s].sum()),
                "clinical_hours": float(sd.clinical_minutes[s].sum() / 60),
                "admin_hours": float(sd.admin_minutes[s].sum() / 60),
                "overtime_hours": float(sd.overtime_minutes[s].sum() / 60)}

    def ledger_frame(self):
        """Every request with its outcome (see sim.results.ledger_frame)."""
        from sim.results import ledger_frame

        return ledger_frame(self)

    @property
    def age_bands(self) -> tuple[str, ...]:
        """Age band labels used by the population arrays."""
        return AGE_BANDS

    @property
    def pools(self) -> tuple[int, int]:
        """Pool codes (same-day, routine) used in the ledger."""
        return SAME_DAY, ROUTINE
