"""Backtest tier: fixed-seed runs equal the committed expected outputs.

- scenarios/small.yaml for its full year;
- every scenario in scenarios/ over a short horizon (tools/update_expected.py: SHORT).

A failure here means model results changed. If the change is intended, run
`python tools/update_expected.py [NAME ...]` and commit the new tests/expected/ files with the reason.
"""

import io
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from update_expected import (  # noqa: E402
    EXPECTED,
    SCENARIO_EXPECTED,
    backtest_tables,
    scenario_tables,
    shipped_scenarios,
)


def _as_committed(df: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.10g")
    buf.seek(0)
    return pd.read_csv(buf)


def _assert_golden(summary: pd.DataFrame, monthly: pd.DataFrame, folder: Path, stem: str) -> pd.DataFrame:
    expected_summary = pd.read_csv(folder / f"{stem}_summary.csv")
    expected_monthly = pd.read_csv(folder / f"{stem}_monthly_lgpo.csv")
    pd.testing.assert_frame_equal(_as_committed(summary), expected_summary, check_exact=True)
    pd.testing.assert_frame_equal(_as_committed(monthly), expected_monthly, check_exact=True)
    return expected_summary


def test_small_scenario_matches_expected_outputs():
    expected_summary = _assert_golden(*backtest_tables(), EXPECTED, "small")
    # and the expectations are a plausible general-practice year, not an empty table
    lg = expected_summary[expected_summary["level"] == "lgpo"].set_index("metric")["value"]
    assert 5000 < lg["requests_per_1000_year"] < 6500
    assert 0 < lg["lost_pct"] < 20


def test_every_shipped_scenario_has_golden_files():
    names = shipped_scenarios()
    assert len(names) >= 16
    missing = [n for n in names if not (SCENARIO_EXPECTED / f"{n}_summary.csv").exists()]
    assert not missing, f"no golden files for {missing}: run tools/update_expected.py {' '.join(missing)}"


@pytest.mark.parametrize("name", shipped_scenarios())
def test_shipped_scenario_matches_expected_outputs(name):
    expected_summary = _assert_golden(*scenario_tables(name), SCENARIO_EXPECTED, name)
    lg = expected_summary[expected_summary["level"] == "lgpo"].set_index("metric")["value"]
    assert lg["requests_per_1000_year"] > 1000  # a working area, not an empty run
