"""Pipelines check: paired yearly differences (scenario - baseline) from a finished ``gpsim compare`` folder.

Not a test. Run (from the repository root; about 12 five-year runs of the small area):

    gpsim compare scenarios/baseline.yaml benchmarks/pipelines/training-expansion-x2.yaml \
        benchmarks/pipelines/international-recruitment-1py.yaml scenarios/gp-retention-scheme.yaml \
        --area scenarios/small.yaml --reps 3 --days 1825 --out outputs/pipelines
    python benchmarks/pipelines/analyse.py outputs/pipelines

The two variants scale the shipped scenarios' doses up for the 40,000-patient area so that an effect
shows in three replications (two extra ST1s a year in every practice; one international GP a year).
Prints, by year of the run, the mean paired difference and its 95% t-interval of qualified GP FTE
(monthly mean), GP trainee FTE, requests lost (%) and GP leavers.
"""
import sys
from pathlib import Path

import pandas as pd

from sim.results.intervals import t_interval

OUT = Path(sys.argv[1])
LEAVING = ("retired", "left", "left_burnout", "left_general_practice", "left_to_practice")


def yearly(rep: Path) -> pd.DataFrame:
    f = pd.read_csv(rep / "fte_by_month.csv", parse_dates=["month"])
    start = f["month"].min()
    f["year"] = ((f["month"].dt.year - start.year) * 12 + f["month"].dt.month - start.month) // 12 + 1
    gp = f[f.role == "GP"].groupby("year")["fte"].mean().rename("gp_fte")
    tr = (f[f.role == "GP trainee"].groupby("year")["fte"].sum() / f.groupby("year")["month"].nunique()).rename("trainee_fte")
    m = pd.read_parquet(rep / "monthly.parquet")
    m = m[(m.level == "lgpo") & m.metric.isin(["lost", "requests"])].copy()
    m["date"] = pd.to_datetime(m["date"])
    m["year"] = ((m["date"].dt.year - start.year) * 12 + m["date"].dt.month - start.month) // 12 + 1
    p = m.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")
    lost = (100 * p["lost"] / p["requests"]).rename("lost_pct")
    e = pd.read_csv(rep / "events.csv")
    e = e[e.day >= 0]
    e["year"] = e.day // 365 + 1
    gl = e[e.event.isin(LEAVING) & (e.role == "GP")].groupby("year").size().rename("gp_leavers")
    out = pd.concat([gp, tr, lost, gl], axis=1).fillna({"trainee_fte": 0.0, "gp_leavers": 0})
    return out[out.index <= 5]


scen = sorted(p.name for p in OUT.iterdir() if p.is_dir())
base = {r.name: yearly(r) for r in sorted((OUT / "baseline").glob("rep-*")) if (r / "summary.csv").exists()}
print("baseline reps", len(base))
bmean = pd.concat(base.values()).groupby(level=0).mean()
print("baseline means by year\n", bmean.round(3).to_string())
for s in scen:
    if s == "baseline":
        continue
    reps = {r.name: yearly(r) for r in sorted((OUT / s).glob("rep-*")) if (r / "summary.csv").exists()}
    common = sorted(set(reps) & set(base))
    print(f"\n== {s} - baseline, {len(common)} paired reps")
    rows = []
    for year in range(1, 6):
        row = {"year": year}
        for col in ("gp_fte", "trainee_fte", "lost_pct", "gp_leavers"):
            d = [reps[r].loc[year, col] - base[r].loc[year, col] for r in common]
            mean, lo, hi = t_interval(d)
            row[col] = f"{mean:+.2f} [{lo:+.2f}, {hi:+.2f}]"
        rows.append(row)
    print(pd.DataFrame(rows).to_string(index=False))
