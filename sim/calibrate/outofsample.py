"""An out-of-sample model discrepancy for the predictive interval, from other areas only.

The in-sample discrepancy (:func:`sim.calibrate.ensemble.discrepancy`) is what the runs leave
unexplained in the fit months, and it comes out near 0: the fit matches them. Held-out months
miss by more, mostly because an area's own seasonal shape differs from the other areas' mean
profile the model (and the simple forecast) extrapolate with. :func:`loo_discrepancy` measures
that error where it can be measured honestly, on the *other* areas: each other area's held-out
calendar months are forecast from its own fit months (level) and the mean profile of the
remaining areas (leave one area out), and the discrepancy is the root mean square of those
relative errors. The area being predicted is never read, so its held-out observations cannot move
its interval. The rule (90%, t quantile, RMS of every leave-one-out error, no tuning) is fixed
before any held-out month of the area is seen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.forecast import WORKDAY_WEIGHTS, simple_forecast
from sim.calibrate.observed import seasonal_profile


@dataclass
class OutOfSample:
    """The leave-one-area-out discrepancy of one area and the errors behind it."""

    relative_sd: float
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Manifest entry."""
        return {"relative_sd": round(self.relative_sd, 6), "note": self.note,
                "errors": [{"area": r.area, "month": r.month, "error": round(r.error, 6)}
                           for r in self.errors.itertuples()]}


def _attended(appointments: pd.DataFrame) -> pd.DataFrame:
    """Attended appointments per area (``sub_icb_code``) and month."""
    rows = appointments.loc[appointments["appt_status"] == "Attended"]
    return rows.groupby(["sub_icb_code", "month"])["count"].sum().unstack("month")


def loo_discrepancy(appointments: pd.DataFrame, exclude_sub_icbs: Iterable[str],
                    fit_months: Sequence[pd.Timestamp], predict_months: Sequence[pd.Timestamp],
                    window: Sequence[pd.Timestamp]) -> OutOfSample:
    """RMS relative error of the level x leave-one-out profile forecast over the other areas.

    Args:
        appointments: GPAD rows (:func:`sim.calibrate.observed.read_appointments`).
        exclude_sub_icbs: the CCGs of the area the interval is for: never read.
        fit_months: where each other area's level comes from.
        predict_months: the months whose errors are measured (the held-out calendar months).
        window: the seasonal window (every calendar month once).

    Returns:
        The discrepancy (0, with a note, when fewer than two other areas have every month).
    """
    exclude = {c.upper() for c in exclude_sub_icbs}
    table = _attended(appointments)
    table = table.loc[[str(a).upper() not in exclude for a in table.index]]
    needed = [pd.Timestamp(m) for m in (*window, *fit_months, *predict_months)]
    table = table.reindex(columns=sorted(set(table.columns) | set(needed))).dropna(
        subset=needed)
    areas = [str(a) for a in table.index]
    if len(areas) < 2:
        return OutOfSample(0.0, note="fewer than two other areas with every month: no "
                           "out-of-sample discrepancy (0)")
    rows = []
    for area in areas:
        profile, _ = seasonal_profile(appointments, exclude | {area.upper()}, window,
                                      WORKDAY_WEIGHTS)
        observed = {pd.Timestamp(m): float(table.loc[area, m]) for m in table.columns}
        forecast = simple_forecast(observed, list(fit_months), list(predict_months), profile)
        rows += [{"area": area, "month": pd.Timestamp(m).strftime("%Y-%m"),
                  "error": forecast[pd.Timestamp(m)] / observed[pd.Timestamp(m)] - 1}
                 for m in predict_months]
    errors = pd.DataFrame(rows)
    sd = math.sqrt(float(np.mean(np.square(errors["error"].to_numpy(dtype=float)))))
    return OutOfSample(sd, errors, note=f"leave-one-area-out over {len(areas)} other areas "
                       f"({', '.join(areas)}), {len(predict_months)} months each")


def combined_sd(out_of_sample: float, in_sample: float) -> float:
    """The discrepancy the interval adds: both parts as independent relative errors."""
    return math.sqrt(out_of_sample**2 + in_sample**2)
