"""How closely a calibrated sample's appointments follow its seasonal TARGET, and what more correction does.

Usage: ``python tools/season_correction_check.py OUT STP CHECK_REPS [VARIANT ...]``, ``OUT`` a
``gpsim calibrate --out`` folder, ``STP`` its fitted STP or a ``--transfer`` one. Runs ``CHECK_REPS``
fresh replications (3000, 3001, ...) of the STP's calibrated sample over the 12-month seasonal
window and prints, month by month, the model's attended appointments per weighted working day
(normalised) against its target: the other areas' profile, the STP itself left out. No observed
month of the STP is read, held-out or fit. Each ``VARIANT`` first re-corrects the profile at the
calibrated parameters, then checks it on the same fresh replications:

* ``plain:K``: K steps of :func:`sim.calibrate.seasonal.correct_seasonality` on replications
  0-8 every step (what a transfer's own-lag correction does);
* ``fresh:K``: K steps, each on nine replications of its own;
* ``averaged:K``: K steps on fresh replications with gains 1, 1/2, 1/3, ... (Robbins-Monro), so the
  last profile carries the average of the steps' noise, not the last step's;
* ``rate:F``: no re-correction; the rate multiplied by F (a lighter or heavier load, as another
  STP's level would give), to see whether capacity changes the appointment profile's shape.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calibrated_sample import calibrated_sample  # noqa: E402

from sim.calibrate.level import with_rate  # noqa: E402
from sim.calibrate.observed import weighted_days  # noqa: E402
from sim.calibrate.runs import mean_targets, parallel_runs, run_many, scenario_for  # noqa: E402
from sim.calibrate.seasonal import correct_seasonality  # noqa: E402

STEP_REPS = 9


def departure(mapping: dict, target: list[float], window: list[pd.Timestamp], reps: int) -> np.ndarray:
    """Model minus target, % per window month, over ``reps`` fresh replications."""
    months = [window[0] - pd.DateOffset(months=1), *window]
    sc = scenario_for(mapping, months)
    sim = mean_targets(run_many([(sc, 3000 + r) for r in range(reps)], months))
    att = sim.loc[sim["target"] == "attended_per_1000"].set_index("month")["value"]
    per_day = np.array([att[m] / weighted_days(m, sc.demand.day_of_week) for m in window])
    per_day /= per_day.mean()
    return 100 * (per_day / np.array([target[m.month - 1] for m in window]) - 1)


def recorrect(mapping: dict, target: list[float], window: list[pd.Timestamp], variant: str) -> dict:
    """The mapping with its profile re-corrected by ``variant`` (see the module docstring)."""
    kind, steps = variant.split(":")
    if kind == "rate":
        return with_rate(mapping, mapping["demand"]["rate_multiplier"] * float(steps))
    current = {**mapping, "demand": dict(mapping["demand"])}
    for k in range(int(steps)):
        first = 0 if kind == "plain" else 100 + STEP_REPS * k
        new, _ = correct_seasonality(current, target, window, reps=STEP_REPS, first_rep=first)
        if kind == "averaged":
            gain = 1.0 / (k + 1)
            old = current["demand"]["monthly_seasonality"]
            new = [o * (n / o) ** gain for o, n in zip(old, new, strict=True)]
            mean = sum(new) / len(new)
            new = [round(v / mean, 4) for v in new]
        current["demand"]["monthly_seasonality"] = new
    return current


def main(out: Path, code: str, reps: int, *variants: str) -> None:
    """Print the departure of the calibrated profile and of each variant."""
    mapping, target, window = calibrated_sample(out, code)
    labels = " ".join(f"{m:%b}".rjust(6) for m in window)
    print(f"{code}: model - target, % per month, replications 3000-{3000 + reps - 1}")
    print(f"{'':>14} {labels}    rms  Oct-Feb rms")
    with parallel_runs(2):
        for name in ("as calibrated", *variants):
            m = mapping if name == "as calibrated" else recorrect(mapping, target, window, name)
            dep = departure(m, target, window, reps)
            winter = np.array([d for d, w in zip(dep, window, strict=True) if w.month in (10, 11, 12, 1, 2)])
            print(f"{name:>14} " + " ".join(f"{d:+6.2f}" for d in dep)
                  + f"  {np.sqrt((dep ** 2).mean()):5.2f}  {np.sqrt((winter ** 2).mean()):5.2f}")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(Path(a[0]), a[1], int(a[2]), *a[3:])
