"""The monthly staff table: stocks (headcount, FTE, vacancies) and flows (joiners, leavers by reason, posts ended).

One row per month start of the reporting horizon (and one for the end), level (practice, PCN, LGPO),
unit and role. Stocks come from the model's census (``sim.model.census``); flows count the
workforce events from that census day up to the next. A PCN's rows include its practices' staff and
its own posts; the LGPO's include everyone, as in the workforce outcomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model.census import role_label
from sim.results.workforce_outcomes import LEAVING_EVENTS, units_of_levels

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

__all__ = ["STAFF_MONTH_COLUMNS", "staff_by_month", "staff_month_mean"]

STOCKS = ("headcount", "fte", "vacancies", "vacancy_fte")
FLOWS = ("joiners", "leavers", *(f"leavers_{r}" for r in LEAVING_EVENTS), "posts_ended")
STAFF_MONTH_COLUMNS = ["date", "level", "unit", "role", *STOCKS, *FLOWS]


def _flows(model: GPSimModel, census_days: np.ndarray) -> pd.DataFrame:
    """Joiners, leavers by reason and posts ended per (census period, unit code, role), people only.

    Read from each person's joining and leaving days, so that a role's headcount at one census
    equals the one before plus joiners, less leavers and posts ended, exactly.
    """
    rota = {p.agent for hub in model.hubs if hub.member for p in hub.posts}
    why = {e["staff"]: e["event"] for e in model.events if e["day"] >= census_days[0]}  # last event wins
    rows = []
    for s in model.staff:
        if s.cover_post or s.hub_post or s.index in rota:
            continue
        code = model.unit_level(s.unit)[1]
        if census_days[0] <= s.joined_day < census_days[-1] and s.joined_day > 0:
            rows.append((s.joined_day, code, role_label(s), "joiners"))
        if s.left_day is not None and census_days[0] <= s.left_day < census_days[-1]:
            reason = why.get(s.index, "")
            rows.append((s.left_day, code, role_label(s), f"leavers_{reason}" if reason in LEAVING_EVENTS
                         else "posts_ended"))
    cols = ["period", "unit", "role", *FLOWS]
    if not rows:
        return pd.DataFrame(columns=cols)
    f = pd.DataFrame(rows, columns=["day", "unit", "role", "what"])
    f["period"] = census_days[np.searchsorted(census_days, f["day"].to_numpy(), side="right") - 1]
    counts = pd.crosstab([f["period"], f["unit"], f["role"]], f["what"]).reindex(columns=list(FLOWS), fill_value=0)
    counts["leavers"] = counts[[f"leavers_{r}" for r in LEAVING_EVENTS]].sum(axis=1)
    return counts.reset_index()[cols]


def _roll_up(by_unit: pd.DataFrame, units: list[tuple[str, str, set[str]]]) -> pd.DataFrame:
    """Rows of ``by_unit`` summed per (day, level, unit, role) over the unit codes each level's unit counts.

    One grouping of every row repeated once per unit that counts it (in place, so each group adds its
    rows in their order here, as one grouping per unit did): a borough has sixty units.
    """
    member: dict[str, list[int]] = {}
    for k, (_, _, codes) in enumerate(units):
        for c in codes:
            member.setdefault(c, []).append(k)
    of_row = [member.get(c, []) for c in by_unit["unit"]]
    rows = np.repeat(np.arange(len(by_unit)), [len(m) for m in of_row])
    which = np.array([k for m in of_row for k in m], dtype=np.int64)
    long = by_unit.drop(columns="unit").take(rows).reset_index(drop=True)
    long.insert(1, "level", np.array([lv for lv, _, _ in units], dtype=object)[which])
    long.insert(2, "unit", np.array([c for _, c, _ in units], dtype=object)[which])
    return long.groupby(["day", "level", "unit", "role"], as_index=False, sort=False).sum()


def staff_by_month(model: GPSimModel) -> pd.DataFrame:
    """The monthly staff table of a finished run, at practice, PCN and LGPO level (see the module doc)."""
    census = pd.DataFrame(model.census, columns=["day", "unit", "role", *STOCKS])
    if census.empty:
        return pd.DataFrame(columns=STAFF_MONTH_COLUMNS)
    days = np.unique(census["day"].to_numpy())
    flows = _flows(model, days).rename(columns={"period": "day"})
    by_unit = census.merge(flows, on=["day", "unit", "role"], how="outer").fillna(0)
    out = _roll_up(by_unit, units_of_levels(model))
    w = model.cal.warm_up
    out["date"] = [model.cal.dates[int(d)] for d in out["day"]]
    out.loc[out["day"] >= model.n_sim_days, "date"] = model.cal.dates[w] + pd.Timedelta(days=model.n_sim_days - w)
    count_cols = ["headcount", "vacancies", *FLOWS]
    out[count_cols] = out[count_cols].astype(int)
    level_order = {"practice": 0, "pcn": 1, "lgpo": 2}
    out = out.sort_values(["day", "level", "unit", "role"], key=lambda s: s.map(level_order) if s.name == "level"
                          else s, kind="stable")
    return out[STAFF_MONTH_COLUMNS].reset_index(drop=True)


def staff_month_mean(tables: pd.DataFrame) -> pd.DataFrame:
    """Mean over replications of the monthly staff table per scenario, date, level, unit and role.

    ``tables``: the staff tables of several replications with ``scenario`` and ``replication``
    columns. A (unit, role) row missing from a replication counts as zero there.
    """
    keys = ["scenario", "date", "level", "unit", "role"]
    values = [c for c in STAFF_MONTH_COLUMNS if c not in keys]
    n = tables.groupby("scenario")["replication"].nunique()
    total = tables.groupby(keys, as_index=False, sort=False)[values].sum()
    total[values] = total[values].div(total["scenario"].map(n), axis=0)
    return total[keys + values]
