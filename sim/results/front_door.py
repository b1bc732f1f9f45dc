"""Summary rows of the front door: what the simulated telephone queue, online forms and desk did.

Only when the scenario has a ``front_door:`` block (none of these rows otherwise). Calls count on
the day they were made in the reporting horizon (request calls, their redials and other calls);
contacts count by the day of the request. Time to answer is over answered calls; the first-attempt
share is of requests whose first channel was the telephone (GP Patient Survey 2023: 49.8% found it
easy to get through by phone, the nearest published figure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.front_door import CHANNELS
from sim.config.front_door_interventions import NAVIGATION_TARGETS
from sim.model.states import GAVE_UP, NAVIGATED, RESOLVED, STATE_NAMES

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

PHONE = CHANNELS.index("telephone")


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, scale * num / np.maximum(den, 1e-12), np.nan)


def front_door_rows(model: GPSimModel, rows_by_practice) -> list[tuple]:
    """Rows (level, unit, metric, value) of the front door for practices, PCNs and the area."""
    fd = model.front_door
    if fd is None:
        return []
    w, n_d = model.cal.warm_up, model.n_sim_days
    n_p = len(model.practices)
    R = model.requests
    stats = fd.stats[w:n_d].sum(axis=0)  # (practice, STATS)
    attempts, answered, abandoned, engaged, waited = (stats[:, k] for k in range(5))
    rep = slice(*np.searchsorted(R.day, [w, n_d]))  # requests are in day order: the horizon's are a slice
    practice = R.practice[rep].astype(np.int64)

    def count(mask: np.ndarray) -> np.ndarray:
        """Requests of the horizon where ``mask`` holds, per practice (floats)."""
        return np.bincount(practice[mask], minlength=n_p).astype(float)

    def by_code(code: np.ndarray, n_codes: int) -> np.ndarray:
        """(practice, code) counts of the horizon's requests (floats), every code in one pass."""
        return np.bincount(practice * n_codes + code, minlength=n_p * n_codes).reshape(n_p, n_codes).astype(float)

    states = by_code(model.state[rep], len(STATE_NAMES))
    channels = by_code(fd.channel[rep], len(CHANNELS))
    requests = channels.sum(axis=1)
    gave_up = states[:, GAVE_UP]
    phoned = channels[:, PHONE]
    first_ok = count((fd.channel[rep] == PHONE) & fd.first_ok[rep])
    rows: list[tuple] = []

    def add(metric: str, num: np.ndarray, den: np.ndarray | None = None, scale: float = 1.0) -> None:
        """Practice values, and sums (or sum / sum) for PCNs and the area."""
        if den is None:
            rows.extend(rows_by_practice(model, metric, num))
            return
        rows.extend((lv, unit, metric, value) for lv, unit, value in _rolled_ratio(model, num, den, scale))

    add("calls_per_1000_week", attempts * 7.0 / model.scenario.horizon_days, _lists(model), 1000.0)
    add("time_to_answer_minutes", waited, answered)
    add("calls_abandoned_pct", abandoned, attempts, 100.0)
    add("calls_engaged_pct", engaged, attempts, 100.0)
    add("first_attempt_pct", first_ok, phoned, 100.0)
    add("contacts_gave_up", gave_up)
    add("gave_up_pct", gave_up, requests, 100.0)
    add("online_over_cap", count(fd.redirected[rep]))
    if any(iv.type == "total_triage" for iv in model.scenario.interventions):
        resolved = states[:, RESOLVED]
        add("resolved_at_triage", resolved)
        add("resolved_at_triage_pct", resolved, requests, 100.0)
        add("gp_triage_hours_per_week", fd.triage_record[w:n_d].sum(axis=0) / 60.0 * 7.0 / model.scenario.horizon_days)
    if any(iv.type == "care_navigation" for iv in model.scenario.interventions):
        navigated = states[:, NAVIGATED]
        add("navigated", navigated)
        add("navigated_pct", navigated, requests, 100.0)
        to = by_code(fd.navigated_to[rep].astype(np.int64) + 1, len(NAVIGATION_TARGETS) + 1)  # -1: not navigated
        for k, name in enumerate(NAVIGATION_TARGETS):
            add(f"navigated_to:{name}", to[:, k + 1])
        if any(getattr(iv, "team_shares", None) for iv in model.scenario.interventions):
            add("booked_with_team", count(fd.to_team[rep]))
    if fd.cfg.out_of_hours is not None:
        add("referred_by_111", count(fd.referred_111[rep]))
    for k, name in enumerate(CHANNELS):
        add(f"requests_channel:{name}", channels[:, k])
    return rows


def _lists(model: GPSimModel) -> np.ndarray:
    """Registered patients per practice (the denominator of per-1,000 rates)."""
    return np.array([p.list_size for p in model.practices], dtype=float)


def _rolled_ratio(model: GPSimModel, num: np.ndarray, den: np.ndarray, scale: float) -> list[tuple]:
    """(level, unit, value) of scale x num / den per practice, and of the sums for PCNs and the area."""
    out = [("practice", p.code, float(_ratio(num[p.index], den[p.index], scale))) for p in model.practices]
    for pcn in model.pcns:
        out.append(("pcn", pcn.code, float(_ratio(num[pcn.practices].sum(), den[pcn.practices].sum(), scale))))
    out.append(("lgpo", model.lgpo.code, float(_ratio(num.sum(), den.sum(), scale))))
    return out
