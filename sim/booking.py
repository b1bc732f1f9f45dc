"""Triage and booking: each request gets the earliest eligible slot within the patient's tolerance.

Rules (design.md "Demand -> booking -> outcome"):
- a same-day request takes an on-the-day or bookable slot today from the first eligible role (in the
  skill-mix order) that has one; failing that the earliest bookable slot up to
  ``urgent_tolerance_days`` ahead; otherwise it is lost;
- a routine request wants a slot on or after its preferred day (``lead``) and waits up to
  ``tolerance`` days beyond it, never beyond the open book; roles are taken in skill-mix order, a
  less-preferred role winning only when its slot is ``preference_days_per_rank`` days sooner per step
  down the order;
- where the need values continuity, the patient's usual GP is chosen if free on a day no more than
  ``continuity_extra_days`` later than the earliest slot;
- no slot within tolerance: the request is lost (unmet demand: 111, A&E, pharmacy or self-care).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.diary import ROUTINE, SAME_DAY, Diaries, RoleDiary, find


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


LOST = Booked(-1, -1, -1)
_INF = float("inf")


def book_request(diaries: Diaries, options: list[RoleDiary], d: int, urgent: bool, lead: int,
                 tolerance: int, usual_gp: int, continuity: bool, rules: BookingRules) -> Booked:
    """Find and take a slot for one request made on internal day ``d``; return where it went."""
    # runs once per request: conditional expressions instead of min(), locals instead of attributes
    horizon = d + rules.book_ahead_days
    if urgent:
        for rd in options:
            if rd.cap_sd[d] > 0:
                pool = SAME_DAY
            elif rd.cap_rt[d] > 0:
                pool = ROUTINE
            else:
                continue
            staff = diaries.pick_clinician(rd, d, pool, usual_gp if continuity else -1)
            diaries.take(staff, d, pool)
            return Booked(staff, d, pool)
        last = d + tolerance
        if last > horizon:
            last = horizon
        start = d + 1
    else:
        start = d + lead
        if start > horizon:
            start = horizon
        last = start + tolerance
        if last > horizon:
            last = horizon
    best_t, best_rd, best_score = last + 1, None, _INF
    slack = rules.preference_days_per_rank
    rank, prev_role = -1, -1
    for rd in options:
        if rd.role != prev_role:
            rank += 1
            prev_role = rd.role
        parent = rd.parent
        t = start if parent[start] == start else find(parent, start)
        if t <= last:
            score = t + slack * rank
            if score < best_score:
                best_t, best_rd, best_score = t, rd, score
    if continuity and usual_gp >= 0:
        own = diaries.staff_diary[usual_gp]
        if own is not None and own in options:
            extra = rules.continuity_extra_days
            limit = best_t + extra
            if horizon < limit:
                limit = horizon
            if last + extra < limit:
                limit = last + extra
            own_parent = diaries.parent[usual_gp]
            tg = start if own_parent[start] == start else find(own_parent, start)
            if tg <= limit:
                diaries.take(usual_gp, tg, ROUTINE)
                return Booked(usual_gp, tg, ROUTINE)
    if best_rd is None:
        return LOST
    staff = diaries.pick_clinician(best_rd, best_t, ROUTINE, usual_gp if continuity else -1)
    diaries.take(staff, best_t, ROUTINE)
    return Booked(staff, best_t, ROUTINE)
