"""Run independent tasks (replications, scenarios, grid points, LGPOs) serially or on Dask.

:func:`run_tasks` is the one entry point. ``workers=1`` (and no cluster) runs every task in this
process, one after the other, with no Dask at all: the path tests and small jobs use. Otherwise tasks
go to Dask's ``distributed`` scheduler: a :class:`~distributed.LocalCluster` of ``workers`` processes
with one thread each (default: every core), or an existing cluster when given its scheduler address.
Results come back as tasks finish, in completion order; callers that need a fixed order sort them.

Every replication seeds its random streams from (scenario seed, replication, stream name) only
(:mod:`sim.model.rng`), so results do not depend on which worker ran a task, nor on how many there were.

:class:`ReplicationTask` and :func:`run_replications` are the usual payload: a scenario as a plain
mapping plus a batch of replication numbers, returning summary rows and timings. Batch several
replications per task: a task that lasts under a second spends most of its time in scheduling.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from sim.config.loading import scenario_from_mapping
from sim.experiments.ensemble import with_member
from sim.experiments.runner import run_single

T = TypeVar("T")
R = TypeVar("R")

#: ``on_progress(done, running, left)``: tasks finished, being computed now, not yet started.
ProgressCallback = Callable[[int, int, int], None]


class TaskError(RuntimeError):
    """A task raised: names the task so the failure can be found and rerun."""

    def __init__(self, key: str, cause: BaseException):
        self.key = key
        self.cause = cause
        super().__init__(f"task {key} failed: {type(cause).__name__}: {cause}")


def default_workers() -> int:
    """Cores this process may use (CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def batches(replications: Iterable[int], size: int) -> list[tuple[int, ...]]:
    """Split replication numbers into consecutive batches of at most ``size``."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1 (got {size})")
    reps = list(replications)
    return [tuple(reps[k:k + size]) for k in range(0, len(reps), size)]


def run_tasks(fn: Callable[[T], R], tasks: Sequence[T], *, workers: int | None = None,
              cluster: str | None = None, key: Callable[[T], str] | None = None,
              on_done: Callable[[T, R], None] | None = None,
              on_progress: ProgressCallback | None = None) -> Iterator[tuple[T, R]]:
    """Compute ``fn(task)`` for every task; yield ``(task, result)`` as each finishes.

    Args:
        fn: a module-level (picklable) function of one task.
        tasks: picklable task objects (mappings, dataclasses ...).
        workers: local worker processes; ``None`` means every core; ``1`` (without ``cluster``)
            runs the tasks in this process without Dask.
        cluster: address of a running Dask scheduler (``tcp://host:8786``); ``workers`` is then
            ignored and the cluster's workers are used.
        key: a stable, unique name per task (shown by Dask and in errors); default its position.
        on_done: called in this process with ``(task, result)`` as each task finishes, before it is
            yielded (write results here so they survive an interruption).
        on_progress: called with ``(done, running, left)`` whenever a task starts or finishes.

    Raises:
        TaskError: when a task raises; tasks finished before it have been passed to ``on_done``.
    """
    tasks = list(tasks)
    names = [key(t) if key else str(k) for k, t in enumerate(tasks)]
    if len(set(names)) != len(names):
        raise ValueError("task keys must be unique")
    if not tasks:
        return
    if cluster is None and (workers or default_workers()) <= 1:
        yield from _run_serial(fn, tasks, names, on_done, on_progress)
    else:
        yield from _run_dask(fn, tasks, names, workers, cluster, on_done, on_progress)


def _run_serial(fn, tasks, names, on_done, on_progress) -> Iterator[tuple[Any, Any]]:
    n = len(tasks)
    for k, (task, name) in enumerate(zip(tasks, names, strict=True)):
        if on_progress:
            on_progress(k, 1, n - k - 1)
        try:
            result = fn(task)
        except Exception as exc:
            raise TaskError(name, exc) from exc
        if on_done:
            on_done(task, result)
        if on_progress:
            on_progress(k + 1, 0, n - k - 1)
        yield task, result


def local_cluster(workers: int):
    """A LocalCluster of ``workers`` processes with one thread each, quiet.

    Its diagnostics page goes on any free port (":0"): asking for Dask's default 8787 warns whenever
    another cluster is running, which is noise in a planner's terminal.
    """
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.ERROR)


def _ignore_sigint() -> None:
    """Run on each local worker: Ctrl-C is for the client, which cancels tasks and closes the cluster."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_dask(fn, tasks, names, workers, cluster, on_done, on_progress) -> Iterator[tuple[Any, Any]]:
    from distributed import Client, as_completed

    local = None
    if cluster is None:
        local = local_cluster(workers or default_workers())
        client = Client(local)
        # local workers share the terminal: without this a Ctrl-C prints a traceback from each
        client.run(_ignore_sigint)
    else:
        client = Client(cluster)
    futures: dict[Any, int] = {}
    try:
        slots = max(1, sum(client.nthreads().values()))
        n = len(tasks)
        token = f"{os.getpid()}-{time.monotonic_ns()}"
        for k, (task, name) in enumerate(zip(tasks, names, strict=True)):
            futures[client.submit(fn, task, key=f"gpsim-{name}-{token}", pure=False)] = k
        if on_progress:
            on_progress(0, min(slots, n), n - min(slots, n))
        for done, fut in enumerate(as_completed(list(futures)), start=1):
            k = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:
                raise TaskError(names[k], exc) from exc
            fut.release()
            if on_done:
                on_done(tasks[k], result)
            if on_progress:
                running = min(slots, n - done)
                on_progress(done, running, n - done - running)
            yield tasks[k], result
    finally:
        for fut in futures:
            fut.cancel()
        _quietly(client.close)
        if local is not None:
            _quietly(local.close)


def _quietly(close: Callable[[], Any]) -> None:
    # shutting down after an error or Ctrl-C: nothing useful to report
    with contextlib.suppress(Exception):
        close()


# --------------------------------------------------------------------------------------------
# The usual task: a batch of replications of one scenario
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicationTask:
    """Replications of one scenario, given as a plain (picklable) scenario mapping.

    Attributes:
        key: unique, stable name of the task (a file name for its results).
        scenario: a scenario mapping as :func:`sim.config.loading.scenario_from_mapping` takes it.
        replications: replication numbers to run, one after the other.
        levels: summary levels to return ('lgpo', 'pcn', 'practice').
        labels: extra columns added to every result row (grid point, parameter values ...).
    """

    key: str
    scenario: dict[str, Any]
    replications: tuple[int, ...]
    levels: tuple[str, ...] = ("lgpo",)
    labels: dict[str, Any] = field(default_factory=dict)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if os.uname().sysname != "Darwin" else rss / 2**20


def run_replications(task: ReplicationTask) -> dict[str, pd.DataFrame]:
    """Run a task's replications; keep only summaries (no ledgers are held between replications).

    Returns:
        ``{"summary": ...}`` with the task's labels, ``replication`` and the summary columns (level,
        unit, metric, value, units) for the requested levels, and ``{"timings": ...}`` with one row
        per replication: wall and CPU seconds, build, simulate and summarise seconds, requests and
        appointments simulated (warm-up included) and the worker's peak memory.
    """
    scenario = scenario_from_mapping(task.scenario, f"<task {task.key}>")
    summaries, timings = [], []
    for rep in task.replications:
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_single(with_member(scenario, rep)[0], rep)  # an ensemble's draw for rep
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        s = result.summary[result.summary["level"].isin(task.levels)].reset_index(drop=True)
        s.insert(0, "replication", rep)
        for k, (name, value) in enumerate(task.labels.items()):
            s.insert(k, name, value)
        summaries.append(s)
        appts = int(result.ledger["state"].isin(["seen", "dna"]).sum())
        timings.append({"task": task.key, "replication": rep, "wall_s": wall, "cpu_s": cpu, **result.timings,
                        "appointments": float(appts), "peak_rss_mb": peak_rss_mb()})
        del result
    return {"summary": pd.concat(summaries, ignore_index=True), "timings": pd.DataFrame(timings)}
