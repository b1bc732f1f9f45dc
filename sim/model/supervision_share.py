"""Compiled share-out of supervision time (:func:`sim.model.daycycle.supervision_slots`), one pass a day.

The same arithmetic as the numpy version it replaces, in the same order, so results are identical:
minutes by unit summed in clinician order (as ``np.bincount``), each unit's exact share summed as
numpy sums a float64 array (pairwise, eight accumulators from eight items), rounded half to even (as
Python's ``round``), whole slots by largest remainder with ties to the earlier clinician (as a
stable sort).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """The pairwise sum numpy uses for a block of at most 128 items: sequential under 8, else eight accumulators."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r = np.empty(8)
    for k in range(8):
        r[k] = a[lo + k]
    i = 8
    while i < n - (n % 8):
        for k in range(8):
            r[k] += a[lo + i + k]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def numpy_sum(a: np.ndarray, lo: int, n: int) -> float:
    """Sum of a[lo:lo + n] in numpy's pairwise order for a contiguous float64 array (``np.add.reduce``).

    Over 128 items numpy sums two halves (the first a multiple of 8) and adds them; done here with an
    explicit stack, because Numba's cache cannot reload a recursive function.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    seg_lo = np.empty(128, dtype=np.int64)
    seg_n = np.empty(128, dtype=np.int64)
    stage = np.zeros(128, dtype=np.int64)
    vals = np.empty(128)
    seg_lo[0], seg_n[0], sp, nv = lo, n, 1, 0
    while sp > 0:
        top = sp - 1
        m = seg_n[top]
        if m <= 128:
            vals[nv] = _block_sum(a, seg_lo[top], m)
            nv += 1
            sp -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 0:  # the first half
            stage[top] = 1
            seg_lo[sp], seg_n[sp], stage[sp] = seg_lo[top], half, 0
            sp += 1
        elif stage[top] == 1:  # then the second
            stage[top] = 2
            seg_lo[sp], seg_n[sp], stage[sp] = seg_lo[top] + half, m - half, 0
            sp += 1
        else:  # both done: first + second
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
            sp -= 1
    return vals[0]


@njit(cache=True)
def share_supervision(who: np.ndarray, slots: np.ndarray, unit: np.ndarray, gp: np.ndarray, can_supervise: np.ndarray,
                      slot_minutes: np.ndarray, per_slot: np.ndarray, pcn_of: np.ndarray,
                      n_practices: int, lgpo_unit: int, supervision_minutes: np.ndarray, t: int) -> np.ndarray:
    """Slots each clinician ``who`` gives up on day ``t`` to supervise; adds the GPs' supervision minutes.

    ``per_slot[k]``: GP minutes each bookable slot of clinician ``who[k]`` costs (0: supervised by
    nobody); ``can_supervise[k]``: whether ``who[k]``, if a GP, shares supervision (trainees do not).
    ``pcn_of``: each practice's PCN (PCN unit = n_practices + PCN index); units from ``lgpo_unit`` on
    share with every GP working. See :func:`sim.model.daycycle.supervision_slots` for the rule.
    """
    n = who.size
    take = np.zeros(n, dtype=np.int64)
    top = -1
    for k in range(n):
        if per_slot[k] > 0 and unit[who[k]] > top:
            top = unit[who[k]]
    if top < 0:
        return take
    minutes = np.zeros(top + 1)
    for k in range(n):
        if per_slot[k] > 0:
            minutes[unit[who[k]]] += slots[k] * per_slot[k]
    j = np.empty(n, dtype=np.int64)
    exact = np.empty(n)
    base = np.empty(n, dtype=np.int64)
    chosen = np.zeros(n, dtype=np.bool_)
    for u in range(top + 1):
        if not minutes[u] > 0:
            continue
        m = 0
        for k in range(n):
            uk = unit[who[k]]
            if not (gp[who[k]] and can_supervise[k] and uk < n_practices and slots[k] > 0):
                continue
            if u < n_practices:
                mine = uk == u
            elif u < lgpo_unit:
                mine = pcn_of[uk] == u - n_practices
            else:
                mine = True
            if mine:
                j[m] = k
                m += 1
        if m == 0:
            continue
        floor_sum = 0
        for q in range(m):
            exact[q] = minutes[u] / m / slot_minutes[who[j[q]]]
            base[q] = np.int64(np.floor(exact[q]))
            floor_sum += base[q]
        extra = np.int64(np.rint(numpy_sum(exact, 0, m))) - floor_sum
        if extra > 0:
            for q in range(m):
                chosen[q] = False
            for _ in range(min(extra, m)):
                best = -1
                for q in range(m):
                    if not chosen[q] and (best < 0 or exact[q] - base[q] > exact[best] - base[best]):
                        best = q
                chosen[best] = True
                base[best] += 1
        for q in range(m):
            take[j[q]] += base[q]
    for k in range(n):
        if take[k] > slots[k]:
            take[k] = slots[k]
        if take[k] > 0:
            supervision_minutes[who[k], t] += take[k] * slot_minutes[who[k]]
    return take
