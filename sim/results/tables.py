"""Turn a finished model into tidy tables: the request ledger, the staff list and staff-days."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.destinations import DESTINATIONS
from sim.config.scenario import MODES
from sim.model.model import STATE_NAMES

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def ledger_frame(model: GPSimModel) -> pd.DataFrame:
    """One row per request: who, when, what need, where it ended (seen, dna, waiting, lost) and, if lost, where it went.

    Days are reporting days (0 = scenario start date; negative = warm-up).
    """
    R = model.requests
    w = model.cal.warm_up
    staff_role = np.array([model.role_index[s.role] for s in model.staff] + [-1], dtype=np.int16)
    staff_unit = np.array([s.unit for s in model.staff] + [-1], dtype=np.int32)
    st = model.appt_staff
    has = st >= 0
    usual = model.population.usual_gp[R.patient]
    pcn_of_practice = np.array([p.pcn for p in model.practices], dtype=np.int32)
    hub_post = np.array([s.hub_post for s in model.staff] + [False])
    at_hub = has & hub_post[st]
    if model.hub_appointment is not None:  # member-worked hub appointments now name the real clinician
        at_hub |= model.hub_appointment
    frame = pd.DataFrame({
        "request_id": np.arange(R.size, dtype=np.int64),
        "day": (R.day - w).astype(np.int32),
        "minute": R.minute,
        "patient": R.patient,
        "practice": pd.Categorical.from_codes(R.practice, [p.code for p in model.practices]),
        "pcn": pd.Categorical.from_codes(pcn_of_practice[R.practice], [p.code for p in model.pcns]),
        "need": pd.Categorical.from_codes(R.need.astype(np.int16), model.need_names),
        "urgent": R.urgent,
        "mode": pd.Categorical.from_codes(R.mode.astype(np.int16), list(MODES)),
        "lead_days": R.lead,
        "tolerance_days": R.tolerance,
        "state": pd.Categorical.from_codes(
            model.state.astype(np.int16) - 1, [STATE_NAMES[k] for k in (1, 2, 3, 4, 5, 6, 7)]),
        "appt_day": pd.arrays.IntegerArray(np.where(has, model.appt_day - w, 0).astype(np.int32), ~has),
        "wait_days": pd.arrays.IntegerArray(np.where(has, model.appt_day - R.day, 0).astype(np.int32), ~has),
        "staff": st,
        "role": pd.Categorical.from_codes(np.where(has, staff_role[st], -1), model.role_names),
        "unit": np.where(has, staff_unit[st], -1).astype(np.int32),
        "usual_gp_seen": has & (st == usual) & (usual >= 0),
        "hub": at_hub,
        "duration_minutes": model.duration,
        "queue_minutes": model.queue_minutes,
        "ltc": model.population.ltc[R.patient],
        # where each lost request went (A&E, NHS 111 ...); missing for every request that was met
        "destination": pd.Categorical.from_codes(
            model.destination if model.destination is not None else np.full(R.size, -1, dtype=np.int8),
            list(DESTINATIONS)),
    }, copy=False)  # the columns are new arrays already: no need to copy them into blocks
    return frame


def staff_frame(model: GPSimModel) -> pd.DataFrame:
    """One row per staff member: role, kind, unit, FTE, sessions, age, and whether still in post."""
    shifts: dict[int, int] = {}
    hub_minutes: dict[int, float] = {}
    for hub in model.hubs:  # hub sessions worked through a rota, counted for the clinician who worked them
        for sh in hub.worked(model):
            shifts[sh.home] = shifts.get(sh.home, 0) + 1
            hub_minutes[sh.home] = hub_minutes.get(sh.home, 0.0) + sh.minutes
    rows = []
    for s in model.staff:
        level, code = model.unit_level(s.unit)
        rows.append({"staff": s.index, "key": s.key, "role": s.role, "kind": s.kind,
                     "level": level, "unit_code": code, "fte": s.fte,
                     "sessions_per_week": s.sessions_per_week, "age": s.age,
                     "contract": s.contract or "", "active": s.active, "burnout": s.burnout,
                     "joined_day": s.joined_day - model.cal.warm_up,
                     "left_day": pd.NA if s.left_day is None else s.left_day - model.cal.warm_up,
                     "hub_shifts": shifts.get(s.index, 0), "hub_hours": hub_minutes.get(s.index, 0.0) / 60.0})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["left_day"] = frame["left_day"].astype("Int32")  # <NA>: still in post at the end
    return frame


def staff_days_frame(model: GPSimModel) -> pd.DataFrame:
    """Long table per staff member and reporting day with any activity (minutes and counts)."""
    sd = model.staff_days
    w = model.cal.warm_up
    days = slice(w, model.n_sim_days)
    offered = sd.offered_slots[:, days]
    admin = sd.admin_minutes[:, days]
    active = (offered > 0) | (admin > 0) | (sd.seen[:, days] > 0)
    s_idx, d_idx = np.nonzero(active)
    return pd.DataFrame({
        "staff": s_idx.astype(np.int32),
        "day": d_idx.astype(np.int32),
        "offered_slots": offered[s_idx, d_idx],
        "seen": sd.seen[:, days][s_idx, d_idx],
        "dna": sd.dna[:, days][s_idx, d_idx],
        "clinical_minutes": sd.clinical_minutes[:, days][s_idx, d_idx],
        "overtime_minutes": sd.overtime_minutes[:, days][s_idx, d_idx],
        "admin_minutes": admin[s_idx, d_idx],
        "session_minutes": sd.session_minutes[:, days][s_idx, d_idx],
    })


def events_frame(model: GPSimModel) -> pd.DataFrame:
    """Workforce events (joined, retired, left, recruited, reduced or added sessions), reporting days."""
    cols = ["day", "staff", "role", "unit", "event", "fte"]
    if not model.events:
        return pd.DataFrame(columns=cols)
    ev = pd.DataFrame(model.events)[cols]
    ev["day"] = ev["day"] - model.cal.warm_up
    return ev.sort_values(["day", "staff"], kind="stable").reset_index(drop=True)


def fte_by_month(staff: pd.DataFrame, start: dt.date, horizon_days: int) -> pd.DataFrame:
    """FTE in post by role at the start of each month of the horizon (level lgpo); GP trainees as 'GP trainee'."""
    rows = []
    first = dt.date(start.year, start.month, 1)
    month = first
    while (month - start).days < horizon_days:
        day = max(0, (month - start).days)
        left = staff["left_day"].to_numpy(dtype=float, na_value=np.inf)
        in_post = (staff["joined_day"].to_numpy() <= day) & (left > day)
        # GP specialty trainees apart from qualified GPs (NHS Digital's fully qualified GP FTE excludes them)
        role_of = staff["role"].where(staff.get("contract", "") != "trainee", "GP trainee")
        for role, fte in staff[in_post].groupby(role_of[in_post])["fte"].sum().items():
            rows.append({"month": month, "role": role, "fte": float(fte)})
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return pd.DataFrame(rows, columns=["month", "role", "fte"])
