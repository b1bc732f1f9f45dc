"""``gpsim main-job``, what `make run` does: compare the key scenarios on the example area and write the report."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from sim.cli.common import console, scenario_overrides
from sim.cli.compare import compare_scenarios
from sim.cli.tables import comparison_table
from sim.report.build import build_report
from sim.resources import checkout_root, scenarios_dir

SCENARIO_DIR = scenarios_dir()  # scenarios/ in a checkout, the packaged copy in a wheel
KEY_SCENARIOS = (
    "baseline.yaml",
    "gp-retirement-wave.yaml",
    "pharmacist-1-per-30k.yaml",
    "harness-extended-access.yaml",
    "northumbria-pooled-back-office.yaml",
)


def run_main_job(out: Path, out_console: Console, reps: int = 3, workers: int | None = None,
                 days: int | None = None) -> Path:
    """Baseline and key scenarios with common random numbers, paired intervals and a board report.

    ``days`` shortens every scenario's horizon (a quick look or a smoke test); default: the scenarios'.
    """
    paths = [SCENARIO_DIR / name for name in KEY_SCENARIOS]
    out_console.print(f"Comparing {len(paths)} scenarios on the example borough federation "
                      f"({reps} replications each; finished replications in {out} are reused) ...")
    comparison, order = compare_scenarios(paths, reps, out, out_console, workers=workers,
                                          overrides=scenario_overrides(None, days))
    out_console.print(comparison_table(comparison, order))
    report = build_report(out)
    out_console.print(f"\nResults are in [bold]{out.resolve()}[/bold]:")
    out_console.print("  comparison.csv      every outcome per scenario with 95% intervals and paired differences")
    out_console.print("  <scenario>/rep-NNN/ each replication's summary.csv, monthly tables and workforce events")
    out_console.print(f"  {Path(report).name:<19} the board report (open in a browser; figures/ and report.xlsx "
                      "beside it)")
    out_console.print("For board-quality intervals use more replications: "
                      "gpsim compare scenarios/baseline.yaml scenarios/<other>.yaml --reps 20 --out DIR --report"
                      + ("" if checkout_root() else " (`gpsim init scenarios` copies the library here first)"))
    return out


@click.command("main-job", hidden=True)  # internal: `make run` calls it; not listed in --help
@click.option("--out", type=click.Path(file_okay=False), default="outputs/main", show_default=True)
@click.option("--reps", type=click.IntRange(1, 1000), default=3, show_default=True, help="Replications per scenario.")
@click.option("--workers", type=click.IntRange(1), default=None, help="Local worker processes (default: every core).")
@click.option("--days", type=click.IntRange(1, 3660), default=None, help="Days to simulate (default: the scenarios').")
def main_job(out: str, reps: int, workers: int | None, days: int | None) -> None:
    """What `make run` does: compare the key scenarios on the example area and write the report."""
    run_main_job(Path(out), console, reps=reps, workers=workers, days=days)
