"""Practice closures against the baseline: read a `gpsim compare` folder and print paired differences.

Not a test. Run the comparison first (common random numbers, so replication r of each scenario pairs):

    gpsim compare scenarios/baseline.yaml scenarios/practice-closure.yaml --reps 3 --days 1826 --out OUT
    python benchmarks/closure_compare.py OUT

Prints closures and patients moved (the closure scenario's closures.csv rows), then requests lost
(% of requests) for the area, the closed practice's PCN and the practices that took its patients:
over the whole horizon (summary) and over the months from the first closure on (monthly tables),
each as baseline, closure scenario and the paired difference with its 95% t-interval.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.results.intervals import t_interval


def _fmt(values: list[float]) -> str:
    mean, low, high = t_interval(values)
    return f"{mean:7.2f} [{low:7.2f}, {high:7.2f}]"


def main() -> None:
    """Print the closure comparison of the compare folder given on the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--reference", default="baseline")
    ap.add_argument("--scenario", default="practice-closure")
    args = ap.parse_args()
    reps = sorted(int(p.name.split("-")[1]) for p in (args.folder / args.scenario).glob("rep-*"))
    tables = [pd.read_csv(args.folder / args.scenario / f"rep-{r:03d}" / "closures.csv").assign(replication=r)
              for r in reps]
    closures = pd.concat(tables, ignore_index=True)
    print(f"{len(reps)} replications; closures per replication (practice, reporting day, patients to each):")
    for r, t in closures.groupby("replication"):
        moves = ", ".join(f"{x.to_practice} {x.patients_moved}" for x in t.itertuples())
        print(f"  rep {r}: " + "; ".join(f"{p} day {int(d)}" for p, d in t.groupby("practice")["day"].first().items())
              + f" -> {moves}")
    receivers = sorted(closures["to_practice"].unique())
    pcns = sorted(closures["pcn"].unique())
    first = int(closures["day"].min()) if len(closures) else 0
    summary = pd.read_parquet(args.folder / "replications.parquet")
    monthly = pd.read_parquet(args.folder / "monthly.parquet")
    rep0 = json.loads((args.folder / args.scenario / f"rep-{reps[0]:03d}" / "manifest.json").read_text())
    start = pd.Timestamp(rep0["start_date"])
    after = start + pd.Timedelta(days=first)

    def lost_pct(frame: pd.DataFrame, scenario: str, level: str, units: list[str]) -> list[float]:
        f = frame[(frame["scenario"] == scenario) & (frame["level"] == level) & frame["unit"].isin(units)]
        g = f[f["metric"].isin(["lost", "requests"])].pivot_table(index="replication", columns="metric",
                                                                  values="value", aggfunc="sum")
        return (100.0 * g["lost"] / g["requests"]).reindex(reps).tolist()

    later = monthly[pd.to_datetime(monthly["date"]) >= after.to_period("M").to_timestamp()]
    area = summary["unit"][summary["level"] == "lgpo"].iloc[0]
    print(f"\nrequests lost, % (mean [95% interval]); from the first closure = months from {after:%B %Y}")
    print(f"{'':44s}{'baseline':>26s}{'closure':>26s}{'paired difference':>26s}")
    for label, level, units in (("area (LGPO)", "lgpo", [area]), (f"PCN {', '.join(pcns)}", "pcn", pcns),
                                (f"receiving practices ({len(receivers)})", "practice", receivers)):
        for when, frame in (("whole horizon", summary), ("from the first closure", later)):
            a = lost_pct(frame, args.reference, level, units)
            b = lost_pct(frame, args.scenario, level, units)
            d = list(np.subtract(b, a))
            print(f"{label + ', ' + when:44s}{_fmt(a):>26s}{_fmt(b):>26s}{_fmt(d):>26s}")


if __name__ == "__main__":
    main()
