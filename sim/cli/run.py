"""``gpsim run``: one scenario once, its results written and its headline printed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

# imported first, on purpose: Mesa's import walks the call stack and looks each frame up among all loaded
# modules (mesa.mesa_logging), so it costs several times more once pandas, Numba and pydantic are loaded
from sim.lazy_imports import mesa  # noqa: F401

# isort: split

from sim.cli.common import (
    AREA_OPTION,
    console,
    default_out,
    err_console,
    load_or_fail,
    progress_bar,
    scenario_overrides,
)
from sim.cli.guards import check_memory, open_run_folder
from sim.cli.tables import pcn_table, summary_table
from sim.config.loading import scenario_hash
from sim.experiments.runner import run_single, write_run


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--seed", type=int, default=None, help="Base seed (default: the scenario's).")
@click.option("--days", type=click.IntRange(1, 3660), default=None, help="Days to simulate (default: the scenario's).")
@AREA_OPTION
@click.option("--replication", type=click.IntRange(0), default=0, show_default=True, help="Replication number.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default outputs/<scenario>-<timestamp>/).")
@click.option("--no-ledger", is_flag=True, help="Skip ledger.parquet (one row per request) for very large areas.")
def run(scenario: str, seed: int | None, days: int | None, area_file: str | None, replication: int,
        out: str | None, no_ledger: bool) -> None:
    """Run one scenario once and write its results."""
    sc = load_or_fail(scenario, scenario_overrides(seed, days), area_file)
    check_memory(sc, scenario)
    out_dir = Path(out) if out else default_out(sc.name)
    # checked writable before simulating; written into a hidden sibling and renamed into place when complete
    folder = open_run_folder(out_dir, sc, replication, lambda note: err_console.print(f"[yellow]warning:[/yellow] {note}"))
    with folder:
        started = dt.datetime.now()
        with progress_bar(f"Simulating {sc.name}", sc.horizon_days + sc.warm_up_days) as update:
            result = run_single(sc, replication, update)
        paths = write_run(result, folder.staging, scenario_file=scenario, scenario_sha256=scenario_hash(scenario, area_file),
                          started=started, ended=dt.datetime.now(), ledger=not no_ledger)
        folder.commit()
    on_area = f" on the area of {area_file}" if area_file else ""
    console.print(summary_table(result.summary, f"{sc.name}{on_area}: {sc.horizon_days} days from {sc.start_date}, "
                                                f"seed {sc.seed}"))
    console.print(pcn_table(result.summary))
    console.print(f"Results in [bold]{out_dir}[/bold]: " + ", ".join(sorted(p.name for p in paths.values())))
