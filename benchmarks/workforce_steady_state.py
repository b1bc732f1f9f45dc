"""Is the baseline a steady state? Run a scenario for N years x R replications with no interventions.

Prints each role's FTE by year (mean over replications) against its start, and the share of requests
lost by year, against the bands of issue 12: every role's FTE within 5% of its start, and requests lost
within 1 percentage point of year 1. Not a test: it takes minutes.

"FTE by year" is read as lost % by year is: over the year. Lost % is the year's requests; a role's FTE
is the year's mean of its 12 monthly censuses (FTE-years, as NHS annual accounts report the average
number of staff, WTE basis). That is the band's verdict. The FTE on each year's first census date is
printed too, with its own verdict: for a role of 6-11 people one vacancy on one date in one of five
replications moves it by 2-3%, so a single date measures the dates' noise more than the steady state.

    python benchmarks/workforce_steady_state.py [--scenario scenarios/baseline.yaml] [--years 10] [--reps 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.config.loading import load_scenario  # noqa: E402
from sim.experiments.runner import run_single  # noqa: E402

FTE_BAND = 0.05  # each role's FTE within 5% of its start (issue 12)
LOST_BAND_PP = 1.0  # requests lost within 1 percentage point of year 1 (issue 12)
DAYS_PER_YEAR = 365


def fte_by_year(staff_month: pd.DataFrame, years: int) -> pd.DataFrame:
    """Area FTE in post by role at the start of each year, and on the day after the last, from the monthly census.

    The census counts each person's FTE on its day, so burnout session cuts show while they last.
    """
    area = staff_month[staff_month["level"] == "lgpo"]
    dates = sorted(area["date"].unique())
    rows = {}
    for k in range(years + 1):
        on = dates[min(12 * k, len(dates) - 1)]
        rows[k] = area[area["date"] == on].groupby("role")["fte"].sum()
    return pd.DataFrame(rows).fillna(0.0)


def fte_mean_by_year(staff_month: pd.DataFrame, years: int) -> pd.DataFrame:
    """Area FTE in post by role, mean of each year's 12 monthly censuses (column 0: the first census alone).

    One census date a year puts one vacancy of a 10-person role at 2% of a five-replication mean; the
    year's mean of its monthly censuses is the stock the year actually had.
    """
    area = staff_month[staff_month["level"] == "lgpo"]
    dates = sorted(area["date"].unique())
    rows = {"start": area[area["date"] == dates[0]].groupby("role")["fte"].sum()}
    for k in range(years):
        on = dates[12 * k: 12 * (k + 1)]
        rows[k + 1] = area[area["date"].isin(on)].groupby(["date", "role"])["fte"].sum().groupby("role").mean()
    return pd.DataFrame(rows).fillna(0.0)


def lost_by_year(ledger: pd.DataFrame) -> pd.Series:
    """Share of requests lost (%) by year of request."""
    rep = ledger[ledger["day"] >= 0]
    year = rep["day"].to_numpy() // DAYS_PER_YEAR
    return pd.Series(rep["state"].to_numpy() == "lost").groupby(year).mean() * 100


def flows_by_year(events: pd.DataFrame) -> pd.DataFrame:
    """GP leavers by reason and vacancies filled, by year of the reporting horizon."""
    ev = events[(events["day"] >= 0) & (events["role"] == "GP")]
    year = ev["day"].to_numpy() // DAYS_PER_YEAR
    return ev.groupby([year, ev["event"].to_numpy()]).size().unstack(fill_value=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--first", type=int, default=0, help="first replication number (split reps over processes)")
    ap.add_argument("--save", default="", help="CSV of each replication's FTE by role and year (to pool split runs)")
    args = ap.parse_args(argv)
    sc = load_scenario(Path(args.scenario), overrides={"horizon_days": args.years * DAYS_PER_YEAR})
    ftes, means, losts, flows, secs = [], [], [], [], []
    for rep in range(args.first, args.first + args.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_single(sc, rep)
        secs.append(time.perf_counter() - t0)
        ftes.append(fte_by_year(res.staff_month, args.years))
        means.append(fte_mean_by_year(res.staff_month, args.years))
        losts.append(lost_by_year(res.ledger))
        flows.append(flows_by_year(res.events))
        print(f"replication {rep}: {secs[-1]:.0f} s wall, {time.process_time() - c0:.0f} s CPU", flush=True)
        report(sc.name, args.years, ftes, losts, flows, secs)
        report_means(means)
        if args.save:
            save(Path(args.save), args.first, ftes, losts, means)
    return 0


def save(path: Path, first: int, ftes: list, losts: list, means: list) -> None:
    """Write each replication's FTE by role and year (census and yearly mean) and lost % by year (long CSV)."""
    rows = []
    for k, (fte, lost, mean) in enumerate(zip(ftes, losts, means, strict=True)):
        for what, table in (("fte", fte), ("fte_year_mean", mean)):
            long = table.stack().rename("value").reset_index()
            long.columns = ["role", "year", "value"]
            rows.append(long.assign(rep=first + k, what=what))
        rows.append(pd.DataFrame({"role": "", "year": lost.index, "value": lost.to_numpy(), "rep": first + k,
                                  "what": "lost_pct"}))
    pd.concat(rows).to_csv(path, index=False)


def report(name: str, years: int, ftes: list, losts: list, flows: list, secs: list) -> None:
    """Print the tables and the band verdicts over the replications so far (after each one: partial runs count)."""
    fte = sum(ftes) / len(ftes)
    lost = pd.concat(losts, axis=1).mean(axis=1)
    print(f"\n{name}: {years} years x {len(ftes)} replications (mean); run {np.mean(secs):.0f} s each")
    print("\nFTE in post at the start of each year (monthly census; last column: the day after the last)")
    print(fte.round(1).to_string())
    rel = fte.div(fte[0], axis=0) - 1
    worst = rel.abs().max(axis=1)
    print("\nlargest drift from the start by role (%):")
    print((worst * 100).round(1).to_string())
    # bias or noise: the mean in post over the run's years against the start, with the standard error of
    # that mean across replications (a stock of 6-10 people moves 10-16% with one person)
    later = pd.concat([f.iloc[:, 1:].mean(axis=1) for f in ftes], axis=1)
    se = later.std(axis=1, ddof=1) / np.sqrt(len(ftes)) if len(ftes) > 1 else later.iloc[:, 0] * np.nan
    print("\nmean in post over years 1-N against the start (bias check; se across replications):")
    print(pd.DataFrame({"start": fte[0], "mean_1_N": later.mean(axis=1),
                        "diff_pct": (later.mean(axis=1) / fte[0] - 1) * 100,
                        "se_pct": se / fte[0] * 100}).round(2).to_string())
    print("\nGP leavers by reason and vacancies filled, by year (mean):")
    print((pd.concat(flows).groupby(level=0).sum() / len(flows)).round(1).to_string())
    print("\nrequests lost by year (%):")
    print(lost.round(2).to_string())
    fte_ok = bool((worst <= FTE_BAND).all())
    lost_ok = bool(((lost - lost.iloc[0]).abs() <= LOST_BAND_PP).all())
    print(f"\nFTE on each year's first census date within {FTE_BAND:.0%} of start for every role: "
          f"{'yes' if fte_ok else 'NO'}")
    print(f"lost within {LOST_BAND_PP:g} pp of year 1 every year: {'yes' if lost_ok else 'NO'}", flush=True)


def report_means(means: list) -> None:
    """Print each role's FTE as the year's mean of its monthly censuses (mean over replications) against the start."""
    mean = sum(means) / len(means)
    print("\nFTE in post, the YEAR'S MEAN OF THE MONTHLY CENSUS (start: the first census; mean of replications)")
    print(mean.round(2).to_string())
    rel = mean.iloc[:, 1:].div(mean["start"], axis=0) - 1
    worst = rel.abs().max(axis=1)
    print("\nlargest drift of a year's mean from the start by role (%):")
    print((worst * 100).round(1).to_string())
    ok = bool((worst <= FTE_BAND).all())
    print(f"\nBAND (issue 12): each role's FTE by year (the year's mean) within {FTE_BAND:.0%} of its start: "
          f"{'yes' if ok else 'NO'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
