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


def _flows(model: GPSimModel, census_days: np.ndarray) -> dict[tuple[int, str, str], np.ndarray]:
    """Joiners, leavers by reason and posts ended per (census period, unit code, role), people only.

    Read from each person's joining and leaving days, so that a role's headcount at one census
    equals the one before plus joiners, less leavers and posts ended, exactly. Counts in FLOWS order.
    """
    rota = {p.agent for hub in model.hubs if hub.member for p in hub.posts}
    why = {e["staff"]: e["event"] for e in model.events if e["day"] >= census_days[0]}  # last event wins
    first, last = int(census_days[0]), int(census_days[-1])
    column = {name: j for j, name in enumerate(FLOWS)}
    leavers = column["leavers"]
    out: dict[tuple[int, str, str], np.ndarray] = {}

    def add(day: int, code: str, role: str, what: str) -> None:
        period = int(census_days[np.searchsorted(census_days, day, side="right") - 1])
        row = out.setdefault((period, code, role), np.zeros(len(FLOWS), dtype=np.int64))
        row[column[what]] += 1
        if what.startswith("leavers_"):
            row[leavers] += 1

    for s in model.staff:
        if s.cover_post or s.hub_post or s.index in rota:
            continue
        code = model.unit_level(s.unit)[1]
        if first <= s.joined_day < last and s.joined_day > 0:
            add(s.joined_day, code, role_label(s), "joiners")
        if s.left_day is not None and first <= s.left_day < last:
            reason = why.get(s.index, "")
            add(s.left_day, code, role_label(s), f"leavers_{reason}" if reason in LEAVING_EVENTS else "posts_ended")
    return out


def staff_by_month(model: GPSimModel) -> pd.DataFrame:
    """The monthly staff table of a finished run, at practice, PCN and LGPO level (see the module doc).

    The census rows and the flows are joined per (day, unit code, role) in sorted key order, then
    each row counts once for every unit of a level that includes its unit code: whole-number columns
    summed with one ``np.bincount``, FTE with pandas' (compensated) group sum over the rows in the
    same order as before, so the table is the same to the last bit; a dict and a few arrays rather
    than a crosstab, an outer merge and a grouping on four string columns.
    """
    if not model.census:
        return pd.DataFrame(columns=STAFF_MONTH_COLUMNS)
    days = np.unique(np.array([c["day"] for c in model.census], dtype=np.int64))
    flows = _flows(model, days)
    stock: dict[tuple[int, str, str], tuple[float, ...]] = {}
    for c in model.census:
        stock[(int(c["day"]), c["unit"], c["role"])] = tuple(float(c[k]) for k in STOCKS)
    keys = sorted(stock.keys() | flows.keys())  # the outer join's key order
    none = np.zeros(len(FLOWS), dtype=np.int64)
    stocks = np.array([stock.get(k, (0.0,) * len(STOCKS)) for k in keys], dtype=np.float64).reshape(-1, len(STOCKS))
    counts = np.array([flows.get(k, none) for k in keys], dtype=np.int64).reshape(-1, len(FLOWS))
    units = units_of_levels(model)
    member: dict[str, list[int]] = {}
    for k, (_, _, codes) in enumerate(units):
        for c in codes:
            member.setdefault(c, []).append(k)
    # one output group per (day, unit of a level, role): each key row repeated once per unit that counts it
    group: dict[tuple[int, int, str], int] = {}
    row_of, group_of = [], []
    for i, (day, code, role) in enumerate(keys):
        for k in member.get(code, ()):
            row_of.append(i)
            group_of.append(group.setdefault((day, k, role), len(group)))
    rows = np.array(row_of, dtype=np.int64)
    gid = np.array(group_of, dtype=np.int64)
    n = len(group)
    whole = {name: np.bincount(gid, weights=stocks[rows, j], minlength=n).astype(np.int64)
             for j, name in enumerate(STOCKS) if name in ("headcount", "vacancies")}
    fte = pd.DataFrame({"fte": stocks[rows, 1], "vacancy_fte": stocks[rows, 3]}).groupby(gid, sort=True).sum()
    flow_sums = [np.bincount(gid, weights=counts[rows, j], minlength=n).astype(np.int64) for j in range(len(FLOWS))]
    level_rank = {"practice": 0, "pcn": 1, "lgpo": 2}
    order = sorted(group, key=lambda g: (g[0], level_rank[units[g[1]][0]], units[g[1]][1], g[2]))
    pick = np.array([group[g] for g in order], dtype=np.int64)
    w = model.cal.warm_up
    end = model.cal.dates[w] + pd.Timedelta(days=model.n_sim_days - w)
    out = {
        "date": [model.cal.dates[d] if d < model.n_sim_days else end for d, _, _ in order],
        "level": [units[k][0] for _, k, _ in order],
        "unit": [units[k][1] for _, k, _ in order],
        "role": [r for _, _, r in order],
        "headcount": whole["headcount"][pick],
        "fte": fte["fte"].to_numpy()[pick],
        "vacancies": whole["vacancies"][pick],
        "vacancy_fte": fte["vacancy_fte"].to_numpy()[pick],
        **{name: flow_sums[j][pick] for j, name in enumerate(FLOWS)},
    }
    return pd.DataFrame(out, columns=STAFF_MONTH_COLUMNS)


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
