"""Start-up of the command line: `gpsim --help`, `gpsim validate` and a one-year `gpsim run` as whole processes.

Each command runs as a fresh subprocess of this checkout's code (``python -c "from sim.cli.main import
main; main()"`` from the repository root, so an installed ``gpsim`` elsewhere is not what is timed),
``--repeats`` times after one untimed warm-up (the first run fills the OS file cache and, on a fresh
checkout, compiles the Numba kernels into their cache). Prints the median wall time, the median CPU
time (user + system of the child: steadier than wall time on a shared machine) and the load average,
then where the last `gpsim run` spent its time: build, simulate and summarise from its manifest.json,
and the rest of the process (interpreter, imports, loading the scenario, writing files, printing).

    python benchmarks/startup.py                 # median of 5
    python benchmarks/startup.py --imports 25    # and the 25 slowest imports of `gpsim run` (python -X importtime)

Not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from sim.cli.main import main; main()"]


def commands(out: Path) -> dict[str, list[str]]:
    """The timed command lines (gpsim arguments)."""
    return {
        "gpsim --help": ["--help"],
        "gpsim validate scenarios/small.yaml": ["validate", "scenarios/small.yaml"],
        "gpsim run scenarios/small.yaml --days 365": ["run", "scenarios/small.yaml", "--days", "365", "--out",
                                                      str(out)],
    }


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one ``gpsim ARGS`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([*CLI, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"gpsim {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_phases(folder: Path, wall: float) -> str:
    """The last run's build, simulate and summarise seconds (its manifest.json) and the rest of ``wall``."""
    timings = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["timings"]
    inside = {k: timings[f"{k}_s"] for k in ("build", "simulate", "summarise")}
    return (", ".join(f"{k} {v:.2f} s" for k, v in inside.items())
            + f"; the rest (interpreter, imports, loading, writing, printing) {wall - sum(inside.values()):.2f} s")


def slowest_imports(args: list[str], repeats: int, top: int) -> list[tuple[str, float, float]]:
    """The ``top`` modules by cumulative import time (min over ``repeats`` runs): name, cumulative ms, self ms."""
    best: dict[str, list[float]] = defaultdict(lambda: [float("inf"), float("inf")])
    for _ in range(repeats):
        err = subprocess.run([sys.executable, "-X", "importtime", *CLI[1:], *args], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, cumulative, name = line[len("import time:"):].split("|")
            entry = best[name.rstrip()]
            entry[0] = min(entry[0], int(cumulative) / 1000)
            entry[1] = min(entry[1], int(own) / 1000)
    rows = sorted(best.items(), key=lambda kv: -kv[1][0])[:top]
    return [(name, cum, own) for name, (cum, own) in rows]


def main() -> None:
    """Time each command and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each command (median reported)")
    parser.add_argument("--imports", type=int, default=0, metavar="N",
                        help="also list the N slowest imports of `gpsim run` (min over the repeats)")
    opts = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gpsim-startup-"))
    try:
        load = os.getloadavg()
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}; load average {load[0]:.1f} at the start; median of {opts.repeats}")
        print(f"{'command':45s} {'wall (s)':>9s} {'CPU (s)':>8s}   each run's wall (s)")
        for label, args in commands(folder / "run").items():
            timed(args)  # warm-up, not counted
            runs = [timed(args) for _ in range(opts.repeats)]
            walls = [w for w, _ in runs]
            print(f"{label:45s} {statistics.median(walls):9.2f} {statistics.median(c for _, c in runs):8.2f}   "
                  + " ".join(f"{w:.2f}" for w in walls))
            if args[0] == "run":
                print(f"{'':45s} last run: {run_phases(Path(args[-1]), walls[-1])}")
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        if opts.imports:
            print(f"\nslowest imports of `gpsim run` (cumulative ms, own ms; min of {opts.repeats}):")
            args = commands(folder / "run-imports")["gpsim run scenarios/small.yaml --days 365"]
            for name, cumulative, own in slowest_imports(args, opts.repeats, opts.imports):
                print(f"{cumulative:9.1f} {own:8.1f}  {name}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
