"""The Mesa model: one SimPy environment is the only clock; ``model.time`` follows it (minutes).

``model.step()`` advances the clock one simulated day. The build phase (:mod:`sim.model.build`)
makes the organisation, staff, patients, calendars and demand; each day then runs the day cycle
(:mod:`sim.model.daycycle`) with the named phases of :mod:`sim.model.phases` between its steps.
Everything an intervention may change is in ``model.levers`` (:mod:`sim.model.levers`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from sim.config.scenario import Scenario
from sim.lazy_imports import mesa
from sim.model.agents import STAFF_CLASSES, Patient, Staff
from sim.model.back_office import BackOfficeState, build_back_office
from sim.model.booking import BookingRules
from sim.model.build import (
    HALF_DAYS,
    add_calendars,
    build_organisation,
    build_patients,
    draw_demand,
    rebuild_options,
)
from sim.model.calendar import MINUTES_PER_DAY, Calendar
from sim.model.census import setup_census
from sim.model.closures import setup_closures
from sim.model.daycycle import book, collect_sessions, open_day, sessions_of, start_sessions
from sim.model.destinations import record_destinations
from sim.model.diary import Diaries
from sim.model.front_door import FrontDoorState, build_front_door, front_door_day
from sim.model.levers import Levers, Supervision
from sim.model.organisation import LGPOUnit, PCNUnit, PracticeUnit
from sim.model.phases import Phase, Phases
from sim.model.rng import Streams
from sim.model.staff_days import Sessions, StaffDays
from sim.model.states import (
    BOOKED,
    DNA,
    GAVE_UP,
    LOST,
    NAVIGATED,
    RESOLVED,
    SEEN,
    STATE_NAMES,
    WAITING,
)
from sim.model.training import setup_training
from sim.model.turnover import resign, setup_turnover
from sim.model.workforce import burnout_feedback

__all__ = ["BOOKED", "DNA", "GAVE_UP", "LOST", "NAVIGATED", "RESOLVED", "SEEN", "STATE_NAMES", "WAITING", "GPSimModel"]


class GPSimModel(mesa.Model):
    """General practice in one LGPO: practices and PCNs, their staff, patients and requests.

    ``setup(model)`` (optional) runs after the organisation is built and before demand is drawn:
    scenario interventions use it to register on phases, add staff and set levers.
    """

    def __init__(self, scenario: Scenario, replication: int = 0,
                 setup: Callable[[GPSimModel], None] | None = None):
        self.streams = Streams(scenario.seed, replication)
        # Mesa's own generators (model.random, model.rng) draw nothing in gpsim's mechanisms; they are
        # seeded from (seed, replication) so that agent-set shuffles a user runs are reproducible
        super().__init__(rng=np.random.default_rng([int(scenario.seed), int(replication)]))
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment()
        self.time = 0.0  # kept equal to env.now (minutes from the first simulated day)
        b = scenario.booking
        self.rules = BookingRules(b.book_ahead_days, b.continuity_extra_days, b.preference_days_per_rank)
        self.cal = Calendar(scenario.start_date, scenario.horizon_days, scenario.warm_up_days,
                            extra_days=b.book_ahead_days + 2)
        self.n_sim_days = scenario.warm_up_days + scenario.horizon_days
        self.role_names = list(scenario.roles)
        self.role_index = {r: i for i, r in enumerate(self.role_names)}
        self.role_specs = [scenario.roles[r] for r in self.role_names]
        self.need_names = list(scenario.demand.need_types)
        self.phases = Phases()  # hooks of the day cycle's named phases
        self.levers = Levers()  # everything an intervention may change
        self.built = False  # True once demand is drawn: staff joining later open days already in the book
        self.events: list[dict] = []  # workforce events: joined, left, reduced sessions
        self.walk_in_budget: dict[tuple[int, int], float] = {}  # (staff, day) -> walk-in service minutes
        self.hubs: list = []  # sim.model.hubs.Hub: member-staffed and walk-in extended-access hubs
        self.hub_appointment: np.ndarray | None = None  # per request: seen at such a hub (set at the end)
        self.session_results: list[tuple[int, np.ndarray, np.ndarray]] = []  # today's, until collected
        self.dna_by_wait: np.ndarray | None = None  # DNA probability by days waited (see daycycle)
        self.destination: np.ndarray | None = None  # per request: where unmet demand went (set at the end)
        self.former_list: dict[int, np.ndarray] = {}  # GP who left -> patients whose usual GP they were
        self.open_vacancies: dict[str, dict] = {}  # post key -> vacancy being advertised (sim.model.turnover)
        self.leaver_days: dict[int, list[int]] = {}  # unit -> days its staff left, oldest first (sim.model.turnover)
        self.unit_staff: dict[int, list[int]] = {}  # unit -> staff ever in it, by index (sim.model.turnover)
        self.unit_staff_seen = 0  # staff (by index) already in unit_staff: later joiners are added on reading
        self.census: list[dict] = []  # monthly staff stocks per unit and role (sim.model.census)
        self.closed_practices: dict[int, int] = {}  # closed practice -> internal day it closed (sim.model.closures)
        self.successor: dict[int, int] = {}  # closed practice -> practice its later posts go to
        self.months_below: dict[int, int] = {}  # practice -> consecutive month starts below the GP FTE threshold
        self.closures: list[dict] = []  # one row per closed practice and practice receiving its patients
        self._patients: dict[int, Patient] = {}
        self._staff_arrays: dict[str, np.ndarray] | None = None
        self._staff_status: tuple[np.ndarray, np.ndarray] | None = None  # (in post, FTE); see staff_status
        self._changed_staff: set[int] = set()  # staff whose post or FTE changed since staff_status
        self.staff: list[Staff] = []
        self.practices: list[PracticeUnit] = []
        self.pcns: list[PCNUnit] = []
        self.lgpo: LGPOUnit
        build_organisation(self)
        build_patients(self)
        self.walk_in_practices = np.array([p.access_mode == "walk_in" for p in self.practices], dtype=bool)
        self.pattern = np.zeros((0, HALF_DAYS))
        self.absent = np.zeros((0, self.cal.n), dtype=bool)
        add_calendars(self, list(self.staff))
        self.diaries = Diaries(len(self.staff), self.cal.n)
        for s in self.staff:
            if s.is_clinician:
                self.diaries.add_clinician(s.index, s.unit, self.role_index[s.role])
        self.staff_days = StaffDays.zeros(len(self.staff), self.cal.n)
        self.planned_slots = np.zeros((len(self.practices), self.cal.n))
        self.levers.correspondence_share_kept = np.ones(len(self.practices))
        self.day = 0  # days simulated so far: step() runs internal day ``self.day`` next
        self.today = 0  # internal day the day cycle is in (the last one run, between steps)
        self.open_until = -1  # last internal day of the book opened for everyone
        wf = scenario.workforce
        if wf.gp_supervision_minutes_per_appointment > 0 and wf.supervised_roles:
            # supervision is paid whenever supervised roles are in post, not only when an intervention adds them
            self.levers.supervision = Supervision(frozenset(wf.supervised_roles),
                                                  wf.gp_supervision_minutes_per_appointment)
        if scenario.workforce.feedback:
            self.phases.on(Phase.MONTH_START, burnout_feedback)
        self.back_office: BackOfficeState | None = None  # admin tasks and admin teams (sim.model.back_office)
        build_back_office(self)
        if setup is not None:
            setup(self)
        setup_training(self)  # GP specialty trainees in training practices (off unless configured)
        setup_turnover(self)  # after interventions: recruitment drives (levers.drives) are set
        setup_closures(self)  # after turnover: a month's leavers count before practices are checked
        setup_census(self)
        rebuild_options(self)
        draw_demand(self)
        self.front_door: FrontDoorState | None = None  # telephone, online, in person (sim.model.front_door)
        build_front_door(self)
        self.built = True
        self.env.process(self._day_driver())

    # ---------------------------------------------------------------- staff
    def make_staff(self, role: str, unit: int, fte: float, sessions: float | None, age: int,
                   contract: str | None, key: str, joined_day: int = 0, hub_post: bool = False) -> Staff:
        """Create one staff agent (not yet given a diary or calendar)."""
        spec = self.scenario.roles[role]
        cls = STAFF_CLASSES[spec.kind]
        if sessions is None:
            sessions = fte * spec.sessions_per_fte_week
        agent = cls(self, index=len(self.staff), role=role, unit=unit, fte=fte, sessions_per_week=float(sessions),
                    age=age, contract=contract, key=key, joined_day=joined_day, hub_post=hub_post)
        self.staff.append(agent)
        return agent

    def resign(self, s: int, day: int, event: str) -> None:
        """Staff member ``s`` decides on ``day`` to leave: with their notice where turnover is on (sim.model.turnover)."""
        resign(self, self.staff[s], day, event)

    def unit_level(self, unit: int) -> tuple[str, str]:
        """(level, code) of a booking unit: practice, PCN pool or the LGPO."""
        if unit < len(self.practices):
            return "practice", self.practices[unit].code
        if unit < self.lgpo_unit:
            return "pcn", self.pcns[unit - len(self.practices)].code
        return "lgpo", self.lgpo.code

    def sessions_of(self, s: int, t: int) -> Sessions:
        """(start minute, clinical minutes) of each session staff member ``s`` works on day ``t``."""
        return sessions_of(self, s, t)

    def staff_table(self) -> dict[str, np.ndarray]:
        """Per-staff constants of the daily cycle as arrays (extended when staff join).

        A staff member's row never changes once made (role and unit are fixed; ``settled`` patches
        the slot of a recruit whose induction ends), so a joiner adds rows to new arrays rather than
        rebuilding them all.
        """
        table = self._staff_arrays
        done = 0 if table is None else len(table["unit"])
        if done != len(self.staff):
            rows = self._staff_rows(self.staff[done:])
            self._staff_arrays = rows if table is None else {
                k: np.concatenate([table[k], rows[k]]) for k in table}
        return self._staff_arrays

    def _staff_rows(self, staff: list[Staff]) -> dict[str, np.ndarray]:
        """The :meth:`staff_table` rows of ``staff``."""
        specs = [self.role_specs[self.role_index[s.role]] for s in staff]
        rows = {
            "unit": np.array([s.unit for s in staff], dtype=np.int64),
            "clinician": np.array([s.is_clinician for s in staff], dtype=bool),
            "role": np.array([self.role_index[s.role] for s in staff], dtype=np.int64),
            "gp": np.array([s.kind == "gp" for s in staff], dtype=bool),
            "slot": np.array([s.slot_minutes or sp.slot_minutes for s, sp in zip(staff, specs, strict=True)],
                             dtype=np.float64),
            "session": np.array([sp.session_minutes for sp in specs], dtype=np.float64),
            # safe working limit of contacts a day; staff with their own (longer) slots, GP trainees and
            # settling-in recruits, add no duty extras (limit 0)
            "limit": np.array([0 if s.slot_minutes else sp.safe_contacts_per_day
                               for s, sp in zip(staff, specs, strict=True)], dtype=np.int64),
            "s2": np.log1p(np.array([sp.duration_cv for sp in specs], dtype=np.float64) ** 2),
            "admin": np.array([sp.admin_minutes_per_session for sp in specs], dtype=np.float64),
            "share": np.array([sp.same_day_slot_share for sp in specs], dtype=np.float64),
        }
        rows["sigma"] = np.sqrt(rows["s2"])
        return rows

    def staff_status(self) -> tuple[np.ndarray, np.ndarray]:
        """(in post, FTE) of every staff member as arrays; after a change only the changed rows are read again.

        Each call after a change returns new arrays (an earlier caller's keep their values).
        """
        st = self._staff_status
        if st is None:
            st = (np.array([s.active for s in self.staff], dtype=bool),
                  np.array([s.fte for s in self.staff], dtype=np.float64))
        elif self._changed_staff or st[0].size != len(self.staff):
            new = self.staff[st[0].size:]
            st = (np.concatenate([st[0], np.array([s.active for s in new], dtype=bool)]),
                  np.concatenate([st[1], np.array([s.fte for s in new], dtype=np.float64)]))
            for i in self._changed_staff:
                if i < st[0].size:
                    st[0][i], st[1][i] = self.staff[i].active, self.staff[i].fte
        self._changed_staff.clear()
        self._staff_status = st
        return st

    def staff_changed(self, index: int | None = None) -> None:
        """Staff member ``index``'s post or FTE changed (None: anyone's): :meth:`staff_status` reads it again."""
        if index is None:
            self._staff_status = None
        else:
            self._changed_staff.add(index)

    # ---------------------------------------------------------------- the day cycle
    def _day_driver(self):
        """The SimPy process of the day cycle: one pass per simulated day (see sim.model.phases)."""
        H = self.scenario.booking.book_ahead_days
        for t in range(H + 1):
            open_day(self, t)
        last_month = None
        for d in range(self.n_sim_days):
            self.today = d
            month = self.cal.dates[d].month
            if month != last_month:
                self.phases.run(Phase.MONTH_START, self, d)
                last_month = month
            self.phases.run_day_start(self, d)
            if d > 0:
                open_day(self, d + H)  # BOOK_OPENING runs inside, before the day's slots are counted
            if self.front_door is None:
                book(self, d)
            else:
                front_door_day(self, d)
            self.phases.run(Phase.AFTER_BOOKING, self, d)
            start_sessions(self, d)
            yield self.env.timeout(MINUTES_PER_DAY)
            self._end_day(d)

    def _end_day(self, d: int) -> None:
        collect_sessions(self, d)
        self.phases.run(Phase.DAY_END, self, d)

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
            self._finish()

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Run to the end of the horizon, calling ``progress(done, total)`` after each day."""
        while self.running and self.day < self.n_sim_days:
            self.step()
            if progress:
                progress(self.day, self.n_sim_days)

    def _finish(self) -> None:
        """Close the last day, then requests still booked beyond it are waiting at horizon end.

        The clock stops at the last day's end before the day driver resumes, so that day's sessions
        are collected and its DAY_END hooks run here (otherwise its workload would be dropped).
        """
        self._end_day(self.n_sim_days - 1)
        self.phases.run(Phase.FINISH, self)
        self.state[(self.state == BOOKED) & (self.appt_day >= self.n_sim_days)] = WAITING
        stray = self.state == BOOKED
        if stray.any():  # booked into a day that was never run: must not happen
            raise RuntimeError(f"{int(stray.sum())} requests left booked inside the horizon")
        self.destination = record_destinations(self)  # lost is final only now (hubs reclaim some)

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
