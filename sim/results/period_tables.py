"""The daily, weekly and monthly outcome tables of a run, built from arrays: tidy_metrics' table, faster.

The same table as :func:`sim.results.metrics.tidy_metrics` (rows, order, values and types) at a
fraction of its cost. ``tidy_metrics`` builds an access frame and a workload frame, derives rates as new columns, melts
each into long form, concatenates and sorts, so every one of the table's rows (118,000 for a
one-year daily table of the small area) is made several times over as pandas objects: a sixth of a
one-year ``gpsim run``. Here each metric is a numpy column over its (date, level, unit) rows, the
rows carry integer codes for date, level, unit and metric, one ``np.lexsort`` orders them as
``sorted_long`` does (date, level, unit, metric; each key occurs once), and the text columns are
taken from their few labels at the end. Every value comes from the same floating-point operations
in the same order as in ``tidy_metrics``; the role sums keep pandas' own ``groupby().sum()``
(compensated summation), so the tables and their Parquet files are byte-identical (a unit test
compares the two on every period).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.results.ledger_codes import LedgerCodes
from sim.results.metrics import Organisation, access_columns, workload_counts

__all__ = ["period_table"]

#: access_columns' columns that are summed for the rates below but not reported themselves
_NOT_REPORTED = ("wait_days_sum", "usual_gp_seen")
#: workload columns summed over roles for each (date, level, unit), as tidy_metrics sums them
_SUMMED = ["offered_slots", "booked_slots", "clinical_minutes", "overtime_minutes", "admin_minutes"]


class _Rows:
    """Long-table rows accumulated block by block: date (days since epoch), level, unit, metric codes, value."""

    def __init__(self) -> None:
        self.labels: dict[str, dict[str, int]] = {"level": {}, "unit": {}, "metric": {}}
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def code(self, kind: str, values: list[str] | pd.Series) -> np.ndarray:
        """Integer codes of ``values`` among this table's ``kind`` labels (new labels added)."""
        table = self.labels[kind]
        codes, uniques = pd.factorize(np.asarray(values, dtype=object) if isinstance(values, list) else values)
        lookup = np.array([table.setdefault(str(v), len(table)) for v in uniques], dtype=np.int64)
        return lookup[codes]

    def add(self, days: np.ndarray, level: np.ndarray, unit: np.ndarray, metrics: list[str],
            values: list[np.ndarray]) -> None:
        """Rows for each metric over the same (days, level, unit) rows: metric-major, as ``melt`` lays them out."""
        n, k = days.size, len(metrics)
        self.blocks.append((np.tile(days, k), np.tile(level, k), np.tile(unit, k),
                            np.repeat(self.code("metric", metrics), n),
                            np.concatenate(values).astype(np.float64) if k else np.zeros(0)))

    def frame(self) -> pd.DataFrame:
        """Rows with a value, sorted by date, level, unit and metric, as ``sorted_long`` returns them."""
        days, level, unit, metric, value = (np.concatenate(parts) for parts in zip(*self.blocks, strict=True))
        ranks = {}
        for kind, table in self.labels.items():
            names = list(table)
            rank = np.empty(len(names), dtype=np.int64)
            rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
            ranks[kind] = (rank, np.array(names, dtype=object))
        keep = ~np.isnan(value)
        days, level, unit, metric, value = days[keep], level[keep], unit[keep], metric[keep], value[keep]
        order = np.lexsort([ranks["metric"][0][metric], ranks["unit"][0][unit], ranks["level"][0][level], days])
        first, inverse = np.unique(days, return_inverse=True)
        epoch = dt.date(1970, 1, 1)
        dates = np.empty(first.size, dtype=object)
        dates[:] = [epoch + dt.timedelta(days=int(d)) for d in first]
        return pd.DataFrame({
            "date": dates[inverse.reshape(-1)[order]],
            "level": _text(ranks["level"][1], level[order]),
            "unit": _text(ranks["unit"][1], unit[order]),
            "metric": _text(ranks["metric"][1], metric[order]),
            "value": value[order],
        })


def _text(labels: np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A string column (pandas' default ``str`` type) of ``labels[codes]``, taken from the few labels."""
    return pd.array(labels, dtype="str").take(codes)


def _days(dates: np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 of datetime64 values of any unit."""
    return dates.astype("datetime64[D]").astype(np.int64)


def _per_row(den: np.ndarray) -> np.ndarray:
    """``den`` as float with NaN where it is not positive (``Series.where(den > 0)``)."""
    return np.where(den > 0, den, np.nan)


def period_table(ledger: pd.DataFrame, staff_days: pd.DataFrame, staff: pd.DataFrame, org: Organisation,
                 period: str, codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Outcomes per period ('day', 'week', 'month') and unit: date, level, unit, metric, value.

    Equal to ``tidy_metrics(access_counts(...), workload_counts(...), org)``; ``codes``: the ledger's
    :func:`~sim.results.ledger_codes.ledger_codes` when the caller has them already.
    """
    rows = _Rows()
    dates, units, columns = access_columns(ledger, org, period, codes)
    sizes = org.list_sizes()
    lists = np.array([sizes.get(u, 0) for u in units], dtype=float)
    per_k = np.where(lists > 0, 1000.0 / np.maximum(lists, 1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = {
            "unmet_per_1000": columns["lost"] * per_k,
            "appointments_per_1000": columns["appointments"] * per_k,
            "mean_wait_days": columns["wait_days_sum"] / _per_row(columns["appointments"]),
            "dna_pct": 100.0 * columns["dna"] / _per_row(columns["appointments"]),
            "lost_pct": 100.0 * columns["lost"] / _per_row(columns["requests"]),
        }
    access = {name: v for name, v in columns.items() if name not in _NOT_REPORTED} | derived
    rows.add(_days(dates), rows.code("level", [lv for lv, _ in units]), rows.code("unit", [u for _, u in units]),
             list(access), list(access.values()))

    wl = workload_counts(staff_days, staff, org, period)
    agg = wl.groupby(["date", "level", "unit"], observed=True)[_SUMMED].sum()
    offered = agg["offered_slots"]
    rows.add(_days(agg.index.get_level_values("date").to_numpy()),
             rows.code("level", agg.index.get_level_values("level").to_series()),
             rows.code("unit", agg.index.get_level_values("unit").to_series()),
             ["clinical_hours", "admin_hours", "overtime_hours", "offered_slots", "utilisation_pct"],
             [(agg["clinical_minutes"] / 60.0).to_numpy(), (agg["admin_minutes"] / 60.0).to_numpy(),
              (agg["overtime_minutes"] / 60.0).to_numpy(), offered.to_numpy(),
              (100.0 * agg["booked_slots"] / offered.where(offered > 0)).to_numpy()])

    days = _days(wl["date"].to_numpy())
    level = rows.code("level", wl["level"])
    unit = rows.code("unit", wl["unit"])
    roles = wl["role"].astype(str).to_numpy(dtype=object)
    by_role = {
        "clinical_hours": wl["clinical_minutes"].to_numpy() / 60.0,
        "admin_hours": wl["admin_minutes"].to_numpy() / 60.0,
        "overtime_hours": wl["overtime_minutes"].to_numpy() / 60.0,
        "utilisation_pct": 100.0 * wl["booked_slots"].to_numpy() / _per_row(wl["offered_slots"].to_numpy()),
    }
    for role in dict.fromkeys(roles):  # one block per role: each metric:role over that role's rows
        mine = roles == role
        rows.add(days[mine], level[mine], unit[mine], [f"{m}:{role}" for m in by_role],
                 [v[mine] for v in by_role.values()])
    return rows.frame()
