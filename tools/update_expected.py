"""Regenerate the backtest expectations in tests/expected/ ON PURPOSE (after an intended model change).

Runs scenarios/small.yaml with its seed for its full horizon and writes the summary and the monthly
LGPO-level outcomes. Review `git diff tests/expected` before committing: every changed number is a
changed model result.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.runner import run_single  # noqa: E402
from sim.scenario_io import load_scenario  # noqa: E402

EXPECTED = ROOT / "tests" / "expected"


def backtest_tables():
    """The two tables the backtest compares: summary and monthly LGPO outcomes."""
    result = run_single(load_scenario(ROOT / "scenarios" / "small.yaml"), 0)
    monthly = result.tidy("month")
    monthly = monthly[monthly["level"] == "lgpo"].reset_index(drop=True)
    return result.summary, monthly


def main() -> int:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    summary, monthly = backtest_tables()
    summary.to_csv(EXPECTED / "small_summary.csv", index=False, float_format="%.10g")
    monthly.to_csv(EXPECTED / "small_monthly_lgpo.csv", index=False, float_format="%.10g")
    print(f"wrote {EXPECTED}/small_summary.csv ({len(summary)} rows) and small_monthly_lgpo.csv ({len(monthly)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
