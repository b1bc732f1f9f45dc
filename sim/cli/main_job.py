"""The main job behind `make run`: compare the key scenarios on the example area and write the report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
KEY_SCENARIOS = (
    "baseline.yaml",
    "gp-retirement-wave.yaml",
    "pharmacist-1-per-30k.yaml",
    "harness-extended-access.yaml",
    "northumbria-pooled-back-office.yaml",
)


def run_main_job(out: Path, console: Console, reps: int = 3, workers: int | None = None) -> Path:
    """Baseline and key scenarios with common random numbers, paired intervals and a board report."""
    from sim.cli.compare import run_comparison

    paths = [SCENARIO_DIR / name for name in KEY_SCENARIOS]
    console.print(f"Comparing {len(paths)} scenarios on the example borough federation "
                  f"({reps} replications each; finished replications in {out} are reused) ...")
    run_comparison(paths, reps, out, workers=workers, console=console)
    try:
        from sim.report.build import build_report
    except ImportError:
        report = None
    else:
        report = build_report(out)
    console.print(f"\nResults are in [bold]{out.resolve()}[/bold]:")
    console.print("  comparison.csv      every outcome per scenario with 95% intervals and paired differences")
    console.print("  <scenario>/rep-NNN/ each replication's summary.csv, monthly tables and workforce events")
    if report is not None:
        console.print(f"  {Path(report).name:<19} the board report (open in a browser; figures/ and report.xlsx beside it)")
    console.print("For board-quality intervals use more replications: "
                  "gpsim compare scenarios/baseline.yaml scenarios/<other>.yaml --reps 20 --out DIR --report")
    return out
