"""The main job behind `make run`: run the embedded example area and say where the results are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from sim.scenario_io import load_scenario, scenario_hash

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


def run_main_job(out: Path, console: Console) -> Path:
    """Baseline run of scenarios/baseline.yaml (seed from the file) into ``out``."""
    from sim.cli import pcn_table, progress_bar, summary_table
    from sim.runner import run_single, write_run

    path = SCENARIO_DIR / "baseline.yaml"
    sc = load_scenario(path)
    started = dt.datetime.now()
    with progress_bar(f"Simulating {sc.name}", sc.horizon_days + sc.warm_up_days) as update:
        result = run_single(sc, 0, update)
    write_run(result, out / "baseline", scenario_file=path, scenario_sha256=scenario_hash(path),
              started=started, ended=dt.datetime.now())
    console.print(summary_table(result.summary, f"Baseline: {sc.name}, {sc.horizon_days} days, seed {sc.seed}"))
    console.print(pcn_table(result.summary))
    console.print(f"Results are in [bold]{(out / 'baseline').resolve()}[/bold] "
                  "(summary.csv opens in a spreadsheet; daily/weekly/monthly.parquet, ledger.parquet, manifest.json)")
    return out
