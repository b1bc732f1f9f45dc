"""``gpsim compare``: scenarios side by side with common random numbers and paired 95% intervals."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from rich.console import Console

from sim.cli.common import AREA_OPTION, console, scenario_overrides, task_progress
from sim.cli.guards import check_out_writable
from sim.cli.tables import comparison_table
from sim.config.loading import ScenarioError
from sim.experiments.compare import ComparisonInterrupted, run_comparison
from sim.experiments.parallel import TaskError


def compare_scenarios(paths: list[str | Path], reps: int, out: Path, out_console: Console, *,
                      seed: int | None = None, workers: int | None = None, cluster: str | None = None,
                      ledger: bool = False, overrides: dict | None = None,
                      area: str | Path | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Run a comparison with a progress bar (lines in a log), turning its errors and Ctrl-C into clean CLI exits."""
    check_out_writable(out)  # before any replication runs, not after
    with task_progress(0, "Replications", unit="replications") as update:

        def on_start(to_run: int, reused: int) -> None:
            if reused:
                out_console.print(f"Reusing {reused} finished replication(s) in {out}")
            update(0, 0, to_run)

        try:
            return run_comparison(paths, reps, out, seed=seed, workers=workers, cluster=cluster, ledger=ledger,
                                  overrides=overrides, area=area, on_start=on_start, on_progress=update)
        except ScenarioError as exc:
            raise click.ClickException(str(exc)) from None
        except TaskError as exc:
            raise click.ClickException(str(exc)) from None
        except ComparisonInterrupted as exc:
            out_console.print(f"[yellow]Interrupted.[/yellow] {exc.finished} of {exc.total} replications are saved "
                              f"in {out}; run the same command again to resume.")
            raise SystemExit(130) from None


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--reps", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Replications per scenario.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--seed", type=int, default=None, help="Base seed for all scenarios (default: the first scenario's).")
@click.option("--days", type=click.IntRange(1, 3660), default=None,
              help="Days to simulate in every scenario (default: each scenario's).")
@AREA_OPTION
@click.option("--workers", type=click.IntRange(1), default=None, help="Local worker processes (default: every core).")
@click.option("--cluster", default=None, help="Address of a Dask scheduler (tcp://host:8786) to run on a cluster.")
@click.option("--ledger", is_flag=True, help="Also keep each replication's ledger.parquet (large).")
@click.option("--report", "make_report", is_flag=True, help="Write report.html, figures and report.xlsx when done.")
def compare(scenarios: tuple[str, ...], reps: int, out: str, seed: int | None, days: int | None,
            area_file: str | None, workers: int | None, cluster: str | None, ledger: bool, make_report: bool) -> None:
    """Run SCENARIOS with common random numbers; compare each with the first (paired 95% intervals).

    Replications already finished in OUT (same scenario content, seed and replication) are reused,
    so an interrupted comparison resumes where it stopped.
    """
    out_dir = Path(out)
    comparison, order = compare_scenarios(list(scenarios), reps, out_dir, console, seed=seed, workers=workers,
                                          cluster=cluster, ledger=ledger, overrides=scenario_overrides(None, days),
                                          area=area_file)
    console.print(comparison_table(comparison, order))
    console.print(f"Comparison in [bold]{out_dir / 'comparison.csv'}[/bold]; each scenario's replications in "
                  f"{out_dir}/<scenario>/rep-NNN/")
    if make_report:
        # imported here, not at the top: the report needs matplotlib, which a comparison without --report does not
        from sim.report.build import build_report

        path = build_report(out_dir)
        console.print(f"Report: [bold]{path}[/bold]")
