"""A joiner's days already open in the book, put in it at once (the day cycle opens everyone else's day by day).

:func:`open_joiner_days` does for one clinician and many days what ``daycycle._open_slots`` does for
many clinicians and one day, with the same arithmetic, so a recruit joining mid-run costs a few array
operations rather than a few for each day of the book already open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def open_joiner_days(model: GPSimModel, s: int, days: np.ndarray, slots: np.ndarray, worked: np.ndarray) -> None:
    """Put clinician ``s``'s ``slots`` on ``days`` (distinct, ascending) in the book, as daycycle._open_slots does."""
    sdays, table, lv = model.staff_days, model.staff_table(), model.levers
    if lv.walk_in_staff and s in lv.walk_in_staff:  # a walk-in hub clinician: capacity serves the queue
        sdays.offered_slots[s, days] = slots
        sdays.session_minutes[s, days] = worked
        return
    share = float(table["share"][s])
    if lv.hub_same_day_share:
        share = lv.hub_same_day_share.get(s, share)
    same_day = np.round(slots * np.float64(share)).astype(np.int64)
    walk_in = bool(model.walk_in_practices.any() and table["unit"][s] < model.walk_in_practices.size
                   and model.walk_in_practices[table["unit"][s]])
    if walk_in:  # at a walk-in practice the same-day slots become minutes of walk-in service
        for t, n_same in zip(days.tolist(), same_day.tolist(), strict=True):
            model.walk_in_budget[(s, t)] = n_same * float(table["slot"][s])
    g = model.diaries
    rd = g.staff_rd[s]
    sd = (np.zeros_like(same_day) if walk_in else same_day).astype(np.int32)
    rt = (slots - same_day).astype(np.int32)
    g.free_sd[s, days] += sd
    g.free_rt[s, days] += rt
    g.cap_sd[rd, days] += sd
    g.cap_rt[rd, days] += rt
    limit = table["limit"][s]
    if limit:  # duty extras up to the safe working limit of contacts a day, slots included
        g.extras[s, days] = np.maximum(0, limit - slots)
    sdays.offered_slots[s, days] = slots
    sdays.session_minutes[s, days] = worked
