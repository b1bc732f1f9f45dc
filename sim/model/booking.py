"""Triage and booking: each request gets the earliest eligible slot within the patient's tolerance.

Rules (design.md "Demand -> booking -> outcome"):
- a same-day request takes an on-the-day or bookable slot today from the first eligible role (in the
  skill-mix order) that has one; failing that the earliest bookable slot up to
  ``urgent_tolerance_days`` ahead; failing that a duty clinician's extra today; otherwise it is lost;
- a routine request wants a slot on or after its preferred day (``lead``) and waits up to
  ``tolerance`` days beyond it, never beyond the open book; roles are taken in skill-mix order, a
  less-preferred role winning only when its slot is ``preference_days_per_rank`` days sooner per step
  down the order;
- where the need values continuity, the patient's usual GP is chosen if free on a day no more than
  ``continuity_extra_days`` later than the earliest slot;
- no slot within tolerance: the request is lost (unmet demand: 111, A&E, pharmacy or self-care).

Booking runs once per request (millions per borough-year), so the loop is compiled with Numba over
the diary arrays of :class:`sim.model.diary.Diaries`; a day's requests are booked in one call
(:func:`book_day`). Set ``NUMBA_DISABLE_JIT=1`` to run the same code as plain Python. The kernels
allocate nothing, so they are compiled without Numba's reference counting (``_nrt=False``, as Numba's
own sort and string kernels are): otherwise every call and array view in the loop counts references
atomically, which took most of the booking time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.model.diary import ROUTINE, SAME_DAY, Diaries


@dataclass
class BookingRules:
    """The numeric booking rules the loop needs (from config.Booking)."""

    book_ahead_days: int
    continuity_extra_days: int
    preference_days_per_rank: float = 0.0


@dataclass
class Booked:
    """Result of booking one request: clinician, day and pool, or a loss (staff == -1)."""

    staff: int
    day: int
    pool: int


EXTRA = 2  # pool code of a same-day extra added beyond the session's slots


@njit(cache=True, _nrt=False)
def find(parent, t):  # pragma: no cover - compiled
    """Earliest day >= t not marked full in one union-find row, with path compression."""
    root = t
    while parent[root] != root:
        root = parent[root]
    while parent[t] != root:
        nxt = parent[t]
        parent[t] = root
        t = nxt
    return root


@njit(cache=True, _nrt=False)
def take(free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, staff, t, pool):  # pragma: no cover
    """Consume one slot of ``staff`` on day ``t`` from ``pool``, keeping the indexes in step."""
    rd = staff_rd[staff]
    if pool == SAME_DAY:
        free_sd[staff, t] -= 1
        cap_sd[rd, t] -= 1
    else:
        free_rt[staff, t] -= 1
        cap_rt[rd, t] -= 1
        if cap_rt[rd, t] == 0:
            rparent[rd, t] = t + 1
        if free_rt[staff, t] == 0:
            parent[staff, t] = t + 1


@njit(cache=True, _nrt=False)
def pick_clinician(free, staff_rd, rd_ptr, rd_members, rd, t, prefer):  # pragma: no cover - compiled
    """The clinician of role diary ``rd`` to book on day ``t``: ``prefer`` if free, else the least booked."""
    if prefer >= 0 and staff_rd[prefer] == rd and free[prefer, t] > 0:
        return prefer
    best, best_free = -1, 0
    for j in range(rd_ptr[rd], rd_ptr[rd + 1]):
        c = rd_members[j]
        f = free[c, t]
        if f > best_free:
            best, best_free = c, f
    return best


@njit(cache=True, _nrt=False)
def book_one(free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr, rd_members,
             opts, d, urgent, lead, tolerance, usual_gp, continuity, book_ahead, extra_days,
             slack):  # pragma: no cover - compiled
    """Find and take a slot for one request made on day ``d`` among role diaries ``opts``.

    Returns (staff, day, pool), or (-1, -1, -1) when nothing is free within tolerance.
    """
    horizon = d + book_ahead
    prefer = usual_gp if continuity else -1
    if urgent:
        for rd in opts:
            if cap_sd[rd, d] > 0:
                pool = SAME_DAY
            elif cap_rt[rd, d] > 0:
                pool = ROUTINE
            else:
                continue
            free = free_sd if pool == SAME_DAY else free_rt
            staff = pick_clinician(free, staff_rd, rd_ptr, rd_members, rd, d, prefer)
            take(free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, staff, d, pool)
            return staff, d, pool
        last = min(d + tolerance, horizon)
        start = d + 1
    else:
        start = min(d + lead, horizon)
        last = min(start + tolerance, horizon)
    best_t, best_rd, best_score = last + 1, -1, np.inf
    rank, prev_role = -1, -1
    for rd in opts:
        if rd_role[rd] != prev_role:
            rank += 1
            prev_role = rd_role[rd]
        t = find(rparent[rd], start)
        if t <= last:
            score = t + slack * rank
            if score < best_score:
                best_t, best_rd, best_score = t, rd, score
    if continuity and usual_gp >= 0:
        own = staff_rd[usual_gp]
        listed = False
        for rd in opts:
            if rd == own:
                listed = True
        if own >= 0 and listed:
            limit = min(best_t + extra_days, horizon, last + extra_days)
            tg = find(parent[usual_gp], start)
            if tg <= limit:
                take(free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, usual_gp, tg, ROUTINE)
                return usual_gp, tg, ROUTINE
    if best_rd < 0:
        return -1, -1, -1
    staff = pick_clinician(free_rt, staff_rd, rd_ptr, rd_members, best_rd, best_t, prefer)
    take(free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, staff, best_t, ROUTINE)
    return staff, best_t, ROUTINE


@njit(cache=True, _nrt=False)
def book_extra(extras, staff_rd, rd_ptr, rd_members, opts, d, prefer):  # pragma: no cover - compiled
    """Duty-clinician extras: an urgent request with no slot left today is squeezed in as an extra."""
    if prefer >= 0 and extras[prefer, d] > 0:
        for rd in opts:
            if staff_rd[prefer] == rd:
                extras[prefer, d] -= 1
                return prefer
    for rd in opts:
        for j in range(rd_ptr[rd], rd_ptr[rd + 1]):
            c = rd_members[j]
            if extras[c, d] > 0:
                extras[c, d] -= 1
                return c
    return -1


@njit(cache=True, _nrt=False)
def book_day(d, practice, need, urgent, lead, tol, usual, named, shifted, walk_in, continuity, n_needs,
             opt_ptr, opt_rd, shift_ptr, shift_rd, rules, mt_rules,
             free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr, rd_members, extras,
             staff_out, day_out, pool_out, walk_out):  # pragma: no cover - compiled
    """Book every request made on day ``d`` in arrival order (the arrays hold that day's requests).

    ``rules`` and ``mt_rules`` are (book-ahead days, continuity extra days, preference slack) for
    everyone and for patients of a named micro-team; outcomes go to the ``*_out`` arrays.
    """
    for i in range(practice.size):
        p, k, u = practice[i], need[i], urgent[i]
        if u and walk_in[p]:
            walk_out[i] = True
            continue
        j = p * n_needs + k
        if shifted[i]:
            opts = shift_rd[shift_ptr[j]:shift_ptr[j + 1]]
        else:
            opts = opt_rd[opt_ptr[j]:opt_ptr[j + 1]]
        if named[i]:
            c, r = True, mt_rules
        else:
            c, r = continuity[k], rules
        staff, day, pool = book_one(free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role,
                                    rd_ptr, rd_members, opts, d, u, lead[i], tol[i], usual[i], c,
                                    int(r[0]), int(r[1]), r[2])
        if staff < 0 and u:
            staff = book_extra(extras, staff_rd, rd_ptr, rd_members, opts, d, usual[i] if c else -1)
            if staff >= 0:
                day, pool = d, EXTRA
        staff_out[i], day_out[i], pool_out[i] = staff, day, pool


def rules_array(rules: BookingRules) -> np.ndarray:
    """(book-ahead days, continuity extra days, preference slack) as the compiled loop takes them."""
    return np.array([rules.book_ahead_days, rules.continuity_extra_days, rules.preference_days_per_rank],
                    dtype=np.float64)


def book_request(diaries: Diaries, options: list[int], d: int, urgent: bool, lead: int, tolerance: int,
                 usual_gp: int, continuity: bool, rules: BookingRules) -> Booked:
    """Find and take a slot for one request (no extras); used to rebook a leaver's patients."""
    g = diaries
    staff, day, pool = book_one(g.free_sd, g.free_rt, g.parent, g.cap_sd, g.cap_rt, g.rparent, g.staff_rd,
                                g.rd_role, g.rd_ptr, g.rd_members, np.asarray(options, dtype=np.int32), d,
                                bool(urgent), int(lead), int(tolerance), int(usual_gp), bool(continuity),
                                rules.book_ahead_days, rules.continuity_extra_days,
                                float(rules.preference_days_per_rank))
    return Booked(int(staff), int(day), int(pool))
