"""The back office's compiled queue: FCFS admin teams of several staff, each with their own working window.

One call serves one day for every team at once. Tasks come sorted by (team, arrival); servers (admin
staff present that day) sorted by team, each free from ``open`` and taking no new task at or after
its ``close``. A task starts on the server free first, at its arrival or when that server is free;
a task started before a server's close runs to its end (overtime past the close). This is the
multi-server FCFS queue (M/M/c when arrivals are Poisson and handling exponential): the analytic
tier checks it against Erlang C.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _sift_down(key: np.ndarray, idx: np.ndarray, n: int, i: int) -> None:
    while True:
        lo = i
        left, right = 2 * i + 1, 2 * i + 2
        if left < n and key[left] < key[lo]:
            lo = left
        if right < n and key[right] < key[lo]:
            lo = right
        if lo == i:
            return
        key[i], key[lo] = key[lo], key[i]
        idx[i], idx[lo] = idx[lo], idx[i]
        i = lo


@njit(cache=True)
def serve_teams(task_team: np.ndarray, arrival: np.ndarray, service: np.ndarray, task_first: np.ndarray,
                server_team: np.ndarray, server_open: np.ndarray, server_close: np.ndarray,
                server_first: np.ndarray, start: np.ndarray, finish: np.ndarray, server: np.ndarray,
                server_end: np.ndarray) -> None:
    """Serve each team's tasks FCFS on its servers; unserved tasks keep start = -1.

    ``task_first``/``server_first`` (length n_teams + 1) index each team's tasks/servers. ``server_end``
    gets each server's last finish (its open time if it served nobody).
    """
    n_teams = task_first.size - 1
    for k in range(server_end.size):
        server_end[k] = server_open[k]
    for tm in range(n_teams):
        s0, s1 = server_first[tm], server_first[tm + 1]
        c = s1 - s0
        if c == 0:
            continue
        key = np.empty(c)
        idx = np.empty(c, dtype=np.int64)
        for j in range(c):
            key[j] = server_open[s0 + j]
            idx[j] = s0 + j
        n = c
        for j in range(n // 2 - 1, -1, -1):
            _sift_down(key, idx, n, j)
        i = task_first[tm]
        while i < task_first[tm + 1] and n > 0:
            k = idx[0]
            begin = max(arrival[i], key[0])
            if begin >= server_close[k]:  # this server takes nothing more today
                n -= 1
                key[0], idx[0] = key[n], idx[n]
                _sift_down(key, idx, n, 0)
                continue
            start[i] = begin
            finish[i] = begin + service[i]
            server[i] = k
            server_end[k] = finish[i]
            key[0] = finish[i]
            _sift_down(key, idx, n, 0)
            i += 1


@njit(cache=True)
def route_tasks(pending: np.ndarray, practice: np.ndarray, kind: np.ndarray, arrival: np.ndarray, e: np.ndarray,
                role_of_kind: np.ndarray, minutes: np.ndarray, corr_kind: np.ndarray, team_of: np.ndarray,
                coord_role: int, has_server: np.ndarray, spec: np.ndarray, dip: np.ndarray, handoff: np.ndarray,
                review: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each pending task's team, sort key (team, arrival), service, base handling and review minutes.

    Correspondence goes to the practice's (or pool's) workflow coordinators where the team has any.
    Handling = Exp(1) draw x the role's mean minutes x (1 - specialisation) x (1 + dip), plus hand-off
    and coordinator review minutes.
    """
    n = pending.size
    team = np.empty(n, dtype=np.int64)
    key = np.empty(n)
    service = np.empty(n)
    handling = np.empty(n)
    extra = np.empty(n)
    for j in range(n):
        i = pending[j]
        p, k = practice[i], kind[i]
        r = role_of_kind[k]
        rv = 0.0
        if corr_kind[k]:
            rv = review[p]
            if has_server[team_of[p, coord_role]]:
                r = coord_role
        tm = team_of[p, r]
        team[j] = tm
        h = e[i] * minutes[k, r]
        handling[j] = h
        extra[j] = rv
        service[j] = h * (1.0 - spec[p]) * (1.0 + dip[p]) + handoff[p] + rv
        key[j] = tm * 1e7 + arrival[i]  # arrivals are under 1e7 minutes (19 years)
    return team, key, service, handling, extra


@njit(cache=True)
def merge_order(key: np.ndarray, n_old: int, new_order: np.ndarray) -> tuple[np.ndarray, bool]:
    """The order sorting ``key``: its first ``n_old`` keys (the backlog) in order, merged with the rest.

    ``new_order`` sorts the keys after the first ``n_old``. Returns False (sort in full instead)
    unless the backlog's keys are in order and every key is distinct. With distinct keys there is one sorted order, so the merge gives exactly what ``np.argsort(key)``
    gives, at O(n) instead of sorting the whole backlog again every day.
    """
    n = key.size
    m = n - n_old
    order = np.empty(n, dtype=np.int64)
    for i in range(1, n_old):
        if not key[i - 1] < key[i]:
            return order, False
    for q in range(1, m):
        if not key[n_old + new_order[q - 1]] < key[n_old + new_order[q]]:
            return order, False
    i, q, k = 0, 0, 0
    while i < n_old and q < m:
        a, b = key[i], key[n_old + new_order[q]]
        if a < b:
            order[k] = i
            i += 1
        elif b < a:
            order[k] = n_old + new_order[q]
            q += 1
        else:
            return order, False
        k += 1
    while i < n_old:
        order[k] = i
        i += 1
        k += 1
    while q < m:
        order[k] = n_old + new_order[q]
        q += 1
        k += 1
    return order, True


@njit(cache=True)
def serve_sorted(order: np.ndarray, pending: np.ndarray, team: np.ndarray, service: np.ndarray,
                 handling: np.ndarray, extra: np.ndarray, practice: np.ndarray, arrival: np.ndarray,
                 spec: np.ndarray, dip: np.ndarray, handoff: np.ndarray, server_team: np.ndarray,
                 server_open: np.ndarray, server_close: np.ndarray, server_first: np.ndarray, state: np.ndarray,
                 done_state: int, took_out: np.ndarray, working_before: np.ndarray,
                 rec: np.ndarray, server_end: np.ndarray, left_count: np.ndarray) -> np.ndarray:
    """Serve the routed tasks in ``order`` (by team, then arrival); record them; return those left waiting.

    ``rec`` rows (per practice, minutes): busy, specialisation saved, dip added, hand-offs, coordinator
    review. ``took_out``: arrival to done in working days of 24 hours (``working_before[d]``: working
    days before day d). ``left_count`` (per practice) gets the tasks left waiting.
    """
    n = pending.size
    n_teams = server_first.size - 1
    s_pending = pending[order]
    s_team = team[order]
    s_arrival = arrival[s_pending]
    s_service = service[order]
    task_first = np.searchsorted(s_team, np.arange(n_teams + 1))
    start = np.full(n, -1.0)
    finish = np.full(n, -1.0)
    server = np.full(n, -1, dtype=np.int64)
    serve_teams(s_team, s_arrival, s_service, task_first, server_team, server_open, server_close, server_first,
                start, finish, server, server_end)
    left = np.empty(n, dtype=np.int64)
    n_left = 0
    for jj in range(n):
        i = s_pending[jj]
        if start[jj] < 0:
            left[n_left] = i
            n_left += 1
            left_count[practice[i]] += 1
            continue
        j = order[jj]
        p = practice[i]
        state[i] = done_state
        fd, ad = int(finish[jj] // 1440.0), int(s_arrival[jj] // 1440.0)
        took_out[i] = (working_before[fd] - working_before[ad]
                       + (finish[jj] - fd * 1440.0 - (s_arrival[jj] - ad * 1440.0)) / 1440.0)
        rec[0, p] += s_service[jj]
        rec[1, p] += handling[j] * spec[p]
        rec[2, p] += handling[j] * (1.0 - spec[p]) * dip[p]
        rec[3, p] += handoff[p]
        rec[4, p] += extra[j]
    return left[:n_left]


@njit(cache=True)
def task_tables(practice: np.ndarray, kind: np.ndarray, state: np.ndarray, took: np.ndarray, arrival: np.ndarray,
                day_first: np.ndarray, first_day: int, n_days: int, working_before: np.ndarray,
                target_days: np.ndarray, n_practices: int, done_state: int) -> np.ndarray:
    """(4, practice, kind) of tasks arriving from ``first_day``: done, working days taken, due, due and in target.

    A task is due when its target falls before the end of the run (``n_days``): only those can be late.
    One compiled pass, no temporary arrays (a borough has millions of tasks).
    """
    out = np.zeros((4, n_practices, target_days.size))
    end = working_before[n_days]
    for d in range(first_day, n_days):
        for i in range(day_first[d], day_first[d + 1]):
            p, k = practice[i], kind[i]
            is_done = state[i] == done_state
            if is_done:
                out[0, p, k] += 1.0
                out[1, p, k] += took[i]
            left = end - working_before[d] - (arrival[i] - d * 1440.0) / 1440.0
            if left >= target_days[k]:
                out[2, p, k] += 1.0
                if is_done and took[i] <= target_days[k]:
                    out[3, p, k] += 1.0
    return out
