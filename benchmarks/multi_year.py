"""Cost per simulated year as the horizon grows: one replication of a scenario for 1, 2, 4, ... years.

Each horizon runs in a fresh process (after one untimed one-day run there, so Numba's kernels are
loaded), timed in-process: CPU (user + system) and wall seconds of build + simulate + summarise
(``run_single``), the split the runner records, the process's peak resident memory and the load
average at the start and end. A horizon whose cost per year rises is a part of the model that grows
faster than the horizon (see benchmarks/README.md, "Ten-year runs"). Run on demand, not in the tests:

    python benchmarks/multi_year.py [--scenario scenarios/baseline.yaml] [--years 1,2,4,10] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.config.loading import load_scenario  # noqa: E402
from sim.experiments.runner import run_single  # noqa: E402

DAYS_PER_YEAR = 365


def child(scenario: str, days: int, replication: int) -> dict:
    """One replication of ``days`` in this process (after a one-day warm run): timings and peak memory."""
    run_single(load_scenario(Path(scenario), overrides={"horizon_days": 1, "warm_up_days": 0}), replication)
    sc = load_scenario(Path(scenario), overrides={"horizon_days": days})
    load0 = os.getloadavg()[0]
    c0, w0 = time.process_time(), time.perf_counter()
    res = run_single(sc, replication)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return {"days": days, "cpu_s": cpu, "wall_s": wall, **res.timings,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "load_start": load0, "load_end": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--years", default="1,2,4,10", help="comma-separated horizons in years")
    ap.add_argument("--replication", type=int, default=0)
    ap.add_argument("--json", help="also write the rows to this JSON file")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)  # internal: run one horizon of this many days
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.scenario, args.child, args.replication)))
        return 0
    rows = []
    print(f"{args.scenario}, replication {args.replication}")
    print(f"{'years':>5} {'CPU s':>7} {'wall s':>7} {'CPU s/yr':>8} {'build':>6} {'simulate':>8} {'summarise':>9} "
          f"{'peak RSS MB':>11} {'load':>9}")
    for years in (float(y) for y in args.years.split(",")):
        days = round(years * DAYS_PER_YEAR)
        out = subprocess.run([sys.executable, __file__, "--scenario", args.scenario, "--replication",
                              str(args.replication), "--child", str(days)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        row = json.loads(out.stdout.strip().splitlines()[-1]) | {"years": years}
        rows.append(row)
        print(f"{years:5g} {row['cpu_s']:7.1f} {row['wall_s']:7.1f} {row['cpu_s'] / years:8.2f} {row['build_s']:6.1f} "
              f"{row['simulate_s']:8.1f} {row['summarise_s']:9.1f} {row['peak_rss_mb']:11.0f} "
              f"{row['load_start']:4.1f}-{row['load_end']:.1f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
