"""Summary rows that come from the model's own records rather than the ledger.

Capacity shortfall (days a practice runs below 75% of planned capacity), GP correspondence and
supervision hours, the simulated back office (sim.results.back_office), and workforce movements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.results.back_office import back_office_rows
from sim.results.closure_outcomes import closure_rows
from sim.results.front_door import front_door_rows
from sim.results.outcomes import unit_of
from sim.results.workforce_outcomes import workforce_rows

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

def _rows_by_practice(model: GPSimModel, metric: str, per_practice: np.ndarray, how: str = "sum") -> list[tuple]:
    rows = []
    for p in model.practices:
        rows.append(("practice", p.code, metric, float(per_practice[p.index])))
    for pcn in model.pcns:
        vals = per_practice[pcn.practices]
        rows.append(("pcn", pcn.code, metric, float(vals.sum() if how == "sum" else vals.mean())))
    rows.append(("lgpo", model.lgpo.code, metric,
                 float(per_practice.sum() if how == "sum" else per_practice.mean())))
    return rows


def extra_summary(model: GPSimModel) -> pd.DataFrame:
    """Rows (level, unit, metric, value, units) to append to the run summary."""
    w = model.cal.warm_up
    days = slice(w, model.n_sim_days)
    weeks = model.scenario.horizon_days / 7.0
    n_p = len(model.practices)
    sd = model.staff_days
    rows: list[tuple] = []

    planned = model.planned_slots[:, days]
    offered = np.zeros_like(planned)
    for p in model.practices:
        if p.staff:
            offered[p.index] = sd.offered_slots[p.staff, days].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        short = (planned > 0) & (offered < 0.75 * planned)
    rows += _rows_by_practice(model, "days_below_75pct_capacity", short.sum(axis=1), how="mean")

    unit_of_staff = np.array([s.unit for s in model.staff])
    corr = np.zeros(n_p)
    sup = np.zeros(n_p)
    for p in model.practices:
        mine = unit_of_staff == p.index
        corr[p.index] = sd.correspondence_minutes[mine, days].sum() / 60.0 / weeks
        sup[p.index] = sd.supervision_minutes[mine, days].sum() / 60.0 / weeks
    rows += _rows_by_practice(model, "gp_correspondence_hours_per_week", corr)
    rows += _rows_by_practice(model, "gp_supervision_hours_per_week", sup)

    rows += back_office_rows(model, _rows_by_practice)
    rows += front_door_rows(model, _rows_by_practice)

    # workforce movements over the reporting horizon, FTE and burnout at the end (sim.results.workforce_outcomes)
    rows += workforce_rows(model)
    rows += closure_rows(model)  # only when workforce.closures is enabled (sim.results.closure_outcomes)
    ev = [e for e in model.events if e["day"] >= w]
    rows.append(("lgpo", model.lgpo.code, "sessions_cut",
                 float(sum(e["fte"] for e in ev if e["event"] == "reduced_sessions"))))
    out = pd.DataFrame(rows, columns=["level", "unit", "metric", "value"])
    out["units"] = out["metric"].map(unit_of)
    return out
