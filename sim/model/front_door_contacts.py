"""A working day's new contacts at the front door, split by channel in one compiled call.

In person: handled at the desk on arrival (from opening). Online: the practice's daily cap (forms
in order of arrival, evening and weekend forms first; beyond the cap the patient phones), then
processing a hashed exponential number of working minutes after arrival (from opening); a form not
processed by closing is processed the next working day. Telephone: today's new callers, forms over
the cap and yesterday's redials ring the lines (:func:`sim.model.front_door_queue.phone_calls`).
Called by :func:`sim.model.front_door.front_door_day`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.front_door_queue import exponential_draws, ring_minutes
from sim.model.front_door_sort import minute_order


@njit(cache=True)
def _capped(online, sent, r_practice, n_practices, cap, lists):  # pragma: no cover - compiled
    """Forms in order of (practice, sent, arrival) and which are over the practice's daily cap."""
    order, first = minute_order(sent, np.arange(online.size), r_practice[online].astype(np.int64), n_practices)
    online, sent = online[order], sent[order]
    over = np.zeros(online.size, dtype=np.bool_)
    for i in range(online.size):
        p = r_practice[online[i]]
        over[i] = (i - first[p]) >= np.floor(cap * lists[p] / 1000.0)
    return online, sent, over


@njit(cache=True)
def contacts_today(first, last, channel, out_of_hours, r_minute, r_practice, n_practices, cap, lists,
                   carried, carried_att, seed, hours, hour_cum, open_m, close_m, online_mean, online_purpose,
                   phone, online_ch, desk_ch):  # pragma: no cover - compiled
    """Today's new requests ``first`` .. ``last - 1`` (and the redials ``carried``) by channel.

    ``cap``: forms a day per 1,000 patients (negative: no cap), ``lists`` the practices' list sizes.
    Returns (desk rids, minute), (online rids, minute processed), (online rids, minute tomorrow) of
    the forms processed the next working day, the rids of forms over the cap, and the callers'
    (rids, first ring, attempts before today): new callers, forms over the cap, then redials.
    """
    n = last - first
    new = np.arange(first, last)
    ch = channel[first:last]
    n_desk = n_online = n_phone = 0
    for i in range(n):
        if ch[i] == desk_ch:
            n_desk += 1
        elif ch[i] == online_ch:
            n_online += 1
        elif ch[i] == phone:
            n_phone += 1
    desk, desk_at = np.empty(n_desk, dtype=np.int64), np.empty(n_desk)
    online, sent = np.empty(n_online, dtype=np.int64), np.empty(n_online)
    callers_new, rings_new = np.empty(n_phone, dtype=np.int64), np.empty(n_phone)
    k_desk = k_online = k_phone = 0
    for i in range(n):
        r, m = new[i], float(r_minute[first + i])
        if ch[i] == desk_ch:
            desk[k_desk], desk_at[k_desk] = r, max(m, open_m)
            k_desk += 1
        elif ch[i] == online_ch:
            online[k_online], sent[k_online] = r, -1.0 if out_of_hours[r] else m
            k_online += 1
        elif ch[i] == phone:
            callers_new[k_phone], rings_new[k_phone] = r, m
            k_phone += 1
    if cap >= 0 and online.size:
        online, sent, over = _capped(online, sent, r_practice, n_practices, cap, lists)
        redirected, redirected_at = online[over], np.maximum(sent[over], open_m)
        online, sent = online[~over], sent[~over]
    else:
        redirected, redirected_at = np.zeros(0, dtype=np.int64), np.zeros(0)
    done = np.maximum(sent, open_m) + exponential_draws(online, 0, seed, online_purpose, online_mean)
    late = done >= close_m
    callers = np.concatenate((callers_new, redirected, carried))
    rings = np.concatenate((rings_new, redirected_at, ring_minutes(carried, carried_att, seed, hours, hour_cum)))
    before = np.concatenate((np.zeros(callers.size - carried.size, dtype=np.int64), carried_att))
    return (desk, desk_at, online[~late], done[~late], online[late], open_m + done[late] - close_m, redirected,
            callers, rings, before)
