"""Backtest tier: a fixed-seed run of scenarios/small.yaml equals the committed expected outputs.

A failure here means model results changed. If the change is intended, run
`python tools/update_expected.py` and commit the new tests/expected/ files with the reason.
"""

import io
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from update_expected import EXPECTED, backtest_tables  # noqa: E402


def _as_committed(df: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.10g")
    buf.seek(0)
    return pd.read_csv(buf)


def test_small_scenario_matches_expected_outputs():
    summary, monthly = backtest_tables()
    expected_summary = pd.read_csv(EXPECTED / "small_summary.csv")
    expected_monthly = pd.read_csv(EXPECTED / "small_monthly_lgpo.csv")
    pd.testing.assert_frame_equal(_as_committed(summary), expected_summary, check_exact=True)
    pd.testing.assert_frame_equal(_as_committed(monthly), expected_monthly, check_exact=True)
    # and the expectations are a plausible general-practice year, not an empty table
    lg = expected_summary[expected_summary["level"] == "lgpo"].set_index("metric")["value"]
    assert 5000 < lg["requests_per_1000_year"] < 6500
    assert 0 < lg["lost_pct"] < 20
