"""Parameter sweeps that survive interruption: grid files, tasks, resumable execution, one tidy table.

A grid file names scenario parameters by dotted paths into the scenario mapping
(``demand.rate_multiplier``, ``roles.GP.slot_minutes``, ``area.pcns[0].practices[1].list_size``)
and chooses exactly one design::

    parameters:               # full factorial over lists of values
      demand.rate_multiplier: [0.9, 1.0, 1.1]
      roles.GP.same_day_slot_share: [0.3, 0.45]

    latin_hypercube:          # space-filling sample over ranges (scipy.stats.qmc)
      samples: 20
      seed: 1
      ranges: {demand.rate_multiplier: [0.8, 1.2], booking.book_ahead_days: [14, 42]}

    morris:                   # Morris elementary effects (SALib), for `gpsim sensitivity`
      trajectories: 10
      levels: 4
      seed: 1
      ranges: {...}

    sobol:                    # Saltelli/Sobol sample (SALib), for `gpsim sensitivity`
      samples: 64             # base sample N, a power of 2
      second_order: false
      seed: 1
      ranges: {...}

    fixed:                    # optional: set on every point
      horizon_days: 180

A range whose bounds are both integers gives integer values. Each task is one grid point and a batch
of consecutive replications. Its results (LGPO-level summary rows) are written atomically to
``DIR/tasks/<task_key>.parquet`` when it finishes, where the key hashes (scenario, point values,
replications); re-running the same sweep skips every task whose file exists. ``DIR/sweep.json``
describes the sweep; ``DIR/results.parquet`` and ``results.csv`` hold one row per (point,
replication, metric) with the parameter values as columns.

The parts: :mod:`~sim.experiments.sweep_paths` (dotted paths), :mod:`~sim.experiments.sweep_design`
(grid files and designs), :mod:`~sim.experiments.sweep_store` (task keys, task files, sweep.json,
the tidy table); this module plans the tasks and runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.loading import ScenarioError, deep_merge, load_raw, scenario_from_mapping
from sim.experiments.parallel import (
    ProgressCallback,
    ReplicationTask,
    batches,
    run_replications,
    run_tasks,
)
from sim.experiments.sweep_design import Grid, GridError, design_key
from sim.experiments.sweep_paths import apply_point, get_path, parse_path
from sim.experiments.sweep_store import MANIFEST, SweepPlan, canonical_hash, collect, task_key
from sim.results.files import write_csv, write_json, write_parquet

#: Replications per task when the command gives no ``--batch``.
DEFAULT_BATCH = 4


def _base_scenario(scenario_file: str | Path, grid: Grid, overrides: dict[str, Any] | None
                   ) -> tuple[str, dict[str, Any]]:
    """The scenario's name and full mapping with the overrides and the grid's fixed values set.

    Raises:
        ScenarioError: when the base scenario is invalid.
        GridError: when a grid path is not in the scenario or the fixed values make it invalid.
    """
    raw, _ = load_raw(scenario_file)
    if overrides:
        raw = deep_merge(raw, overrides)
    base_sc = scenario_from_mapping(raw, scenario_file)
    base = base_sc.model_dump(mode="json")
    for name in (*grid.fixed, *grid.parameters):
        try:
            get_path(base, parse_path(name))
        except KeyError as exc:
            section = "fixed" if name in grid.fixed else design_key(grid)
            raise GridError(grid.source, f"{section}.{name}", f"not a scenario parameter: {exc.args[0]}") from None
    if grid.fixed:
        base = apply_point(base, grid.fixed)
        try:
            base = scenario_from_mapping(base, scenario_file).model_dump(mode="json")
        except ScenarioError as exc:
            raise GridError(grid.source, "fixed", f"gives an invalid scenario: {exc.message} "
                                                  f"(at {exc.yaml_path})") from None
    return base_sc.name, base


def _point_scenario(scenario_file: str | Path, grid: Grid, base: dict[str, Any], k: int
                    ) -> dict[str, Any]:
    """Grid point ``k`` applied to ``base``; a GridError naming the point when it is invalid."""
    point = grid.points[k]
    mapping = apply_point(base, point)
    try:
        scenario_from_mapping(mapping, scenario_file)
    except ScenarioError as exc:
        desc = ", ".join(f"{n}={v}" for n, v in point.items())
        raise GridError(grid.source, design_key(grid),
                        f"point {k} ({desc}) gives an invalid scenario: {exc.message} "
                        f"(at {exc.yaml_path})") from None
    return mapping


def plan_sweep(scenario_file: str | Path, grid: Grid, reps: int, out: str | Path, *,
               batch: int | None = None, overrides: dict[str, Any] | None = None) -> SweepPlan:
    """Resolve the base scenario, check every grid point gives a valid scenario, and cut tasks.

    Raises:
        ScenarioError: when the base scenario is invalid.
        GridError: when a parameter path is not in the scenario or a point makes it invalid.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1 (got {reps})")
    batch = batch or DEFAULT_BATCH
    name, base = _base_scenario(scenario_file, grid, overrides)
    sha = canonical_hash(base)
    rep_batches = batches(range(reps), batch)
    tasks: dict[str, ReplicationTask] = {}
    assignments: list[tuple[int, str]] = []
    for k, point in enumerate(grid.points):
        mapping = _point_scenario(scenario_file, grid, base, k)
        for reps_k in rep_batches:
            key = task_key(sha, point, reps_k)
            # a design may repeat a point (Morris trajectories do): one task serves every copy
            if key not in tasks:
                tasks[key] = ReplicationTask(key=key, scenario=mapping, replications=reps_k,
                                             levels=("lgpo",), labels={"point": k, **point})
            assignments.append((k, key))
    return SweepPlan(out=Path(out), scenario_file=str(scenario_file), scenario_name=name,
                     base=base, scenario_sha=sha, overrides=overrides or {}, grid=grid, reps=reps,
                     batch=batch, tasks=list(tasks.values()), assignments=assignments)


def run_sweep(plan: SweepPlan, *, workers: int | None = None, cluster: str | None = None,
              on_progress: ProgressCallback | None = None,
              on_task: Callable[[ReplicationTask], None] | None = None) -> pd.DataFrame:
    """Run every task not yet done, writing each one's file as it finishes; return the full table.

    Interrupting (Ctrl-C, a crash, a killed process) loses only tasks in progress: finished task
    files are complete (atomic writes), and calling this again with the same plan resumes.
    """
    plan.out.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now()
    write_json(plan.manifest(complete=False, started=started.isoformat(timespec="seconds")),
               plan.out / MANIFEST)
    todo = plan.pending()
    n_done = len(plan.tasks) - len(todo)

    def save(task: ReplicationTask, result: dict[str, pd.DataFrame]) -> None:
        """Write a finished task's summary rows to its file."""
        write_parquet(result["summary"], plan.task_path(task))
        if on_task:
            on_task(task)

    def progress(done: int, running: int, left: int) -> None:
        """Report progress counting the tasks finished in earlier runs."""
        if on_progress:
            on_progress(n_done + done, running, left)

    if on_progress:
        on_progress(n_done, 0, len(todo))
    for _ in run_tasks(run_replications, todo, workers=workers, cluster=cluster, key=lambda t: t.key,
                       on_done=save, on_progress=progress):
        pass
    table = collect(plan)
    write_parquet(table, plan.out / "results.parquet")
    write_csv(table, plan.out / "results.csv")
    write_json(plan.manifest(complete=True, started=started.isoformat(timespec="seconds"),
                             ended=dt.datetime.now().isoformat(timespec="seconds"),
                             computed_tasks=len(todo), reused_tasks=n_done),
               plan.out / MANIFEST)
    return table
