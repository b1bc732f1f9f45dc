"""Workforce scenario library against the baseline: paired differences from a finished ``gpsim compare`` folder.

Not a test. Run from the repository root (21 five-year runs of the small area; about an hour on the
shared 2-core machine under load):

    nice -n 5 gpsim compare scenarios/baseline.yaml scenarios/gp-retirement-wave.yaml \
        scenarios/gp-retirement-with-recruitment.yaml benchmarks/workforce_library/practice-closure-small.yaml \
        scenarios/gp-training-expansion.yaml scenarios/international-recruitment.yaml \
        scenarios/gp-retention-scheme.yaml --area scenarios/small.yaml --reps 3 --days 1826 --workers 2 \
        --out outputs/workforce-library
    python benchmarks/workforce_library/analyse.py outputs/workforce-library [--against gp-retirement-wave]

Prints a markdown table: for each scenario the baseline's mean and the scenario's, and the mean paired
difference (scenario - reference, replication by replication: common random numbers) with its 95%
t-interval, of unmet requests per 1,000 patients a year, requests lost (%, over the horizon and in its first
year), GP FTE in post at the end
(qualified GPs), leavers and joiners over the horizon (all roles, and GPs alone). Joiners are posts
refilled (market and recruitment drive), qualified trainees and international recruits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sim.results.intervals import t_interval

LEAVING = ("retired", "left", "left_burnout", "left_general_practice", "left_to_practice", "left_practice_closed")
JOINING = ("recruited", "vacancy_filled", "qualified_joined", "international_recruit")
OUTCOMES = [("unmet_per_1000_year", "unmet per 1,000 a year"), ("lost_pct", "lost %"), ("lost_pct_y1", "lost %, year 1"),
            ("fte_end:GP", "GP FTE at the end"), ("leavers", "leavers"), ("gp_leavers", "GP leavers"),
            ("joiners", "joiners"), ("gp_joiners", "GP joiners")]


def replication(rep: Path) -> dict[str, float]:
    """The outcomes of one replication folder."""
    s = pd.read_csv(rep / "summary.csv")
    lgpo = s[s["level"] == "lgpo"].set_index("metric")["value"]
    ev = pd.read_csv(rep / "events.csv")
    ev = ev[ev["day"] >= 0]
    out = {k: float(lgpo[k]) for k in ("unmet_per_1000_year", "lost_pct", "fte_end:GP")}
    out["leavers"] = float(ev["event"].isin(LEAVING).sum())
    out["gp_leavers"] = float((ev["event"].isin(LEAVING) & (ev["role"] == "GP")).sum())
    out["joiners"] = float(ev["event"].isin(JOINING).sum())
    out["gp_joiners"] = float((ev["event"].isin(JOINING) & (ev["role"] == "GP")).sum())
    monthly = pd.read_parquet(rep / "monthly.parquet")
    area = monthly[(monthly["level"] == "lgpo") & monthly["metric"].isin(["lost", "requests"])].copy()
    area["date"] = pd.to_datetime(area["date"])
    first = area[area["date"] < area["date"].min() + pd.DateOffset(years=1)].groupby("metric")["value"].sum()
    out["lost_pct_y1"] = 100.0 * float(first["lost"]) / float(first["requests"])
    closures = rep / "closures.csv"
    out["closures"] = float(pd.read_csv(closures)["practice"].nunique()) if closures.exists() else 0.0
    return out


def scenario_reps(folder: Path) -> dict[int, dict[str, float]]:
    return {int(p.name.split("-")[1]): replication(p) for p in sorted(folder.glob("rep-*"))}


def main() -> None:
    """Print the comparison table of the compare folder given on the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--against", default="baseline", help="reference scenario (folder name)")
    args = ap.parse_args()
    ref = scenario_reps(args.folder / args.against)
    print(f"| scenario | outcome | {args.against} | scenario | paired difference [95% interval] |")
    print("|---|---|---:|---:|---:|")
    for folder in sorted(p for p in args.folder.iterdir() if p.is_dir() and p.name != args.against):
        reps = scenario_reps(folder)
        common = sorted(set(reps) & set(ref))
        if not common:
            continue
        name = f"{folder.name} ({len(common)} reps)"
        outcomes = OUTCOMES + ([("closures", "practices closed")] if any(reps[r]["closures"] for r in common) else [])
        for key, label in outcomes:
            diff = [reps[r][key] - ref[r][key] for r in common]
            m, lo, hi = t_interval(diff)
            base = sum(ref[r][key] for r in common) / len(common)
            mine = sum(reps[r][key] for r in common) / len(common)
            print(f"| {name} | {label} | {base:.2f} | {mine:.2f} | {m:+.2f} [{lo:+.2f}, {hi:+.2f}] |")
            name = ""


if __name__ == "__main__":
    main()
