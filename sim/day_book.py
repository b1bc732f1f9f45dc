"""The day book: which requests are booked into each future day, in the order they were booked.

A day's clinic sessions see each clinician's appointments in booking order (slot order), so the book
keeps, per appointment day, chunks of request ids appended as bookings are made; the clinician of
each is read from the model's ``appt_staff`` array when the day comes.
"""

from __future__ import annotations

import numpy as np


class DayBook:
    """Request ids booked into each future day, in booking order."""

    def __init__(self) -> None:
        self._chunks: dict[int, list[np.ndarray]] = {}

    def add(self, rids: np.ndarray, days: np.ndarray) -> None:
        """Book requests ``rids`` (in booking order) into ``days`` (same length)."""
        if rids.size == 0:
            return
        order = np.argsort(days, kind="stable")
        days_sorted = days[order]
        cuts = np.flatnonzero(np.diff(days_sorted)) + 1
        for part in np.split(order, cuts):
            self._chunks.setdefault(int(days[part[0]]), []).append(rids[part])

    def add_one(self, rid: int, day: int) -> None:
        """Book one request (a rebooking) after everything already booked into ``day``."""
        self._chunks.setdefault(int(day), []).append(np.array([rid], dtype=np.int64))

    def pop_day(self, day: int, appt_staff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Remove day ``day``: its (staff, request ids), grouped by staff, each in booking order."""
        chunks = self._chunks.pop(day, None)
        if not chunks:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        rids = np.concatenate(chunks)
        staff = appt_staff[rids]
        order = np.argsort(staff, kind="stable")
        return staff[order], rids[order]

    def remove_staff(self, staff: int, from_day: int, appt_staff: np.ndarray) -> list[int]:
        """Take out every appointment of ``staff`` from ``from_day`` on; return them by day, in booking order."""
        out: list[int] = []
        for day in sorted(d for d in self._chunks if d >= from_day):
            kept = []
            for chunk in self._chunks[day]:
                mine = appt_staff[chunk] == staff
                if mine.any():
                    out += chunk[mine].tolist()
                    chunk = chunk[~mine]
                if chunk.size:
                    kept.append(chunk)
            self._chunks[day] = kept
        return out

    def days(self) -> list[int]:
        """Days with anything booked."""
        return sorted(d for d, c in self._chunks.items() if c)
