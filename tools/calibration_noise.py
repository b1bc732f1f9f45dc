"""Replication noise of a calibrated sample's monthly totals, FIT months only (calibration/README.md).

Usage: ``python tools/calibration_noise.py OUT STP PRACTICES REPS [FIRST_REP]``, ``OUT`` a
``gpsim calibrate --out`` folder. Runs ``REPS`` fresh replications of ``STP``'s sample (the fitted
STP, or a ``--transfer`` one with its refitted rate and own profile) over April-September 2019 and
prints the sd of one replication's monthly total, of its six-month total, and the mean's departure
from its target profile (shape over the fit months). No held-out month is run or read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calibrated_sample import calibrated_sample  # noqa: E402

from sim.calibrate.observed import weighted_days  # noqa: E402
from sim.calibrate.runs import parallel_runs, run_many, scenario_for  # noqa: E402


def main(out: Path, code: str, practices: int, reps: int, first: int = 3000) -> None:
    """Print the noise and the departure of ``code``'s sample of ``practices`` over ``reps`` runs."""
    mapping, target, window = calibrated_sample(out, code, practices)
    fit = [m for m in window if m.year == 2019 and 4 <= m.month <= 9]
    sc = scenario_for(mapping, fit)
    with parallel_runs(2):
        runs = run_many([(sc, first + r) for r in range(reps)], fit)
    tot = np.array([[r.loc[(r["target"] == "attended_per_1000") & (r["month"] == m),
                           "value"].iloc[0] for m in fit] for r in runs])
    sd = 100 * (tot / tot.mean(axis=0)).std(axis=0, ddof=1)
    six = 100 * (tot.sum(axis=1) / tot.sum(axis=1).mean()).std(ddof=1)
    per_day = tot.mean(axis=0) / np.array([weighted_days(m, sc.demand.day_of_week) for m in fit])
    shape = per_day / np.array([target[m.month - 1] for m in fit])
    dep = 100 * (shape / shape.mean() - 1)
    print(f"{code}, {practices} practices, replications {first}-{first + reps - 1}")
    print("  sd of one replication's monthly total %:", " ".join(f"{v:.2f}" for v in sd),
          f"(mean {sd.mean():.2f}); of its six-month total {six:.2f}")
    print("  departure of the mean from its target %:", " ".join(f"{v:+.2f}" for v in dep),
          f"(rms {np.sqrt((dep ** 2).mean()):.2f})")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(Path(a[0]), a[1], int(a[2]), int(a[3]), *(int(x) for x in a[4:5]))
