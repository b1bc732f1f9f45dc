"""A leaver's appointments rebooked in one compiled call (one :func:`sim.model.booking.book_one` per request, in order).

Rebooking request by request from Python cost a Numba dispatch and an options array each (thousands
of rebookings a borough-year); the loop here makes the same bookings in the same order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.booking import book_one
from sim.model.diary import Diaries


@njit(cache=True)
def _rebook(rids, practice, need, n_needs, opt_ptr, opt_rds, d, tolerance, free_sd, free_rt, parent, cap_sd, cap_rt,
            rparent, staff_rd, rd_role, rd_ptr, rd_members, book_ahead, extra_days, slack, staff_out, day_out,
            pool_out):  # pragma: no cover - compiled
    for j in range(rids.size):
        k = practice[rids[j]] * n_needs + need[rids[j]]
        staff_out[j], day_out[j], pool_out[j] = book_one(
            free_sd, free_rt, parent, cap_sd, cap_rt, rparent, staff_rd, rd_role, rd_ptr, rd_members,
            opt_rds[opt_ptr[k]:opt_ptr[k + 1]], d, False, 0, tolerance, -1, False, book_ahead, extra_days, slack)


def rebook_routine(diaries: Diaries, rids: np.ndarray, practice: np.ndarray, need: np.ndarray, n_needs: int,
                   options_csr: tuple[np.ndarray, np.ndarray], d: int, tolerance: int, book_ahead: int,
                   extra_days: int, slack: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(staff, day, pool) of requests ``rids`` booked in turn as routine requests from day ``d`` (-1: none free).

    The same as ``book_request(diaries, options[p][n], d, False, 0, tolerance, -1, False, rules)`` for each.
    """
    n = rids.size
    staff, day, pool = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    g = diaries
    _rebook(rids, practice, need, n_needs, options_csr[0], options_csr[1], d, tolerance, g.free_sd, g.free_rt,
            g.parent, g.cap_sd, g.cap_rt, g.rparent, g.staff_rd, g.rd_role, g.rd_ptr, g.rd_members, book_ahead,
            extra_days, slack, staff, day, pool)
    return staff, day, pool
