"""The simple forecast every calibration is reported beside: level x seasonal profile x working days.

The two-line statistical forecast of issue 14, for one area's monthly attended appointments per
1,000 patients:

1. ``level`` = the area's attended appointments per 1,000 in the fit months, summed, over the sum
   of (profile x working days) of those months: appointments per working day, the season removed;
2. ``forecast(month)`` = ``level`` x ``profile[calendar month]`` x working days of the month.

The profile is the other STPs' mean seasonal profile
(:func:`sim.calibrate.observed.seasonal_profile` with plain working days: Monday to Friday, English
bank holidays removed), the area's own data left out. A model worth its parameters should forecast
the held-out months at least as well (:func:`baseline_table`, :func:`baseline_summary`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.observed import seasonal_profile, working_days

#: Weekday weights of "working days" (Monday..Sunday): every weekday counts 1, weekends 0.
WORKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)

#: The target the forecast is made for.
RATE_TARGET = "attended_per_1000"

#: Central share of the predictive interval reported beside the forecast (5-95%).
PREDICTIVE_LEVEL = 0.90


def forecast_profile(appointments: pd.DataFrame, exclude_sub_icbs: Iterable[str],
                     window: Sequence[pd.Timestamp]) -> list[float]:
    """The other areas' mean seasonal profile per working day (12 values, January first)."""
    values, _ = seasonal_profile(appointments, exclude_sub_icbs, window, WORKDAY_WEIGHTS)
    return values


def simple_forecast(observed: Mapping[pd.Timestamp, float], fit_months: Sequence[pd.Timestamp],
                    months: Sequence[pd.Timestamp], profile: Sequence[float]
                    ) -> dict[pd.Timestamp, float]:
    """Each month's forecast: the fit months' deseasonalised level x profile x working days.

    Raises:
        ValueError: no fit month, or a fit month without an observed value.
    """
    if not fit_months:
        raise ValueError("the simple forecast needs at least one fit month")
    missing = [m.strftime("%Y-%m") for m in fit_months if pd.Timestamp(m) not in observed]
    if missing:
        raise ValueError(f"no observed value for fit month(s) {', '.join(missing)}")
    weight = {pd.Timestamp(m): profile[pd.Timestamp(m).month - 1] * working_days(m)
              for m in (*fit_months, *months)}
    level = sum(observed[pd.Timestamp(m)] for m in fit_months) / sum(
        weight[pd.Timestamp(m)] for m in fit_months)
    return {pd.Timestamp(m): level * weight[pd.Timestamp(m)] for m in months}


def baseline_table(table: pd.DataFrame, area: str, period_of: Mapping[str, str],
                   fit_months: Sequence[pd.Timestamp], profile: Sequence[float],
                   predictive: pd.DataFrame | None = None,
                   pure: pd.DataFrame | None = None) -> pd.DataFrame:
    """Model against simple forecast, month by month, for one area's rows of a fit table.

    Args:
        table: fit-table rows (:func:`sim.calibrate.evaluate.fit_table`) of the area.
        area: the STP code the rows are labelled with.
        period_of: fit-table period -> reported period (``fit`` or ``holdout``) of each month,
            keyed by ``YYYY-MM``.
        fit_months: the months the forecast's level comes from.
        profile: :func:`forecast_profile` without the area.
        predictive: optional ``month`` (``YYYY-MM``), ``pred_lower``, ``pred_upper``,
            ``sim_lower``, ``sim_upper`` per month (the 90% intervals of the ensemble runs).
        pure: optional fit-table rows of the same area without its level refit (a pure
            transfer); without them ``model_pure`` is ``model``.

    Returns:
        ``stp``, ``period``, ``month``, ``observed``, ``model``, ``model_pure``, ``forecast``,
        ``model_error_pct``, ``model_pure_error_pct``, ``forecast_error_pct`` (relative, per
        cent), and the interval columns when given.
    """
    rows = table.loc[table["target"] == RATE_TARGET]
    observed = {pd.Timestamp(m): float(v) for m, v in zip(rows["month"], rows["observed"], strict=True)}
    forecast = simple_forecast(observed, fit_months, list(observed), profile)
    out = pd.DataFrame({
        "stp": area, "period": [period_of.get(m, "") for m in rows["month"]],
        "month": list(rows["month"]), "observed": list(rows["observed"]),
        "model": list(rows["simulated"]),
        "forecast": [forecast[pd.Timestamp(m)] for m in rows["month"]],
    })
    out["model_pure"] = out["model"]
    if pure is not None and len(pure):
        pure_rows = pure.loc[pure["target"] == RATE_TARGET]
        by_month = dict(zip(pure_rows["month"], pure_rows["simulated"].astype(float), strict=True))
        out["model_pure"] = [by_month.get(m, float("nan")) for m in out["month"]]
    out["model_error_pct"] = 100 * (out["model"] / out["observed"] - 1)
    out["model_pure_error_pct"] = 100 * (out["model_pure"] / out["observed"] - 1)
    out["forecast_error_pct"] = 100 * (out["forecast"] / out["observed"] - 1)
    if predictive is not None and len(predictive):
        out = out.merge(predictive, on="month", how="left")
        for kind in ("sim", "pred"):
            low, high = out[f"{kind}_lower"], out[f"{kind}_upper"]
            out[f"{kind}_covers"] = (low <= out["observed"]) & (out["observed"] <= high)
            out[f"{kind}_width_pct"] = 100 * (high - low) / out["observed"]
    return out


def baseline_summary(frame: pd.DataFrame, period: str = "holdout") -> list[dict[str, Any]]:
    """Per STP over ``period``'s months: both MAPEs, months the model beat the forecast, coverage."""
    out = []
    for stp, rows in frame.loc[frame["period"] == period].groupby("stp", sort=False):
        model = rows["model_error_pct"].abs()
        base = rows["forecast_error_pct"].abs()
        entry: dict[str, Any] = {
            "stp": stp, "months": len(rows), "model_mape_pct": float(model.mean()),
            "forecast_mape_pct": float(base.mean()),
            "model_at_least_as_accurate": bool(model.mean() <= base.mean()),
            "model_pure_mape_pct": float(rows["model_pure_error_pct"].abs().mean())
            if "model_pure_error_pct" in rows else float("nan"),
            "months_model_better": int((model <= base).sum())}
        for kind, label in (("sim", "runs"), ("pred", "predictive")):
            if f"{kind}_covers" in rows:
                entry[f"{label}_coverage"] = float(np.mean(rows[f"{kind}_covers"]))
                entry[f"{label}_width_pct"] = float(rows[f"{kind}_width_pct"].mean())
        out.append(entry)
    return out
