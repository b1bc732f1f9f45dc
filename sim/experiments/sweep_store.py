"""Where a sweep keeps its work: task keys, one results file per task, sweep.json, the tidy table.

A task's results are written atomically to ``DIR/tasks/<task_key>.parquet`` when it finishes;
the key hashes (scenario, point values, replications), so re-running the same sweep finds every
finished task by its file and skips it. ``DIR/sweep.json`` describes the sweep; :func:`collect`
joins the task files into one row per (point, replication, metric).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.parallel import ReplicationTask
from sim.experiments.sweep_design import Grid, Scalar
from sim.results.files import package_versions

MANIFEST = "sweep.json"
RESULT_COLUMNS = ("replication", "metric", "value", "units")

#: Hex characters of the SHA-256 kept in a task key (80 bits: no collision within any sweep).
TASK_KEY_CHARS = 20

#: The manifest's format tag.
MANIFEST_FORMAT = "gpsim-sweep/1"


def canonical_hash(obj: Any) -> str:
    """SHA-256 of a JSON rendering with sorted keys (stable across runs and machines)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_key(scenario_sha: str, point: dict[str, Scalar], replications: tuple[int, ...]) -> str:
    """File-name-safe key of one task: a hash of (scenario hash, point values, replications)."""
    return canonical_hash({"scenario": scenario_sha, "point": point,
                           "replications": list(replications)})[:TASK_KEY_CHARS]


@dataclass
class SweepPlan:
    """Everything needed to run, resume and collect one sweep."""

    out: Path
    scenario_file: str
    scenario_name: str
    base: dict[str, Any]
    scenario_sha: str
    overrides: dict[str, Any]
    grid: Grid
    reps: int
    batch: int
    tasks: list[ReplicationTask]
    assignments: list[tuple[int, str]]  # (point, task key) in point order; repeated points share tasks

    @property
    def tasks_dir(self) -> Path:
        """Folder of per-task result files."""
        return self.out / "tasks"

    def task_path(self, task: ReplicationTask) -> Path:
        """Where a task's results are written."""
        return self.tasks_dir / f"{task.key}.parquet"

    def pending(self) -> list[ReplicationTask]:
        """Tasks without a results file yet."""
        return [t for t in self.tasks if not self.task_path(t).exists()]

    def manifest(self, complete: bool = False, **extra: Any) -> dict[str, Any]:
        """The sweep.json content."""
        by_key: dict[str, list[int]] = {}
        for point, key in self.assignments:
            by_key.setdefault(key, []).append(point)
        return {
            "format": MANIFEST_FORMAT,
            "scenario": self.scenario_name,
            "scenario_file": self.scenario_file,
            "scenario_sha256": self.scenario_sha,
            "overrides": self.overrides,
            "grid_file": self.grid.source,
            "grid": self.grid.raw,
            "design": self.grid.design,
            "design_options": self.grid.options,
            "parameters": list(self.grid.parameters),
            "ranges": {k: list(v) for k, v in self.grid.ranges.items()},
            "integer_parameters": list(self.grid.integers),
            "fixed": self.grid.fixed,
            "replications": self.reps,
            "batch": self.batch,
            "points": [{"point": k, "values": pt} for k, pt in enumerate(self.grid.points)],
            "tasks": [{"key": t.key, "points": by_key[t.key], "replications": list(t.replications)}
                      for t in self.tasks],
            "results": ["results.parquet", "results.csv"],
            "complete": complete,
            "packages": package_versions(),
            **extra,
        }


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The sweep.json in ``out``, or None."""
    path = Path(out) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _task_table(plan: SweepPlan, point: int, key: str, cache: dict[str, pd.DataFrame]
                ) -> pd.DataFrame:
    """One point's rows of a task file (read once per task), its parameter values in front."""
    if key not in cache:
        path = plan.tasks_dir / f"{key}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"task {key} (point {point}) has no results yet: {path}")
        cache[key] = pd.read_parquet(path, columns=list(RESULT_COLUMNS)).reset_index(drop=True)
    df = cache[key]
    values = plan.grid.points[point]
    head = pd.DataFrame({"point": np.full(len(df), point, dtype=np.int64)})
    for p in plan.grid.parameters:
        head[p] = [values[p]] * len(df)
    return pd.concat([head, df], axis=1)


def collect(plan: SweepPlan) -> pd.DataFrame:
    """The tidy results table from the task files: point, parameters, replication, metric, value, units.

    Raises:
        FileNotFoundError: when a task has not finished.
    """
    cache: dict[str, pd.DataFrame] = {}
    frames = [_task_table(plan, point, key, cache) for point, key in plan.assignments]
    table = pd.concat(frames, ignore_index=True)
    for p in plan.grid.parameters:  # a column mixing text and numbers is stored as text
        kinds = {type(v) for v in table[p]}
        if str in kinds and len(kinds) > 1:
            table[p] = table[p].astype(str)
    table["replication"] = table["replication"].astype(np.int64)
    table["value"] = table["value"].astype(float)
    return table.sort_values(["point", "replication", "metric"], kind="stable").reset_index(drop=True)
