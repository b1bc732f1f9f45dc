"""The ``gpsim`` command line: a thin shell over the run functions (nothing is computed here)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim.config.loading import ScenarioError, load_scenario, scenario_hash

console = Console(stderr=False)
err_console = Console(stderr=True)

KEY_METRICS = [
    ("list_size", "Registered patients", "{:,.0f}"),
    ("requests_per_1000_year", "Requests per 1,000 patients a year", "{:,.0f}"),
    ("appointments_per_1000_year", "Appointments per 1,000 patients a year", "{:,.0f}"),
    ("lost_pct", "Requests lost (unmet), %", "{:.1f}"),
    ("unmet_per_1000_year", "Unmet demand per 1,000 patients a year", "{:.0f}"),
    ("wait_bin_pct:Same Day", "Seen the same day, %", "{:.1f}"),
    ("mean_wait_days", "Mean days to appointment", "{:.1f}"),
    ("p90_wait_days", "90th percentile days to appointment", "{:.0f}"),
    ("dna_pct", "Did not attend, %", "{:.1f}"),
    ("gp_share_pct", "Appointments with a GP, %", "{:.1f}"),
    ("continuity_upc", "Continuity (UPC, LTC patients)", "{:.2f}"),
    ("utilisation_pct", "Slot utilisation, %", "{:.1f}"),
    ("appointments_per_fte_week:GP", "GP appointments per FTE a week", "{:.0f}"),
    ("admin_hours_per_fte_week:GP", "GP admin hours per FTE a week", "{:.1f}"),
    ("overtime_hours_per_week", "Clinician overtime, hours a week", "{:.0f}"),
]


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


def load_or_fail(path: str | Path, overrides: dict | None = None):
    """Load a scenario, turning a ScenarioError into a clean CLI error."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None


def summary_table(summary, title: str) -> Table:
    """The headline outcomes of one run for the terminal."""
    lg = summary[summary["level"] == "lgpo"]
    values = dict(zip(lg["metric"], lg["value"], strict=True))
    table = Table(title=title, show_lines=False)
    table.add_column("Outcome (whole area)")
    table.add_column("Value", justify="right")
    for key, label, fmt in KEY_METRICS:
        if key in values:
            table.add_row(label, fmt.format(values[key]))
    return table


def pcn_table(summary) -> Table:
    """Where the strain falls: key access figures per PCN."""
    pc = summary[summary["level"] == "pcn"].pivot_table(index="unit", columns="metric", values="value")
    table = Table(title="By PCN")
    for col in ("PCN", "Patients", "Lost %", "Same day %", "Mean wait (days)", "Utilisation %"):
        table.add_column(col, justify="right" if col != "PCN" else "left")
    for unit, row in pc.iterrows():
        table.add_row(str(unit), f"{row.get('list_size', 0):,.0f}", f"{row.get('lost_pct', 0):.1f}",
                      f"{row.get('wait_bin_pct:Same Day', 0):.1f}", f"{row.get('mean_wait_days', 0):.1f}",
                      f"{row.get('utilisation_pct', 0):.1f}")
    return table


def default_out(name: str) -> Path:
    """outputs/<scenario>-<timestamp>/."""
    return Path("outputs") / f"{name}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gpsim")
def main() -> None:
    """gpsim: agent-based simulation of general-practice workforce and demand (practices, PCNs, LGPOs)."""


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--seed", type=int, default=None, help="Base seed (default: the scenario's).")
@click.option("--days", type=click.IntRange(1, 3660), default=None, help="Days to simulate (default: the scenario's).")
@click.option("--replication", type=click.IntRange(0), default=0, show_default=True, help="Replication number.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default outputs/<scenario>-<timestamp>/).")
@click.option("--no-ledger", is_flag=True, help="Skip ledger.parquet (one row per request) for very large areas.")
def run(scenario: str, seed: int | None, days: int | None, replication: int, out: str | None,
        no_ledger: bool) -> None:
    """Run one scenario once and write its results."""
    from sim.experiments.runner import run_single, write_run

    overrides = {}
    if seed is not None:
        overrides["seed"] = seed
    if days is not None:
        overrides["horizon_days"] = days
    sc = load_or_fail(scenario, overrides)
    out_dir = Path(out) if out else default_out(sc.name)
    started = dt.datetime.now()
    with progress_bar(f"Simulating {sc.name}", sc.horizon_days + sc.warm_up_days) as update:
        result = run_single(sc, replication, update)
    paths = write_run(result, out_dir, scenario_file=scenario, scenario_sha256=scenario_hash(scenario),
                      started=started, ended=dt.datetime.now(), ledger=not no_ledger)
    console.print(summary_table(result.summary, f"{sc.name}: {sc.horizon_days} days from {sc.start_date}, seed {sc.seed}"))
    console.print(pcn_table(result.summary))
    console.print(f"Results in [bold]{out_dir}[/bold]: " + ", ".join(sorted(p.name for p in paths.values())))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files without running them."""
    failed = 0
    for f in files:
        try:
            sc = load_scenario(f)
        except ScenarioError as exc:
            failed += 1
            err_console.print(f"[red]invalid[/red] {exc}")
            continue
        console.print(f"[green]ok[/green] {f}: '{sc.name}', {sc.list_size:,} patients in "
                      f"{sum(len(p.practices) for p in sc.area.pcns)} practices and {len(sc.area.pcns)} PCNs, "
                      f"{len(sc.interventions)} intervention(s)")
    if failed:
        raise SystemExit(1)


@main.command("main-job")
@click.option("--out", type=click.Path(file_okay=False), default="outputs/main", show_default=True)
@click.option("--reps", type=click.IntRange(1, 1000), default=3, show_default=True, help="Replications per scenario.")
@click.option("--workers", type=click.IntRange(1), default=None, help="Local worker processes (default: every core).")
@click.option("--days", type=click.IntRange(1, 3660), default=None, help="Days to simulate (default: the scenarios').")
def main_job(out: str, reps: int, workers: int | None, days: int | None) -> None:
    """What `make run` does: compare the key scenarios on the example area and write the report."""
    from sim.cli.main_job import run_main_job

    run_main_job(Path(out), console, reps=reps, workers=workers, days=days)


def _register_optional() -> None:
    """Attach command groups that live in their own modules."""
    import importlib

    for module, attr in (("sim.cli.area", "area"), ("sim.cli.compare", "compare"), ("sim.cli.report", "report"),
                         ("sim.cli.sweep", "sweep"), ("sim.cli.sweep", "sensitivity"), ("sim.cli.bench", "bench"),
                         ("sim.cli.calibrate", "calibrate"), ("sim.cli.dashboard", "dashboard"),
                         ("sim.cli.init", "init")):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        cmd = getattr(mod, attr, None)
        if cmd is not None:
            main.add_command(cmd)


_register_optional()
