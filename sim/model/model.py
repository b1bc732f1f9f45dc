"""The Mesa model: one SimPy environment is the only clock; ``model.time`` follows it (minutes).

``model.step()`` advances the clock one simulated day. Each day a SimPy process runs the day-start
hooks (workforce events, interventions), opens the next day of the appointment book, books that
day's requests in arrival order, and starts one process per clinician session (and walk-in queues
where configured). Staff joining and leaving are in :mod:`sim.model.workforce`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import mesa
import numpy as np
import simpy

from sim.config.scenario import AGE_BANDS, Scenario, StaffGroup
from sim.model.agents import STAFF_CLASSES, Patient, Staff
from sim.model.booking import BookingRules, book_day, rules_array
from sim.model.calendar import MINUTES_PER_DAY, Calendar
from sim.model.clinic import (
    WalkInClinic,
    WalkInPatient,
    appointment_draws,
    clinic_session,
    lognormal_factor,
    plan_sessions,
    two_state_spells,
    walk_sessions,
    weekly_sessions,
)
from sim.model.day_book import DayBook
from sim.model.demand import DemandGenerator, Requests
from sim.model.diary import ROUTINE, SAME_DAY, Diaries
from sim.model.organisation import LGPOUnit, PCNUnit, PracticeUnit
from sim.model.population import assign_usual_gps, build_population
from sim.model.rng import Streams

# ledger states: every request ends in exactly one of SEEN, DNA, WAITING, LOST
BOOKED, SEEN, DNA, WAITING, LOST = 0, 1, 2, 3, 4
STATE_NAMES = {SEEN: "seen", DNA: "dna", WAITING: "waiting", LOST: "lost", BOOKED: "booked"}
HALF_DAYS = 10  # Monday AM .. Friday PM


def _starts_run(sorted_keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys begins (the first element, and wherever the key changes)."""
    head = np.empty(sorted_keys.size, dtype=bool)
    if sorted_keys.size:
        head[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=head[1:])
    return head


class SessionOverrides(dict):
    """Sessions replacing a staff member's usual ones on one day, keyed (staff, day) and indexed by day.

    Hub rotas write one entry per shift; the daily cycle reads one day's entries at a time.
    """

    def __init__(self) -> None:
        super().__init__()
        self._by_day: dict[int, dict[int, list[tuple[int, float]]]] = {}

    def __setitem__(self, key: tuple[int, int], sessions: list[tuple[int, float]]) -> None:
        super().__setitem__(key, sessions)
        self._by_day.setdefault(key[1], {})[key[0]] = sessions

    def __delitem__(self, key: tuple[int, int]) -> None:
        super().__delitem__(key)
        self._by_day.get(key[1], {}).pop(key[0], None)

    def pop(self, key, *default):  # noqa: D102 - dict.pop, keeping the day index in step
        self._by_day.get(key[1], {}).pop(key[0], None)
        return super().pop(key, *default)

    def on_day(self, t: int) -> dict[int, list[tuple[int, float]]]:
        """Staff with replaced sessions on day ``t`` and their sessions."""
        return self._by_day.get(t, {})


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
        self.cover = None  # a sim.model.workforce.CoverPool
        self.demand_scale: np.ndarray | None = None
        self.walk_in_budget: dict[tuple[int, int], float] = {}
        self.hub_same_day_share: dict[int, float] = {}
        # per (staff, day) sessions replacing the weekly pattern: hub rotas and redeployed practice hours
        self.session_override = SessionOverrides()
        self.walk_in_staff: set[int] = set()  # hub clinicians who serve a walk-in queue instead of slots
        self.open_day_hooks: list[Callable[[GPSimModel, int], None]] = []  # before a day's book opens
        self.after_booking_hooks: list[Callable[[GPSimModel, int], None]] = []  # after a day's requests are booked
        self.day_end_hooks: list[Callable[[GPSimModel, int], None]] = []  # after a day's sessions are collected
        self.finalise_hooks: list[Callable[[GPSimModel], None]] = []  # once, after the last day
        self.hubs: list = []  # sim.model.hubs.Hub: member-staffed and walk-in extended-access hubs
        self.hub_appointment: np.ndarray | None = None  # per request: seen at such a hub (set at the end)
        self._session_results: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._patients: dict[int, Patient] = {}
        self._staff_arrays: dict[str, np.ndarray] | None = None
        self._dna_by_wait: np.ndarray | None = None
        self._staff_status: tuple[np.ndarray, np.ndarray] | None = None  # (in post, FTE); see staff_status
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
        self.day = 0  # internal day index of the next day to simulate
        if scenario.workforce.feedback:
            from sim.model.workforce import burnout_feedback

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
        if spec.absence_share <= 0:
            return np.zeros(n, dtype=bool)
        rng = self.streams.get(f"absence/{s.key}")
        p_end = 1.0 / spec.absence_spell_days
        p_start = spec.absence_share * p_end / max(1e-9, 1.0 - spec.absence_share)
        return two_state_spells(rng.random(n), spec.absence_share, p_end, p_start)

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
        self._opt_csr = self._csr(self.options)
        self._shift_csr = self._csr(self.options_shift) if self.shift is not None else self._opt_csr
        self.need_roles = [frozenset(self.role_index[r] for r in self.eligibility.get(n, needs[n].eligible_roles))
                           for n in self.need_names]

    def _csr(self, options: list[list[list[int]]]) -> tuple[np.ndarray, np.ndarray]:
        """Role-diary option lists per (practice, need) as compressed rows for the compiled booking loop."""
        flat = [opts for per_need in options for opts in per_need]
        ptr = np.cumsum([0] + [len(o) for o in flat]).astype(np.int32)
        rds = np.asarray([rd for o in flat for rd in o], dtype=np.int32)
        return ptr, rds

    def _diaries_for(self, units: list[int], roles: list[str]) -> list[int]:
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
        self.day_book = DayBook(self.requests.day, self.day_start)
        self.state = np.zeros(n, dtype=np.int8)
        self.appt_day = np.full(n, -1, dtype=np.int32)
        self.appt_staff = np.full(n, -1, dtype=np.int32)
        self.appt_pool = np.full(n, -1, dtype=np.int8)
        self.duration = np.zeros(n, dtype=np.float32)
        self.queue_minutes = np.full(n, np.nan, dtype=np.float32)

    # ---------------------------------------------------------------- daily cycle
    def sessions_of(self, s: int, t: int) -> list[tuple[int, float]]:
        """(start minute, clinical minutes) of each session staff member ``s`` works on day ``t``."""
        if self.session_override:
            override = self.session_override.get((s, t))
            if override is not None:
                return override
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

    def _staff_table(self) -> dict[str, np.ndarray]:
        """Per-staff constants of the daily cycle as arrays (rebuilt when staff join)."""
        if self._staff_arrays is None or len(self._staff_arrays["unit"]) != len(self.staff):
            default_share = self.scenario.booking.same_day_slot_share
            specs = [self.role_specs[self.role_index[s.role]] for s in self.staff]
            self._staff_arrays = {
                "unit": np.array([s.unit for s in self.staff], dtype=np.int64),
                "clinician": np.array([s.is_clinician for s in self.staff], dtype=bool),
                "gp": np.array([s.kind == "gp" for s in self.staff], dtype=bool),
                "slot": np.array([sp.slot_minutes for sp in specs], dtype=np.float64),
                "session": np.array([sp.session_minutes for sp in specs], dtype=np.float64),
                "extra": np.array([sp.extra_slots_per_session for sp in specs], dtype=np.int64),
                "s2": np.log1p(np.array([sp.duration_cv for sp in specs], dtype=np.float64) ** 2),
                "admin": np.array([sp.admin_minutes_per_session for sp in specs], dtype=np.float64),
                "share": np.array([default_share if sp.same_day_slot_share is None else sp.same_day_slot_share
                                   for sp in specs], dtype=np.float64),
            }
            self._staff_arrays["sigma"] = np.sqrt(self._staff_arrays["s2"])
        return self._staff_arrays

    def staff_status(self) -> tuple[np.ndarray, np.ndarray]:
        """(in post, FTE) of every staff member as arrays; rebuilt only after a change (a leaver, a joiner)."""
        st = self._staff_status
        if st is None or st[0].size != len(self.staff):
            st = (np.array([s.active for s in self.staff], dtype=bool),
                  np.array([s.fte for s in self.staff], dtype=np.float64))
            self._staff_status = st
        return st

    def sessions_on(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every session worked on day ``t``: (staff, start minute, clinical minutes), by staff then time.

        The same sessions as :meth:`sessions_of` for each staff member, for everyone at once.
        """
        wd = int(self.cal.weekday[t])
        staff_parts, start_parts, minute_parts = [], [], []
        n = len(self.staff)
        if self.cal.is_working_day[t]:
            skip = np.zeros(n, dtype=bool)
            if self.custom_sessions:
                skip[list(self.custom_sessions)] = True
            am, pm = self.scenario.booking.session_start_minutes[:2]
            who, start, minutes = weekly_sessions(self.pattern, n, wd, skip, self._staff_table()["session"],
                                                  float(am), float(pm))
            if not self.custom_sessions and not self.session_override.on_day(t):
                return who, start, minutes  # already by staff, morning before afternoon
            staff_parts.append(who)
            start_parts.append(start)
            minute_parts.append(minutes)
        if self.custom_sessions and not self.cal.is_bank_holiday[t]:
            for s, week in self.custom_sessions.items():
                for start, minutes in week.get(wd, []):
                    staff_parts.append(np.array([s]))
                    start_parts.append(np.array([start], dtype=np.float64))
                    minute_parts.append(np.array([minutes], dtype=np.float64))
        overrides = self.session_override.on_day(t)
        if overrides:
            staff_parts = [np.asarray(part) for part in staff_parts]
            for k, part in enumerate(staff_parts):
                keep = ~np.isin(part, list(overrides))
                staff_parts[k], start_parts[k], minute_parts[k] = part[keep], start_parts[k][keep], minute_parts[k][keep]
            for s, sessions in overrides.items():
                for start, minutes in sessions:
                    staff_parts.append(np.array([s]))
                    start_parts.append(np.array([start], dtype=np.float64))
                    minute_parts.append(np.array([minutes], dtype=np.float64))
        if not staff_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        staff = np.concatenate(staff_parts).astype(np.int64)
        order = np.argsort(staff, kind="stable")
        return staff[order], np.concatenate(start_parts)[order], np.concatenate(minute_parts)[order]

    def _open_day(self, t: int) -> None:
        """Open day ``t`` of every clinician's book: slots from their sessions unless absent."""
        if t >= self.cal.n - 1:
            return
        for hook in self.open_day_hooks:
            hook(self, t)
        sdays = self.staff_days
        table = self._staff_table()
        staff, _start, minutes = self.sessions_on(t)
        active = self.staff_status()[0]
        keep = active[staff] & table["clinician"][staff]
        staff, minutes = staff[keep], minutes[keep]
        if staff.size == 0:
            self.diaries.seal_day(t)
            return
        slots_each = np.floor(minutes / table["slot"][staff]).astype(np.int64)
        first = np.flatnonzero(_starts_run(staff))
        who = staff[first]
        slots = np.add.reduceat(slots_each, first)
        worked = np.add.reduceat(minutes, first)
        n_practices = len(self.practices)
        unit = table["unit"][who]
        at_practice = unit < n_practices
        np.add.at(self.planned_slots[:, t], unit[at_practice], slots[at_practice])
        covered = self.cover.covered(self, t) if self.cover is not None else set()
        here = ~self.absent[who, t]
        if covered:
            here |= np.isin(who, list(covered))
        who, slots, worked, unit = who[here], slots[here], worked[here], unit[here]
        if self.walk_in_staff:  # walk-in hub clinicians: capacity serves the queue, nothing is bookable
            queue = np.isin(who, list(self.walk_in_staff))
            sdays.offered_slots[who[queue], t] = slots[queue]
            sdays.session_minutes[who[queue], t] = worked[queue]
            who, slots, worked, unit = who[~queue], slots[~queue], worked[~queue], unit[~queue]
        share = table["share"][who]
        if self.hub_same_day_share:
            for j, s in enumerate(who.tolist()):
                share[j] = self.hub_same_day_share.get(s, share[j])
        same_day = np.round(slots * share).astype(np.int64)
        walk_in = np.zeros(who.size, dtype=bool)
        walk_in_units = [p.index for p in self.practices if p.access_mode == "walk_in"]
        if walk_in_units:
            walk_in = np.isin(unit, walk_in_units)
            for s, n_same in zip(who[walk_in].tolist(), same_day[walk_in].tolist(), strict=True):
                self.walk_in_budget[(s, t)] = n_same * float(table["slot"][s])
        self.diaries.open_many(t, who, np.where(walk_in, 0, same_day), slots - same_day)
        extra = table["extra"][who]
        if extra.any():
            has = extra > 0
            self.diaries.extras[who[has], t] = extra[has] * np.maximum(
                1, np.round(worked[has] / table["session"][who[has]])).astype(np.int64)
        sdays.offered_slots[who, t] = slots
        sdays.session_minutes[who, t] = worked
        self.diaries.seal_day(t)

    def _book_day(self, d: int) -> None:
        """Book every request made on internal day ``d``, in order of arrival (one compiled call)."""
        a, b = self.day_start[d], self.day_start[d + 1]
        if a == b:
            return
        R = self.requests
        n = b - a
        patients = R.patient[a:b]
        if self.micro_team is not None:
            named = self.population.ltc[patients] >= self.micro_team[0]
            mt_rules = rules_array(self.micro_team[1])
        else:
            named, mt_rules = np.zeros(n, dtype=bool), rules_array(self.rules)
        if self.shift is not None:
            shifted = (R.u_triage[a:b] < self.shift[1]) & np.isin(R.need[a:b], list(self.shift[0]))
        else:
            shifted = np.zeros(n, dtype=bool)
        staff_out = np.full(n, -1, dtype=np.int32)
        day_out = np.full(n, -1, dtype=np.int32)
        pool_out = np.full(n, -1, dtype=np.int8)
        walk_out = np.zeros(n, dtype=bool)
        g = self.diaries
        book_day(d, R.practice[a:b], R.need[a:b], R.urgent[a:b], R.lead[a:b], R.tolerance[a:b],
                 self.population.usual_gp[patients], named, shifted, self._walk_in_practices,
                 self._need_continuity, len(self.need_names), *self._opt_csr, *self._shift_csr,
                 rules_array(self.rules), mt_rules, g.free_sd, g.free_rt, g.parent, g.cap_sd, g.cap_rt,
                 g.rparent, g.staff_rd, g.rd_role, g.rd_ptr, g.rd_members, g.extras,
                 staff_out, day_out, pool_out, walk_out)
        self.appt_staff[a:b] = staff_out
        self.appt_day[a:b] = day_out
        self.appt_pool[a:b] = pool_out
        booked = np.flatnonzero(staff_out >= 0)
        self.day_book.add(booked + a, day_out[booked])
        lost = (staff_out < 0) & ~walk_out
        self.state[a:b][lost] = LOST
        if walk_out.any():
            self._run_walk_in(d, (np.flatnonzero(walk_out) + a).tolist())

    @property
    def _walk_in_practices(self) -> np.ndarray:
        return np.array([p.access_mode == "walk_in" for p in self.practices], dtype=bool)

    @property
    def _need_continuity(self) -> np.ndarray:
        return np.array(self.need_continuity, dtype=bool)

    def _start_sessions(self, t: int) -> None:
        """Walk day ``t``'s clinic sessions and start one SimPy process per session to hold its clinician.

        The walk (slot times, overruns, DNAs, overtime) is computed for all sessions at once; each
        session's process then occupies the clinician's clock from its start to its last patient.
        """
        staff_of, rids = self.day_book.pop_day(t, self.appt_staff)
        base = t * MINUTES_PER_DAY
        sdays = self.staff_days
        table = self._staff_table()
        n = len(self.staff)
        clinician = table["clinician"]
        if self.cal.is_working_day[t]:
            active, fte = self.staff_status()
            office = np.flatnonzero(~clinician & active & ~self.absent[:n, t])
            sdays.admin_minutes[office, t] = fte[office] * 450.0  # 7.5 h x FTE
        sess_staff, sess_start, sess_minutes = self.sessions_on(t)
        owners, sess_staff, sess_start, sess_minutes, owner, n_slots, first, count = plan_sessions(
            staff_of, n, clinician, sdays.offered_slots[:n, t], sess_staff, sess_start, sess_minutes,
            table["slot"], table["session"], float(self.scenario.booking.session_start_minutes[0]))
        if owners.size == 0:
            self._correspondence(t)
            return
        slot = table["slot"][sess_staff]
        # only clinicians are booked, and each booked clinician is an owner: the day's appointments
        # are ``rids`` as they are, grouped by owner in slot order
        appt = rids
        attends, minutes = self._day_draws(t, appt, staff_of)
        ends, seen, dna, clinical, overtime = walk_sessions(
            base + sess_start, slot, n_slots, first, count, owner, attends, minutes, owners.size)
        # one SimPy process per session, started at the session's start: sessions starting together
        # share the timeout that starts them
        starts = base + sess_start
        for start in np.unique(starts).tolist():
            together = ends[starts == start].tolist()
            if start > self.env.now:
                self.env.timeout(start - self.env.now).callbacks.append(
                    lambda _event, start=start, together=together: self._begin_sessions(start, together))
            else:
                self._begin_sessions(start, together)
        worked = np.bincount(owner, weights=sess_minutes, minlength=owners.size)
        sdays.admin_minutes[owners, t] += table["admin"][owners] * (worked / table["session"][owners])
        self._session_results.append((t, owners, np.stack([seen, dna, clinical, overtime])))
        self._correspondence(t)

    def _begin_sessions(self, start: float, ends: list[float]) -> None:
        """Start the SimPy processes of sessions that begin now, each holding its clinician to its end."""
        env = self.env
        for end in ends:
            env.process(clinic_session(env, start, end))

    def _day_draws(self, t: int, rid: np.ndarray, staff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Attendance and consultation minutes of appointments ``rid`` on day ``t``; sets their state and minutes.

        Both come from per-request draws (u_dna, z_duration), so the same request behaves the same
        way whichever clinician sees it: common random numbers across scenarios.
        """
        R = self.requests
        if self._dna_by_wait is None:  # DNA probability for waits of 0, 1, 2 .. 7 and 8+ days
            self._dna_by_wait = np.asarray(self.scenario.booking.dna_probability(np.arange(9)), dtype=np.float64)
        table = self._staff_table()
        return appointment_draws(t, rid, staff, R.u_dna, R.day, R.z_duration, self._dna_by_wait, table["slot"],
                                 table["sigma"], table["s2"], self.state, self.duration, SEEN, DNA)

    def _correspondence(self, t: int) -> None:
        """GP correspondence hours of each practice, shared by its GPs working that day."""
        if not self.cal.is_working_day[t]:
            return
        hours_per_1000_week = self.scenario.admin.gp_correspondence_hours_per_1000_week
        sd = self.staff_days
        table = self._staff_table()
        n, n_practices = len(self.staff), len(self.practices)
        unit = table["unit"]
        gps = np.flatnonzero(table["gp"] & (unit < n_practices) & (sd.offered_slots[:n, t] > 0))
        if gps.size == 0:
            return
        sizes = np.array([p.list_size for p in self.practices], dtype=np.float64)
        minutes = hours_per_1000_week * 60.0 * sizes / 1000.0 / 5.0 * self.correspondence_share_kept
        home = unit[gps]
        gps = gps[minutes[home] > 0]
        home = unit[gps]
        each = minutes[home] / np.bincount(home, minlength=n_practices)[home]
        sd.correspondence_minutes[gps, t] += each
        sd.admin_minutes[gps, t] += each

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
            for hook in self.after_booking_hooks:
                hook(self, d)
            self._start_sessions(d)
            yield self.env.timeout(MINUTES_PER_DAY)
            self._collect_sessions(d)
            for hook in self.day_end_hooks:
                hook(self, d)

    def _collect_sessions(self, t: int) -> None:
        """At the end of the day: add the sessions' appointments, minutes and overtime to the staff-days."""
        sd = self.staff_days
        supervised: dict[int, int] = {}
        sup = self.supervision
        for day, owners, res in self._session_results:
            seen, dna, clinical, overtime = res
            sd.seen[owners, day] += seen
            sd.dna[owners, day] += dna
            sd.clinical_minutes[owners, day] += clinical
            sd.overtime_minutes[owners, day] += overtime
            if sup is not None:
                for s, n_seen in zip(owners.tolist(), seen.tolist(), strict=True):
                    if n_seen and self.staff[s].role in sup[0]:
                        unit = self.staff[s].unit
                        supervised[unit] = supervised.get(unit, 0) + int(n_seen)
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
        """Close the last day, then requests still booked beyond it are waiting at horizon end.

        The clock stops at the last day's end before the day driver resumes, so that day's sessions
        are collected and its day-end hooks run here (otherwise its workload would be dropped).
        """
        last = self.n_sim_days - 1
        self._collect_sessions(last)
        for hook in self.day_end_hooks:
            hook(self, last)
        for hook in self.finalise_hooks:
            hook(self)
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
        """Every request with its outcome (see sim.results.tables.ledger_frame)."""
        from sim.results.tables import ledger_frame

        return ledger_frame(self)

    @property
    def age_bands(self) -> tuple[str, ...]:
        """Age band labels used by the population arrays."""
        return AGE_BANDS

    @property
    def pools(self) -> tuple[int, int]:
        """Pool codes (same-day, routine) used in the ledger."""
        return SAME_DAY, ROUTINE
