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
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.config.loading import ScenarioError, deep_merge, load_raw, scenario_from_mapping
from sim.experiments.parallel import (
    ProgressCallback,
    ReplicationTask,
    batches,
    run_replications,
    run_tasks,
)
from sim.results.files import package_versions, write_csv, write_json, write_parquet

DESIGNS = ("parameters", "latin_hypercube", "morris", "sobol")
DEFAULT_BATCH = 4
MANIFEST = "sweep.json"
RESULT_COLUMNS = ("replication", "metric", "value", "units")

Scalar = int | float | str | bool


class GridError(ValueError):
    """A grid file that cannot be used: names the file, the key and what is allowed."""

    def __init__(self, file: str | Path, key: str, message: str):
        self.file = str(file)
        self.key = key
        self.message = message
        super().__init__(f"{self.file}: {key}: {message}" if key else f"{self.file}: {message}")


# --------------------------------------------------------------------------------------------
# Dotted paths into a scenario mapping
# --------------------------------------------------------------------------------------------

_SEGMENT = re.compile(r"^([^\[\]]+)((?:\[\d+\])*)$")


def parse_path(path: str) -> tuple[str | int, ...]:
    """``'area.pcns[0].staff[1].fte'`` -> ``('area', 'pcns', 0, 'staff', 1, 'fte')``.

    Raises:
        ValueError: for an empty path or a malformed segment.
    """
    if not isinstance(path, str) or not path.strip():
        raise ValueError("a parameter must be a dotted path such as demand.rate_multiplier")
    out: list[str | int] = []
    for seg in path.split("."):
        m = _SEGMENT.match(seg)
        if not m:
            raise ValueError(f"'{path}' is not a dotted path (bad part '{seg}')")
        name, idx = m.groups()
        out.append(int(name) if name.isdigit() else name)
        out += [int(k) for k in re.findall(r"\[(\d+)\]", idx)]
    return tuple(out)


def get_path(mapping: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path``; KeyError naming the first missing part."""
    node = mapping
    for k, part in enumerate(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            where = _render(path[:k]) or "the scenario"
            if isinstance(node, dict):
                hint = f"; keys there: {', '.join(sorted(map(str, node)))}"
            elif isinstance(node, list):
                hint = f"; {where} has {len(node)} item(s)"
            else:
                hint = f"; {where} is a value, not a mapping"
            raise KeyError(f"no '{part}' in {where}{hint}")
    return node


def set_path(mapping: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    """Set ``value`` at an existing ``path`` in place."""
    parent = get_path(mapping, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and last not in parent and str(last) in parent:
        last = str(last)
    parent[last] = value


def _render(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


# --------------------------------------------------------------------------------------------
# Grid files
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A validated design: parameter paths and the list of points (path -> value)."""

    design: str
    parameters: tuple[str, ...]
    points: tuple[dict[str, Scalar], ...]
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    integers: tuple[str, ...] = ()
    fixed: dict[str, Scalar] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "<grid>"
    raw: dict[str, Any] = field(default_factory=dict)

    def problem(self) -> dict[str, Any]:
        """SALib's problem dict (names and bounds), for range-based designs."""
        return {"num_vars": len(self.parameters), "names": list(self.parameters),
                "bounds": [list(self.ranges[p]) for p in self.parameters]}

    def matrix(self) -> np.ndarray:
        """Points as a float matrix (rows in design order, columns in parameter order)."""
        return np.array([[float(pt[p]) for p in self.parameters] for pt in self.points], dtype=float)


def _is_scalar(v: Any) -> bool:
    return isinstance(v, int | float | str | bool) and not (isinstance(v, float) and not np.isfinite(v))


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and bool(np.isfinite(v))


def _check_keys(src: str, where: str, data: Any, required: set[str], optional: set[str]) -> None:
    if not isinstance(data, dict):
        raise GridError(src, where, "must be a mapping (key: value lines)")
    allowed = required | optional
    for k in data:
        if k not in allowed:
            raise GridError(src, f"{where}.{k}" if where else str(k),
                            f"unknown key; allowed keys here: {', '.join(sorted(allowed))}")
    for k in sorted(required):
        if k not in data:
            raise GridError(src, f"{where}.{k}" if where else k, "required key is missing")


def _int_option(src: str, key: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise GridError(src, key, f"must be a whole number >= {low} (got {value!r})")
    return value


def _check_path(src: str, key: str, path: str) -> tuple[str | int, ...]:
    try:
        return parse_path(path)
    except ValueError as exc:
        raise GridError(src, key, str(exc)) from None


def _ranges(src: str, where: str, data: Any) -> tuple[dict[str, tuple[float, float]], tuple[str, ...]]:
    if not isinstance(data, dict) or not data:
        raise GridError(src, f"{where}.ranges", "must map each parameter path to [low, high]")
    out, ints = {}, []
    for name, bounds in data.items():
        key = f"{where}.ranges.{name}"
        _check_path(src, key, name)
        if (not isinstance(bounds, list) or len(bounds) != 2 or not all(_is_number(b) for b in bounds)):
            raise GridError(src, key, f"must be [low, high], two numbers (got {bounds!r})")
        lo, hi = bounds
        if not lo < hi:
            raise GridError(src, key, f"low must be below high (got [{lo}, {hi}])")
        out[str(name)] = (float(lo), float(hi))
        if isinstance(lo, int) and isinstance(hi, int):
            ints.append(str(name))
    return out, tuple(ints)


def _as_values(matrix: np.ndarray, names: list[str], ints: tuple[str, ...]) -> tuple[dict[str, Scalar], ...]:
    points = []
    for row in matrix:
        pt: dict[str, Scalar] = {}
        for name, x in zip(names, row, strict=True):
            pt[name] = round(float(x)) if name in ints else float(x)
        points.append(pt)
    return tuple(points)


def parse_grid(data: Any, source: str | Path = "<grid>") -> Grid:
    """Validate a grid mapping and expand it into points.

    Raises:
        GridError: naming the source and key of the first problem.
    """
    src = str(source)
    if not isinstance(data, dict):
        raise GridError(src, "", "a grid file must be a mapping with one of: " + ", ".join(DESIGNS))
    _check_keys(src, "", data, set(), {*DESIGNS, "fixed", "description"})
    designs = [d for d in DESIGNS if d in data]
    if len(designs) != 1:
        found = ", ".join(designs) if designs else "none"
        raise GridError(src, "", f"give exactly one design of: {', '.join(DESIGNS)} (found {found})")
    design = designs[0]
    spec = data[design]
    fixed: dict[str, Scalar] = {}
    if "fixed" in data:
        if not isinstance(data["fixed"], dict):
            raise GridError(src, "fixed", "must map parameter paths to values")
        for name, value in data["fixed"].items():
            _check_path(src, f"fixed.{name}", name)
            if not _is_scalar(value):
                raise GridError(src, f"fixed.{name}", f"must be a number, string or boolean (got {value!r})")
            fixed[str(name)] = value
    ranges: dict[str, tuple[float, float]] = {}
    ints: tuple[str, ...] = ()
    options: dict[str, Any] = {}
    if design == "parameters":
        if not isinstance(spec, dict) or not spec:
            raise GridError(src, "parameters", "must map each parameter path to a list of values")
        names = []
        for name, values in spec.items():
            key = f"parameters.{name}"
            _check_path(src, key, name)
            if not isinstance(values, list) or not values:
                raise GridError(src, key, f"must be a non-empty list of values (got {values!r})")
            for v in values:
                if not _is_scalar(v):
                    raise GridError(src, key, f"values must be numbers, strings or booleans (got {v!r})")
            if len({json.dumps(v) for v in values}) != len(values):
                raise GridError(src, key, "lists a value twice")
            names.append(str(name))
        points = tuple(dict(zip(names, combo, strict=True))
                       for combo in itertools.product(*(spec[n] for n in names)))
    elif design == "latin_hypercube":
        from scipy.stats import qmc

        _check_keys(src, design, spec, {"samples", "ranges"}, {"seed"})
        n = _int_option(src, f"{design}.samples", spec["samples"], 1)
        seed = _int_option(src, f"{design}.seed", spec.get("seed", 0), 0)
        ranges, ints = _ranges(src, design, spec["ranges"])
        names = list(ranges)
        unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(n)
        lo = np.array([ranges[p][0] for p in names])
        hi = np.array([ranges[p][1] for p in names])
        points = _as_values(qmc.scale(unit, lo, hi), names, ints)
        options = {"samples": n, "seed": seed}
    elif design == "morris":
        from SALib.sample import morris as morris_sample

        _check_keys(src, design, spec, {"trajectories", "ranges"}, {"levels", "seed"})
        n = _int_option(src, f"{design}.trajectories", spec["trajectories"], 2)
        levels = _int_option(src, f"{design}.levels", spec.get("levels", 4), 2)
        if levels % 2:
            raise GridError(src, f"{design}.levels", f"must be even (got {levels})")
        seed = _int_option(src, f"{design}.seed", spec.get("seed", 0), 0)
        ranges, ints = _ranges(src, design, spec["ranges"])
        names = list(ranges)
        problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[p]) for p in names]}
        x = morris_sample.sample(problem, n, num_levels=levels, seed=seed)
        points = _as_values(x, names, ints)
        options = {"trajectories": n, "levels": levels, "seed": seed}
    else:  # sobol
        from SALib.sample import sobol as sobol_sample

        _check_keys(src, design, spec, {"samples", "ranges"}, {"second_order", "seed"})
        n = _int_option(src, f"{design}.samples", spec["samples"], 2)
        if n & (n - 1):
            raise GridError(src, f"{design}.samples", f"must be a power of 2 (got {n})")
        second = spec.get("second_order", False)
        if not isinstance(second, bool):
            raise GridError(src, f"{design}.second_order", f"must be true or false (got {second!r})")
        seed = _int_option(src, f"{design}.seed", spec.get("seed", 0), 0)
        ranges, ints = _ranges(src, design, spec["ranges"])
        names = list(ranges)
        problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[p]) for p in names]}
        x = sobol_sample.sample(problem, n, calc_second_order=second, seed=seed)
        points = _as_values(x, names, ints)
        options = {"samples": n, "second_order": second, "seed": seed}
    overlap = set(fixed) & set(names)
    if overlap:
        raise GridError(src, f"fixed.{sorted(overlap)[0]}", "is also a swept parameter")
    return Grid(design=design, parameters=tuple(names), points=points, ranges=ranges, integers=ints,
                fixed=fixed, options=options, source=src, raw=copy.deepcopy(data))


def load_grid(path: str | Path) -> Grid:
    """Read and validate a grid YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GridError(path, "", "file not found") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise GridError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_grid(data, path)


# --------------------------------------------------------------------------------------------
# Planning: points -> scenario mappings -> tasks
# --------------------------------------------------------------------------------------------


def canonical_hash(obj: Any) -> str:
    """SHA-256 of a JSON rendering with sorted keys (stable across runs and machines)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_key(scenario_sha: str, point: dict[str, Scalar], replications: tuple[int, ...]) -> str:
    """File-name-safe key of one task: a hash of (scenario hash, point values, replications)."""
    return canonical_hash({"scenario": scenario_sha, "point": point, "replications": list(replications)})[:20]


def apply_point(base: dict[str, Any], values: dict[str, Scalar]) -> dict[str, Any]:
    """A deep copy of ``base`` with each dotted path set to its value."""
    out = copy.deepcopy(base)
    for name, value in values.items():
        set_path(out, parse_path(name), value)
    return out


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
            "format": "gpsim-sweep/1",
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
    raw, _ = load_raw(scenario_file)
    if overrides:
        raw = deep_merge(raw, overrides)
    base_sc = scenario_from_mapping(raw, scenario_file)
    base = base_sc.model_dump(mode="json")
    for name in (*grid.fixed, *grid.parameters):
        try:
            get_path(base, parse_path(name))
        except KeyError as exc:
            section = "fixed" if name in grid.fixed else _design_key(grid)
            raise GridError(grid.source, f"{section}.{name}", f"not a scenario parameter: {exc.args[0]}") from None
    if grid.fixed:
        base = apply_point(base, grid.fixed)
        try:
            base = scenario_from_mapping(base, scenario_file).model_dump(mode="json")
        except ScenarioError as exc:
            raise GridError(grid.source, "fixed", f"gives an invalid scenario: {exc.message} "
                                                  f"(at {exc.yaml_path})") from None
    sha = canonical_hash(base)
    rep_batches = batches(range(reps), batch)
    tasks: dict[str, ReplicationTask] = {}
    assignments: list[tuple[int, str]] = []
    for k, point in enumerate(grid.points):
        mapping = apply_point(base, point)
        try:
            scenario_from_mapping(mapping, scenario_file)
        except ScenarioError as exc:
            desc = ", ".join(f"{n}={v}" for n, v in point.items())
            raise GridError(grid.source, _design_key(grid),
                            f"point {k} ({desc}) gives an invalid scenario: {exc.message} "
                            f"(at {exc.yaml_path})") from None
        for reps_k in rep_batches:
            key = task_key(sha, point, reps_k)
            # a design may repeat a point (Morris trajectories do): one task serves every copy
            if key not in tasks:
                tasks[key] = ReplicationTask(key=key, scenario=mapping, replications=reps_k,
                                             levels=("lgpo",), labels={"point": k, **point})
            assignments.append((k, key))
    return SweepPlan(out=Path(out), scenario_file=str(scenario_file), scenario_name=base_sc.name,
                     base=base, scenario_sha=sha, overrides=overrides or {}, grid=grid, reps=reps,
                     batch=batch, tasks=list(tasks.values()), assignments=assignments)


def _design_key(grid: Grid) -> str:
    return "parameters" if grid.design == "parameters" else f"{grid.design}.ranges"


# --------------------------------------------------------------------------------------------
# Running, resuming, collecting
# --------------------------------------------------------------------------------------------


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The sweep.json in ``out``, or None."""
    path = Path(out) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


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
        write_parquet(result["summary"], plan.task_path(task))
        if on_task:
            on_task(task)

    def progress(done: int, running: int, left: int) -> None:
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


def collect(plan: SweepPlan) -> pd.DataFrame:
    """The tidy results table from the task files: point, parameters, replication, metric, value, units.

    Raises:
        FileNotFoundError: when a task has not finished.
    """
    frames = []
    params = list(plan.grid.parameters)
    cache: dict[str, pd.DataFrame] = {}
    for point, key in plan.assignments:
        if key not in cache:
            path = plan.tasks_dir / f"{key}.parquet"
            if not path.exists():
                raise FileNotFoundError(f"task {key} (point {point}) has no results yet: {path}")
            cache[key] = pd.read_parquet(path, columns=list(RESULT_COLUMNS)).reset_index(drop=True)
        df = cache[key]
        values = plan.grid.points[point]
        head = pd.DataFrame({"point": np.full(len(df), point, dtype=np.int64)})
        for p in params:
            head[p] = [values[p]] * len(df)
        frames.append(pd.concat([head, df], axis=1))
    table = pd.concat(frames, ignore_index=True)
    for p in params:  # a column mixing text and numbers is stored as text
        kinds = {type(v) for v in table[p]}
        if str in kinds and len(kinds) > 1:
            table[p] = table[p].astype(str)
    table["replication"] = table["replication"].astype(np.int64)
    table["value"] = table["value"].astype(float)
    return table.sort_values(["point", "replication", "metric"], kind="stable").reset_index(drop=True)
