"""The back office's working day, compiled: today's arrivals into their queues, the day's servers, routing and service.

:func:`sim.model.back_office.serve_day` calls these three kernels once a working day instead of some
forty NumPy calls (building per-cell arrays, stable sorts, bincounts). Each does exactly what the
NumPy it replaced did, in the same order of floating-point operations, so every number is unchanged:

- :func:`enqueue_day`: appends the day's tasks to their cells' queues in arrival order. Only the
  order within a cell matters for a FIFO queue, so the tasks are grouped by cell (a stable counting
  sort) and each cell's few tasks sorted by arrival (stable): the same queues as a stable argsort of
  the whole day's arrivals followed by :func:`sim.model.back_office_queue.enqueue`.
- :func:`day_servers`: the admin staff in post and present, with their front-desk and back-office minutes.
- :func:`serve_queues`: the servers sorted by team (stable), each cell routed to its team (coordinators
  take correspondence where their team has anyone today), :func:`sim.model.back_office_queue.serve_cells`,
  and the day's records (busy, pooling minutes, overtime, backlog).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.back_office_queue import enqueue, serve_cells

# rows of BackOfficeState.record_block written here (the order of sim.model.back_office.RECORDS)
BUSY, OVERTIME, SPEC_SAVED, DIP_ADDED, HANDOFF_ADDED, SETUP, RELEASED, COORDINATOR, BACKLOG = 0, 1, 2, 3, 4, 6, 7, 8, 9


@njit(cache=True)
def enqueue_day(first_task: int, end_task: int, state: np.ndarray, arriving: int, practice: np.ndarray,
                kind: np.ndarray, n_kinds: int, arrival: np.ndarray, head: np.ndarray, tail: np.ndarray,
                count: np.ndarray, nxt: np.ndarray) -> None:
    """Append the tasks ``first_task:end_task`` still ``arriving`` to the tails of their cells' queues by arrival.

    With ``tasks`` those tasks (ascending index), the same queues as
    ``enqueue(tasks[np.argsort(arrival[tasks], kind="stable")], ...)``, in linear
    expected time: a bucket sort. Buckets split the span of the arrivals evenly; an arrival's bucket
    never decreases as it grows (subtraction, multiplication by a positive number and the floor are
    monotone), so the tasks ordered by bucket (stably) and then each bucket's few by arrival
    (insertion, stable) are the stable sort by arrival.
    """
    tasks = np.empty(max(0, end_task - first_task), dtype=np.int64)
    n = 0
    lo, hi = np.inf, -np.inf
    for i in range(first_task, end_task):
        if state[i] == arriving:
            tasks[n] = i
            n += 1
            a = arrival[i]
            lo, hi = min(lo, a), max(hi, a)
    if n == 0:
        return
    scale = n / (hi - lo) if hi > lo else 0.0
    bucket = np.empty(n, dtype=np.int64)
    first = np.zeros(n + 1, dtype=np.int64)
    for j in range(n):
        b = min(n - 1, int((arrival[tasks[j]] - lo) * scale))
        bucket[j] = b
        first[b + 1] += 1
    for b in range(n):
        first[b + 1] += first[b]
    key = np.empty(n)
    order = np.empty(n, dtype=np.int64)
    for j in range(n):
        b = bucket[j]
        i = tasks[j]
        key[first[b]] = arrival[i]
        order[first[b]] = i
        first[b] += 1
    for x in range(1, n):  # insertion sort, stable: nearly sorted already, so linear
        k, v = key[x], order[x]
        y = x - 1
        while y >= 0 and key[y] > k:
            key[y + 1], order[y + 1] = key[y], order[y]
            y -= 1
        key[y + 1], order[y + 1] = k, v
    enqueue(order, practice, kind, n_kinds, head, tail, count, nxt)


@njit(cache=True)
def day_servers(admin_staff: np.ndarray, admin_role: np.ndarray, active: np.ndarray, fte: np.ndarray,
                absent: np.ndarray, t: int, staff_unit: np.ndarray, desk_share: np.ndarray,
                full_minutes: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(unit, admin role, front-desk minutes, back-office minutes) of the admin staff in post and present on day ``t``."""
    n = 0
    for j in range(admin_staff.size):
        s = admin_staff[j]
        if active[s] and not absent[s, t]:
            n += 1
    unit = np.empty(n, dtype=np.int64)
    role = np.empty(n, dtype=np.int64)
    desk = np.empty(n)
    window = np.empty(n)
    n = 0
    for j in range(admin_staff.size):
        s = admin_staff[j]
        if active[s] and not absent[s, t]:
            r = admin_role[j]
            minutes = fte[s] * full_minutes
            unit[n], role[n] = staff_unit[s], r
            desk[n] = minutes * desk_share[r]
            window[n] = minutes - desk[n]
            n += 1
    return unit, role, desk, window


@njit(cache=True)
def cut_windows(window: np.ndarray, unit: np.ndarray, role: np.ndarray, manager: int, setup: np.ndarray,
                released: np.ndarray, records: np.ndarray, t: int) -> None:
    """Take set-up minutes (practice managers') and redeployed minutes (everyone's) off the day's windows.

    Each practice's minutes come off its staff's windows in proportion (no more than they have);
    ``records`` gets the minutes taken (rows SETUP, RELEASED).
    """
    n_p = setup.size
    for which in range(2):
        take_off = setup if which == 0 else released
        if not take_off.any():
            continue
        have = np.zeros(n_p)
        for j in range(unit.size):
            if which == 1 or role[j] == manager:
                have[unit[j]] += window[j]
        take = np.empty(n_p)
        for p in range(n_p):
            take[p] = min(take_off[p], have[p])
        for j in range(unit.size):
            if which == 1 or role[j] == manager:
                u = unit[j]
                share = take[u] / max(have[u], 1e-9) if have[u] > 0 else 0.0
                window[j] *= 1.0 - share
        row = SETUP if which == 0 else RELEASED
        for p in range(n_p):
            records[row, t, p] += take[p]


@njit(cache=True)
def _by_key(key: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """(order, first): ``key``'s stable ascending order and where each key's run starts (length n_keys + 1)."""
    first = np.zeros(n_keys + 1, dtype=np.int64)
    for j in range(key.size):
        first[key[j] + 1] += 1
    for k in range(n_keys):
        first[k + 1] += first[k]
    at = first[:-1].copy()
    order = np.empty(key.size, dtype=np.int64)
    for j in range(key.size):
        order[at[key[j]]] = j
        at[key[j]] += 1
    return order, first


@njit(cache=True)
def serve_queues(team_of: np.ndarray, unit: np.ndarray, role: np.ndarray, desk: np.ndarray, window: np.ndarray,
                 opening: float, corr_kind: np.ndarray, role_of_kind: np.ndarray, review_minutes: np.ndarray,
                 coord: int, head: np.ndarray, tail: np.ndarray, count: np.ndarray, nxt: np.ndarray,
                 practice: np.ndarray, kind: np.ndarray, arrival: np.ndarray, e: np.ndarray, minutes: np.ndarray,
                 spec: np.ndarray, dip: np.ndarray, handoff: np.ndarray, state: np.ndarray, done_state: int,
                 took: np.ndarray, working_before: np.ndarray, records: np.ndarray, t: int) -> float:
    """Serve day ``t`` on the present servers (``unit``, ``role``, ``desk``, ``window``); returns the last finish.

    Writes the day's busy, specialisation, dip, hand-off, coordinator, overtime and backlog records
    (``records``: BackOfficeState.record_block, (record, day, practice)). With nobody present or no
    task waiting, only the backlog; the day then ends at ``opening``.
    """
    n_p, n_roles = team_of.shape
    n_k = corr_kind.size
    if unit.size == 0 or not count.any():
        for p in range(n_p):
            waiting = 0
            for k in range(n_k):
                waiting += count[p * n_k + k]
            records[BACKLOG, t, p] = waiting
        return opening
    n_teams = 0
    for p in range(n_p):
        for r in range(n_roles):
            n_teams = max(n_teams, team_of[p, r] + 1)
    s_team = np.empty(unit.size, dtype=np.int64)
    for j in range(unit.size):
        s_team[j] = team_of[unit[j], role[j]]
    s_order, server_first = _by_key(s_team, n_teams)
    s_unit = np.empty(unit.size, dtype=np.int64)
    s_open = np.empty(unit.size)
    s_close = np.empty(unit.size)
    for j in range(unit.size):
        o = s_order[j]
        s_unit[j] = unit[o]
        s_open[j] = opening + desk[o]
        s_close[j] = s_open[j] + window[o]
    # routing: each cell (practice x kind) to its team; correspondence to coordinators where their team has anyone
    cell_team = np.empty(n_p * n_k, dtype=np.int64)
    cell_role = np.empty(n_p * n_k, dtype=np.int64)
    cell_review = np.empty(n_p * n_k)
    for p in range(n_p):
        ct = team_of[p, coord]
        coord_here = server_first[ct + 1] > server_first[ct]
        for k in range(n_k):
            c = p * n_k + k
            r = coord if corr_kind[k] and coord_here else role_of_kind[k]
            cell_team[c] = team_of[p, r]
            cell_role[c] = r
            cell_review[c] = review_minutes[p] if corr_kind[k] else 0.0
    team_cells, team_first = _by_key(cell_team, n_teams)
    s_end = np.empty(unit.size)
    day_rec = np.zeros((5, n_p))
    serve_cells(team_cells, team_first, cell_role, cell_review, head, tail, count, nxt, practice, kind, arrival, e,
                minutes, spec, dip, handoff, s_open, s_close, server_first, state, done_state, took, working_before,
                day_rec, s_end)
    for p in range(n_p):
        records[BUSY, t, p] += day_rec[0, p]
        records[SPEC_SAVED, t, p] += day_rec[1, p]
        records[DIP_ADDED, t, p] += day_rec[2, p]
        records[HANDOFF_ADDED, t, p] += day_rec[3, p]
        records[COORDINATOR, t, p] += day_rec[4, p]
    over = np.zeros(n_p)
    for j in range(unit.size):
        over[s_unit[j]] += max(0.0, s_end[j] - s_close[j])
    for p in range(n_p):
        records[OVERTIME, t, p] += over[p]
        waiting = 0
        for k in range(n_k):
            waiting += count[p * n_k + k]
        records[BACKLOG, t, p] = waiting
    last = opening
    if unit.size:
        last = s_end[0]
        for j in range(1, unit.size):
            last = max(last, s_end[j])
        last = max(last, opening)
    return last



@njit(cache=True)
def work_day(first_task: int, end_task: int, arriving: int, practice: np.ndarray, kind: np.ndarray,
             arrival: np.ndarray, e: np.ndarray, state: np.ndarray, done_state: int, took: np.ndarray,
             head: np.ndarray, tail: np.ndarray, count: np.ndarray, nxt: np.ndarray,
             admin_staff: np.ndarray, admin_role: np.ndarray, active: np.ndarray, fte: np.ndarray,
             absent: np.ndarray, staff_unit: np.ndarray, desk_share: np.ndarray, full_minutes: float,
             pooled: bool, manager: int, setup: np.ndarray, released: np.ndarray,
             team_of: np.ndarray, opening: float, corr_kind: np.ndarray, role_of_kind: np.ndarray,
             review_minutes: np.ndarray, coord: int, minutes: np.ndarray, spec: np.ndarray, dip: np.ndarray,
             handoff: np.ndarray, working_before: np.ndarray, records: np.ndarray, t: int) -> float:
    """Day ``t`` in one call: :func:`enqueue_day`, :func:`day_servers`, with a pool :func:`cut_windows`, :func:`serve_queues`.

    Returns the last finish (``opening`` when nobody is present or no task waits; then only the
    backlog is recorded and nothing is cut).
    """
    enqueue_day(first_task, end_task, state, arriving, practice, kind, corr_kind.size, arrival, head, tail, count,
                nxt)
    unit, role, desk, window = day_servers(admin_staff, admin_role, active, fte, absent, t, staff_unit, desk_share,
                                           full_minutes)
    if pooled and unit.size > 0 and count.any():  # set-up and redeployed minutes exist only with a pool
        cut_windows(window, unit, role, manager, setup, released, records, t)
    return serve_queues(team_of, unit, role, desk, window, opening, corr_kind, role_of_kind, review_minutes, coord,
                        head, tail, count, nxt, practice, kind, arrival, e, minutes, spec, dip, handoff, state,
                        done_state, took, working_before, records, t)
