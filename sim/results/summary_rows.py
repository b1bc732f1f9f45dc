"""One summary table from (level, unit, metric, value) rows, built once with its final dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.outcomes import unit_of

__all__ = ["rows_frame"]


def rows_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """Columns level, unit, metric, value (float) and units (the outcome registry's unit of each metric).

    Built from columns rather than a list of tuples, and each distinct metric looked up in the registry
    once: a metric repeats for every practice and PCN (a family's lookup formats a new outcome each time).
    """
    if not rows:
        out = pd.DataFrame(rows, columns=["level", "unit", "metric", "value"])
        out["value"] = out["value"].astype(float)
        out["units"] = out["metric"].map(unit_of)
        return out
    level, unit, metric, value = zip(*rows, strict=True)
    units = {m: unit_of(m) for m in dict.fromkeys(metric)}
    return pd.DataFrame({"level": list(level), "unit": list(unit), "metric": list(metric),
                         "value": np.array(value, dtype=float), "units": [units[m] for m in metric]})
