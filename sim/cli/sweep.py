"""``gpsim sweep`` and ``gpsim sensitivity``: resumable parameter sweeps and what drives the outcomes."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click
import pandas as pd
from rich.table import Table

from sim.cli.common import console, err_console, resume_hint, scenario_overrides, task_progress
from sim.config.loading import ScenarioError
from sim.experiments.parallel import TaskError, default_workers
from sim.experiments.sensitivity import SensitivityError, analyse, ranking_table, size_problem
from sim.experiments.sweep import plan_sweep, run_sweep
from sim.experiments.sweep_design import GridError, load_grid
from sim.experiments.sweep_store import read_manifest
from sim.results.files import write_csv


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--grid", "grid_file", required=True, type=click.Path(dir_okay=False),
              help="Grid YAML: `parameters:` lists, or a `latin_hypercube:`, `morris:` or `sobol:` design.")
@click.option("--reps", type=click.IntRange(1), default=1, show_default=True,
              help="Replications per grid point (replications 0..N-1).")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Sweep folder: tasks/, sweep.json, results.parquet, results.csv.")
@click.option("--batch", type=click.IntRange(1), default=None,
              help="Replications per task (default 4). Changing it changes the tasks, so keep it when resuming.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help=f"Local worker processes (default: every core, here {default_workers()}); 1 runs in this process.")
@click.option("--cluster", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786) to run the tasks on a cluster instead.")
@click.option("--days", type=click.IntRange(1, 3660), default=None, help="Override the scenario's horizon_days.")
@click.option("--seed", type=click.IntRange(0), default=None, help="Override the scenario's base seed.")
def sweep(scenario: str, grid_file: str, reps: int, out: str, batch: int | None, workers: int | None,
          cluster: str | None, days: int | None, seed: int | None) -> None:
    """Run SCENARIO over a parameter grid with replications; resumable after Ctrl-C or a crash."""
    try:
        grid = load_grid(grid_file)
        plan = plan_sweep(scenario, grid, reps, out, batch=batch, overrides=scenario_overrides(seed, days))
    except (GridError, ScenarioError) as exc:
        raise click.ClickException(str(exc)) from None
    previous = read_manifest(plan.out)
    if previous and previous.get("scenario_sha256") != plan.scenario_sha:
        err_console.print(f"[yellow]note[/yellow] {out} held a sweep of a different scenario; "
                          "only task files that match this one are reused")
    pending = plan.pending()
    n_points, n_tasks = len(grid.points), len(plan.tasks)
    where = f"cluster {cluster}" if cluster else (
        "this process" if (workers or default_workers()) == 1 else f"{workers or default_workers()} local workers")
    console.print(f"Sweep of {plan.scenario_name}: {n_points} point(s) x {reps} replication(s) = {n_tasks} task(s) "
                  f"of up to {plan.batch} replication(s); {n_tasks - len(pending)} already done, "
                  f"{len(pending)} to run on {where}")
    too_small = size_problem(grid.design, n_points)  # said now, before the sweep runs, not after
    if too_small and n_points > 1:
        err_console.print(f"[yellow]note[/yellow] too small for `gpsim sensitivity`: {too_small}")
    try:
        with task_progress(n_tasks, f"Sweep {plan.scenario_name}", unit="tasks") as update:
            table = run_sweep(plan, workers=workers, cluster=cluster, on_progress=update)
    except KeyboardInterrupt:
        done = n_tasks - len(plan.pending())
        err_console.print(f"\nInterrupted: {done} of {n_tasks} tasks are saved in {plan.tasks_dir}.\n{resume_hint()}")
        sys.exit(130)
    except TaskError as exc:
        done = n_tasks - len(plan.pending())
        raise click.ClickException(f"{exc}\n{done} of {n_tasks} tasks are saved. {resume_hint()}") from None
    console.print(f"Results in [bold]{plan.out}[/bold]: results.parquet and results.csv "
                  f"({len(table):,} rows: point, {', '.join(grid.parameters)}, replication, metric, value, units)")
    if not too_small:
        console.print(f"Which inputs drive the outcomes: gpsim sensitivity {shlex.quote(str(plan.out))}")


@click.command()
@click.argument("sweep_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--metric", "metrics", multiple=True,
              help="Outcome to analyse (repeatable; default the access and workload headline outcomes).")
@click.option("--method", type=click.Choice(["auto", "morris", "sobol", "rbd_fast", "anova"]), default="auto",
              show_default=True, help="auto follows the sweep's design.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="CSV of the analysis (default SWEEP_DIR/sensitivity.csv).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of SALib's bootstrap intervals.")
def sensitivity(sweep_dir: str, metrics: tuple[str, ...], method: str, out: str | None, seed: int) -> None:
    """Rank the inputs of a finished sweep by how much they drive access and workload outcomes."""
    folder = Path(sweep_dir)
    manifest = read_manifest(folder)
    results = folder / "results.parquet"
    if manifest is None:
        raise click.ClickException(f"{folder} is not a sweep folder (no sweep.json); run gpsim sweep first")
    # the design's size first: a sweep too small for its analysis is told what size it needs
    try:
        problem = size_problem(manifest["design"], len(manifest["points"]), method) if "points" in manifest else None
    except SensitivityError as exc:
        raise click.ClickException(str(exc)) from None
    if problem:
        raise click.ClickException(f"{folder}: {problem}")
    if not results.exists():
        raise click.ClickException(f"{folder} has no results.parquet yet: the sweep has not finished; "
                                   "re-run its gpsim sweep command to complete it")
    table = pd.read_parquet(results)
    try:
        result = analyse(table, manifest, list(metrics) or None, method, seed)
    except SensitivityError as exc:
        raise click.ClickException(str(exc)) from None
    path = Path(out) if out else folder / "sensitivity.csv"
    write_csv(result, path)
    wide = ranking_table(result)
    used = result["method"].iloc[0] if len(result) else method
    index = result["index"].iloc[0] if len(result) else ""
    params = list(manifest["parameters"])
    table_out = Table(title=f"What drives the outcomes: {used} ({index}; higher = more influential)")
    table_out.add_column("Outcome", no_wrap=True)
    for p in params:
        table_out.add_column(p, justify="right", overflow="fold")
    table_out.add_column("Top driver", overflow="fold")
    table_out.add_column("Noise %", justify="right")
    last_group = None
    for _, row in wide.iterrows():
        if row["group"] != last_group:
            table_out.add_row(f"[bold]{row['group']}[/bold]", *[""] * (len(params) + 2))
            last_group = row["group"]
        cells = [_fmt(row.get(p)) for p in params]
        top = row["top_driver"] if isinstance(row["top_driver"], str) else "-"
        table_out.add_row(f"  {row['outcome']}", *cells, top, _fmt(row["noise_pct"], "{:.0f}"))
    console.print(table_out)
    console.print("Noise %: share of the spread between design points that replication noise alone gives; "
                  "rankings are trustworthy where it is small (add replications otherwise).")
    console.print(f"Full table (confidence intervals, Spearman direction, ranks): [bold]{path}[/bold]")


def _fmt(value: object, fmt: str = "{:.3g}") -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "-"
    return "-" if v != v else fmt.format(v)
