"""Evaluation of a calibration: observed against simulated per month, and the acceptance checks.

The best parameters are run ``eval_reps`` times over the fit and held-out months (replications
from :data:`EVAL_FIRST_REP`, away from the fit's): the mean and the 2.5-97.5% range over
replications are the simulated value and interval of the fit table (:func:`fit_table`), and each
month passes or fails the issue's tolerances (:func:`acceptance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.calibrate.noise import EVAL_NOISE_PCT, MONTH_SD_PCT, replications_for
from sim.calibrate.observed import TARGET_NAMES
from sim.calibrate.targets import Component

#: Replication numbers of the evaluation runs start here, away from the fit's 0, 1, ...: the
#: intervals come from runs the fit never saw.
EVAL_FIRST_REP = 1000

#: Replications of the best parameters for the intervals when none are asked for: enough that
#: their mean's noise is at most :data:`sim.calibrate.noise.EVAL_NOISE_PCT` a month (25; it was
#: 8, about 0.35% a month, as large as the model's lead over the forecast on some STPs).
DEFAULT_EVAL_REPS = replications_for(MONTH_SD_PCT, EVAL_NOISE_PCT)

#: Acceptance tolerances of the issue: totals 5% (10% for another STP), shares 3 points.
TOTAL_TOLERANCE = 0.05
TRANSFER_TOLERANCE = 0.10
SHARE_TOLERANCE = 0.03

#: Slack on every tolerance comparison, so an error equal to the tolerance passes.
TOLERANCE_SLACK = 1e-12

#: Order of the periods in the fit table (transfers after, other periods last).
PERIOD_ORDER = {"fit": 0, "holdout": 1, "transfer": 2}


def fit_table(observed_long: pd.DataFrame, intervals: pd.DataFrame,
              periods: dict[str, Sequence[pd.Timestamp]],
              components: Sequence[Component] | None = None) -> pd.DataFrame:
    """Observed against simulated per period, month and target.

    Columns: ``period``, ``month`` (YYYY-MM), ``target``, ``observed``, ``simulated`` (mean over
    replications), ``lower``, ``upper`` (2.5-97.5% over replications), ``error`` (relative error
    for ``attended_per_1000``, simulated minus observed proportion for shares), ``error_unit``,
    ``component``.
    """
    comp_of = {}
    for c in components or ():
        for t in c.targets:
            comp_of[t] = c.name
    rows = []
    merged = observed_long.merge(intervals, on=["month", "target"], how="left")
    for period, months in periods.items():
        wanted = {pd.Timestamp(m) for m in months}
        part = merged.loc[merged["month"].isin(wanted)]
        for _, r in part.iterrows():
            rate = r["target"] == "attended_per_1000"
            obs, sim = float(r["value"]), float(r["mean"])
            err = (sim / obs - 1.0) if rate and obs else sim - obs
            rows.append({"period": period, "month": pd.Timestamp(r["month"]).strftime("%Y-%m"),
                         "target": r["target"], "observed": obs, "simulated": sim,
                         "lower": float(r["lower"]), "upper": float(r["upper"]), "error": err,
                         "error_unit": "relative" if rate else "proportion points",
                         "component": comp_of.get(r["target"], "")})
    out = pd.DataFrame(rows)
    order = {t: i for i, t in enumerate(TARGET_NAMES)}
    if not out.empty:
        out = out.sort_values(["period", "month", "target"],
                              key=lambda s: s.map(order) if s.name == "target" else (
                                  s.map(PERIOD_ORDER).fillna(len(PERIOD_ORDER))
                                  if s.name == "period" else s),
                              kind="stable").reset_index(drop=True)
    return out


def acceptance(table: pd.DataFrame, period: str = "holdout", *,
               total_tolerance: float = TOTAL_TOLERANCE,
               share_tolerance: float = SHARE_TOLERANCE,
               shares: bool = True) -> pd.DataFrame:
    """Per month of ``period``: total error, GP share error, each bin's error and pass/fail.

    Columns: ``month``, ``total_error_pct``, ``total_pass``, ``gp_share_error_pp``,
    ``gp_share_pass``, ``bin_error_pp:<bin>`` for each bin, ``bins_pass``, ``pass``.
    """
    t = table.loc[table["period"] == period]
    rows = []
    for month, m in t.groupby("month", sort=True):
        err = dict(zip(m["target"], m["error"], strict=True))
        row: dict[str, Any] = {"month": month}
        total = err.get("attended_per_1000", float("nan"))
        row["total_error_pct"] = 100 * total
        row["total_pass"] = bool(abs(total) <= total_tolerance + TOLERANCE_SLACK)
        ok = row["total_pass"]
        if shares:
            gp = err.get("gp_share", float("nan"))
            row["gp_share_error_pp"] = 100 * gp
            row["gp_share_pass"] = bool(abs(gp) <= share_tolerance + TOLERANCE_SLACK)
            bins = {k.split(":", 1)[1]: v for k, v in err.items() if k.startswith("wait_bin:")}
            for b, v in bins.items():
                row[f"bin_error_pp:{b}"] = 100 * v
            row["bins_pass"] = bool(all(abs(v) <= share_tolerance + TOLERANCE_SLACK for v in bins.values()))
            ok = ok and row["gp_share_pass"] and row["bins_pass"]
        row["pass"] = bool(ok)
        rows.append(row)
    return pd.DataFrame(rows)
