"""Compare scenarios side by side with common random numbers and paired 95% intervals.

Every scenario runs the same replication numbers with the same base seed, so replication r of each
scenario sees the same demand, absences and per-request draws: a lever changed in one scenario does
not change what was drawn for the others. The answer is the paired difference from the first
scenario per replication, with a t-interval over replications.

Each replication's files are written as it finishes (``DIR/<scenario>/rep-NNN/``); running the same
comparison again reuses finished replications instead of recomputing them.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.checks import area_mismatch, memory_problem
from sim.config.loading import (
    ScenarioError,
    deep_merge,
    load_raw,
    on_area,
    scenario_from_mapping,
    scenario_hash,
)
from sim.experiments.ensemble import add_widths, noise_tasks, with_member
from sim.experiments.parallel import run_tasks
from sim.experiments.runner import run_single, write_run
from sim.model.interventions import describe
from sim.results.files import package_versions, write_csv, write_json, write_parquet
from sim.results.intervals import ratio_interval, t_interval
from sim.results.outcomes import level_rank, unit_of
from sim.results.staff_month import staff_month_mean
from sim.results.tables import fte_by_month

REP_FILES = ("summary.csv", "monthly.parquet", "staff.parquet", "events.csv", "fte_by_month.csv",
             "staff_by_month.csv", "manifest.json")


@dataclass(frozen=True)
class CompareTask:
    """One replication of one scenario, written into its own folder."""

    key: str
    name: str
    mapping: dict[str, Any]
    replication: int
    out: str
    source: str
    sha256: str
    ledger: bool = False
    noise_only: bool = False  # a run of an ensemble scenario without its ensemble


def scenario_label(path: str | Path, mapping: dict[str, Any]) -> str:
    """The label a scenario goes by in tables: its name, else its file stem."""
    return str(mapping.get("name") or Path(path).stem)


def plan(paths: list[str | Path], reps: int, out: Path, seed: int | None = None, ledger: bool = False,
         overrides: dict[str, Any] | None = None,
         area: str | Path | None = None) -> tuple[list[CompareTask], list[dict[str, Any]]]:
    """Tasks for every (scenario, replication) and a description of each scenario.

    The base seed is the first scenario's (or ``seed``) for every scenario: common random numbers.
    ``overrides`` (``{"horizon_days": 60}``) are merged into every scenario; ``area`` is a scenario
    file whose ``area:`` replaces each scenario's (:func:`sim.config.loading.on_area`).
    """
    infos, mappings = [], []
    for path in paths:
        mapping, _ = load_raw(path)
        if area is not None:
            mapping = on_area(path, mapping, area)
        if overrides:
            mapping = deep_merge(mapping, overrides)
        sc = scenario_from_mapping(copy.deepcopy(mapping), path)  # validate now: fail before any run
        mappings.append((path, mapping, sc))
    for path, _, sc in mappings:
        if (why := area_mismatch(mappings[0][2], sc, str(mappings[0][0]))) is not None:
            raise ScenarioError(path, "area", why)
        if (why := memory_problem(sc)) is not None:
            raise ScenarioError(path, "", why)
    base_seed = seed if seed is not None else mappings[0][2].seed
    labels = [scenario_label(p, m) for p, m, _ in mappings]
    if len(set(labels)) != len(labels):
        labels = [f"{k + 1}-{lab}" for k, lab in enumerate(labels)]
    tasks = []
    for (path, mapping, sc), label in zip(mappings, labels, strict=True):
        mapping = dict(mapping)
        mapping["seed"] = base_seed
        mapping.pop("extends", None)
        digest = scenario_hash(path, area)
        infos.append({"label": label, "file": str(path), "sha256": digest, "name": sc.name,
                      "description": sc.description, "list_size": sc.list_size,
                      "horizon_days": sc.horizon_days, "start_date": sc.start_date.isoformat(),
                      "interventions": [describe(iv) for iv in sc.interventions],
                      **({"area_file": str(area)} if area is not None else {})})
        for r in range(reps):
            tasks.append(CompareTask(key=f"{label}/rep-{r:03d}", name=label, mapping=mapping, replication=r,
                                     out=str(out / label / f"rep-{r:03d}"), source=str(path), sha256=digest,
                                     ledger=ledger))
    return tasks, infos


def _fingerprint(task: CompareTask) -> str:
    blob = json.dumps(task.mapping, sort_keys=True, default=str) + f"|{task.replication}"
    return hashlib.sha256(blob.encode()).hexdigest()


def is_done(task: CompareTask) -> bool:
    """A replication counts as finished when all its files exist and match this exact task."""
    out = Path(task.out)
    if not all((out / f).exists() for f in REP_FILES):
        return False
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("task_fingerprint") == _fingerprint(task)


def run_task(task: CompareTask) -> str:
    """Run one replication and write its files (runs on a worker)."""
    started = dt.datetime.now()
    sc, member = with_member(scenario_from_mapping(copy.deepcopy(task.mapping), task.source),
                             task.replication)
    result = run_single(sc, task.replication)
    out = Path(task.out)
    write_run(result, out, scenario_file=task.source, scenario_sha256=task.sha256, started=started,
              ended=dt.datetime.now(), ledger=task.ledger, periods=("month",))
    write_csv(fte_by_month(result.staff, sc.start_date, sc.horizon_days), out / "fte_by_month.csv")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["task_fingerprint"] = _fingerprint(task)
    if member is not None:
        manifest["ensemble_member"] = member
    write_json(manifest, out / "manifest.json")  # written last: its presence marks the replication done
    return task.key


def collect(tasks: list[CompareTask]) -> dict[str, pd.DataFrame]:
    """Read every replication's files into long tables keyed by scenario and replication."""
    summaries, monthly, fte, events, staff_month = [], [], [], [], []
    for t in tasks:
        out = Path(t.out)
        keys = {"scenario": t.name, "replication": t.replication}
        summaries.append(pd.read_csv(out / "summary.csv").assign(**keys))
        monthly.append(pd.read_parquet(out / "monthly.parquet").assign(**keys))
        fte.append(pd.read_csv(out / "fte_by_month.csv").assign(**keys))
        staff_month.append(pd.read_csv(out / "staff_by_month.csv").assign(**keys))
        ev = pd.read_csv(out / "events.csv")
        if len(ev):
            events.append(ev.assign(**keys))
    return {
        "replications": pd.concat(summaries, ignore_index=True),
        "monthly": pd.concat(monthly, ignore_index=True),
        "fte_by_month": pd.concat(fte, ignore_index=True),
        "staff_by_month": pd.concat(staff_month, ignore_index=True),
        "events": pd.concat(events, ignore_index=True) if events else pd.DataFrame(
            columns=["day", "staff", "role", "unit", "event", "fte", "scenario", "replication"]),
    }


def paired_comparison(reps: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Mean and 95% interval per scenario, and the paired difference from the first scenario."""
    ref = order[0]
    wide = reps.pivot_table(index=["level", "unit", "metric", "replication"], columns="scenario",
                            values="value", aggfunc="first")
    rows = []
    for (level, unit, metric), block in wide.groupby(level=["level", "unit", "metric"], sort=False):
        for name in order:
            if name not in block:
                continue
            vals = block[name].to_numpy(dtype=float)
            mean, lo, hi = t_interval(vals)
            if name == ref:
                dm = dlo = dhi = 0.0
            else:
                dm, dlo, dhi = t_interval(vals - block[ref].to_numpy(dtype=float))
            rows.append({"level": level, "unit": unit, "metric": metric, "units": unit_of(metric),
                         "scenario": name, "n_reps": int(np.isfinite(vals).sum()), "mean": mean,
                         "ci_low": lo, "ci_high": hi, "diff_vs_" + "reference": dm, "diff_ci_low": dlo,
                         "diff_ci_high": dhi,
                         "diff_significant": bool(np.isfinite(dlo) and (dlo > 0 or dhi < 0)), "note": ""})
    rows += _cost_per_unmet_avoided(wide, order)
    out = pd.DataFrame(rows)
    out = out.rename(columns={"diff_vs_reference": "diff_mean"})
    out["_l"] = level_rank(out["level"])
    out["_s"] = out["scenario"].map({n: k for k, n in enumerate(order)})
    return out.sort_values(["_l", "unit", "metric", "_s"], kind="stable").drop(columns=["_l", "_s"]).reset_index(drop=True)


COST_PER_1000 = "cost_per_1000_gbp_year"
UNMET_PER_1000 = "unmet_per_1000_year"
PER_AVOIDED = "cost_per_unmet_avoided_gbp"


def _cost_per_unmet_avoided(wide: pd.DataFrame, order: list[str]) -> list[dict[str, Any]]:
    """Each scenario's extra cost per unmet request avoided against the reference, per unit, with a Fieller interval.

    Per replication the numerator is the paired difference in cost per 1,000 patients a year and the
    denominator the paired fall in lost requests per 1,000 a year (both per year and per 1,000, so
    the ratio is GBP per lost request avoided). Where the fall's 95% interval spans 0 the ratio has
    no interval: ``note`` says so and the bounds are empty.
    """
    ref = order[0]
    rows = []
    metrics = wide.index.get_level_values("metric")
    if COST_PER_1000 not in set(metrics):
        return rows
    for (level, unit), block in wide.groupby(level=["level", "unit"], sort=False):
        block = block.droplevel(["level", "unit"])
        if COST_PER_1000 not in block.index or UNMET_PER_1000 not in block.index:
            continue
        cost, unmet = block.loc[COST_PER_1000], block.loc[UNMET_PER_1000]
        for name in order[1:]:
            if name not in block or ref not in block:
                continue
            d_cost = (cost[name] - cost[ref]).to_numpy(dtype=float)
            avoided = (unmet[ref] - unmet[name]).to_numpy(dtype=float)
            ratio, lo, hi, note = ratio_interval(d_cost, avoided)
            rows.append({"level": level, "unit": unit, "metric": PER_AVOIDED, "units": unit_of(PER_AVOIDED),
                         "scenario": name, "n_reps": int(np.isfinite(d_cost + avoided).sum()), "mean": ratio,
                         "ci_low": lo, "ci_high": hi, "diff_vs_reference": ratio, "diff_ci_low": lo,
                         "diff_ci_high": hi, "diff_significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
                         "note": note})
    return rows


def finish(out: Path, tasks: list[CompareTask], infos: list[dict[str, Any]], reps: int, seed: int,
           started: dt.datetime) -> pd.DataFrame:
    """Tables over all replications, comparison.csv and the comparison manifest."""
    tables = collect(tasks)
    order = [i["label"] for i in infos]
    comparison = paired_comparison(tables["replications"], order)
    noise = noise_tasks(tasks)
    if any(t.noise_only for t in noise):
        noise_reps = collect(noise)["replications"]
        comparison = add_widths(comparison, paired_comparison(noise_reps, order))
        write_parquet(noise_reps, out / "replications_noise_only.parquet")
    write_csv(comparison, out / "comparison.csv")
    write_parquet(tables["replications"], out / "replications.parquet")
    write_parquet(tables["monthly"], out / "monthly.parquet")
    write_csv(tables["fte_by_month"], out / "fte_by_month.csv")
    write_parquet(tables["staff_by_month"], out / "staff_by_month.parquet")  # every replication, every level
    write_csv(staff_month_mean(tables["staff_by_month"]), out / "staff_by_month.csv")
    write_csv(tables["events"], out / "events.csv")
    write_json({"kind": "comparison", "reference": order[0], "scenarios": infos, "replications": reps,
                "seed": seed, "common_random_numbers": True, "started": started.isoformat(timespec="seconds"),
                "ended": dt.datetime.now().isoformat(timespec="seconds"), "packages": package_versions()},
               out / "manifest.json")
    return comparison


class ComparisonInterrupted(KeyboardInterrupt):
    """Ctrl-C during a comparison: ``finished`` of ``total`` replications are saved and will be reused."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(f"{finished} of {total} replications saved")
        self.finished = finished
        self.total = total


def run_comparison(paths: list[str | Path], reps: int, out: Path, *, seed: int | None = None,
                   workers: int | None = None, cluster: str | None = None, ledger: bool = False,
                   overrides: dict[str, Any] | None = None, area: str | Path | None = None,
                   on_start: Callable[[int, int], None] | None = None,
                   on_progress: Callable[[int, int, int], None] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Plan, run (reusing finished replications) and summarise a comparison: comparison.csv's frame and the labels.

    ``on_start(to_run, reused)`` is called once planned; ``on_progress(done, running, left)`` as tasks
    finish. ``overrides`` and ``area`` as for :func:`plan`. Raises ScenarioError for a bad scenario, TaskError for a failed replication and
    :class:`ComparisonInterrupted` on Ctrl-C.
    """
    tasks, infos = plan(list(paths), reps, out, seed=seed, ledger=ledger, overrides=overrides, area=area)
    extra = [t for t in noise_tasks(tasks) if t.noise_only]  # with an ensemble: noise-only runs
    todo = [t for t in tasks + extra if not is_done(t)]
    if on_start is not None:
        on_start(len(todo), len(tasks) + len(extra) - len(todo))
    started = dt.datetime.now()
    try:
        if todo:
            for _ in run_tasks(run_task, todo, workers=workers, cluster=cluster, key=lambda t: t.key,
                               on_progress=on_progress):
                pass
    except KeyboardInterrupt:
        raise ComparisonInterrupted(sum(is_done(t) for t in tasks), len(tasks)) from None
    comparison = finish(out, tasks, infos, reps, tasks[0].mapping["seed"], started)
    return comparison, [i["label"] for i in infos]
