"""The back office's compiled queue: FCFS admin teams of several staff, each with their own working window.

One call serves one day for every team at once. Tasks wait in one FIFO queue per cell (practice x
task kind, a linked list in arrival order); each day every cell is routed to a team, and a team's
queue is its cells' queues merged by arrival. Servers (admin staff present that day) come sorted by
team, each free from ``open`` and taking no new task at or after its ``close``. A task starts on the server free first, at its arrival or when that server is free;
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
def day_of_minute(minute: float) -> int:
    """``int(minute // 1440.0)`` for minute >= 0, without the slow float floor division (fmod).

    The rounded quotient is at most one above the true floor (when it rounds up to a whole number), and
    ``q * 1440.0`` is exact, so the check below makes it the exact floor: the same number.
    """
    q = np.floor(minute / 1440.0)
    if q * 1440.0 > minute:
        q -= 1.0
    return int(q)


@njit(cache=True)
def _server_heap(server_open: np.ndarray, s0: int, c: int) -> tuple[np.ndarray, np.ndarray]:
    """A min-heap of one team's ``c`` servers (from ``s0``) keyed by the minute each is next free."""
    key = np.empty(c)
    idx = np.empty(c, dtype=np.int64)
    for j in range(c):
        key[j] = server_open[s0 + j]
        idx[j] = s0 + j
    for j in range(c // 2 - 1, -1, -1):
        _sift_down(key, idx, c, j)
    return key, idx


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
        key, idx = _server_heap(server_open, s0, c)
        n = c
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
def enqueue(tasks: np.ndarray, practice: np.ndarray, kind: np.ndarray, n_kinds: int, head: np.ndarray,
            tail: np.ndarray, count: np.ndarray, nxt: np.ndarray) -> None:
    """Append ``tasks`` (in arrival order) to the tails of their cells' queues (cell: practice x kind)."""
    for j in range(tasks.size):
        i = tasks[j]
        c = practice[i] * n_kinds + kind[i]
        nxt[i] = -1
        if tail[c] < 0:
            head[c] = i
        else:
            nxt[tail[c]] = i
        tail[c] = i
        count[c] += 1


@njit(cache=True)
def queued(head: np.ndarray, count: np.ndarray, nxt: np.ndarray) -> np.ndarray:
    """Every task still queued, cell by cell, each cell's in arrival order."""
    out = np.empty(count.sum(), dtype=np.int64)
    n = 0
    for c in range(head.size):
        i = head[c]
        while i >= 0:
            out[n] = i
            n += 1
            i = nxt[i]
    return out


@njit(cache=True)
def serve_cells(team_cells: np.ndarray, team_first: np.ndarray, cell_role: np.ndarray, cell_review: np.ndarray,
                head: np.ndarray, tail: np.ndarray, count: np.ndarray, nxt: np.ndarray, practice: np.ndarray,
                kind: np.ndarray, arrival: np.ndarray, e: np.ndarray, minutes: np.ndarray, spec: np.ndarray,
                dip: np.ndarray, handoff: np.ndarray, server_open: np.ndarray, server_close: np.ndarray,
                server_first: np.ndarray, state: np.ndarray, done_state: int, took_out: np.ndarray,
                working_before: np.ndarray, rec: np.ndarray, server_end: np.ndarray) -> None:
    """Serve one day: each team (ascending) FCFS on its servers, taking the earliest head of its cells' queues.

    ``team_cells[team_first[tm]:team_first[tm + 1]]`` are the cells routed to team ``tm`` today, with
    their admin role (``cell_role``) and coordinator review minutes (``cell_review``). A team's queue is
    its cells' queues merged by arrival, so the served tasks are a prefix of it: only they are touched,
    and a day costs the tasks served, not the backlog. Handling = Exp(1) draw x the role's mean minutes x
    (1 - specialisation) x (1 + dip), plus hand-off and review minutes. ``rec`` rows (per practice,
    minutes): busy, specialisation saved, dip added, hand-offs, coordinator review. ``took_out``: arrival
    to done in working days of 24 hours (``working_before[d]``: working days before day d).
    ``server_end`` gets each server's last finish (its open time if it served nobody).
    """
    for k in range(server_end.size):
        server_end[k] = server_open[k]
    n_teams = server_first.size - 1
    n_kinds = minutes.shape[0]
    most_c, most_q = 0, 0
    for tm in range(n_teams):
        most_c = max(most_c, server_first[tm + 1] - server_first[tm])
        most_q = max(most_q, team_first[tm + 1] - team_first[tm])
    key = np.empty(most_c)  # the team's servers, a min-heap by the minute each is next free
    idx = np.empty(most_c, dtype=np.int64)
    head_arrival = np.empty(most_q)  # arrival of the head of each of the team's cells (inf: empty)
    q_practice = np.empty(most_q, dtype=np.int64)  # each of the team's cells: its practice, mean minutes, review
    q_minutes = np.empty(most_q)
    for tm in range(n_teams):
        s0, s1 = server_first[tm], server_first[tm + 1]
        c = s1 - s0
        c0, c1 = team_first[tm], team_first[tm + 1]
        if c == 0 or c1 == c0:
            continue
        for j in range(c):
            key[j] = server_open[s0 + j]
            idx[j] = s0 + j
        for j in range(c // 2 - 1, -1, -1):
            _sift_down(key, idx, c, j)
        for q in range(c1 - c0):
            cell = team_cells[c0 + q]
            h = head[cell]
            head_arrival[q] = arrival[h] if h >= 0 else np.inf
            q_practice[q] = cell // n_kinds  # a cell is practice x kind
            q_minutes[q] = minutes[cell % n_kinds, cell_role[cell]]
        n = c
        while n > 0:
            best, first = -1, np.inf
            for q in range(c1 - c0):
                if head_arrival[q] < first:
                    first, best = head_arrival[q], q
            if best < 0:
                break
            k = idx[0]
            begin = max(first, key[0])
            if begin >= server_close[k]:  # this server takes nothing more today
                n -= 1
                key[0], idx[0] = key[n], idx[n]
                _sift_down(key, idx, n, 0)
                continue
            cell = team_cells[c0 + best]
            i = head[cell]
            head[cell] = nxt[i]
            if head[cell] < 0:
                tail[cell] = -1
                head_arrival[best] = np.inf
            else:
                head_arrival[best] = arrival[head[cell]]
            count[cell] -= 1
            p = q_practice[best]
            rv = cell_review[cell]
            h = e[i] * q_minutes[best]
            service = h * (1.0 - spec[p]) * (1.0 + dip[p]) + handoff[p] + rv
            finish = begin + service
            server_end[k] = finish
            key[0] = finish
            _sift_down(key, idx, n, 0)
            state[i] = done_state
            fd, ad = day_of_minute(finish), day_of_minute(first)
            took_out[i] = (working_before[fd] - working_before[ad]
                           + (finish - fd * 1440.0 - (first - ad * 1440.0)) / 1440.0)
            rec[0, p] += service
            rec[1, p] += h * spec[p]
            rec[2, p] += h * (1.0 - spec[p]) * dip[p]
            rec[3, p] += handoff[p]
            rec[4, p] += rv


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
