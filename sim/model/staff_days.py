"""Per staff member and day: the work record (:class:`StaffDays`) and sessions replacing the usual week."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.model.growable import append_rows

Sessions = list[tuple[int, float]]  # (start minute, clinical minutes) of each session of one day


@dataclass
class StaffDays:
    """Per staff member and internal day: capacity offered and work done (minutes and counts)."""

    offered_slots: np.ndarray
    seen: np.ndarray
    dna: np.ndarray
    clinical_minutes: np.ndarray
    overtime_minutes: np.ndarray
    admin_minutes: np.ndarray
    session_minutes: np.ndarray
    correspondence_minutes: np.ndarray
    supervision_minutes: np.ndarray

    @classmethod
    def zeros(cls, n_staff: int, n_days: int) -> StaffDays:
        """Empty arrays for ``n_staff`` x ``n_days``."""
        return cls(*(np.zeros((n_staff, n_days)) for _ in fields(cls)))

    def grow(self, n_new: int) -> None:
        """Add rows for staff who join during the run."""
        for f in fields(self):
            arr = getattr(self, f.name)
            setattr(self, f.name, append_rows(arr, np.zeros((n_new, arr.shape[1]))))

    def move_day(self, source: int, target: int, t: int) -> None:
        """Move row ``source``'s figures for day ``t`` onto row ``target`` (a hub shift to its clinician)."""
        for f in fields(self):
            arr = getattr(self, f.name)
            arr[target, t] += arr[source, t]
            arr[source, t] = 0.0


class SessionOverrides(dict):
    """Sessions replacing a staff member's usual ones on one day, keyed (staff, day) and indexed by day.

    Hub rotas write one entry per shift; the daily cycle reads one day's entries at a time.
    """

    def __init__(self) -> None:
        super().__init__()
        self._by_day: dict[int, dict[int, Sessions]] = {}

    def __setitem__(self, key: tuple[int, int], sessions: Sessions) -> None:
        super().__setitem__(key, sessions)
        self._by_day.setdefault(key[1], {})[key[0]] = sessions

    def __delitem__(self, key: tuple[int, int]) -> None:
        super().__delitem__(key)
        self._by_day.get(key[1], {}).pop(key[0], None)

    def pop(self, key, *default):  # noqa: D102 - dict.pop, keeping the day index in step
        self._by_day.get(key[1], {}).pop(key[0], None)
        return super().pop(key, *default)

    def on_day(self, t: int) -> dict[int, Sessions]:
        """Staff with replaced sessions on day ``t`` and their sessions."""
        return self._by_day.get(t, {})
