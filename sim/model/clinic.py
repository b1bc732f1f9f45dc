"""Booked clinic sessions of the working day, walked in compiled code within the day's SimPy time.

A booked session walks its list of appointments slot by slot: a patient who does not attend leaves
the slot empty; a consultation longer than its slot pushes the rest of the session later, and a
session that ends after its scheduled end turns the difference into overtime. The day's sessions are
walked together in compiled code (:func:`walk_sessions`) when the day starts. A booked session
shares no resource and waits for no event, so it is not a SimPy process of its own (until
2 December 2026 each was one that only held a timeout: 45,000 a PCN year, read by nothing, 40% of the
simulation's time). What does queue in simulated time is: the walk-in queue
(:mod:`sim.model.walk_in`), the telephone front door and the back office.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit


@njit(cache=True)
def weekly_sessions(pattern, n_staff, wd, skip, session_minutes, am_start, pm_start):  # pragma: no cover
    """Sessions of the usual weekly pattern on weekday ``wd``: (staff, start, minutes), by staff, AM first.

    ``pattern`` holds each staff member's share of a session per half-day (Monday AM .. Friday PM);
    staff with ``skip`` set (custom session lists) are left out.
    """
    k = 0
    for s in range(n_staff):
        if not skip[s]:
            for h in range(2):
                if pattern[s, 2 * wd + h] > 0:
                    k += 1
    staff = np.empty(k, np.int64)
    start = np.empty(k)
    minutes = np.empty(k)
    j = 0
    for s in range(n_staff):
        if not skip[s]:
            for h in range(2):
                f = pattern[s, 2 * wd + h]
                if f > 0:
                    staff[j] = s
                    start[j] = am_start if h == 0 else pm_start
                    minutes[j] = f * session_minutes[s]
                    j += 1
    return staff, start, minutes


@njit(cache=True)
def plan_sessions(staff_of, n_staff, clinician, offered, sess_staff, sess_start, sess_minutes, slot_minutes,
                  session_minutes, default_start):  # pragma: no cover - compiled
    """Lay a day's appointments onto its clinic sessions, for :func:`walk_sessions`.

    ``staff_of``: the clinician of each appointment, ascending (appointments grouped by clinician in
    slot order); ``sess_*``: the day's sessions, ascending by staff. Clinicians with slots offered or
    appointments booked own the day ("owners"); an owner booked without a session today gets one
    default session. Appointments fill each owner's sessions in order, and the last session takes any
    beyond its slots. Returns owners and, per session, (staff, start, minutes, owner index, slots,
    first appointment, appointments).
    """
    booked = np.zeros(n_staff, np.int64)
    for s in staff_of:
        booked[s] += 1
    first_of = np.zeros(n_staff + 1, np.int64)  # each clinician's first appointment in staff_of
    for s in range(n_staff):
        first_of[s + 1] = first_of[s] + booked[s]
    owner_of = np.full(n_staff, -1, np.int64)
    n_owners = 0
    for s in range(n_staff):
        if clinician[s] and (offered[s] != 0 or booked[s] > 0):
            owner_of[s] = n_owners
            n_owners += 1
    owners = np.empty(n_owners, np.int64)
    for s in range(n_staff):
        if owner_of[s] >= 0:
            owners[owner_of[s]] = s
    sessions_of = np.zeros(n_staff, np.int64)
    sess_from = np.full(n_staff, -1, np.int64)  # each staff member's first session in sess_*
    for j in range(sess_staff.size):
        s = sess_staff[j]
        if sessions_of[s] == 0:
            sess_from[s] = j
        sessions_of[s] += 1
    n_sessions = 0
    for o in range(n_owners):
        n_sessions += max(sessions_of[owners[o]], 1)
    staff = np.empty(n_sessions, np.int64)
    start = np.empty(n_sessions)
    minutes = np.empty(n_sessions)
    owner = np.empty(n_sessions, np.int64)
    n_slots = np.empty(n_sessions, np.int64)
    first = np.empty(n_sessions, np.int64)
    count = np.empty(n_sessions, np.int64)
    j = 0
    for o in range(n_owners):
        s = owners[o]
        k = sessions_of[s]
        before = 0  # slots of the owner's earlier sessions
        for m in range(max(k, 1)):
            if k == 0:
                start[j], minutes[j] = default_start, session_minutes[s]
            else:
                start[j], minutes[j] = sess_start[sess_from[s] + m], sess_minutes[sess_from[s] + m]
            staff[j], owner[j] = s, o
            n_slots[j] = np.int64(np.floor(minutes[j] / slot_minutes[s]))
            done = min(before, booked[s])  # appointments taken by the owner's earlier sessions
            count[j] = booked[s] - done if m == max(k, 1) - 1 else min(n_slots[j], booked[s] - done)
            first[j] = first_of[s] + done
            before += n_slots[j]
            j += 1
    return owners, staff, start, minutes, owner, n_slots, first, count


@njit(cache=True)
def appointment_draws(t, rid, staff, u_dna, request_day, z_duration, dna_by_wait, slot_minutes, sigma, s2,
                      state, duration, seen_code, dna_code):  # pragma: no cover - compiled
    """Attendance and consultation minutes of day ``t``'s appointments ``rid`` (seen by ``staff``).

    A patient does not attend with the probability for their wait (``dna_by_wait``: 0, 1, .. 7, 8+
    days); minutes are the slot times a mean-one lognormal (log-variance ``s2``). Both come from the
    request's own draws (``u_dna``, ``z_duration``): common random numbers whoever sees them.
    Writes each appointment's state and minutes (0 for a DNA); returns (attends, minutes).
    """
    attends = np.empty(rid.size, np.bool_)
    minutes = np.empty(rid.size)
    for i in range(rid.size):
        r = rid[i]
        s = staff[i]
        wait = min(max(t - request_day[r], 0), 8)
        attends[i] = u_dna[r] >= dna_by_wait[wait]
        minutes[i] = slot_minutes[s] * np.exp(sigma[s] * z_duration[r] - 0.5 * s2[s])
        state[r] = seen_code if attends[i] else dna_code
        duration[r] = minutes[i] if attends[i] else 0.0
    return attends, minutes


@njit(cache=True)
def walk_sessions(start, slot_minutes, n_slots, first, count, owner, attends, minutes,
                  n_owners):  # pragma: no cover - compiled
    """Walk every clinic session of a day: each appointment waits for its slot time, then consults.

    Sessions are rows (absolute start minute, slot length, slots, first appointment, appointments,
    owning clinician-day); appointments are in slot order with their attendance and minutes. A DNA
    leaves the slot empty, a long consultation pushes the rest of the session later, and a session
    that ends after its last slot's end turns the difference into overtime. Returns each session's
    end and, per clinician-day, appointments seen, DNAs, clinical minutes and overtime minutes,
    accumulated in session and slot order.
    """
    ends = np.empty(start.size)
    seen = np.zeros(n_owners)
    dna = np.zeros(n_owners)
    clinical = np.zeros(n_owners)
    overtime = np.zeros(n_owners)
    for j in range(start.size):
        o = owner[j]
        t0 = now = start[j]
        for k in range(count[j]):
            i = first[j] + k
            scheduled = t0 + k * slot_minutes[j]
            if now < scheduled:
                now = now + (scheduled - now)
            if not attends[i]:
                dna[o] += 1
                continue
            now = now + minutes[i]
            seen[o] += 1
            clinical[o] += minutes[i]
        ends[j] = now
        overtime[o] += max(0.0, now - (t0 + n_slots[j] * slot_minutes[j]))
    return ends, seen, dna, clinical, overtime


@njit(cache=True)
def two_state_spells(u, start_share, p_end, p_start):  # pragma: no cover - compiled
    """Days absent as spells: a two-state chain driven by uniforms ``u`` (one per day).

    Starts absent with probability ``start_share``; an absence ends each day with ``p_end`` and one
    starts with ``p_start``, so the long-run absent share is start_share and spells average 1/p_end days.
    """
    out = np.zeros(u.size, dtype=np.bool_)
    state = u[0] < start_share
    for t in range(u.size):
        out[t] = state
        state = (u[t] >= p_end) if state else (u[t] < p_start)
    return out


def start_compiled() -> float:
    """Load the compiled kernels once per process (Numba's start-up, ~0.4 s); return the seconds taken.

    Runs by itself on first use; benchmarks call it before timing, as they import before timing.
    """
    t0 = time.perf_counter()
    two_state_spells(np.zeros(1), 0.0, 1.0, 0.0)
    return time.perf_counter() - t0

