"""Regenerate the backtest expectations in tests/expected/ ON PURPOSE (after an intended model change).

Two tiers of golden files:
- ``small_summary.csv`` / ``small_monthly_lgpo.csv``: scenarios/small.yaml with its seed for its full year;
- ``scenarios/<name>_summary.csv`` / ``<name>_monthly_lgpo.csv``: every shipped scenario in
  ``scenarios/`` on its own area, shortened to :data:`SHORT` (long enough for retirements, recruits
  after their delay, hubs and pooled cover to act), so a restructure that changes any mechanism shows.

Review `git diff tests/expected` before committing: every changed number is a changed model result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.config.loading import load_scenario  # noqa: E402
from sim.experiments.runner import run_single  # noqa: E402

EXPECTED = ROOT / "tests" / "expected"
SCENARIO_EXPECTED = EXPECTED / "scenarios"
SCENARIOS = ROOT / "scenarios"
# days simulated for each scenario's golden files: 150 days after a 14-day warm-up
SHORT = {"horizon_days": 150, "warm_up_days": 14}
# longer where a mechanism needs it: recruits arrive 4 months after a vacancy, so 8 months show them
# a practice below the GP FTE threshold closes after six months, so 8 months show the closure and its list moving
LONGER = {"gp-retirement-with-recruitment": {"horizon_days": 240, "warm_up_days": 14},
          "practice-closure": {"horizon_days": 240, "warm_up_days": 14}}


def shipped_scenarios() -> list[str]:
    """Names (file stems) of every scenario shipped in scenarios/."""
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def _tables(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    monthly = result.tidy("month")
    monthly = monthly[monthly["level"] == "lgpo"].reset_index(drop=True)
    return result.summary, monthly


def backtest_tables():
    """The two tables the full-year backtest compares: summary and monthly LGPO outcomes."""
    return _tables(run_single(load_scenario(SCENARIOS / "small.yaml"), 0))


def scenario_tables(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary and monthly LGPO outcomes of scenario ``name`` over the short horizon, replication 0."""
    return _tables(run_single(load_scenario(SCENARIOS / f"{name}.yaml", overrides=LONGER.get(name, SHORT)), 0))


def _write(summary: pd.DataFrame, monthly: pd.DataFrame, folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    summary.to_csv(folder / f"{stem}_summary.csv", index=False, float_format="%.10g")
    monthly.to_csv(folder / f"{stem}_monthly_lgpo.csv", index=False, float_format="%.10g")


def main(argv: list[str]) -> int:
    names = argv or ["small-year", *shipped_scenarios()]
    for name in names:
        if name == "small-year":
            _write(*backtest_tables(), EXPECTED, "small")
        else:
            _write(*scenario_tables(name), SCENARIO_EXPECTED, name)
        print(f"wrote golden files for {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
