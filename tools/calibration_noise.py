"""Replication noise of a calibrated sample's monthly totals, FIT months only (calibration/README.md).

Usage: ``python tools/calibration_noise.py OUT STP PRACTICES REPS [FIRST_REP]``, ``OUT`` a
``gpsim calibrate --out`` folder. Runs ``REPS`` fresh replications of ``STP``'s sample (the fitted
STP, or a ``--transfer`` one with its refitted rate and own profile) over April-September 2019 and
prints the sd of one replication's monthly total, of its six-month total, and the mean's departure
from its target profile (shape over the fit months). No held-out month is run or read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibrate.level import with_rate  # noqa: E402
from sim.calibrate.observed import load_area, read_appointments, weighted_days  # noqa: E402
from sim.calibrate.runs import parallel_runs, run_many, scenario_for  # noqa: E402
from sim.calibrate.sample import simulation_mapping  # noqa: E402
from sim.calibrate.transfer_season import TransferSeason  # noqa: E402
from sim.config.loading import load_scenario  # noqa: E402

DATA = ROOT / "calibration" / "data"
MAP, PATIENTS = DATA / "gp-reg-pat-prac-map_2022-01.csv", DATA / "gp-reg-pat-prac-all_2021-01.csv"


def main(out: Path, code: str, practices: int, reps: int, first: int = 3000) -> None:
    """Print the noise and the departure of ``code``'s sample of ``practices`` over ``reps`` runs."""
    manifest = json.loads((out / "calibration.json").read_text())
    info = manifest["seasonality"]
    window = [pd.Timestamp(m) for m in info["window"]]
    fit = [m for m in window if m.year == 2019 and 4 <= m.month <= 9]
    full = load_scenario(out / "calibrated.yaml").model_dump(mode="json")
    full.pop("ensemble", None)
    area = load_area(code, MAP, PATIENTS)
    if code == manifest["area"]["stp"]:
        rate, profile = full["demand"]["rate_multiplier"], full["demand"]["monthly_seasonality"]
        target = info["observed_profile"]
    else:
        entry = next(t for t in manifest["acceptance"]["transfer"] if t["stp"] == code)
        rate, profile = entry["level"]["rate_multiplier"], entry["monthly_seasonality"]
        appointments = read_appointments(sorted((DATA / "appointments-london-2019-2021").glob("*.csv*")))
        season = TransferSeason(appointments, window, full["demand"]["day_of_week"], info["values"],
                                info["observed_profile"])
        target = season.own_target(area.sub_icb_codes)
    mapping, _ = simulation_mapping(area, practices, full, MAP, PATIENTS, None)
    mapping = with_rate({**mapping, "demand": {**mapping["demand"],
                                               "monthly_seasonality": list(profile)}}, rate)
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
