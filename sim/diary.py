"""The appointment book: free slots per clinician and day, split into on-the-day and bookable pools.

Finding "the earliest day on or after s with a free slot" must be cheap because it runs for every
request. Each role diary keeps a union-find over days (``parent[t] == t`` while day t has free
bookable capacity or is not yet open; a full day points to the next), so the search is near O(1)
amortised instead of a scan over the book.
"""

from __future__ import annotations

SAME_DAY = 0
ROUTINE = 1


def find(parent: list[int], t: int) -> int:
    """Earliest day >= t not marked full, with path compression."""
    root = t
    while parent[root] != root:
        root = parent[root]
    while parent[t] != root:
        parent[t], t = root, parent[t]
    return root


class RoleDiary:
    """All clinicians of one role in one booking unit (a practice, or a PCN's pooled team)."""

    __slots__ = ("cap_rt", "cap_sd", "clinicians", "parent", "role", "unit")

    def __init__(self, unit: int, role: int, n_days: int):
        self.unit = unit
        self.role = role
        self.clinicians: list[int] = []
        self.cap_sd = [0] * (n_days + 1)
        self.cap_rt = [0] * (n_days + 1)
        self.parent = list(range(n_days + 1))  # union-find over bookable (routine) capacity


class Diaries:
    """Every clinician's free slots by day, and the role diaries that index them."""

    def __init__(self, n_staff: int, n_days: int):
        self.n_days = n_days
        self.free_sd: list[list[int]] = [[0] * (n_days + 1) for _ in range(n_staff)]
        self.free_rt: list[list[int]] = [[0] * (n_days + 1) for _ in range(n_staff)]
        self.parent: list[list[int]] = [list(range(n_days + 1)) for _ in range(n_staff)]
        self.roles: dict[tuple[int, int], RoleDiary] = {}
        self.staff_diary: list[RoleDiary | None] = [None] * n_staff

    def add_clinician(self, staff: int, unit: int, role: int) -> RoleDiary:
        """Register a clinician's diary in its unit's role diary."""
        key = (unit, role)
        rd = self.roles.get(key)
        if rd is None:
            rd = self.roles[key] = RoleDiary(unit, role, self.n_days)
        rd.clinicians.append(staff)
        self.staff_diary[staff] = rd
        return rd

    def open_day(self, t: int, staff: int, same_day: int, routine: int) -> None:
        """Open day ``t`` in one clinician's diary with the given free slots in each pool."""
        rd = self.staff_diary[staff]
        self.free_sd[staff][t] += same_day
        self.free_rt[staff][t] += routine
        rd.cap_sd[t] += same_day
        rd.cap_rt[t] += routine

    def seal_day(self, t: int) -> None:
        """After day ``t`` is opened for everyone: mark full days in the union-find indexes."""
        for rd in self.roles.values():
            if rd.cap_rt[t] <= 0 and rd.parent[t] == t:
                rd.parent[t] = t + 1
        for s, par in enumerate(self.parent):
            if self.free_rt[s][t] <= 0 and par[t] == t:
                par[t] = t + 1

    def take(self, staff: int, t: int, pool: int) -> None:
        """Consume one slot of ``staff`` on day ``t`` from ``pool``."""
        rd = self.staff_diary[staff]
        if pool == SAME_DAY:
            self.free_sd[staff][t] -= 1
            rd.cap_sd[t] -= 1
        else:
            self.free_rt[staff][t] -= 1
            rd.cap_rt[t] -= 1
            if rd.cap_rt[t] == 0:
                rd.parent[t] = t + 1
            if self.free_rt[staff][t] == 0:
                self.parent[staff][t] = t + 1

    def close_from(self, staff: int, t0: int) -> int:
        """Remove every free slot of ``staff`` from day ``t0`` on (a leaver); return slots removed."""
        rd = self.staff_diary[staff]
        removed = 0
        for t in range(t0, self.n_days):
            sd, rt = self.free_sd[staff][t], self.free_rt[staff][t]
            if sd or rt:
                removed += sd + rt
                self.free_sd[staff][t] = 0
                self.free_rt[staff][t] = 0
                rd.cap_sd[t] -= sd
                rd.cap_rt[t] -= rt
                if rd.cap_rt[t] == 0 and rd.parent[t] == t:
                    rd.parent[t] = t + 1
                if self.parent[staff][t] == t:
                    self.parent[staff][t] = t + 1
        return removed

    def pick_clinician(self, rd: RoleDiary, t: int, pool: int, prefer: int = -1) -> int:
        """The clinician to book on day ``t``: the preferred one if free, else the least booked."""
        free = self.free_sd if pool == SAME_DAY else self.free_rt
        if prefer >= 0 and self.staff_diary[prefer] is rd and free[prefer][t] > 0:
            return prefer
        best, best_free = -1, 0
        for c in rd.clinicians:
            f = free[c][t]
            if f > best_free:
                best, best_free = c, f
        return best


def grow(diaries: Diaries, n_new: int) -> None:
    """Make room for ``n_new`` more staff (recruits and hub clinicians joining mid-run)."""
    n = diaries.n_days + 1
    for _ in range(n_new):
        diaries.free_sd.append([0] * n)
        diaries.free_rt.append([0] * n)
        diaries.parent.append(list(range(n)))
        diaries.staff_diary.append(None)


def reindex(diaries: Diaries, rd: RoleDiary, t0: int, t1: int) -> None:
    """Rebuild the next-free-day indexes of ``rd`` and its clinicians over days t0..t1.

    Union-find cannot un-mark a full day, so when capacity is added to days already open (a recruit,
    cover) the window is rebuilt; searches always start at or after today, so days before t0 don't matter.
    """
    t1 = min(t1, diaries.n_days - 1)
    for t in range(t0, t1 + 1):
        rd.parent[t] = t if rd.cap_rt[t] > 0 else t + 1
        for c in rd.clinicians:
            diaries.parent[c][t] = t if diaries.free_rt[c][t] > 0 else t + 1
    t = t1 + 1
    if t <= diaries.n_days:
        rd.parent[t] = t if rd.parent[t] in (t, t + 1) else rd.parent[t]
