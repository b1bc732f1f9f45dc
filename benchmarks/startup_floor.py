"""The floor under `gpsim run`'s start-up: what a process that only imports its libraries already costs.

A ladder of fresh processes, each doing one more thing than the one before: the bare interpreter;
numpy; pandas; pyarrow.parquet (pandas writes parquet through it); Mesa's core as gpsim imports it
(:mod:`sim.lazy_imports`); Numba; Numba's first call of a kernel loaded from its on-disk cache (Numba
builds its CPU target on first use: every gpsim run pays it once, whatever its kernels); everything ``gpsim run`` imports (``import sim.cli.run``); and the
whole one-year ``gpsim run scenarios/small.yaml --days 365``. Each rung is timed ``--repeats`` times
after one untimed warm-up, as CPU seconds of the child (user + system: steadier than wall time on a
shared machine), minimum and median, with the load average.

    python benchmarks/startup_floor.py --repeats 7
    python benchmarks/startup_floor.py --repeats 7 --against /work/main   # A/B, interleaved

``--bytecode`` runs the children without ``PYTHONDONTWRITEBYTECODE`` (this development environment
sets it, so every process compiles gpsim's ~130 modules from source, 0.1-0.15 s): the checkout's
``__pycache__`` is written by the warm-up and read after, as for an installed gpsim.

``--against DIR`` times instead the last two rungs (all imports, the whole run) in another checkout
(the build before a change) and in this one, alternating run by run so that drift in the machine's
speed falls on both alike, and prints wall and CPU seconds, median and minimum, for each.

Not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ)  # the children's environment (--bytecode drops PYTHONDONTWRITEBYTECODE)
KERNEL = "from numba import njit\n\n@njit(cache=True)\ndef step(x):\n    return x + 1\n"


def ladder(kernel_dir: Path, out: Path) -> list[tuple[str, list[str]]]:
    """(label, argv) of each rung, cheapest first; each step is against the rung above."""
    py = [sys.executable, "-c"]
    base = "import numpy, pandas, pyarrow.parquet"
    return [
        ("python (interpreter, site)", [*py, "pass"]),
        ("+ numpy", [*py, "import numpy"]),
        ("+ pandas", [*py, "import numpy, pandas"]),
        ("+ pyarrow.parquet", [*py, "import numpy, pandas, pyarrow.parquet"]),
        ("+ mesa core (sim.lazy_imports)", [*py, f"{base}, sim.lazy_imports"]),
        ("+ numba", [*py, f"{base}, sim.lazy_imports, numba"]),
        ("+ first call of a cached kernel", [*py, f"import sys; sys.path.insert(0, {str(kernel_dir)!r}); "
                                                 f"{base}, sim.lazy_imports, kernel; kernel.step(1)"]),
        ("import sim.cli.run (all gpsim run imports)", [*py, "import sim.cli.run"]),
        ("gpsim run scenarios/small.yaml --days 365", [*py, "from sim.cli.main import main; main()", "run",
                                                       "scenarios/small.yaml", "--days", "365", "--out", str(out)]),
    ]


def timed(argv: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process run in ``cwd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu(argv: list[str]) -> float:
    """CPU seconds (user + system) of one child process."""
    return timed(argv)[1]


def compare(other: Path, folder: Path, repeats: int) -> None:
    """The last two rungs in ``other`` and in this checkout, interleaved: wall and CPU, median and minimum."""
    rungs = ladder(folder, folder / "run")[-2:]
    print(f"{'rung':45s} {'tree':6s} {'wall med':>8s} {'min':>6s} {'CPU med':>8s} {'min':>6s}")
    for label, argv in rungs:
        trees = {"before": other, "after": ROOT}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for tree in trees.values():
            timed(argv, tree)  # warm-up
        for _ in range(repeats):
            for name, tree in trees.items():
                times[name].append(timed(argv, tree))
        for name, runs in times.items():
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"{label:45s} {name:6s} {statistics.median(walls):8.2f} {min(walls):6.2f} "
                  f"{statistics.median(cpus):8.2f} {min(cpus):6.2f}")


def main() -> None:
    """Time each rung and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each rung")
    parser.add_argument("--against", type=Path, default=None, metavar="DIR",
                        help="time the last two rungs in checkout DIR and in this one, interleaved")
    parser.add_argument("--bytecode", action="store_true",
                        help="let the children write and read __pycache__ (as an installed gpsim does)")
    opts = parser.parse_args()
    if opts.bytecode:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    folder = Path(tempfile.mkdtemp(prefix="gpsim-floor-"))
    try:
        (folder / "kernel.py").write_text(KERNEL, encoding="utf-8")
        if opts.against is not None:
            print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; seconds, "
                  f"median and minimum of {opts.repeats}; before: {opts.against}")
            compare(opts.against.resolve(), folder, opts.repeats)
            print(f"load average {os.getloadavg()[0]:.1f} at the end")
            return
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; CPU seconds, "
              f"min and median of {opts.repeats}")
        print(f"{'rung':45s} {'min':>6s} {'median':>7s} {'step (min)':>11s}")
        previous = 0.0
        for label, argv in ladder(folder, folder / "run"):
            cpu(argv)  # warm-up: file cache; compiles the kernel into its cache the first time
            runs = [cpu(argv) for _ in range(opts.repeats)]
            print(f"{label:45s} {min(runs):6.2f} {statistics.median(runs):7.2f} {min(runs) - previous:+11.2f}")
            previous = min(runs)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
