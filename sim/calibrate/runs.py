"""Running the model for the calibration: a scenario over given months, replications, summaries.

Each trial of the fit and each evaluation runs the model with :func:`run_targets` (only the model
and its ledger, no summaries) and reads the monthly targets of :mod:`sim.calibrate.simulated`.
Replications are numbered: the fit uses 0, 1, ... (common random numbers across trials), the
evaluation starts at :data:`sim.calibrate.evaluate.EVAL_FIRST_REP`. Runs are independent and
seeded by their replication number, so :func:`parallel_runs` can spread a calibration's batches
(:func:`run_many`) over worker processes with identical results.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import pandas as pd

from sim.calibrate.simulated import simulated_targets
from sim.config.loading import scenario_from_mapping
from sim.config.scenario import Scenario
from sim.experiments.runner import build_model
from sim.results.tables import ledger_frame

#: ``progress(label, done, total)``: told after each trial and run.
Progress = Callable[[str, int, int], None]

#: Warm-up (days) and book length (days) a mapping without them has: the scenario schema defaults.
DEFAULT_WARM_UP_DAYS = 28
DEFAULT_BOOK_AHEAD_DAYS = 28

#: Days of warm-up beyond the book's length, so the first reported day's book is full (days).
WARM_UP_BEYOND_BOOK_DAYS = 7

#: Longest warm-up the scenario schema allows (days).
MAX_WARM_UP_DAYS = 365

#: Central share of replications the intervals cover (2.5-97.5%).
INTERVAL_LEVEL = 0.95

#: Worker processes by default: the machine's cores, at most 2 (the acceptance machine has 2).
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)

#: The open pool of :func:`parallel_runs` (empty: runs stay in this process).
_POOL: list[ProcessPoolExecutor] = []

#: CPU seconds of the runs made in worker processes, for the timings.
_WORKER_CPU: list[float] = []


def span(months: Sequence[pd.Timestamp]) -> tuple[pd.Timestamp, int]:
    """(first day, number of days) covering ``months`` from the first to the end of the last."""
    first = min(months)
    last = max(months) + pd.offsets.MonthEnd(0)
    return first, int((last - first).days) + 1


def warm_up_for(mapping: dict[str, Any]) -> int:
    """Warm-up days that fill the whole appointment book: the scenario's, or book length + 7."""
    booking = mapping.get("booking", {})
    return int(min(MAX_WARM_UP_DAYS,
                   max(int(mapping.get("warm_up_days", DEFAULT_WARM_UP_DAYS)),
                       int(booking.get("book_ahead_days", DEFAULT_BOOK_AHEAD_DAYS))
                       + WARM_UP_BEYOND_BOOK_DAYS)))


def scenario_for(mapping: dict[str, Any], months: Sequence[pd.Timestamp]) -> Scenario:
    """Validate ``mapping`` as a scenario that runs from the first month to the end of the last.

    The warm-up is lengthened to :func:`warm_up_for` so the first month's book is full.
    """
    first, days = span(months)
    m = dict(mapping)
    m["start_date"] = first.date().isoformat()
    m["horizon_days"] = days
    m["warm_up_days"] = warm_up_for(mapping)
    return scenario_from_mapping(m, "<calibration>")


def run_targets(scenario: Scenario, replication: int, months: Sequence[pd.Timestamp],
                list_size: int | None = None) -> pd.DataFrame:
    """One replication of ``scenario`` -> simulated targets (long) for ``months``.

    Only the model and its ledger are built (no summaries), to keep trials cheap; the model is freed
    on return (gpsim's agents hold their model weakly: sim.model.agents.AgentNumbers).
    """
    model = build_model(scenario, replication)
    model.run()
    ledger = ledger_frame(model)
    del model
    return simulated_targets(ledger, scenario, months, list_size)


@contextmanager
def parallel_runs(workers: int) -> Iterator[None]:
    """Run :func:`run_many` batches in ``workers`` processes inside the block (1: in this one).

    Workers start with ``forkserver``, so no thread of this process is copied into them.
    """
    if workers <= 1 or _POOL:
        yield
        return
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("forkserver"))
    _POOL.append(pool)
    try:
        yield
    finally:
        _POOL.clear()
        pool.shutdown(wait=True)


def run_many(tasks: Sequence[tuple[Scenario, int]], months: Sequence[pd.Timestamp],
             list_size: int | None = None) -> list[pd.DataFrame]:
    """Simulated targets of each (scenario, replication) of ``tasks``, in their order.

    In the pool of :func:`parallel_runs` where one is open and the batch has two runs or more;
    each run is seeded by its replication, so the results do not depend on where it ran.
    """
    if not _POOL or len(tasks) < 2:
        return [run_targets(sc, r, months, list_size) for sc, r in tasks]
    futures = [_POOL[0].submit(timed_run, sc, r, list(months), list_size) for sc, r in tasks]
    out = []
    for f in futures:
        table, cpu = f.result()
        _WORKER_CPU.append(cpu)
        out.append(table)
    return out


def timed_run(scenario: Scenario, replication: int, months: Sequence[pd.Timestamp],
              list_size: int | None) -> tuple[pd.DataFrame, float]:
    """:func:`run_targets` and the CPU seconds it took (in a worker process)."""
    t0 = time.process_time()
    table = run_targets(scenario, replication, months, list_size)
    return table, time.process_time() - t0


def worker_cpu_seconds() -> float:
    """CPU seconds of every run made in worker processes by this process so far."""
    return float(sum(_WORKER_CPU))


def mean_targets(runs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Mean over replications of long target tables."""
    both = pd.concat(runs, ignore_index=True)
    return both.groupby(["month", "target"], as_index=False)[["value", "n"]].mean()


def interval_targets(runs: Sequence[pd.DataFrame], level: float = INTERVAL_LEVEL) -> pd.DataFrame:
    """Mean and the central ``level`` range over replications, per month and target."""
    both = pd.concat(runs, ignore_index=True)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    g = both.groupby(["month", "target"])["value"]
    out = pd.DataFrame({"mean": g.mean(), "lower": g.quantile(lo), "upper": g.quantile(hi),
                        "reps": g.count()})
    return out.reset_index()


def simulate_intervals(mapping: dict[str, Any], months: Sequence[pd.Timestamp], reps: int, *,
                       list_size: int | None = None, first_rep: int = 0,
                       progress: Progress | None = None, label: str = "evaluate"
                       ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Run ``mapping`` over ``months`` ``reps`` times: intervals table and each run's targets."""
    sc = scenario_for(mapping, months)
    runs = run_many([(sc, first_rep + k) for k in range(reps)], months, list_size)
    if progress:
        progress(label, reps, reps)
    return interval_targets(runs), runs
