"""The day cycle: open a day of the book, book the day's requests, run and collect its sessions.

The model's day driver (``GPSimModel._day_driver``) calls these in order each simulated day, with the
phases of :mod:`sim.model.phases` between them. Work is vectorised over staff and requests (the
booking loop and the session walk are compiled); only the walk-in queue handles requests one by one.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from sim.model.booking import book_day, rules_array
from sim.model.calendar import MINUTES_PER_DAY
from sim.model.clinic import (
    appointment_draws,
    plan_sessions,
    walk_sessions,
    weekly_sessions,
)
from sim.model.joiner_days import open_joiner_days
from sim.model.phases import Phase
from sim.model.staff_days import Sessions
from sim.model.states import DNA, LOST, SEEN
from sim.model.supervision_share import share_supervision
from sim.model.units import FULL_TIME_MINUTES_PER_DAY, WORKING_DAYS_PER_WEEK
from sim.model.walk_in import practice_walk_in

if TYPE_CHECKING:
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

DNA_WAIT_DAYS = 9  # DNA probability is tabulated for waits of 0, 1 .. 7 and 8+ days


def _starts_run(sorted_keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys begins (the first element, and wherever the key changes)."""
    head = np.empty(sorted_keys.size, dtype=bool)
    if sorted_keys.size:
        head[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=head[1:])
    return head


# ------------------------------------------------------------------------------ sessions
def sessions_of(model: GPSimModel, s: int, t: int) -> Sessions:
    """(start minute, clinical minutes) of each session staff member ``s`` works on day ``t``."""
    lv = model.levers
    if lv.session_override:
        override = lv.session_override.get((s, t))
        if override is not None:
            return override
    wd = int(model.cal.weekday[t])
    custom = lv.custom_sessions.get(s)
    if custom is not None:
        return [] if model.cal.is_bank_holiday[t] else custom.get(wd, [])
    if not model.cal.is_working_day[t]:
        return []
    spec = model.role_specs[model.role_index[model.staff[s].role]]
    starts = model.scenario.booking.session_start_minutes
    return [(starts[h], f * spec.session_minutes)
            for h in (0, 1) if (f := model.pattern[s, 2 * wd + h]) > 0]


def sessions_on(model: GPSimModel, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every session worked on day ``t``: (staff, start minute, clinical minutes), by staff then time.

    The same sessions as :func:`sessions_of` for each staff member, for everyone at once.
    """
    custom, override = model.levers.custom_sessions, model.levers.session_override
    wd = int(model.cal.weekday[t])
    staff_parts, start_parts, minute_parts = [], [], []
    n = len(model.staff)
    if model.cal.is_working_day[t]:
        skip = np.zeros(n, dtype=bool)
        if custom:
            skip[list(custom)] = True
        am, pm = model.scenario.booking.session_start_minutes[:2]
        who, start, minutes = weekly_sessions(model.pattern, n, wd, skip, model.staff_table()["session"],
                                              float(am), float(pm))
        if not custom and not override.on_day(t):
            return who, start, minutes  # already by staff, morning before afternoon
        staff_parts.append(who)
        start_parts.append(start)
        minute_parts.append(minutes)
    if custom and not model.cal.is_bank_holiday[t]:
        for s, week in custom.items():
            for start, minutes in week.get(wd, []):
                staff_parts.append(np.array([s]))
                start_parts.append(np.array([start], dtype=np.float64))
                minute_parts.append(np.array([minutes], dtype=np.float64))
    overrides = override.on_day(t)
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


# ------------------------------------------------------------------------------ opening the book
def open_day(model: GPSimModel, t: int) -> None:
    """Open day ``t`` of every clinician's book: slots from their sessions unless absent (or covered)."""
    if t >= model.cal.n - 1:
        return
    model.open_until = t
    model.phases.run(Phase.BOOK_OPENING, model, t)
    table = model.staff_table()
    staff, _start, minutes = sessions_on(model, t)
    active = model.staff_status()[0]
    keep = active[staff] & table["clinician"][staff]
    staff, minutes = staff[keep], minutes[keep]
    if staff.size == 0:
        model.diaries.seal_day(t)
        return
    slots_each = np.floor(minutes / table["slot"][staff]).astype(np.int64)
    first = np.flatnonzero(_starts_run(staff))
    who = staff[first]
    slots = np.add.reduceat(slots_each, first)
    worked = np.add.reduceat(minutes, first)
    unit = table["unit"][who]
    at_practice = unit < len(model.practices)
    # slot counts are whole numbers, so summing them per practice first is exact (np.add.at is slow)
    model.planned_slots[:, t] += np.bincount(unit[at_practice], weights=slots[at_practice],
                                             minlength=len(model.practices))
    here = ~model.absent[who, t]
    who_here, slots_here = who[here], slots[here]
    if model.levers.supervision is not None or model.levers.trainee_supervision:
        slots_here = slots_here - supervision_slots(model, t, who_here, slots_here)
    _open_slots(model, t, who_here, slots_here, worked[here])
    cover = model.levers.cover
    covered = cover.covered(model, t) if cover is not None else set()
    if covered:  # a cover clinician works the absentee's sessions in their own diary
        gone = sorted(covered)
        posts = np.asarray(cover.cover_posts(model, t, covered), dtype=np.int64)
        j = np.searchsorted(who, gone)  # covered clinicians have sessions today: they are in ``who``
        _open_slots(model, t, posts, slots[j], worked[j])
    model.diaries.seal_day(t)


def open_for_joiner(model: GPSimModel, agent: Staff, t0: int, t1: int) -> None:
    """Open days t0..t1 of one clinician's book: they joined after those days were opened for everyone.

    The same as :func:`open_day` for one clinician, except that absence cover is shared out when a
    day opens, so a joiner absent on such a day is not covered.
    """
    slot = agent.slot_minutes or model.role_specs[model.role_index[agent.role]].slot_minutes
    days, day_slots, day_worked = [], [], []
    for t in range(t0, min(t1, model.cal.n - 2) + 1):
        sessions = sessions_of(model, agent.index, t)
        if not sessions:
            continue
        slots = sum(int(m / slot) for _, m in sessions)
        if agent.unit < len(model.practices):
            model.planned_slots[agent.unit, t] += slots
        if model.absent[agent.index, t]:
            continue
        days.append(t)
        day_slots.append(slots)
        day_worked.append(float(sum(m for _, m in sessions)))
    if days:
        open_joiner_days(model, agent.index, np.array(days, dtype=np.int64), np.array(day_slots, dtype=np.int64),
                         np.array(day_worked, dtype=np.float64))


def _open_slots(model: GPSimModel, t: int, who: np.ndarray, slots: np.ndarray, worked: np.ndarray) -> None:
    """Put clinicians ``who``'s slots of day ``t`` in the book: same-day and bookable pools, duty extras.

    Walk-in hub posts serve their queue instead, and at walk-in practices the same-day slots become
    minutes of walk-in service (``model.walk_in_budget``).
    """
    sdays, table, lv = model.staff_days, model.staff_table(), model.levers
    if lv.walk_in_staff:  # walk-in hub clinicians: capacity serves the queue, nothing is bookable
        queue = np.isin(who, list(lv.walk_in_staff))
        sdays.offered_slots[who[queue], t] = slots[queue]
        sdays.session_minutes[who[queue], t] = worked[queue]
        who, slots, worked = who[~queue], slots[~queue], worked[~queue]
    share = table["share"][who]
    if lv.hub_same_day_share:
        for j, s in enumerate(who.tolist()):
            share[j] = lv.hub_same_day_share.get(s, share[j])
    same_day = np.round(slots * share).astype(np.int64)
    walk_in = np.zeros(who.size, dtype=bool)
    if model.walk_in_practices.any():
        walk_in = np.isin(table["unit"][who], np.flatnonzero(model.walk_in_practices))
        for s, n_same in zip(who[walk_in].tolist(), same_day[walk_in].tolist(), strict=True):
            model.walk_in_budget[(s, t)] = n_same * float(table["slot"][s])
    model.diaries.open_many(t, who, np.where(walk_in, 0, same_day), slots - same_day)
    limit = table["limit"][who]
    if limit.any():  # duty extras up to the safe working limit of contacts a day, slots included
        model.diaries.extras[who, t] = np.maximum(0, limit - slots)
    sdays.offered_slots[who, t] = slots
    sdays.session_minutes[who, t] = worked


# ------------------------------------------------------------------------------ booking
def request_levers(model: GPSimModel, idx: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(named to a micro-team, the booking rules array, shifted to another role) of requests ``idx``.

    The levers every booking path reads, whether a day's requests are booked at its start or in
    batches as the front door handles them (sim.model.front_door).
    """
    R, lv = model.requests, model.levers
    n = R.patient[idx].size
    if lv.micro_team is not None:
        named = model.population.ltc[R.patient[idx]] >= lv.micro_team.min_ltc
        mt_rules = rules_array(lv.micro_team.rules)
    else:
        named, mt_rules = np.zeros(n, dtype=bool), rules_array(model.rules)
    if lv.shift is not None:
        shifted = (R.u_triage[idx] < lv.shift.share) & np.isin(R.need[idx], list(lv.shift.needs))
    else:
        shifted = np.zeros(n, dtype=bool)
    return named, mt_rules, shifted


def book(model: GPSimModel, d: int) -> None:
    """Book every request made on internal day ``d``, in order of arrival (one compiled call)."""
    a, b = model.day_start[d], model.day_start[d + 1]
    if a == b:
        return
    R = model.requests
    n = b - a
    patients = R.patient[a:b]
    named, mt_rules, shifted = request_levers(model, slice(a, b))
    staff_out = np.full(n, -1, dtype=np.int32)
    day_out = np.full(n, -1, dtype=np.int32)
    pool_out = np.full(n, -1, dtype=np.int8)
    walk_out = np.zeros(n, dtype=bool)
    g = model.diaries
    book_day(d, R.practice[a:b], R.need[a:b], R.urgent[a:b], R.lead[a:b], R.tolerance[a:b],
             model.population.usual_gp[patients], named, shifted, model.walk_in_practices,
             model.need_continuity, len(model.need_names), *model.options_csr, *model.shift_csr,
             rules_array(model.rules), mt_rules, g.free_sd, g.free_rt, g.parent, g.cap_sd, g.cap_rt,
             g.rparent, g.staff_rd, g.rd_role, g.rd_ptr, g.rd_members, g.extras,
             staff_out, day_out, pool_out, walk_out)
    model.appt_staff[a:b] = staff_out
    model.appt_day[a:b] = day_out
    model.appt_pool[a:b] = pool_out
    booked = np.flatnonzero(staff_out >= 0)
    model.day_book.add(booked + a, day_out[booked])
    lost = (staff_out < 0) & ~walk_out
    model.state[a:b][lost] = LOST
    if walk_out.any():
        practice_walk_in(model, d, (np.flatnonzero(walk_out) + a).tolist())


# ------------------------------------------------------------------------------ sessions and admin
def start_sessions(model: GPSimModel, t: int) -> None:
    """Walk day ``t``'s clinic sessions: slot times, overruns, DNAs and overtime for all sessions at once.

    Each session's seen, DNA, clinical and overtime minutes are collected at the end of the day.
    """
    staff_of, rids = model.day_book.pop_day(t, model.appt_staff)
    base = t * MINUTES_PER_DAY
    sdays = model.staff_days
    table = model.staff_table()
    n = len(model.staff)
    clinician = table["clinician"]
    if model.cal.is_working_day[t]:
        active, fte = model.staff_status()
        office = np.flatnonzero(~clinician & active & ~model.absent[:n, t])
        sdays.admin_minutes[office, t] = fte[office] * FULL_TIME_MINUTES_PER_DAY
    sess_staff, sess_start, sess_minutes = sessions_on(model, t)
    owners, sess_staff, sess_start, sess_minutes, owner, n_slots, first, count = plan_sessions(
        staff_of, n, clinician, sdays.offered_slots[:n, t], sess_staff, sess_start, sess_minutes,
        table["slot"], table["session"], float(model.scenario.booking.session_start_minutes[0]))
    if owners.size == 0:
        correspondence(model, t)
        return
    slot = table["slot"][sess_staff]
    # only clinicians are booked, and each booked clinician is an owner: the day's appointments
    # are ``rids`` as they are, grouped by owner in slot order
    attends, minutes = _day_draws(model, t, rids, staff_of)
    _ends, seen, dna, clinical, overtime = walk_sessions(
        base + sess_start, slot, n_slots, first, count, owner, attends, minutes, owners.size)
    worked = np.bincount(owner, weights=sess_minutes, minlength=owners.size)
    sdays.admin_minutes[owners, t] += table["admin"][owners] * (worked / table["session"][owners])
    model.session_results.append((t, owners, np.stack([seen, dna, clinical, overtime])))
    correspondence(model, t)


def _day_draws(model: GPSimModel, t: int, rid: np.ndarray, staff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Attendance and consultation minutes of appointments ``rid`` on day ``t``; sets their state and minutes.

    Both come from per-request draws (u_dna, z_duration), so the same request behaves the same
    way whichever clinician sees it: common random numbers across scenarios.
    """
    R = model.requests
    if model.dna_by_wait is None:
        model.dna_by_wait = np.asarray(model.scenario.booking.dna_probability(np.arange(DNA_WAIT_DAYS)),
                                       dtype=np.float64)
    table = model.staff_table()
    return appointment_draws(t, rid, staff, R.u_dna, R.day, R.z_duration, model.dna_by_wait, table["slot"],
                             table["sigma"], table["s2"], model.state, model.duration, SEEN, DNA)


def correspondence(model: GPSimModel, t: int) -> None:
    """GP correspondence hours of each practice, shared by its GPs working that day."""
    if not model.cal.is_working_day[t]:
        return
    hours_per_1000_week = model.scenario.admin.gp_correspondence_hours_per_1000_week
    sd = model.staff_days
    table = model.staff_table()
    n, n_practices = len(model.staff), len(model.practices)
    unit = table["unit"]
    gps = np.flatnonzero(table["gp"] & (unit < n_practices) & (sd.offered_slots[:n, t] > 0))
    if gps.size == 0:
        return
    sizes = np.array([p.list_size for p in model.practices], dtype=np.float64)
    minutes = (hours_per_1000_week * 60.0 * sizes / 1000.0 / WORKING_DAYS_PER_WEEK
               * model.levers.correspondence_share_kept)
    home = unit[gps]
    gps = gps[minutes[home] > 0]
    home = unit[gps]
    each = minutes[home] / np.bincount(home, minlength=n_practices)[home]
    sd.correspondence_minutes[gps, t] += each
    sd.admin_minutes[gps, t] += each


def collect_sessions(model: GPSimModel, t: int) -> None:
    """At the end of the day: add the sessions' appointments, minutes and overtime to the staff-days."""
    sd = model.staff_days
    for day, owners, res in model.session_results:
        seen, dna, clinical, overtime = res
        sd.seen[owners, day] += seen
        sd.dna[owners, day] += dna
        sd.clinical_minutes[owners, day] += clinical
        sd.overtime_minutes[owners, day] += overtime
    model.session_results.clear()


_SUPERVISION_ARRAYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (lever, supervised roles)


def supervision_slots(model: GPSimModel, t: int, who: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Slots each clinician ``who`` gives up on day ``t`` to supervise other roles (0 for most).

    Every bookable slot of a supervised role costs ``minutes_per_appointment`` of GP time, shared
    equally by the GPs working that day in the supervised clinician's practice (its PCN's practices
    for a PCN post, every practice for an LGPO post) and taken out of their sessions as whole slots
    (largest remainder). Recorded as the GPs' supervision minutes. A GP trainee's slots cost their own
    minutes (``levers.trainee_supervision``), taken from the qualified GPs of their practice (trainees
    supervise nobody).
    """
    sup = model.levers.supervision
    table = model.staff_table()
    per_slot = np.zeros(who.size)
    if sup is not None and sup.minutes_per_appointment > 0:
        cached = _SUPERVISION_ARRAYS.get(model)
        if cached is None or cached[0] is not sup or cached[1].size != len(model.role_names):  # built once per lever
            by_role = np.zeros(len(model.role_names), dtype=bool)
            by_role[[model.role_index[r] for r in sup.roles if r in model.role_index]] = True
            cached = _SUPERVISION_ARRAYS[model] = (sup, by_role)
        per_slot[cached[1][table["role"][who]]] = sup.minutes_per_appointment
    trainee = np.zeros(who.size, dtype=bool)
    if model.levers.trainee_supervision:
        ts = model.levers.trainee_supervision
        for j in np.flatnonzero(np.isin(who, np.fromiter(ts, dtype=np.int64))).tolist():
            trainee[j] = True
            per_slot[j] = ts[int(who[j])]
    if not (per_slot > 0).any():
        return np.zeros(who.size, dtype=np.int64)
    pcn_of = np.full(len(model.practices), -1, dtype=np.int64)
    for k, pcn in enumerate(model.pcns):
        pcn_of[pcn.practices] = k
    # one compiled pass (sim.model.supervision_share), the same arithmetic as numpy's in the same order
    return share_supervision(who, slots, table["unit"], table["gp"], ~trainee, table["slot"], per_slot, pcn_of,
                             len(model.practices), model.lgpo_unit, model.staff_days.supervision_minutes, t)
