"""Helpers every command shares: the consoles, progress bars, loading a scenario, running a comparison."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.cli.guards import check_out_writable
from sim.config.loading import ScenarioError, load_scenario
from sim.config.scenario import Scenario
from sim.experiments.compare import ComparisonInterrupted, run_comparison
from sim.experiments.parallel import TaskError

# soft_wrap: messages and paths are never cut or wrapped at 80 columns in logs and pipes (tables still fit)
console = Console(stderr=False, soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def progress_bar(label: str, total: int, enabled: bool | None = None) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on a terminal; silent when output is not a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as prog:
        task = prog.add_task(label, total=total)
        yield lambda done, total: prog.update(task, completed=done, total=total)


@contextmanager
def task_progress(total: int, label: str, enabled: bool | None = None) -> Iterator[Callable[[int, int, int], None]]:
    """A rich bar of tasks done / running / left on a terminal; silent otherwise (``total`` 0: counted as they come)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda done, running, left: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[done]} done, {task.fields[running]} running, {task.fields[left]} left"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as prog:
        bar = prog.add_task(label, total=total, done=0, running=0, left=total)

        def update(done: int, running: int, left: int) -> None:
            prog.update(bar, completed=done, total=total or done + running + left, done=done, running=running, left=left)

        yield update


def resume_hint() -> str:
    """How to resume the command that was interrupted: the same command line again."""
    return "Run the same command again to resume (finished tasks are kept):\n  " + shlex.join(["gpsim", *sys.argv[1:]])


def load_or_fail(path: str | Path, overrides: dict | None = None) -> Scenario:
    """Load a scenario, turning a ScenarioError into a clean CLI error."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def default_out(name: str) -> Path:
    """outputs/<scenario>-<timestamp>/."""
    return Path("outputs") / f"{name}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def compare_scenarios(paths: list[str | Path], reps: int, out: Path, out_console: Console, *,
                      seed: int | None = None, workers: int | None = None, cluster: str | None = None,
                      ledger: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Run a comparison with a progress bar, turning its errors and Ctrl-C into clean CLI exits."""
    check_out_writable(out)  # before any replication runs, not after
    with task_progress(0, "Replications") as update:

        def on_start(to_run: int, reused: int) -> None:
            if reused:
                out_console.print(f"Reusing {reused} finished replication(s) in {out}")
            update(0, 0, to_run)

        try:
            return run_comparison(paths, reps, out, seed=seed, workers=workers, cluster=cluster, ledger=ledger,
                                  on_start=on_start, on_progress=update)
        except ScenarioError as exc:
            raise click.ClickException(str(exc)) from None
        except TaskError as exc:
            raise click.ClickException(str(exc)) from None
        except ComparisonInterrupted as exc:
            out_console.print(f"[yellow]Interrupted.[/yellow] {exc.finished} of {exc.total} replications are saved "
                              f"in {out}; run the same command again to resume.")
            raise SystemExit(130) from None
