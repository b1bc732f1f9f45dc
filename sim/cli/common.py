"""Helpers every command shares: the consoles, progress bars (lines in logs), loading a scenario."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.config.loading import ScenarioError, load_scenario
from sim.config.scenario import Scenario

#: Console width when output is not a terminal: wide enough that no table is cut or wrapped in a log
#: or a pipe (a rich table takes only the width its cells need). An exported COLUMNS (often 80, set by
#: tools rather than chosen) does not narrow it.
LOG_WIDTH = 1000


def log_width(stream) -> int | None:
    """None (the terminal's width) on a terminal; :data:`LOG_WIDTH` in logs and pipes."""
    isatty = getattr(stream, "isatty", None)
    return None if isatty is not None and isatty() else LOG_WIDTH


# soft_wrap: messages and paths are never cut or wrapped at 80 columns in logs and pipes; the width
# keeps tables whole there too
console = Console(stderr=False, soft_wrap=True, width=log_width(sys.stdout))
err_console = Console(stderr=True, soft_wrap=True, width=log_width(sys.stderr))


def progress_lines(label: str, unit: str, out: Console | None = None) -> Callable[[int, int], None]:
    """``update(done, total)`` that prints one line each time ``done`` grows: progress in a log file.

    Used when stderr is not a terminal (``make run > log``), where a progress bar would be silent, so a
    long job says how far it has got and about how long is left.
    """
    started = time.monotonic()
    shown = 0

    def update(done: int, total: int) -> None:
        nonlocal shown
        if done <= shown:
            return
        shown = done
        elapsed = time.monotonic() - started
        left = f", about {duration(elapsed / done * (total - done))} left" if total > done else ""
        (out or err_console).print(f"{label}: {done} of {total} {unit} done ({duration(elapsed)}{left})",
                                   markup=False, highlight=False)

    return update


def duration(seconds: float) -> str:
    """Seconds as a short duration for progress lines: 45 s, 3 min 20 s, 1 h 05 min."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


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
def task_progress(total: int, label: str, enabled: bool | None = None,
                  unit: str = "tasks") -> Iterator[Callable[[int, int, int], None]]:
    """A rich bar of tasks done / running / left on a terminal; else one line per finished task.

    ``total`` 0: counted as they come. ``unit`` names the tasks in the lines ("replications").
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        line = progress_lines(label, unit)
        yield lambda done, running, left: line(done, total or done + running + left)
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


def load_or_fail(path: str | Path, overrides: dict | None = None, area: str | Path | None = None) -> Scenario:
    """Load a scenario (on the area of ``area``, if given), turning a ScenarioError into a clean CLI error."""
    try:
        return load_scenario(path, overrides, area)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def default_out(name: str) -> Path:
    """outputs/<scenario>-<timestamp>/."""
    return Path("outputs") / f"{name}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def scenario_overrides(seed: int | None, days: int | None) -> dict:
    """The settings ``--seed`` and ``--days`` override (``run``, ``compare``, ``sweep``)."""
    overrides: dict = {}
    if seed is not None:
        overrides["seed"] = seed
    if days is not None:
        overrides["horizon_days"] = days
    return overrides


#: ``--area FILE`` of ``run`` and ``compare``
AREA_OPTION = click.option(
    "--area", "area_file", type=click.Path(dir_okay=False), default=None,
    help="Scenario file (from `gpsim area build`) whose area replaces the scenario's: applies a library "
         "scenario's interventions and settings to your area.")
