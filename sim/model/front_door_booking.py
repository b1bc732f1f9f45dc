"""The front door's compiled booking: a day's handled contacts booked batch by batch, passed slots expired first.

One call books every batch of day ``d`` (contacts sorted by the minute they were handled, ``batch_first``
offsets, ``batch_at`` each batch's start minute): before each batch, each clinician's free slots of
day ``d`` that started before it and are not taken by appointments already booked (which fill a
clinician's first slots) leave the book; then the batch is booked with :func:`sim.model.booking.book_day`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.model.booking import book_day
from sim.model.front_door_sort import minute_order


@njit(cache=True, _nrt=False)
def expire_day(t, at, sess_staff, sess_start, sess_slots, slot_len, offered, free_sd, free_rt, parent, cap_sd,
               cap_rt, rparent, staff_rd):  # pragma: no cover - compiled
    """Take out clinicians' free slots of day ``t`` that started before minute ``at`` (sessions sorted by staff)."""
    i, n = 0, sess_staff.size
    while i < n:
        s = sess_staff[i]
        passed = 0
        while i < n and sess_staff[i] == s:
            k = math.ceil((at - sess_start[i]) / slot_len[i])
            passed += min(max(k, 0), sess_slots[i])
            i += 1
        rd = staff_rd[s]
        if rd < 0:
            continue
        fsd, frt = free_sd[s, t], free_rt[s, t]
        drop = min(passed - (offered[s] - fsd - frt), fsd + frt)
        if drop <= 0:
            continue
        a = min(drop, fsd)
        free_sd[s, t] -= a
        cap_sd[rd, t] -= a
        free_rt[s, t] -= drop - a
        cap_rt[rd, t] -= drop - a
        if free_rt[s, t] <= 0 and parent[s, t] == t:
            parent[s, t] = t + 1
        if cap_rt[rd, t] <= 0 and rparent[rd, t] == t:
            rparent[rd, t] = t + 1


@njit(cache=True, _nrt=False)
def book_batches(d, batch_at, batch_first, sess_staff, sess_start, sess_slots, slot_len, offered,
                 practice, need, urgent, lead, tol, usual, named, shifted, walk_in, continuity, n_needs,
                 opt_ptr, opt_rd, shift_ptr, shift_rd, rules, mt_rules,
                 free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr, rd_members, extras,
                 staff_out, day_out, pool_out, walk_out):  # pragma: no cover - compiled
    """Expire passed slots, then book the batch, for each batch of day ``d`` in turn."""
    for b in range(batch_at.size):
        expire_day(d, batch_at[b], sess_staff, sess_start, sess_slots, slot_len, offered, free_sd, free_rt,
                   parent, cap_sd, cap_rt, rparent, staff_rd)
        lo, hi = batch_first[b], batch_first[b + 1]
        book_day(d, practice[lo:hi], need[lo:hi], urgent[lo:hi], lead[lo:hi], tol[lo:hi], usual[lo:hi],
                 named[lo:hi], shifted[lo:hi], walk_in, continuity, n_needs, opt_ptr, opt_rd, shift_ptr, shift_rd,
                 rules, mt_rules, free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr,
                 rd_members, extras, staff_out[lo:hi], day_out[lo:hi], pool_out[lo:hi], walk_out[lo:hi])


@njit(cache=True)
def handled_batches(rids, at, open_m, batch_minutes):  # pragma: no cover - compiled
    """(rids, batch_at, batch_first): contacts by handling minute (then id), each batch's start and offsets.

    Batch ``k`` holds the contacts handled from ``open_m + k * batch_minutes``; only batches with
    contacts are listed (``batch_first`` has one more offset than ``batch_at``).
    """
    order, _ = minute_order(at, rids, np.zeros(rids.size, dtype=np.int64), 1)
    rids = rids[order]
    n_b = 0
    batch_at = np.empty(rids.size)
    batch_first = np.empty(rids.size + 1, dtype=np.int64)
    prev = 0
    for i in range(rids.size):
        b = np.int64(np.floor((at[order[i]] - open_m) / batch_minutes))
        if i == 0 or b != prev:
            batch_at[n_b] = open_m + b * float(batch_minutes)
            batch_first[n_b] = i
            n_b += 1
            prev = b
    batch_first[n_b] = rids.size
    return rids, batch_at[:n_b], batch_first[:n_b + 1]


@njit(cache=True)
def book_handled(d, rids, batch_at, batch_first, sess_staff, sess_start, sess_slots, slot_len, offered,
                 r_practice, r_need, r_urgent, r_lead, r_tol, r_patient, usual_gp, named, shifted, walk_in, continuity,
                 n_needs, opt_ptr, opt_rd, shift_ptr, shift_rd, rules, mt_rules,
                 free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr, rd_members, extras,
                 appt_staff, appt_day, appt_pool, state, lost, walk_out):  # pragma: no cover - compiled
    """:func:`book_batches` for requests ``rids`` (sorted by handling time), written into the ledger.

    Gathers each request's fields, then writes its appointment (clinician, day, pool), and ``lost`` (no
    slot, not a walk-in) in ``state``. Returns (clinician, day) per request (-1: none), for the day book.
    """
    k = rids.size
    practice, need, urgent, lead, tol = r_practice[rids], r_need[rids], r_urgent[rids], r_lead[rids], r_tol[rids]
    usual = usual_gp[r_patient[rids]]
    staff_out = np.full(k, -1, dtype=np.int32)
    day_out = np.full(k, -1, dtype=np.int32)
    pool_out = np.full(k, -1, dtype=np.int8)
    book_batches(d, batch_at, batch_first, sess_staff, sess_start, sess_slots, slot_len, offered,
                 practice, need, urgent, lead, tol, usual, named, shifted, walk_in, continuity, n_needs,
                 opt_ptr, opt_rd, shift_ptr, shift_rd, rules, mt_rules,
                 free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr, rd_members, extras,
                 staff_out, day_out, pool_out, walk_out)
    for i in range(k):
        r = rids[i]
        appt_staff[r], appt_day[r], appt_pool[r] = staff_out[i], day_out[i], pool_out[i]
        if staff_out[i] < 0 and not walk_out[i]:
            state[r] = lost
    return staff_out, day_out
