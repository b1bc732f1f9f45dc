"""The day book: which requests are booked into each future day, in the order they were booked.

A day's clinic sessions see each clinician's appointments in booking order (slot order). The book
keeps, per request, the day it is booked into and a booking sequence number; a day's appointments
are found by scanning only the requests that could reach that day (made at most ``reach`` days
before it), so booking costs a few array writes instead of per-day lists of chunks. Booking runs
compiled (one pass per batch instead of five NumPy passes); taking out a day stays in NumPy, whose
vectorised scan and sort beat a compiled loop there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit


@njit(cache=True)
def book_into(book_day, seq, request_day, rids, days, first_seq):  # pragma: no cover - compiled
    """Write requests ``rids``' days and booking numbers (from ``first_seq``); return (reach, end) of the batch.

    reach: the most days between a request's day and its booked day; end: one past the largest id.
    """
    reach, end = -(1 << 62), 0
    for i in range(rids.size):
        r = rids[i]
        book_day[r] = days[i]
        seq[r] = first_seq + i
        reach = max(reach, np.int64(days[i]) - np.int64(request_day[r]))
        end = max(end, np.int64(r) + 1)
    return reach, end


class DayBook:
    """Request ids booked into each future day, in booking order."""

    def __init__(self, request_day: np.ndarray, day_start: Sequence[int]):
        """``request_day``: each request's day (ascending); ``day_start[d]``: the first request of day ``d``."""
        self._request_day = np.asarray(request_day)
        self._day_start = np.asarray(day_start, dtype=np.int64)
        self._day = np.full(self._request_day.size, -1, dtype=np.int32)  # booked day; -1: not in the book
        self._seq = np.zeros(self._request_day.size, dtype=np.int64)  # booking order
        self._next = 0
        self._reach = 0  # the most days between a booked request's day and its appointment day
        self._end = 0  # one past the last request ever booked (later requests are not in the book)

    def add(self, rids: np.ndarray, days: np.ndarray) -> None:
        """Book requests ``rids`` (in booking order) into ``days`` (same length)."""
        if rids.size == 0:
            return
        reach, end = book_into(self._day, self._seq, self._request_day, rids, days, self._next)
        self._next += rids.size
        self._reach = max(self._reach, int(reach))
        self._end = max(self._end, int(end))

    def add_one(self, rid: int, day: int) -> None:
        """Book one request (a rebooking) after everything already booked into ``day``."""
        self.add(np.array([rid], dtype=np.int64), np.array([day], dtype=np.int64))

    def pop_day(self, day: int, appt_staff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Remove day ``day``: its (staff, request ids), grouped by staff, each in booking order."""
        last = len(self._day_start) - 1
        lo = int(self._day_start[min(max(0, day - self._reach), last)])
        hi = int(self._day_start[min(day + 1, last)])
        rids = lo + np.flatnonzero(self._day[lo:hi] == day)
        if rids.size == 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        self._day[rids] = -1
        staff = appt_staff[rids]
        order = np.argsort((staff.astype(np.int64) << 40) | self._seq[rids])  # by staff, then booking order
        return staff[order], rids[order]

    def remove_staff(self, staff: int, from_day: int, appt_staff: np.ndarray) -> list[int]:
        """Take out every appointment of ``staff`` from ``from_day`` on; return them by day, in booking order."""
        # only requests made from (from_day - reach) on can be booked into from_day or later
        lo = int(self._day_start[min(max(0, from_day - self._reach), len(self._day_start) - 1)])
        hi = max(lo, self._end)
        rids = lo + np.flatnonzero((self._day[lo:hi] >= from_day) & (appt_staff[lo:hi] == staff))
        order = np.lexsort((self._seq[rids], self._day[rids]))
        self._day[rids] = -1
        return rids[order].tolist()

    def days(self) -> list[int]:
        """Days with anything booked."""
        return np.unique(self._day[self._day >= 0]).tolist()
