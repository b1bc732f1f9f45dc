"""The front door's compiled telephone queue: one call serves one day of every practice's phone lines.

Each practice is a multi-server FCFS queue with exponential patience (M/M/c+M, Erlang A, when
arrivals are Poisson and the handlers constant; the analytic tier checks it against Erlang A). The
number of handlers changes by the hour; a call started before its handler goes off the phones runs to
its end. Callers are served in order of arrival on the handler free first; a caller whose wait would
exceed their patience hangs up then (and never holds a handler), so each caller's answer time is
known when they ring: the queue is exact without an event list. A caller who finds every line busy
(as many lines as handlers on the phones that hour plus ``queue_positions``; a line is held from the
ring to the end of the call, or to hanging up) hears engaged. Callers who do not get through redial later
that day or the next working day with a probability, and give up after ``max_attempts``; with
callbacks (``callback_share``) a caller who would hang up keeps their place and is rung back.

Random numbers come from a counter-based hash of (seed, request, attempt, purpose): the same caller
has the same patience and call length on the same attempt in every scenario (common random numbers).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.front_door_sort import minute_order

# what a contact's day ended in
CALL_HANDLED, CALL_GAVE_UP, CALL_CARRIED = 1, 2, 3
# purposes of the hashed uniforms
U_PATIENCE, U_CALL, U_REDIAL, U_SAME_DAY, U_DELAY, U_CALLBACK, U_HOUR, U_MINUTE = range(8)
# per practice and day: attempts, answered, hung up, engaged, minutes waited by answered calls, callbacks
STATS = ("attempts", "answered", "abandoned", "engaged", "wait_minutes", "callbacks")


@njit(cache=True)
def _mix(x):  # pragma: no cover - compiled
    """splitmix64 finaliser (Steele, Lea & Flood 2014): a 64-bit bijection with good avalanche."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True)
def uniform(seed, rid, attempt, purpose):  # pragma: no cover - compiled
    """A uniform in (0, 1) for one request's attempt and purpose, the same in every scenario."""
    key = np.uint64(rid) * np.uint64(256) + np.uint64(attempt * 16 + purpose)
    x = _mix(np.uint64(seed) ^ _mix(key))
    return (np.float64(x >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _push(key, val, n, k, v):  # pragma: no cover - compiled
    """Push (k, v) on the binary min-heap of size n; return the new size."""
    i = n
    while i > 0:  # sift the hole up, moving larger parents down (a tie stays below its parent)
        up = (i - 1) // 2
        if key[up] <= k:
            break
        key[i], val[i] = key[up], val[up]
        i = up
    key[i], val[i] = k, v
    return n + 1


@njit(cache=True)
def _pop(key, val, n):  # pragma: no cover - compiled
    """Remove the smallest item of the heap of size n (read it from key[0], val[0] first); return n - 1.

    The last item sifts down from the root's hole to the smaller child (the left on a tie) while that
    child is smaller. The child is chosen by adding a comparison, not by a branch: which child is
    smaller is a coin toss the processor mispredicts, and this loop is the largest part of the telephone queue.
    """
    n -= 1
    k, v = key[n], val[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n:
            c += np.int64(key[c + 1] < key[c])
        kc = key[c]
        if not kc < k:
            break
        key[i], val[i] = kc, val[c]
        i = c
    key[i], val[i] = k, v
    return n


@njit(cache=True)
def _next_on(handlers_p, n_h):  # pragma: no cover - compiled
    """(handler j, hour h) -> the first hour from h in which handler j is on the phones (24: none that day)."""
    out = np.full((n_h, 25), 24, dtype=np.int64)
    for j in range(n_h):
        for h in range(23, -1, -1):
            out[j, h] = h if handlers_p[h] > j else out[j, h + 1]
    return out


@njit(cache=True)
def _hour(t):  # pragma: no cover - compiled
    """int(t // 60.0) for minutes t >= 0: the whole hours in t, exactly, without a division.

    t / 60 is estimated by a multiplication (a division takes several times as long, and the queue
    takes the hour of every call it serves); the estimate is off by at most one near a whole hour,
    which the two checks correct.
    """
    h = int(t * (1.0 / 60.0))
    if h * 60.0 > t:
        h -= 1
    elif (h + 1) * 60.0 <= t:
        h += 1
    return h


@njit(cache=True)
def _earliest(free_at, handlers_p, next_on, a, close):  # pragma: no cover - compiled
    """(start, handler) of the first handler free at or after ``a`` while on the phones; (inf, -1) if none."""
    best, who = np.inf, -1
    for j in range(free_at.size):
        t = max(a, free_at[j])
        h = _hour(t)
        if h < 24 and handlers_p[h] <= j:  # off the phones now: from the next hour they are on
            h = next_on[j, h]
            t = h * 60.0
        if h < 24 and t < close and t < best:
            best, who = t, j
    return best, who


@njit(cache=True)
def phone_day(first, ring, rid, attempt, handlers, queue_positions, callback, open_m, close_m, call_mean,
              patience_mean, redial_p, same_day_share, delay_mean, max_attempts, seed,
              status, done_at, waited, attempts_out, stats):  # pragma: no cover - compiled
    """Serve one day of calls for every practice; each contact's day ends CALL_HANDLED, CALL_GAVE_UP or CALL_CARRIED.

    Contacts come grouped by practice (``first``: n_practices + 1 offsets), each with its first ring of
    the day (minutes after midnight), request id and attempts made before today. Out, per contact:
    ``status``, ``done_at`` (end of the answered call), ``waited`` (minutes to answer), ``attempts_out``
    (attempts made by the end of the day); ``stats[p]`` adds :data:`STATS`.
    """
    n_p = first.size - 1
    for p in range(n_p):
        c0, c1 = first[p], first[p + 1]
        if c1 == c0:
            continue
        m = c1 - c0
        cap = m * max_attempts + 1
        ev_key = np.empty(cap)
        ev_val = np.empty(cap, dtype=np.int64)
        n_ev = 0
        for j in range(c0, c1):
            n_ev = _push(ev_key, ev_val, n_ev, max(ring[j], float(open_m)), j)
            attempts_out[j] = attempt[j]
        line_key = np.empty(cap)  # when each held line is free again (unordered), and the earliest
        n_line = 0
        line_min = np.inf
        n_h = 1
        for h in range(24):
            n_h = max(n_h, handlers[p, h])
        free_at = np.zeros(n_h)
        next_on = _next_on(handlers[p], n_h)
        while n_ev > 0:
            a, j = ev_key[0], ev_val[0]
            n_ev = _pop(ev_key, ev_val, n_ev)
            k = attempts_out[j]
            r = rid[j]
            attempts_out[j] = k + 1
            stats[p, 0] += 1
            if n_line > 0 and line_min <= a:  # lines freed by now: keep the others (their order does not matter)
                w = 0
                line_min = np.inf
                for q in range(n_line):
                    x = line_key[q]
                    line_key[w] = x
                    if x > a:
                        w += 1
                        line_min = min(line_min, x)
                n_line = w
            if a >= close_m or n_line >= handlers[p, min(_hour(a), 23)] + queue_positions[p]:
                stats[p, 3] += 1  # engaged (or closed)
            else:
                start, who = _earliest(free_at, handlers[p], next_on, a, close_m)
                # answered at once: any patience will do (it is >= 0), so its logarithm is not taken
                patience = 0.0 if start <= a else -np.log(uniform(seed, r, k, U_PATIENCE)) * patience_mean
                keeps = start - a > patience and start < np.inf and uniform(seed, r, k, U_CALLBACK) < callback[p]
                if start - a <= patience or keeps:
                    call = -np.log(uniform(seed, r, k, U_CALL)) * call_mean
                    free_at[who] = start + call
                    x = a if keeps else start + call
                    line_key[n_line] = x
                    n_line += 1
                    line_min = min(line_min, x)
                    stats[p, 1] += 1
                    stats[p, 4] += start - a
                    if keeps:
                        stats[p, 5] += 1
                    status[j], done_at[j], waited[j] = CALL_HANDLED, start + call, start - a
                    continue
                stats[p, 2] += 1  # hung up
                failed_at = a + patience
                line_key[n_line] = failed_at
                n_line += 1
                line_min = min(line_min, failed_at)
            if k + 1 >= max_attempts or uniform(seed, r, k, U_REDIAL) >= redial_p:
                status[j] = CALL_GAVE_UP
                continue
            if uniform(seed, r, k, U_SAME_DAY) < same_day_share:
                again = failed_at - np.log(uniform(seed, r, k, U_DELAY)) * delay_mean
                if again < close_m:
                    n_ev = _push(ev_key, ev_val, n_ev, again, j)
                    continue
            status[j] = CALL_CARRIED


@njit(cache=True)
def ring_minutes(rid, attempt, seed, hours, hour_cum):  # pragma: no cover - compiled
    """First ring of the day of contacts carried over (a redial tomorrow): an hour from the day's profile."""
    out = np.empty(rid.size)
    for i in range(rid.size):
        u = uniform(seed, rid[i], attempt[i], U_HOUR)
        h = 0
        while h < hour_cum.size - 1 and hour_cum[h] < u:
            h += 1
        out[i] = hours[h] * 60.0 + 60.0 * uniform(seed, rid[i], attempt[i], U_MINUTE)
    return out


@njit(cache=True)
def exponential_draws(rid, attempt, seed, purpose, mean):  # pragma: no cover - compiled
    """Exponential draws of mean ``mean``, one per request (its attempt and purpose): the same in every scenario."""
    out = np.empty(rid.size)
    for i in range(rid.size):
        out[i] = -np.log(uniform(seed, rid[i], attempt, purpose)) * mean
    return out


@njit(cache=True)
def other_calls(request_calls, rate, seed, day, first_id, hours, hour_cum):  # pragma: no cover - compiled
    """Calls that are not requests: Poisson(``rate`` x request calls) per practice, rung by the hourly profile.

    Returns (practice, ring minute, id) of each; ids count up from ``first_id`` and every draw is a
    hash of (seed, id, purpose), so the same day has the same other calls in every scenario where the
    request calls are the same. The Poisson count is by inversion of one hashed uniform per practice.
    """
    counts = np.zeros(request_calls.size, dtype=np.int64)
    for p in range(request_calls.size):
        mean = rate * request_calls[p]
        if mean <= 0:
            continue
        u = uniform(seed, day * 4096 + p, 15, 15)
        k, term = 0, np.exp(-mean)
        cum = term
        while u > cum and k < 100_000:
            k += 1
            term *= mean / k
            cum += term
            if term < 1e-300 and k > mean:  # beyond the mass of the distribution (large means underflow)
                break
        counts[p] = k
    n = counts.sum()
    practice = np.empty(n, dtype=np.int64)
    ring = np.empty(n)
    ids = np.empty(n, dtype=np.int64)
    j = 0
    for p in range(counts.size):
        for _ in range(counts[p]):
            i = first_id + j
            u = uniform(seed, i, 0, U_HOUR)
            h = 0
            while h < hour_cum.size - 1 and hour_cum[h] < u:
                h += 1
            practice[j], ring[j], ids[j] = p, hours[h] * 60.0 + 60.0 * uniform(seed, i, 0, U_MINUTE), i
            j += 1
    return practice, ring, ids


@njit(cache=True)
def phone_outcomes(callers, status, done_at, waited, att, n_requests, attempts, first_ok, answer_wait, progress,
                   state, gone, gave_up):  # pragma: no cover - compiled
    """Record a day's calls on their requests (other calls, ids >= ``n_requests``, leave no trace).

    Writes attempts, first-attempt success, answer wait, and ``gone`` / ``gave_up`` for those who gave
    up; returns (rids, minute) of the calls answered and (rids, attempts) of those who redial tomorrow,
    each in the order of ``callers``.
    """
    ok_rid = np.empty(callers.size, dtype=np.int64)
    ok_at = np.empty(callers.size)
    carry_rid = np.empty(callers.size, dtype=np.int64)
    carry_att = np.empty(callers.size, dtype=np.int64)
    n_ok = n_carry = 0
    for i in range(callers.size):
        r = callers[i]
        if r >= n_requests:
            continue
        attempts[r] = att[i]
        if status[i] == CALL_HANDLED:
            if att[i] == 1:
                first_ok[r] = True
            answer_wait[r] = waited[i]
            ok_rid[n_ok], ok_at[n_ok] = r, done_at[i]
            n_ok += 1
        elif status[i] == CALL_GAVE_UP:
            progress[r] = gone
            state[r] = gave_up
        elif status[i] == CALL_CARRIED:
            carry_rid[n_carry], carry_att[n_carry] = r, att[i]
            n_carry += 1
    return ok_rid[:n_ok], ok_at[:n_ok], carry_rid[:n_carry], carry_att[:n_carry]


@njit(cache=True)
def phone_calls(callers, practice, rings, before, n_practices, other_rate, day, hours, hour_cum, handlers,
                queue_positions, callback, open_m, close_m, call_mean, patience_mean, redial_p, same_day_share,
                delay_mean, max_attempts, seed, n_requests, attempts, first_ok, answer_wait, progress, state, gone,
                gave_up, stats):  # pragma: no cover - compiled
    """One working day's telephone in one call: other calls added, calls ordered, :func:`phone_day`, outcomes.

    Other calls (``other_rate`` per new request call, :func:`other_calls`) take ids from
    ``n_requests + day * 1,000,000``. Calls are served in order of practice, ring minute and position
    in the arrays (new callers first). Returns :func:`phone_outcomes`.
    """
    if other_rate > 0:
        per_practice = np.zeros(n_practices)
        for i in range(callers.size):
            if before[i] == 0:
                per_practice[practice[i]] += 1.0
        o_practice, o_ring, o_ids = other_calls(per_practice, other_rate, seed, day,
                                                n_requests + np.int64(day) * 1_000_000, hours, hour_cum)
        callers = np.concatenate((callers, o_ids))
        practice = np.concatenate((practice, o_practice))
        rings = np.concatenate((rings, o_ring))
        before = np.concatenate((before, np.zeros(o_ids.size, dtype=np.int64)))
    n = callers.size
    order, first = minute_order(rings, np.arange(n), practice, n_practices)
    callers, rings, before = callers[order], rings[order], before[order]
    status = np.zeros(n, dtype=np.int64)
    done_at, waited = np.zeros(n), np.zeros(n)
    att = np.zeros(n, dtype=np.int64)
    phone_day(first, rings, callers, before, handlers, queue_positions, callback, open_m, close_m, call_mean,
              patience_mean, redial_p, same_day_share, delay_mean, max_attempts, seed, status, done_at, waited, att,
              stats)
    return phone_outcomes(callers, status, done_at, waited, att, n_requests, attempts, first_ok, answer_wait,
                          progress, state, gone, gave_up)
