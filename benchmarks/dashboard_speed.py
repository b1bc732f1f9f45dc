"""How fast the dashboard plays: simulated days a second with R replications of each side stepped together.

What the app does on each tick at full speed: step every model (both sides x R replications) by
``--per-tick`` days (light views every day, the costly ones on the last), then build every chart's
option dict from the published view. Reports the build time (validation, demand, warm-up of all
models) and days a second with and without the charts. Run on demand, never in the test suite::

    .venv/bin/python benchmarks/dashboard_speed.py                      # small.yaml, 5 replications
    .venv/bin/python benchmarks/dashboard_speed.py --replications 1,5,10 --scenario baseline.yaml --days 28
"""

from __future__ import annotations

import argparse
import os
import time

from sim.config.loading import load_raw
from sim.dashboard import charts
from sim.dashboard.controller import Controller
from sim.dashboard.controls import controls_from
from sim.resources import scenario


def one(name: str, replications: int, days: int, per_tick: int) -> dict[str, float]:
    """Build, then play ``days`` days in ticks of ``per_tick`` days: timings of one configuration."""
    base, _ = load_raw(scenario(name))
    t0 = time.perf_counter()
    c = Controller(base, name, controls_from(base)[0], replications=replications)
    build = time.perf_counter() - t0
    step_s = chart_s = 0.0
    done = 0
    while done < days:
        t = time.perf_counter()
        done += c.step(min(per_tick, days - done))
        step_s += time.perf_counter() - t
        t = time.perf_counter()
        view = c.published
        labels = {s: charts.side_label(s, view.controls, view.split) for s in view.history}
        charts.time_series(view.history, labels)
        charts.wait_distribution(view.current, labels)
        charts.utilisation(view.current, labels)
        charts.overtime(view.current, labels)
        for side, snaps in view.current.items():
            charts.area(snaps, labels[side], collaborating=side == "collaborating")
        chart_s += time.perf_counter() - t
    return {"build_s": build, "days_per_s_models": days / step_s, "days_per_s_with_charts": days / (step_s + chart_s)}


def main() -> None:
    """Time each replication count and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="small.yaml")
    parser.add_argument("--replications", default="5", help="comma-separated replication counts per side")
    parser.add_argument("--days", type=int, default=112, help="reporting days to play")
    parser.add_argument("--per-tick", type=int, default=8, help="days per tick (the app: speed 30 x 0.25 s)")
    args = parser.parse_args()
    print(f"{args.scenario}, split view (2 sides), {args.days} days in ticks of {args.per_tick}; "
          f"load average at start {os.getloadavg()[0]:.1f}")
    print("| replications per side | models | build (s) | days/s, models only | days/s, with charts |")
    print("|---:|---:|---:|---:|---:|")
    for r in (int(x) for x in args.replications.split(",")):
        m = one(args.scenario, r, args.days, args.per_tick)
        print(f"| {r} | {2 * r} | {m['build_s']:.1f} | {m['days_per_s_models']:.1f} | {m['days_per_s_with_charts']:.1f} |")


if __name__ == "__main__":
    main()
