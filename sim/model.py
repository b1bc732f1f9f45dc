"""The Mesa model: one SimPy environment is the only clock; ``model.time`` follows it (minutes).

``model.step()`` advances the clock one simulated day. Each day a SimPy process runs the day-start
hooks (workforce events, interventions), opens the next day of the appointment book, books that
day's requests in arrival order, and starts one process per clinician session (and walk-in queues
where configured). Staff joining and leaving are in :mod:`sim.workforce`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import mesa
import numpy as np
import simpy

from sim.agents import STAFF_CLASSES, Patient, Staff
from sim.booking import Booked, BookingRules, book_request
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
EXTRA = 2  # pool code of a same-day extra added beyond the session's slots
HALF_DAYS = 10  # Monday AM .. Friday PM


@dataclass
class StaffDays:
    """Per staff member and internal day: capacity offered and work done (minutes and counts)."""

    offered_slots: np.ndarray
    seen: np.ndarray
    dna: np.ndarray
    clinical_minutes: np.ndarray
    overtime_minutes: np.ndarray
    admin_minutes: np.ndarray
    session_minutes: np.ndarray
    correspondence_minutes: np.ndarray
    supervision_minutes: np.ndarray

    @classmethod
    def zeros(cls, n_staff: int, n_days: int) -> StaffDays:
        """Empty arrays for ``n_staff`` x ``n_days``."""
        return cls(*(np.zeros((n_staff, n_days)) for _ in fields(cls)))

    def grow(self, n_new: int) -> None:
        """Add rows for staff who join during the run."""
        for f in fields(self):
            arr = getattr(self, f.name)
            setattr(self, f.name, np.vstack([arr, np.zeros((n_new, arr.shape[1]))]))


class GPSimModel(mesa.Model):
    """General practice in one LGPO: practices and PCNs, their staff, patients and requests.

    ``setup(model)`` (optional) runs after the organisation is built and before demand is drawn:
    scenario interventions use it to add hooks, staff and demand scales.
    """

    def __init__(self, scenario: Scenario, replication: int = 0,
                 setup: Callable[[GPSimModel], None] | None = None):
        self.streams = Streams(scenario.seed, replication)
        super().__init__(rng=self.streams.get("mesa"))
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment()
        self.time = 0.0  # kept equal to env.now (minutes from the first simulated day)
        b = scenario.booking
        self.rules = BookingRules(b.book_ahead_days, b.continuity_extra_days, b.preference_days_per_rank)
        H = b.book_ahead_days
        self.cal = Calendar(scenario.start_date, scenario.horizon_days, scenario.warm_up_days, extra_days=H + 2)
        self.n_sim_days = scenario.warm_up_days + scenario.horizon_days
        self.role_names = list(scenario.roles)
        self.role_index = {r: i for i, r in enumerate(self.role_names)}
        self.role_specs = [scenario.roles[r] for r in self.role_names]
        self.need_names = list(scenario.demand.need_types)
        # hooks and intervention state
        self.monthly_hooks: list[Callable[[GPSimModel, int], None]] = []
        self.day_hooks: dict[int, list[Callable[[GPSimModel, int], None]]] = {}
        self.leave_listeners: list[Callable[[GPSimModel, Staff, int], None]] = []
        self.events: list[dict] = []  # workforce events: joined, left, reduced sessions
        self.custom_sessions: dict[int, dict[int, list[tuple[int, float]]]] = {}
        self.eligibility: dict[str, list[str]] = {}
        self.shift: tuple[frozenset[int], float, list[str]] | None = None
        self.micro_team: tuple[int, BookingRules] | None = None
        self.supervision: tuple[frozenset[str], float] | None = None
        self.correspondence_share_kept = np.ones(0)
        self.cover = None  # a sim.workforce.CoverPool
        self.demand_scale: np.ndarray | None = None
        self.extras: dict[tuple[int, int], int] = {}
        self.walk_in_budget: dict[tuple[int, int], float] = {}
        self.hub_same_day_share: dict[int, float] = {}
        self._session_results: list[tuple[int, int, SessionResult]] = []
        self._patients: dict[int, Patient] = {}
        self._build_organisation()
        self._build_population()
        self.pattern = np.zeros((0, HALF_DAYS))
        self.absent = np.zeros((0, self.cal.n), dtype=bool)
        self._add_calendars(list(self.staff))
        self.diaries = Diaries(len(self.staff), self.cal.n)
        for s in self.staff:
            if s.is_clinician:
                self.diaries.add_clinician(s.index, s.unit, self.role_index[s.role])
        self.staff_days = StaffDays.zeros(len(self.staff), self.cal.n)
        self.planned_slots = np.zeros((len(self.practices), self.cal.n))
        self.correspondence_share_kept = np.ones(len(self.practices))
        self.day_book: dict[int, dict[int, list[int]]] = {}
        self.day = 0  # internal day index of the next day to simulate
        if scenario.workforce.feedback:
            from sim.workforce import burnout_feedback

            self.add_monthly_hook(burnout_feedback)
        if setup is not None:
            setup(self)
        self._build_options()
        self._draw_demand(self.demand_scale)
        self.env.process(self._day_driver())

    # ---------------------------------------------------------------- construction
    def make_staff(self, role: str, unit: int, fte: float, sessions: float | None, age: int,
                   contract: str | None, key: str) -> Staff:
        """Create one staff agent (not yet given a diary or calendar)."""
        spec = self.scenario.roles[role]
        cls = STAFF_CLASSES[spec.kind]
        if sessions is None:
            sessions = fte * spec.sessions_per_fte_week
        agent = cls(self, index=len(self.staff), role=role, unit=unit, fte=fte,
                    sessions_per_week=float(sessions), age=age, contract=contract)
        agent.key = key
        agent.joined_day = 0
        self.staff.append(agent)
        return agent

    def _add_group(self, group: StaffGroup, unit: int, unit_code: str, ordinal: dict[str, int]) -> list[int]:
        out = []
        for age in group.ages():
            k = ordinal.get(group.role, 0)
            ordinal[group.role] = k + 1
            agent = self.make_staff(group.role, unit, group.fte, group.sessions_per_week, age, group.contract,
                                    f"{unit_code}/{group.role}/{k}")
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
                    pu.staff += self._add_group(g, pu.index, pu.code, ordinal)
            ordinal = {}
            for g in pcn.staff:
                self.pcns[i].staff += self._add_group(g, self.pcns[i].unit, pcn.code, ordinal)
        ordinal = {}
        for g in sc.area.staff:
            self.lgpo.staff += self._add_group(g, self.lgpo_unit, sc.area.code, ordinal)

    def unit_level(self, unit: int) -> tuple[str, str]:
        """(level, code) of a booking unit: practice, PCN pool or the LGPO."""
        if unit < len(self.practices):
            return "practice", self.practices[unit].code
        if unit < self.lgpo_unit:
            return "pcn", self.pcns[unit - len(self.practices)].code
        return "lgpo", self.lgpo.code

    def unit_of_code(self, code: str) -> int:
        """Booking unit of a practice or PCN code, or the LGPO's code."""
        for p in self.practices:
            if p.code == code:
                return p.index
        for p in self.pcns:
            if p.code == code:
                return p.unit
        if code in (self.lgpo.code, "lgpo"):
            return self.lgpo_unit
        raise KeyError(code)

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

    def _add_calendars(self, new_staff: list[Staff]) -> None:
        """Weekly half-day pattern and absence spells for newly created staff."""
        order = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]  # half-day indices: weekday*2 + (0 AM, 1 PM)
        pattern = np.zeros((len(new_staff), HALF_DAYS))
        absent = np.zeros((len(new_staff), self.cal.n), dtype=bool)
        for row, s in enumerate(new_staff):
            sessions = min(s.sessions_per_week, float(HALF_DAYS))
            rot = (s.index * 3) % HALF_DAYS
            seq = order[rot:] + order[:rot]
            full = int(sessions)
            pattern[row, seq[:full]] = 1.0
            if sessions - full > 1e-9 and full < HALF_DAYS:
                pattern[row, seq[full]] = sessions - full
            absent[row] = self._absence_spells(s, self.cal.n)
        self.pattern = np.vstack([self.pattern, pattern])
        self.absent = np.vstack([self.absent, absent])

    def _absence_spells(self, s: Staff, n: int) -> np.ndarray:
        """Leave and sickness as spells (a two-state chain) from the staff member's own stream."""
        spec = self.scenario.roles[s.role]
        out = np.zeros(n, dtype=bool)
        if spec.absence_share <= 0:
            return out
        rng = self.streams.get(f"absence/{s.key}")
        p_end = 1.0 / spec.absence_spell_days
        p_start = spec.absence_share * p_end / max(1e-9, 1.0 - spec.absence_share)
        u = rng.random(n)
        state = bool(u[0] < spec.absence_share)
        for t in range(n):
            out[t] = state
            state = (u[t] >= p_end) if state else (u[t] < p_start)
        return out

    def _build_options(self) -> None:
        """For each practice and need: the role diaries that may serve it, in preference order."""
        needs = self.scenario.demand.need_types
        self.options: list[list[list]] = []
        self.options_shift: list[list[list]] = []
        for pu in self.practices:
            units = [pu.index, self.pcns[pu.pcn].unit, self.lgpo_unit]
            per_need, per_need_shift = [], []
            for need in self.need_names:
                roles = self.eligibility.get(need, needs[need].eligible_roles)
                per_need.append(self._diaries_for(units, roles))
                if self.shift is not None:
                    first = [r for r in self.shift[2] if r not in ("GP",)]
                    shifted = first + [r for r in roles if r not in first]
                    per_need_shift.append(self._diaries_for(units, shifted))
            self.options.append(per_need)
            self.options_shift.append(per_need_shift)
        self.need_continuity = [needs[n].continuity for n in self.need_names]
        self.need_roles = [frozenset(self.role_index[r] for r in self.eligibility.get(n, needs[n].eligible_roles))
                           for n in self.need_names]

    def _diaries_for(self, units: list[int], roles: list[str]) -> list:
        opts = []
        for role in roles:
            r = self.role_index[role]
            for u in units:
                rd = self.diaries.roles.get((u, r))
                if rd is not None:
                    opts.append(rd)
        return opts

    def _draw_demand(self, scale: np.ndarray | None) -> None:
        sc = self.scenario
        weights = self.cal.demand_weights(sc.demand.day_of_week, sc.demand.monthly_seasonality)
        annual = self.cal.mean_annual_weight(sc.demand.day_of_week, sc.demand.monthly_seasonality)
        gen = DemandGenerator(sc.demand, self.population, len(self.practices), weights, annual,
                              sc.booking.routine_tolerance_days_mean, sc.booking.urgent_tolerance_days,
                              self.streams.get("demand"), calendar=self.cal)
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
    def sessions_of(self, s: int, t: int) -> list[tuple[int, float]]:
        """(start minute, clinical minutes) of each session staff member ``s`` works on day ``t``."""
        wd = int(self.cal.weekday[t])
        custom = self.custom_sessions.get(s)
        if custom is not None:
            return [] if self.cal.is_bank_holiday[t] else custom.get(wd, [])
        if not self.cal.is_working_day[t]:
            return []
        spec = self.role_specs[self.role_index[self.staff[s].role]]
        starts = self.scenario.booking.session_start_minutes
        return [(starts[h], f * spec.session_minutes)
                for h in (0, 1) if (f := self.pattern[s, 2 * wd + h]) > 0]

    def _open_day(self, t: int) -> None:
        """Open day ``t`` of every clinician's book: slots from their sessions unless absent."""
        if t >= self.cal.n - 1:
            return
        default_share = self.scenario.booking.same_day_slot_share
        sdays = self.staff_days
        covered = self.cover.covered(self, t) if self.cover is not None else set()
        n_practices = len(self.practices)
        for s in self.staff:
            if not s.active or not s.is_clinician:
                continue
            sessions = self.sessions_of(s.index, t)
            if not sessions:
                continue
            spec = self.role_specs[self.role_index[s.role]]
            slots = sum(int(m / spec.slot_minutes) for _, m in sessions)
            if s.unit < n_practices:
                self.planned_slots[s.unit, t] += slots
            if self.absent[s.index, t] and s.index not in covered:
                continue
            share = default_share if spec.same_day_slot_share is None else spec.same_day_slot_share
            if s.index in self.custom_sessions:
                share = self.hub_same_day_share.get(s.index, share)
            same_day = round(slots * share)
            if s.unit < n_practices and self.practices[s.unit].access_mode == "walk_in":
                self.walk_in_budget[(s.index, t)] = same_day * spec.slot_minutes
                self.diaries.open_day(t, s.index, 0, slots - same_day)
            else:
                self.diaries.open_day(t, s.index, same_day, slots - same_day)
            if spec.extra_slots_per_session:
                self.extras[(s.index, t)] = spec.extra_slots_per_session * max(1, round(
                    sum(m for _, m in sessions) / spec.session_minutes))
            sdays.offered_slots[s.index, t] = slots
            sdays.session_minutes[s.index, t] = sum(m for _, m in sessions)
        self.diaries.seal_day(t)

    def _book_day(self, d: int) -> None:
        """Book every request made on internal day ``d``, in order of arrival.

        Runs once per request: bookkeeping stays in Python lists and locals; arrays are written once.
        """
        a, b = self.day_start[d], self.day_start[d + 1]
        if a == b:
            return
        R = self.requests
        n = b - a
        practice = R.practice[a:b].tolist()
        need = R.need[a:b].tolist()
        urgent = R.urgent[a:b].tolist()
        lead = R.lead[a:b].tolist()
        tol = R.tolerance[a:b].tolist()
        usual = self.population.usual_gp[R.patient[a:b]].tolist()
        named = (self.population.ltc[R.patient[a:b]] >= self.micro_team[0]).tolist() if self.micro_team else None
        shifted = (((R.u_triage[a:b] < self.shift[1]) & np.isin(R.need[a:b], list(self.shift[0]))).tolist()
                   if self.shift is not None else None)
        staff_out, day_out, pool_out = [-1] * n, [-1] * n, [-1] * n
        walk_in: list[int] = []
        diaries, rules, cont = self.diaries, self.rules, self.need_continuity
        mt_rules = self.micro_team[1] if self.micro_team is not None else rules
        options, options_shift = self.options, self.options_shift
        access = [p.access_mode == "walk_in" for p in self.practices]
        any_walk_in = any(access)
        book_extra = self._book_extra
        for i in range(n):
            p, u, k = practice[i], urgent[i], need[i]
            if u and any_walk_in and access[p]:
                walk_in.append(a + i)
                continue
            opts = options_shift[p][k] if shifted is not None and shifted[i] else options[p][k]
            if named is not None and named[i]:
                res = book_request(diaries, opts, d, u, lead[i], tol[i], usual[i], True, mt_rules)
                prefer = usual[i]
            else:
                c = cont[k]
                res = book_request(diaries, opts, d, u, lead[i], tol[i], usual[i], c, rules)
                prefer = usual[i] if c else -1
            if res.staff < 0 and u:
                res = book_extra(opts, d, prefer)
            if res.staff >= 0:
                staff_out[i], day_out[i], pool_out[i] = res.staff, res.day, res.pool
        staff_arr = np.array(staff_out, dtype=np.int32)
        self.appt_staff[a:b] = staff_arr
        self.appt_day[a:b] = np.array(day_out, dtype=np.int32)
        self.appt_pool[a:b] = np.array(pool_out, dtype=np.int8)
        book = self.day_book
        for i in np.flatnonzero(staff_arr >= 0).tolist():  # the day book keeps arrival order
            book.setdefault(day_out[i], {}).setdefault(staff_out[i], []).append(a + i)
        lost = staff_arr < 0
        if walk_in:
            lost[np.asarray(walk_in) - a] = False
        self.state[a:b][lost] = LOST
        if walk_in:
            self._run_walk_in(d, walk_in)

    def _book_extra(self, options: list, d: int, prefer: int) -> Booked:
        """Duty-clinician extras: an urgent request with no slot left today is squeezed in as an extra."""
        extras = self.extras
        if prefer >= 0 and extras.get((prefer, d), 0) > 0 and any(prefer in rd.clinicians for rd in options):
            extras[(prefer, d)] -= 1
            return Booked(prefer, d, EXTRA)
        for rd in options:
            for c in rd.clinicians:
                if extras.get((c, d), 0) > 0:
                    extras[(c, d)] -= 1
                    return Booked(c, d, EXTRA)
        return Booked(-1, -1, -1)

    def _start_sessions(self, t: int) -> None:
        """Start one SimPy process per clinician session on internal day ``t``."""
        booked = self.day_book.pop(t, {})
        base = t * MINUTES_PER_DAY
        sdays = self.staff_days
        attend_of, minutes_of = self._day_draws(t, booked)
        default_start = self.scenario.booking.session_start_minutes[0]
        for s in self.staff:
            if not s.is_clinician:
                if s.active and not self.absent[s.index, t] and self.cal.is_working_day[t]:
                    sdays.admin_minutes[s.index, t] = s.fte * 450.0  # 7.5 h x FTE
                continue
            appts = booked.get(s.index, [])
            slots = int(sdays.offered_slots[s.index, t])
            if slots == 0 and not appts:
                continue
            spec = self.role_specs[self.role_index[s.role]]
            result = SessionResult()
            sessions = self.sessions_of(s.index, t) or [(default_start, spec.session_minutes)]
            k = 0
            for j, (start, minutes) in enumerate(sessions):
                n_slots = int(minutes / spec.slot_minutes)
                chunk = appts[k:] if j == len(sessions) - 1 else appts[k:k + n_slots]
                k += len(chunk)
                self.env.process(booked_session(
                    self.env, base + start, spec.slot_minutes, n_slots, chunk,
                    attend_of.__getitem__, minutes_of.__getitem__, self._record_outcome, result))
            n_sessions = sum(m for _, m in sessions) / spec.session_minutes
            sdays.admin_minutes[s.index, t] += spec.admin_minutes_per_session * n_sessions
            self._session_results.append((s.index, t, result))
        self._correspondence(t)

    def _day_draws(self, t: int, booked: dict[int, list[int]]) -> tuple[dict[int, bool], dict[int, float]]:
        """Attendance and consultation minutes of every appointment on day ``t``, vectorised.

        Both come from per-request draws (u_dna, z_duration), so the same request behaves the same
        way whichever clinician sees it: common random numbers across scenarios.
        """
        if not booked:
            return {}, {}
        R = self.requests
        rids, slot, cv = [], [], []
        for s, appts in booked.items():
            spec = self.role_specs[self.role_index[self.staff[s].role]]
            rids += appts
            slot += [spec.slot_minutes] * len(appts)
            cv += [spec.duration_cv] * len(appts)
        rid = np.asarray(rids, dtype=np.int64)
        attends = R.u_dna[rid] >= self.scenario.booking.dna_probability(t - R.day[rid])
        s2 = np.log1p(np.asarray(cv) ** 2)
        minutes = np.asarray(slot) * np.exp(np.sqrt(s2) * R.z_duration[rid] - 0.5 * s2)
        return dict(zip(rids, attends.tolist(), strict=True)), dict(zip(rids, minutes.tolist(), strict=True))

    def _correspondence(self, t: int) -> None:
        """GP correspondence hours of each practice, shared by its GPs working that day."""
        if not self.cal.is_working_day[t]:
            return
        hours_per_1000_week = self.scenario.admin.gp_correspondence_hours_per_1000_week
        sd = self.staff_days
        for p in self.practices:
            minutes = hours_per_1000_week * 60.0 * p.list_size / 1000.0 / 5.0 * self.correspondence_share_kept[p.index]
            gps = [s for s in p.staff if self.staff[s].kind == "gp" and sd.offered_slots[s, t] > 0]
            if gps and minutes > 0:
                each = minutes / len(gps)
                sd.correspondence_minutes[gps, t] += each
                sd.admin_minutes[gps, t] += each

    def _record_outcome(self, rid: int, attended: bool, minutes: float) -> None:
        self.state[rid] = SEEN if attended else DNA
        self.duration[rid] = minutes

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
        end = base + MINUTES_PER_DAY - 1  # at the end of the day everyone still queued is lost
        if self.env.now < end:
            yield self.env.timeout(end - self.env.now)
        clinic.close()

    def _walk_in_served(self, patient: WalkInPatient, staff: int, wait: float) -> None:
        rid = patient.rid
        t = int(self.requests.day[rid])
        self.state[rid] = SEEN
        self.appt_day[rid] = t
        self.appt_staff[rid] = staff
        self.appt_pool[rid] = SAME_DAY
        self.duration[rid] = patient.service_minutes
        self.queue_minutes[rid] = wait
        self.staff_days.seen[staff, t] += 1
        self.staff_days.clinical_minutes[staff, t] += patient.service_minutes

    def _walk_in_lost(self, patient: WalkInPatient) -> None:
        self.state[patient.rid] = LOST

    def _day_driver(self):
        H = self.scenario.booking.book_ahead_days
        for t in range(H + 1):
            self._open_day(t)
        last_month = None
        for d in range(self.n_sim_days):
            month = self.cal.dates[d].month
            if month != last_month:
                for hook in self.monthly_hooks:
                    hook(self, d)
                last_month = month
            for hook in self.day_hooks.pop(d, []):
                hook(self, d)
            if d > 0:
                self._open_day(d + H)
            self._book_day(d)
            self._start_sessions(d)
            yield self.env.timeout(MINUTES_PER_DAY)
            self._collect_sessions(d)

    def _collect_sessions(self, t: int) -> None:
        sd = self.staff_days
        supervised: dict[int, int] = {}
        sup = self.supervision
        for s, day, r in self._session_results:
            sd.seen[s, day] += r.seen
            sd.dna[s, day] += r.dna
            sd.clinical_minutes[s, day] += r.clinical_minutes
            sd.overtime_minutes[s, day] += r.overtime_minutes
            if sup is not None and r.seen and self.staff[s].role in sup[0]:
                unit = self.staff[s].unit
                supervised[unit] = supervised.get(unit, 0) + r.seen
        self._session_results.clear()
        if supervised:
            self._supervise(t, supervised)

    def _supervise(self, t: int, seen_by_unit: dict[int, int]) -> None:
        """GP supervision minutes for appointments by supervised roles, shared by GPs on duty."""
        sd = self.staff_days
        minutes_each = self.supervision[1]
        for unit, seen in seen_by_unit.items():
            if unit < len(self.practices):
                practices = [unit]
            elif unit < self.lgpo_unit:
                practices = self.pcns[unit - len(self.practices)].practices
            else:
                practices = list(range(len(self.practices)))
            gps = [s for p in practices for s in self.practices[p].staff
                   if self.staff[s].kind == "gp" and sd.offered_slots[s, t] > 0]
            if gps:
                each = seen * minutes_each / len(gps)
                sd.supervision_minutes[gps, t] += each
                sd.admin_minutes[gps, t] += each

    # ---------------------------------------------------------------- Mesa interface
    def add_monthly_hook(self, hook: Callable[[GPSimModel, int], None]) -> None:
        """Call ``hook(model, internal_day)`` on the first simulated day of every month."""
        self.monthly_hooks.append(hook)

    def add_day_hook(self, day: int, hook: Callable[[GPSimModel, int], None]) -> None:
        """Call ``hook(model, day)`` at the start of internal day ``day`` (before booking)."""
        self.day_hooks.setdefault(max(0, int(day)), []).append(hook)

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
