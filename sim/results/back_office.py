"""Summary rows of the back office: what the simulated admin tasks and admin staff did (no sizing formulas).

Tasks arriving in the reporting horizon count; hours are the minutes recorded per practice and day
by :mod:`sim.model.back_office` over the horizon, per week. Each pooling mechanism has its own row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.back_office import DONE, WAITING
from sim.model.back_office_queue import task_tables
from sim.model.units import FULL_TIME_HOURS_PER_WEEK

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

WEEKS_PER_YEAR = 52.0
HOURS_ROWS = {  # metric -> record summed (minutes per practice and day)
    "admin_hours_per_week": ("busy",),
    "admin_overtime_hours_per_week": ("overtime",),
    "admin_hours_saved_specialisation_per_week": ("spec_saved",),
    "admin_hours_saved_shared_functions_per_week": ("shared_saved",),
    "admin_hours_handoffs_per_week": ("handoff_added",),
    "admin_hours_transition_per_week": ("dip_added", "setup"),
    "coordinator_hours_per_week": ("coordinator",),
}


def back_office_rows(model: GPSimModel, rows_by_practice) -> list[tuple]:
    """Rows (level, unit, metric, value) of the back office for practices, PCNs and the area."""
    st = model.back_office
    if st is None:
        return []
    w, n_d = model.cal.warm_up, model.n_sim_days
    weeks = model.scenario.horizon_days / 7.0
    n_p = len(model.practices)
    rec = st.records
    rows: list[tuple] = []
    for metric, names in HOURS_ROWS.items():
        minutes = sum(rec[x][w:n_d].sum(axis=0) for x in names)
        rows += rows_by_practice(model, metric, minutes / 60.0 / weeks)
    cash = np.zeros(n_p, dtype=bool)
    reception = np.zeros(n_p, dtype=bool)
    for pool in st.pools:
        cash[list(pool.practices)] |= pool.redeploy == "cash"
        reception[list(pool.practices)] |= pool.redeploy == "reception"
    released = rec["released"][w:n_d].sum(axis=0) / 60.0 / weeks  # hours a week taken off the back office
    rows += rows_by_practice(model, "reception_hours_added_per_week", np.where(reception, released, 0.0))
    cost_per_hour = model.scenario.admin.admin_cost_per_fte_year_gbp / (FULL_TIME_HOURS_PER_WEEK * WEEKS_PER_YEAR)
    rows += rows_by_practice(model, "admin_cash_saved_gbp_year",
                             np.where(cash, released, 0.0) * WEEKS_PER_YEAR * cost_per_hour)
    working = model.cal.is_working_day[w:n_d]
    rows += rows_by_practice(model, "admin_backlog_mean", rec["backlog"][w:n_d][working].mean(axis=0)
                             if working.any() else np.zeros(n_p))
    rows += rows_by_practice(model, "admin_backlog_at_end", np.bincount(
        st.practice[st.state == WAITING], minlength=n_p).astype(float))
    # paid admin hours: admin staff's working time (staff-days), less hours cut for cash, plus overtime
    sd = model.staff_days
    paid = np.zeros(n_p)
    for p in model.practices:
        admins = [s for s in p.staff if model.staff[s].kind == "admin"]
        paid[p.index] = sd.admin_minutes[admins, w:n_d].sum() / 60.0 / weeks if admins else 0.0
    paid += (rec["overtime"][w:n_d].sum(axis=0) / 60.0 / weeks) - np.where(cash, released, 0.0)
    lists = np.array([p.list_size for p in model.practices], dtype=float)
    for level, code, members in _units(model):
        tot = lists[members].sum()
        cost = paid[members].sum() * WEEKS_PER_YEAR * cost_per_hour
        rows.append((level, code, "admin_cost_per_10k_gbp_year", float(cost / tot * 10_000) if tot else np.nan))
    tables = _task_tables(model)
    rows += _turnaround(model, tables, "admin_turnaround_working_days", None)
    rows += _turnaround(model, tables, "repeat_prescriptions_in_target_pct", "repeat_prescription")
    rows += _turnaround(model, tables, "correspondence_in_target_pct", "clinical_correspondence")
    return rows


def _units(model: GPSimModel) -> list[tuple[str, str, list[int]]]:
    """(level, code, member practices) of every practice, PCN and the area."""
    out = [("practice", p.code, [p.index]) for p in model.practices]
    out += [("pcn", pc.code, list(pc.practices)) for pc in model.pcns]
    return [*out, ("lgpo", model.lgpo.code, list(range(len(model.practices))))]


def _task_tables(model: GPSimModel) -> dict[str, np.ndarray]:
    """(practice, kind) tables of tasks arriving in the horizon: done, working days taken, due, due and in target."""
    st = model.back_office
    t = task_tables(st.practice, st.kind, st.state, st.took, st.arrival, st.day_first, model.cal.warm_up,
                    model.n_sim_days, st.working_before, st.target_days.astype(np.float64), len(model.practices), DONE)
    return {"done": t[0], "took": t[1], "due": t[2], "in_target": t[3]}


def _turnaround(model: GPSimModel, tables: dict[str, np.ndarray], metric: str, kind: str | None) -> list[tuple]:
    """Mean turnaround in working days (all tasks), or the share of ``kind`` done within target, per unit."""
    st = model.back_office
    if kind is None:
        num, den, scale = tables["took"].sum(axis=1), tables["done"].sum(axis=1), 1.0
    elif kind in st.kind_names:
        k = st.kind_names.index(kind)
        num, den, scale = tables["in_target"][:, k], tables["due"][:, k], 100.0
    else:
        return []
    return [(level, code, metric, float(num[m].sum() / den[m].sum() * scale) if den[m].sum() else np.nan)
            for level, code, m in _units(model)]
