"""The appointment book: free slots per clinician and day, split into on-the-day and bookable pools.

Finding "the earliest day on or after s with a free slot" must be cheap because it runs for every
request. Each role diary (all clinicians of one role in one booking unit: a practice, a PCN's pooled
team or the LGPO) and each clinician keeps a union-find over days (``parent[t] == t`` while day t has
free bookable capacity or is not yet open; a full day points to the next), so the search is near
O(1) amortised instead of a scan over the book.

State lives in numpy arrays (struct of arrays) so that the booking loop in :mod:`sim.model.booking` runs
compiled; role diaries are integer indices into the ``rd_*`` / ``cap_*`` arrays.
"""

from __future__ import annotations

import numpy as np

from sim.model.growable import append_items, append_rows

SAME_DAY = 0
ROUTINE = 1


def _days(n_rows: int, width: int) -> np.ndarray:
    return np.zeros((n_rows, width), dtype=np.int32)


def _identity(n_rows: int, width: int) -> np.ndarray:
    return np.tile(np.arange(width, dtype=np.int32), (n_rows, 1))


class Diaries:
    """Every clinician's free slots by day, and the role diaries that index them.

    Per clinician (rows = staff index): ``free_sd``/``free_rt`` free same-day / bookable slots,
    ``parent`` the next-day-with-bookable-slot index, ``extras`` duty extras left, ``staff_rd`` the
    role diary. Per role diary: ``cap_sd``/``cap_rt`` free slots summed over its clinicians,
    ``rparent`` its union-find, ``rd_role`` and ``rd_unit``, and its clinicians in joining order as
    compressed rows (``rd_ptr``, ``rd_members``).
    """

    def __init__(self, n_staff: int, n_days: int):
        self.n_days = n_days
        width = n_days + 1
        self.free_sd = _days(n_staff, width)
        self.free_rt = _days(n_staff, width)
        self.parent = _identity(n_staff, width)
        self.extras = _days(n_staff, width)
        self.staff_rd = np.full(n_staff, -1, dtype=np.int32)
        self.roles: dict[tuple[int, int], int] = {}  # (unit, role) -> role diary index
        self.members: list[list[int]] = []
        self.rd_unit = np.zeros(0, dtype=np.int32)
        self.rd_role = np.zeros(0, dtype=np.int32)
        self.cap_sd = _days(0, width)
        self.cap_rt = _days(0, width)
        self.rparent = _identity(0, width)
        self.rd_ptr = np.zeros(1, dtype=np.int32)
        self.rd_members = np.zeros(0, dtype=np.int32)

    @property
    def n_staff(self) -> int:
        """Rows (staff) the diaries have room for."""
        return self.free_sd.shape[0]

    def add_clinician(self, staff: int, unit: int, role: int) -> int:
        """Register a clinician in its unit's role diary (created on first use); return the diary."""
        key = (unit, role)
        rd = self.roles.get(key)
        if rd is None:
            rd = self.roles[key] = len(self.members)
            width = self.n_days + 1
            self.members.append([])
            self.rd_unit = np.append(self.rd_unit, np.int32(unit))
            self.rd_role = np.append(self.rd_role, np.int32(role))
            self.cap_sd = np.vstack([self.cap_sd, _days(1, width)])
            self.cap_rt = np.vstack([self.cap_rt, _days(1, width)])
            self.rparent = np.vstack([self.rparent, _identity(1, width)])
        self.members[rd].append(staff)
        self.staff_rd[staff] = rd
        self.rd_ptr = np.cumsum([0] + [len(m) for m in self.members], dtype=np.int64).astype(np.int32)
        self.rd_members = np.asarray([c for m in self.members for c in m], dtype=np.int32)
        return rd

    def open_many(self, t: int, staff: np.ndarray, same_day: np.ndarray, routine: np.ndarray) -> None:
        """Open day ``t`` for distinct clinicians ``staff`` with the given free slots in each pool."""
        rd = self.staff_rd[staff]
        self.free_sd[staff, t] += same_day.astype(np.int32)
        self.free_rt[staff, t] += routine.astype(np.int32)
        np.add.at(self.cap_sd[:, t], rd, same_day.astype(np.int32))
        np.add.at(self.cap_rt[:, t], rd, routine.astype(np.int32))

    def seal_day(self, t: int) -> None:
        """After day ``t`` is opened for everyone: mark full days in the union-find indexes."""
        for cap, par in ((self.cap_rt, self.rparent), (self.free_rt, self.parent)):
            full = (cap[:, t] <= 0) & (par[:, t] == t)
            par[full, t] = t + 1

    def close_from(self, staff: int, t0: int) -> int:
        """Remove every free slot of ``staff`` from day ``t0`` on (a leaver); return slots removed."""
        rd = self.staff_rd[staff]
        days = np.arange(t0, self.n_days)
        sd, rt = self.free_sd[staff, t0:self.n_days].copy(), self.free_rt[staff, t0:self.n_days].copy()
        has = (sd != 0) | (rt != 0)
        if not has.any():
            return 0
        days, sd, rt = days[has], sd[has], rt[has]
        self.free_sd[staff, days] = 0
        self.free_rt[staff, days] = 0
        self.cap_sd[rd, days] -= sd
        self.cap_rt[rd, days] -= rt
        full = (self.cap_rt[rd, days] == 0) & (self.rparent[rd, days] == days)
        self.rparent[rd, days[full]] = days[full] + 1
        own = self.parent[staff, days] == days
        self.parent[staff, days[own]] = days[own] + 1
        return int(sd.sum() + rt.sum())


def grow(diaries: Diaries, n_new: int) -> None:
    """Make room for ``n_new`` more staff (recruits and hub clinicians joining mid-run)."""
    width = diaries.n_days + 1
    diaries.free_sd = append_rows(diaries.free_sd, _days(n_new, width))
    diaries.free_rt = append_rows(diaries.free_rt, _days(n_new, width))
    diaries.parent = append_rows(diaries.parent, _identity(n_new, width))
    diaries.extras = append_rows(diaries.extras, _days(n_new, width))
    diaries.staff_rd = append_items(diaries.staff_rd, np.full(n_new, -1, dtype=np.int32))


def reindex(diaries: Diaries, rd: int, t0: int, t1: int) -> None:
    """Rebuild the next-free-day indexes of role diary ``rd`` and its clinicians over days t0..t1.

    Union-find cannot un-mark a full day, so when capacity is added to days already open (a recruit,
    cover) the window is rebuilt; searches always start at or after today, so days before t0 don't matter.
    """
    t1 = min(t1, diaries.n_days - 1)
    days = np.arange(t0, t1 + 1, dtype=np.int32)
    diaries.rparent[rd, t0:t1 + 1] = np.where(diaries.cap_rt[rd, t0:t1 + 1] > 0, days, days + 1)
    for c in diaries.members[rd]:
        diaries.parent[c, t0:t1 + 1] = np.where(diaries.free_rt[c, t0:t1 + 1] > 0, days, days + 1)
    t = t1 + 1
    if t <= diaries.n_days:
        p = diaries.rparent[rd, t]
        diaries.rparent[rd, t] = t if p in (t, t + 1) else p
