"""The walk-in (same-day) queue: walk-in practices and walk-in extended-access hubs.

Patients arrive at their request minute and are served first come, first served by the next free
clinician who may see them (:class:`WalkInClinic`). With one role, Poisson arrivals and exponential
consultations it is an M/M/c queue (the analytic check). :func:`serve` and :func:`arrive` are the
SimPy processes both walk-in practices (:func:`practice_walk_in`) and walk-in hubs
(:mod:`sim.model.hubs`) run; :func:`record_served` and :func:`record_lost` write the outcome. A walk-in
practice's patient not seen that day is offered a later booked slot (:func:`record_lost_or_later`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import simpy

from sim.model.booking import book_request
from sim.model.calendar import MINUTES_PER_DAY
from sim.model.diary import SAME_DAY
from sim.model.states import BOOKED, LOST, SEEN

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def lognormal_factor(z: float, cv: float) -> float:
    """exp(sigma z - sigma^2/2): a mean-one lognormal multiplier with coefficient of variation cv."""
    if cv <= 0:
        return 1.0
    s2 = math.log1p(cv * cv)
    return math.exp(math.sqrt(s2) * z - 0.5 * s2)


@dataclass
class WalkInPatient:
    """A patient in the walk-in queue."""

    rid: int
    roles: frozenset[int]
    arrival: float
    service_minutes: float


@dataclass
class WalkInStats:
    """Queue statistics for Little's law: time-weighted queue length and waits of those served."""

    waits: list[float] = field(default_factory=list)
    lost: int = 0
    area: float = 0.0  # integral of queue length over time
    last_change: float = 0.0
    length: int = 0
    started: float = 0.0


class WalkInClinic:
    """First-come, first-served queue in which each free clinician takes the next patient they may see.

    Idle clinicians wait on an event; an arriving patient goes straight to an idle eligible clinician
    or joins the back of the queue. About two SimPy events per patient, so long validation runs are cheap.
    """

    def __init__(self, env: simpy.Environment, max_wait: float = math.inf,
                 on_served: Callable[[WalkInPatient, int, float], None] | None = None,
                 on_lost: Callable[[WalkInPatient], None] | None = None):
        self.env = env
        self.queue: list[WalkInPatient] = []
        self.idle: dict[int, list[simpy.Event]] = {}
        self.max_wait = max_wait
        self.on_served = on_served
        self.on_lost = on_lost
        self.stats = WalkInStats(last_change=env.now, started=env.now)
        self.recording = True

    def _tick(self, delta: int) -> None:
        s = self.stats
        now = self.env.now
        s.area += s.length * (now - s.last_change)
        s.last_change = now
        s.length += delta

    def reset_stats(self) -> None:
        """Start measuring afresh (end of warm-up); patients already queued stay queued."""
        self.stats = WalkInStats(last_change=self.env.now, length=self.stats.length, started=self.env.now)

    def arrive(self, patient: WalkInPatient) -> None:
        """A patient arrives now: straight to an idle eligible clinician, else to the back of the queue."""
        for role in patient.roles:
            waiting = self.idle.get(role)
            if waiting:
                waiting.pop(0).succeed(patient)
                return
        self._tick(+1)
        self.queue.append(patient)

    def _take(self, role: int) -> WalkInPatient | None:
        for k, patient in enumerate(self.queue):
            if role in patient.roles:
                del self.queue[k]
                self._tick(-1)
                return patient
        return None

    def server(self, staff: int, role: int, until: float = math.inf,
               budget_minutes: float = math.inf) -> Generator[simpy.Event, None, None]:
        """A clinician serving the queue until ``until`` or until ``budget_minutes`` are used."""
        used = 0.0
        while self.env.now < until and used < budget_minutes:
            patient = self._take(role)
            if patient is None:
                wake = self.env.event()
                self.idle.setdefault(role, []).append(wake)
                if math.isfinite(until):
                    outcome = yield wake | self.env.timeout(until - self.env.now)
                    if wake not in outcome:
                        self.idle[role].remove(wake)
                        break
                    patient = outcome[wake]
                else:
                    patient = yield wake
            wait = self.env.now - patient.arrival
            if wait > self.max_wait:
                self.stats.lost += 1
                if self.on_lost:
                    self.on_lost(patient)
                continue
            if self.recording:
                self.stats.waits.append(wait)
            yield self.env.timeout(patient.service_minutes)
            used += patient.service_minutes
            if self.on_served:
                self.on_served(patient, staff, wait)

    def close(self) -> list[WalkInPatient]:
        """End of the day: everyone still waiting is lost; return them."""
        left = list(self.queue)
        for p in left:
            self._tick(-1)
            self.stats.lost += 1
            if self.on_lost:
                self.on_lost(p)
        self.queue.clear()
        return left

    def mean_queue_length(self) -> float:
        """Time-average number waiting since the stats were last reset (up to now)."""
        s = self.stats
        area = s.area + s.length * (self.env.now - s.last_change)
        span = self.env.now - s.started
        return area / span if span > 0 else 0.0


# (arrival minute since the run began, request, roles that may see it, consultation minutes)
Arrival = tuple[float, int, frozenset[int], float]


def open_clinic(model: GPSimModel, max_wait: float) -> WalkInClinic:
    """A walk-in queue whose outcomes are written to the model's ledger and staff-days."""
    return WalkInClinic(model.env, max_wait=max_wait, on_served=partial(record_served, model),
                        on_lost=partial(record_lost, model))


def consultation_minutes(model: GPSimModel, rid: int, roles: frozenset[int]) -> float:
    """Walk-in consultation length of request ``rid``: the shortest eligible slot times its own lognormal draw."""
    slot = min(model.role_specs[r].slot_minutes for r in roles)
    return slot * lognormal_factor(float(model.requests.z_duration[rid]), model.role_specs[min(roles)].duration_cv)


def serve(model: GPSimModel, clinic: WalkInClinic, s: int, role: int, start: float, until: float,
          budget: float = math.inf, overtime_day: int | None = None):
    """Clinician ``s`` serves the queue from ``start`` until ``until`` (or ``budget`` minutes are used).

    With ``overtime_day``, a consultation running past ``until`` is that day's overtime.
    """
    env = model.env
    if env.now < start:
        yield env.timeout(start - env.now)
    yield from clinic.server(s, role, until=until, budget_minutes=budget)
    if overtime_day is not None and env.now > until:
        model.staff_days.overtime_minutes[s, overtime_day] += env.now - until


def arrive(env: simpy.Environment, clinic: WalkInClinic, arrivals: list[Arrival], close: float):
    """Patients join the queue at their minutes, in list order; whoever is still queued at ``close`` is lost."""
    for at, rid, roles, minutes in arrivals:
        if env.now < at:
            yield env.timeout(at - env.now)
        clinic.arrive(WalkInPatient(rid, roles, env.now, minutes))
    if env.now < close:
        yield env.timeout(close - env.now)
    clinic.close()


def record_served(model: GPSimModel, patient: WalkInPatient, staff: int, wait: float) -> None:
    """A walk-in patient seen: the ledger, and the clinician's staff-day."""
    rid = patient.rid
    t = int(patient.arrival // MINUTES_PER_DAY)  # the day they walked in (a weekend request: Monday)
    model.state[rid] = SEEN
    model.appt_day[rid] = t
    model.appt_staff[rid] = staff
    model.appt_pool[rid] = SAME_DAY
    model.duration[rid] = patient.service_minutes
    model.queue_minutes[rid] = wait
    model.staff_days.seen[staff, t] += 1
    model.staff_days.clinical_minutes[staff, t] += patient.service_minutes


def record_lost(model: GPSimModel, patient: WalkInPatient) -> None:
    """A walk-in patient who gave up or was still queued at close."""
    model.state[patient.rid] = LOST


def offer_later(model: GPSimModel, rid: int, t: int) -> bool:
    """Book request ``rid``, not seen on day ``t``, into the earliest free slot from day ``t + 1`` within the book.

    The slot is found as any routine booking is (skill-mix order, the usual GP where the need values
    continuity), up to the book-ahead reach (days beyond it are not open yet). Returns whether one was found.
    """
    R = model.requests
    p, k = int(R.practice[rid]), int(R.need[rid])
    ahead = model.scenario.booking.book_ahead_days
    if ahead < 1:  # no later day is open in the book
        return False
    usual = int(model.population.usual_gp[R.patient[rid]])
    res = book_request(model.diaries, model.options[p][k], t, False, 1, ahead, usual, bool(model.need_continuity[k]),
                       model.rules)
    if res.staff < 0:
        return False
    model.appt_staff[rid], model.appt_day[rid], model.appt_pool[rid] = res.staff, res.day, res.pool
    model.day_book.add_one(rid, res.day)
    model.state[rid] = BOOKED
    return True


def record_lost_or_later(model: GPSimModel, patient: WalkInPatient) -> None:
    """A walk-in practice's patient not seen today: a later booked slot if the diary has one, else lost.

    A lost request gets its destination (A&E, NHS 111, pharmacy ...) by need and urgency when the run
    finishes (sim.model.destinations), as every unmet request does.
    """
    if not offer_later(model, patient.rid, int(model.env.now // MINUTES_PER_DAY)):
        model.state[patient.rid] = LOST


def practice_walk_in(model: GPSimModel, d: int, rids: list[int]) -> None:
    """Walk-in practices: day ``d``'s same-day requests queue for the next free eligible clinician.

    Each clinician serves the queue with the minutes of the same-day slots they would have had
    (``model.walk_in_budget``). Patients not seen that day (``walk_in.later_slot``) are offered a later
    booked slot, else lost; requests made after the queue closes likewise.
    """
    R = model.requests
    wi = model.scenario.walk_in
    base = d * MINUTES_PER_DAY
    close = base + wi.close_minute
    by_practice: dict[int, list[int]] = {}
    for rid in rids:
        by_practice.setdefault(int(R.practice[rid]), []).append(rid)
    for p, group in by_practice.items():
        clinic = open_clinic(model, wi.max_wait_minutes)
        if wi.later_slot:
            clinic.on_lost = partial(record_lost_or_later, model)
        for s in model.practices[p].staff:
            budget = model.walk_in_budget.pop((s, d), 0.0)
            if budget > 0:
                r = model.role_index[model.staff[s].role]
                model.env.process(serve(model, clinic, s, r, base + wi.open_minute, close + wi.max_wait_minutes,
                                        budget))
        arrivals = []
        for rid in group:
            at = base + max(int(R.minute[rid]), wi.open_minute)
            if at > close:  # after the queue closes
                if not (wi.later_slot and offer_later(model, rid, d)):
                    model.state[rid] = LOST
                continue
            roles = model.need_roles[int(R.need[rid])]
            arrivals.append((at, rid, roles, consultation_minutes(model, rid, roles)))
        # at the end of the day everyone still queued is lost
        model.env.process(arrive(model.env, clinic, arrivals, base + MINUTES_PER_DAY - 1))
