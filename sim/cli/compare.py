"""``gpsim compare``: scenarios side by side with common random numbers and paired 95% intervals."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import compare_scenarios, console
from sim.cli.tables import comparison_table
from sim.report.build import build_report


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--reps", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Replications per scenario.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--seed", type=int, default=None, help="Base seed for all scenarios (default: the first scenario's).")
@click.option("--workers", type=click.IntRange(1), default=None, help="Local worker processes (default: every core).")
@click.option("--cluster", default=None, help="Address of a Dask scheduler (tcp://host:8786) to run on a cluster.")
@click.option("--ledger", is_flag=True, help="Also keep each replication's ledger.parquet (large).")
@click.option("--report", "make_report", is_flag=True, help="Write report.html, figures and report.xlsx when done.")
def compare(scenarios: tuple[str, ...], reps: int, out: str, seed: int | None, workers: int | None,
            cluster: str | None, ledger: bool, make_report: bool) -> None:
    """Run SCENARIOS with common random numbers; compare each with the first (paired 95% intervals).

    Replications already finished in OUT (same scenario content, seed and replication) are reused,
    so an interrupted comparison resumes where it stopped.
    """
    out_dir = Path(out)
    comparison, order = compare_scenarios(list(scenarios), reps, out_dir, console, seed=seed, workers=workers,
                                          cluster=cluster, ledger=ledger)
    console.print(comparison_table(comparison, order))
    console.print(f"Comparison in [bold]{out_dir / 'comparison.csv'}[/bold]; each scenario's replications in "
                  f"{out_dir}/<scenario>/rep-NNN/")
    if make_report:
        path = build_report(out_dir)
        console.print(f"Report: [bold]{path}[/bold]")
