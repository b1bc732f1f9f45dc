"""What the front door costs: the PCN (or LGPO) year of benchmarks/run.py with the front door off and on.

    .venv/bin/python benchmarks/front_door_cost.py [--size pcn|lgpo] [--repeats 3]

Runs alternate off, on, off, on ... in one process after a warm-up that compiles the kernels, so a
busy machine slows both alike; reports the median wall and CPU (process) seconds of the simulation
(build + run, no summary) and the ratio on / off. Issue 16 asks for no more than 30% slower.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import lgpo_scenario, pcn_scenario  # noqa: E402

from sim.config.loading import scenario_from_mapping  # noqa: E402
from sim.model.interventions import attach  # noqa: E402


def _time(mapping: dict, rep: int) -> tuple[float, float]:
    """(wall, CPU) seconds to build and run one replication."""
    sc = scenario_from_mapping(mapping, "<bench>")
    w, c = time.perf_counter(), time.process_time()
    model = attach(sc, rep)
    model.run()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    """Time the year with the front door off and on, alternating."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="pcn", choices=("pcn", "lgpo"))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    make = pcn_scenario if args.size == "pcn" else lgpo_scenario
    off = make(365)
    on = {**off, "front_door": {}}
    for mapping in (make(14), {**make(14), "front_door": {}}):  # compile (or load) the kernels
        _time(mapping, 0)
    times: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
    for r in range(args.repeats):
        for name, mapping in (("off", off), ("on", on)):
            times[name].append(_time(mapping, r))
            print(f"{name} rep {r}: wall {times[name][-1][0]:.2f} s, CPU {times[name][-1][1]:.2f} s", flush=True)
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in times.items()}
    print(f"{args.size} year, median of {args.repeats}: off wall {med['off'][0]:.2f} s CPU {med['off'][1]:.2f} s; "
          f"on wall {med['on'][0]:.2f} s CPU {med['on'][1]:.2f} s; on/off wall {med['on'][0] / med['off'][0]:.2f}, "
          f"CPU {med['on'][1] / med['off'][1]:.2f}")


if __name__ == "__main__":
    main()
