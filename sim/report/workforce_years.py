"""Workforce year by year for the report and the workbook, from each replication's monthly staff table.

Per scenario and year of the horizon (whole area): FTE and vacancies as the year begins, joiners
and leavers during it, mean over replications. The run's last census closes the final row ("end").
"""

from __future__ import annotations

import pandas as pd

__all__ = ["workforce_by_year", "workforce_year_table"]

FLOW_COLS = ("joiners", "leavers")
STOCK_COLS = ("fte", "vacancies")


def _year_of(dates: pd.Series, start: pd.Timestamp) -> pd.Series:
    """0-based year of the horizon each date falls in (year k starts k calendar years after ``start``)."""
    years = dates.dt.year - start.year
    before = (dates.dt.month < start.month) | ((dates.dt.month == start.month) & (dates.dt.day < start.day))
    return years - before.astype(int)


def workforce_by_year(staff_month: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """Long table: scenario, year, role, FTE and vacancies at the year's start, joiners and leavers in it.

    A last row per scenario whose ``end`` is true holds the stocks after the last day (no flows).

    ``staff_month``: monthly staff tables with ``scenario`` and ``replication`` columns (LGPO rows used).
    Means over replications; a role missing from a replication's census counts as zero there.
    """
    cols = ["scenario", "year", "from", "role", *STOCK_COLS, *FLOW_COLS]
    if staff_month is None or staff_month.empty:
        return pd.DataFrame(columns=cols)
    t = staff_month[staff_month["level"] == "lgpo"].copy()
    t["date"] = pd.to_datetime(t["date"])
    start = pd.Timestamp(start)
    t["year"] = _year_of(t["date"], start)
    last = t["date"].max()
    n = t.groupby("scenario")["replication"].nunique()
    first = t.groupby(["scenario", "replication", "year"])["date"].transform("min")
    stocks = t[t["date"] == first].groupby(["scenario", "year", "role"])[list(STOCK_COLS)].sum()
    flows = t.groupby(["scenario", "year", "role"])[list(FLOW_COLS)].sum()
    out = stocks.join(flows, how="outer").fillna(0.0).reset_index()
    reps = out["scenario"].map(n)
    for c in (*STOCK_COLS, *FLOW_COLS):
        out[c] = out[c] / reps
    starts = t.groupby(["scenario", "year"])["date"].min().rename("from").reset_index()
    out = out.merge(starts, on=["scenario", "year"])
    out["end"] = out["from"] == last  # only the census after the last day: the stocks at the end
    out["from"] = out["from"].dt.date
    out["year"] = out["year"] + 1
    return out[[*cols, "end"]]


def workforce_year_table(by_year: pd.DataFrame, order: list[str], key_role: str = "GP") -> pd.DataFrame:
    """The report's table: one row per scenario and year, the key role's stocks and flows and all staff's."""
    if by_year.empty:
        return pd.DataFrame()
    rows = []
    for name in order:
        mine = by_year[by_year["scenario"] == name]
        for year, g in mine.groupby("year", sort=True):
            key = g[g["role"] == key_role]
            label = "end" if bool(g["end"].iloc[0]) else f"year {year}"
            rows.append({"Scenario": name, "Year": label, "From": g["from"].iloc[0].isoformat(),
                         f"{key_role} FTE": key["fte"].sum(), f"{key_role} vacancies": key["vacancies"].sum(),
                         f"{key_role} joiners": key["joiners"].sum(), f"{key_role} leavers": key["leavers"].sum(),
                         "All staff FTE": g["fte"].sum(), "All joiners": g["joiners"].sum(),
                         "All leavers": g["leavers"].sum()})
    return pd.DataFrame(rows)
