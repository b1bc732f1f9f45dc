"""Speed and memory of gpsim at PCN, LGPO (borough) and London scale; run on demand, not in the tests.

    .venv/bin/python benchmarks/run.py                    # everything (about 25 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --sizes pcn,lgpo   # quick: no London
    .venv/bin/python benchmarks/run.py --london-lgpos 4   # London-shaped, 4 of its 40 LGPOs
    .venv/bin/python benchmarks/run.py --sizes pcn,lgpo --front-door   # the same with the front door on
    .venv/bin/gpsim bench ...                             # the same

Synthetic areas are built with tools/make_example_areas.py's generator (list sizes and staff at
national ratios) and every other parameter of scenarios/baseline.yaml, so per-patient rates are the
baseline's. For one replication of warm-up plus 365 days it reports wall time (build + simulate +
summarise, measured inside a fresh process), peak resident memory, requests and appointments
simulated (warm-up included) and microseconds per appointment:

- pcn: one PCN of 50,000 patients (6 practices), one process;
- lgpo: one LGPO / borough of 300,000 patients (7 PCNs, 35 practices), one process;
- london: 11.1 million patients in 1,140 practices, 200 PCNs and 40 LGPOs in 5 STPs; each LGPO is an
  independent task, run on a LocalCluster of 2 workers (peak memory summed over every process).

It also times benchmarks/reference.py (one Mesa agent per patient stepped daily, one SimPy process per
request) on the PCN area, for the speed-up, and the same 8 PCN replications on 1 and on 2 local Dask
workers (checking the results are identical). Results go to a JSON file and a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = {"pcn": 50_000, "lgpo": 300_000, "london": 11_100_000}
LONDON = {"stps": 5, "lgpos": 40, "pcns": 200, "practices": 1_140}
SEED = 20250401


# --------------------------------------------------------------------------------------------
# Synthetic areas
# --------------------------------------------------------------------------------------------


def _generator():
    spec = importlib.util.spec_from_file_location("make_example_areas", ROOT / "tools" / "make_example_areas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def baseline_parameters() -> dict[str, Any]:
    """Everything in scenarios/baseline.yaml except its area: rates, roles, booking, horizon."""
    from sim.config.loading import load_raw

    raw, _ = load_raw(ROOT / "scenarios" / "baseline.yaml")
    return {k: v for k, v in raw.items() if k not in ("area", "name", "description", "extends")}


def area_scenario(name: str, code: str, target: int, practices_per_pcn: list[int], seed: int,
                  params: dict[str, Any] | None = None, days: int = 365) -> dict[str, Any]:
    """A scenario mapping: one LGPO of about ``target`` patients with the baseline's parameters."""
    gen = _generator()
    import numpy as np

    sizes = gen.list_sizes(np.random.default_rng(seed), len(practices_per_pcn), practices_per_pcn, target)
    mapping = dict(params if params is not None else baseline_parameters())
    mapping.update({"name": name, "horizon_days": days,
                    "description": f"Synthetic benchmark area of about {target:,} patients",
                    "area": gen.make_area(name, code, sizes, seed + 1)})
    return mapping


def pcn_scenario(days: int = 365) -> dict[str, Any]:
    """One PCN of about 50,000 patients in 6 practices."""
    return area_scenario("bench-pcn", "BP", SIZES["pcn"], [6], SEED, days=days)


def lgpo_scenario(days: int = 365) -> dict[str, Any]:
    """A borough LGPO of about 300,000 patients: 7 PCNs of 5 practices."""
    return area_scenario("bench-lgpo", "BL", SIZES["lgpo"], [5] * 7, SEED + 10, days=days)


def _split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers (larger ones first)."""
    return [total // parts + (1 if k < total % parts else 0) for k in range(parts)]


def london_scenarios(n_lgpos: int | None = None, days: int = 365, scale: float = 1.0) -> list[dict[str, Any]]:
    """London-shaped areas: 11.1 million patients in 1,140 practices, 200 PCNs and 40 LGPOs in 5 STPs.

    Each LGPO is one scenario (an independent task). ``scale`` shrinks the number of practices, PCNs
    and LGPOs and the population together, keeping practices of realistic size: 0.01 gives the 1%
    London of the test suite (about 111,000 patients in 11 practices, 2 PCNs, 1 LGPO). ``n_lgpos``
    keeps only the first LGPOs.
    """
    params = baseline_parameters()
    lgpos = max(1, round(LONDON["lgpos"] * scale))
    pcns = max(lgpos, round(LONDON["pcns"] * scale))
    practices = max(pcns, round(LONDON["practices"] * scale))
    per_practice = SIZES["london"] * scale / practices
    pcns_of = _split(pcns, lgpos)
    practices_of_pcn = _split(practices, pcns)
    out, first = [], 0
    for k in range(lgpos if n_lgpos is None else min(n_lgpos, lgpos)):
        per_pcn = practices_of_pcn[first:first + pcns_of[k]]
        first += pcns_of[k]
        stp = k * LONDON["stps"] // lgpos + 1
        code = f"S{stp}L{k + 1:02d}"
        mapping = area_scenario(code, code, round(per_practice * sum(per_pcn)), per_pcn,
                                SEED + 100 + k, params, days)
        mapping["area"]["name"] = f"STP {stp}, LGPO {k + 1}"
        out.append(mapping)
    return out


def list_size(mapping: dict[str, Any]) -> int:
    """Registered patients in a scenario mapping."""
    return sum(p["list_size"] for pcn in mapping["area"]["pcns"] for p in pcn["practices"])


# --------------------------------------------------------------------------------------------
# Measuring one replication in a fresh process
# --------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(kind: str, mapping_file: str, out_file: str, repeats: int = 1) -> None:
    """Run one replication (gpsim or the reference) and write its measurements as JSON.

    gpsim: the first replication in this fresh process is timed as ``first_wall_s`` (it also loads the
    compiled kernels and pandas' lazily imported parts), then ``repeats`` more of the same replication
    (identical results) give ``wall_s``, their median: one replication in a worker that has run
    one before, as in compare, sweep and calibrate. The reference runs a 14-day warm-up, then once.
    """
    import holidays.countries  # noqa: F401 - `holidays` imports all ~280 countries on first use: an import
    import numpy as np

    from sim.config.loading import scenario_from_mapping
    from sim.experiments.runner import (
        run_single,  # imports (numba, pandas, mesa) are not part of the timed run
    )

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from reference import run_reference

    from sim.model.clinic import start_compiled

    jit_start = start_compiled()  # Numba's one-off start-up, like the imports, is not part of the run
    mapping = json.loads(Path(mapping_file).read_text())
    c0 = time.process_time()
    if kind == "reference":
        run_reference(scenario_from_mapping({**mapping, "horizon_days": 14}, mapping_file), 0)
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_reference(scenario_from_mapping(mapping, mapping_file), 0)
        res["wall_s"] = time.perf_counter() - t0
        res["cpu_s"] = time.process_time() - c0
    else:
        walls, cpus = [], []
        for _ in range(1 + repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            scenario = scenario_from_mapping(mapping, mapping_file)
            result = run_single(scenario, 0)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        state = result.ledger["state"]
        res = {"wall_s": float(np.median(walls[1:])) if repeats else walls[0],
               "cpu_s": float(np.median(cpus[1:])) if repeats else cpus[0],
               "first_wall_s": walls[0], "walls_s": walls, "repeats": repeats,
               **result.timings, "patients": float(list_size(mapping)),
               "requests": float(len(result.ledger)),
               "appointments": float(state.isin(["seen", "dna"]).sum()),
               "lost": float((state == "lost").sum())}
    res["jit_start_s"] = jit_start
    res["peak_rss_mb"] = _peak_rss_mb()
    Path(out_file).write_text(json.dumps(res))


def measure(kind: str, mapping: dict[str, Any], repeats: int = 0) -> dict[str, Any]:
    """Measure one replication of ``mapping`` in a fresh Python process (see :func:`child`)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "scenario.json", Path(tmp) / "result.json"
        src.write_text(json.dumps(mapping))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(src), str(dst), str(repeats)]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        res = json.loads(dst.read_text())
    res["process_wall_s"] = time.perf_counter() - t0
    return res


# --------------------------------------------------------------------------------------------
# Many tasks on local workers
# --------------------------------------------------------------------------------------------


class TreeMemory:
    """Peak of the summed resident memory of this process and all its descendants (sampled)."""

    def __init__(self, interval: float = 0.25):
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_many(mappings: list[dict[str, Any]], reps: list[tuple[int, ...]], workers: int,
             label: str) -> dict[str, Any]:
    """Run (mapping, replications) tasks on ``workers`` local Dask workers; time, memory, results."""
    import pandas as pd

    from sim.experiments.parallel import ReplicationTask, run_replications, run_tasks

    tasks = [ReplicationTask(key=f"{m['name']}-{'-'.join(map(str, r))}", scenario=m, replications=r,
                             labels={"area": m["name"]}) for m in mappings for r in reps]
    fn = run_replications
    summaries, timings = [], []
    done = 0
    t0 = time.perf_counter()
    with TreeMemory() as mem:
        cluster = None
        if workers == 1:  # one Dask worker, not the in-process path: like for like with 2 workers
            from sim.experiments.parallel import local_cluster

            cluster = local_cluster(1)
        address = cluster.scheduler_address if cluster is not None else None
        for _, result in run_tasks(fn, tasks, workers=workers, cluster=address, key=lambda t: t.key):
            summaries.append(result["summary"])
            timings.append(result["timings"])
            done += 1
            print(f"  {label}: {done}/{len(tasks)} tasks, {time.perf_counter() - t0:,.0f} s", flush=True)
        if cluster is not None:
            cluster.close()
    wall = time.perf_counter() - t0
    tim = pd.concat(timings, ignore_index=True)
    table = pd.concat(summaries, ignore_index=True).sort_values(["area", "replication", "metric"], kind="stable")
    return {"wall_s": wall, "peak_rss_mb": mem.peak, "tasks": len(tasks), "workers": workers,
            "patients": float(sum(list_size(m) for m in mappings)) * len(reps),
            "requests": float(tim["requests"].sum()), "appointments": float(tim["appointments"].sum()),
            "cpu_s": float(tim["cpu_s"].sum()), "cpu_s_per_worker": float(tim["cpu_s"].sum()) / workers,
            "task_wall_s_mean": float(tim.groupby("task")["wall_s"].sum().mean()),
            "worker_peak_rss_mb_max": float(tim["peak_rss_mb"].max()),
            "table": table.reset_index(drop=True)}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on, including how busy the machine was."""
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "load_average_at_start": os.getloadavg(),
            "date": dt.datetime.now().isoformat(timespec="seconds")}


def row(name: str, res: dict[str, Any]) -> str:
    """One Markdown table row (CPU is per worker where tasks ran on several)."""
    us = res["wall_s"] / max(res["appointments"], 1) * 1e6
    cpu = res.get("cpu_s_per_worker", res.get("cpu_s", float("nan")))
    return (f"| {name} | {res['patients']:,.0f} | {res['wall_s']:,.1f} | {cpu:,.1f} | {res['peak_rss_mb']:,.0f} | "
            f"{res['requests']:,.0f} | {res['appointments']:,.0f} | {us:,.1f} |")


def report(results: dict[str, Any]) -> str:
    """The Markdown summary of a benchmark run."""
    lines = ["| case | patients | wall (s) | CPU (s) | peak RSS (MB) | requests | appointments | us / appointment |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    names = {"pcn": "PCN, 1 process", "lgpo": "LGPO / borough, 1 process",
             "london": f"London, {results.get('london', {}).get('workers', 2)} workers",
             "reference": "reference on the PCN"}
    for key, label in names.items():
        if key in results:
            lines.append(row(label, results[key]))
    if "reference" in results:
        for key in ("pcn",):
            if key in results:
                ref, res = results["reference"], results[key]
                lines.append(f"\nSpeed-up over the reference ({names[key]}): wall {ref['wall_s'] / res['wall_s']:.1f}x, "
                             f"CPU {ref['cpu_s'] / res['cpu_s']:.1f}x, "
                             f"per appointment {_per_appt(ref) / _per_appt(res):.1f}x")
                if res.get("repeats"):
                    lines.append(f"\n{names[key]}: wall is the median of {res['repeats']} replications after the first "
                                 f"in the process ({', '.join(f'{w:.2f}' for w in res['walls_s'][1:])} s). The first "
                                 f"replication in a fresh process took {res['first_wall_s']:.2f} s, loading the "
                                 f"compiled kernels: {ref['wall_s'] / res['first_wall_s']:.1f}x the reference.")
    counts = sorted(int(k.split("_")[1]) for k in results if k.startswith("workers_") and k[8:].isdigit())
    if len(counts) > 1:
        first = results[f"workers_{counts[0]}"]
        lines.append(f"\n{first['tasks']} tasks (PCN, 2 replications each) on local Dask workers:\n")
        lines.append("| workers | wall (s) | speed-up over 1 | CPU per worker (s) |\n|---:|---:|---:|---:|")
        for n in counts:
            w = results[f"workers_{n}"]
            lines.append(f"| {n} | {w['wall_s']:.1f} | {first['wall_s'] / w['wall_s']:.2f}x | {w['cpu_s_per_worker']:.1f} |")
        lines.append(f"\nResult tables identical for every worker count: {results['workers_identical']}")
    for key in ("pcn", "lgpo"):
        if key in results and "process_wall_s" in results[key]:
            r = results[key]
            lines.append(f"\n{names[key]}: the whole process took {r['process_wall_s']:.1f} s, of which the run "
                         f"{r['wall_s']:.1f} s; the rest is interpreter start, imports and Numba's start-up "
                         f"({r.get('jit_start_s', float('nan')):.2f} s).")
    if "compile_s" in results:
        lines.append(f"\nFirst run on a fresh install compiles the Numba kernels: {results['compile_s']:.1f} s "
                     "(a 14-day run, cached for later runs; not in the figures above).")
    m = results["machine"]
    lines.append(f"\nMeasured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; "
                 f"load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}.")
    return "\n".join(lines)


def _per_appt(res: dict[str, Any]) -> float:
    return res["wall_s"] / max(res["appointments"], 1)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (also used by `gpsim bench`)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="pcn,lgpo,london", help="comma-separated: pcn, lgpo, london")
    ap.add_argument("--no-reference", action="store_true", help="skip the reference implementation")
    ap.add_argument("--no-workers", action="store_true", help="skip the 1 vs 2 workers comparison")
    ap.add_argument("--london-lgpos", type=int, default=None, help="run only the first N of London's 40 LGPOs")
    ap.add_argument("--workers", type=int, default=2, help="local workers for London (default 2)")
    ap.add_argument("--days", type=int, default=365, help="horizon in days (default 365)")
    ap.add_argument("--worker-counts", default="1,2",
                    help="local worker counts for the scale-out comparison (default 1,2; e.g. 1,2,4,8,16)")
    ap.add_argument("--worker-tasks", type=int, default=16,
                    help="tasks of 2 PCN replications each in the scale-out comparison (default 16)")
    ap.add_argument("--out", default=None, help="JSON results file (default outputs/bench-<time>.json)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="PCN replications timed after the first in the same process; wall time is their median (default 3)")
    ap.add_argument("--front-door", action="store_true",
                    help="switch the front door on (a default front_door: block) in the PCN and LGPO areas")
    ap.add_argument("--child", nargs=4, metavar=("KIND", "SCENARIO_JSON", "RESULT_JSON", "REPEATS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, src, dst, repeats = args.child
        child(kind, src, dst, int(repeats))
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = set(sizes) - set(SIZES)
    if unknown:
        ap.error(f"unknown size(s) {', '.join(sorted(unknown))}; allowed: {', '.join(SIZES)}")
    results: dict[str, Any] = {"machine": machine(), "days": args.days}
    print(f"Benchmark on {results['machine']['cores']} cores; load average {results['machine']['load_average_at_start']}")
    door = {"front_door": {}} if args.front_door else {}
    results["front_door"] = bool(args.front_door)
    pcn = {**pcn_scenario(args.days), **door}
    warm = measure("gpsim", {**pcn_scenario(14), **door})  # compiles (or loads) the Numba kernels once
    results["compile_s"] = warm["wall_s"]
    if "pcn" in sizes:
        results["pcn"] = measure("gpsim", pcn, repeats=args.repeats)
        print(row("pcn", results["pcn"]), flush=True)
    if not args.no_reference:
        results["reference"] = measure("reference", pcn)
        print(row("reference", results["reference"]), flush=True)
    if "lgpo" in sizes:
        lgpo = {**lgpo_scenario(args.days), **door}
        results["lgpo"] = measure("gpsim", lgpo)
        print(row("lgpo", results["lgpo"]), flush=True)
    if not args.no_workers:
        reps = [(2 * k, 2 * k + 1) for k in range(args.worker_tasks)]
        tables = []
        for n in sorted({int(x) for x in args.worker_counts.split(",") if x.strip()}):
            res = run_many([pcn], reps, n, f"{n} worker(s)")
            tables.append(res.pop("table"))
            results[f"workers_{n}"] = res
        results["workers_identical"] = all(t.equals(tables[0]) for t in tables[1:])
    if "london" in sizes:
        areas = london_scenarios(args.london_lgpos, args.days)
        res = run_many(areas, [(0,)], args.workers, "london")
        res.pop("table")
        res.update({"lgpos": len(areas), "practices": sum(len(p["practices"]) for m in areas
                                                         for p in m["area"]["pcns"]),
                    "pcns": sum(len(m["area"]["pcns"]) for m in areas)})
        results["london"] = res
        print(row("london", res), flush=True)
    text = report(results)
    print("\n" + text)
    out = Path(args.out) if args.out else ROOT / "outputs" / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    out.with_suffix(".md").write_text(text + "\n")
    print(f"\nResults in {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
