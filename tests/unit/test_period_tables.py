"""The run's period tables built from arrays equal tidy_metrics' (the readable definition) to the byte."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from sim.config.loading import load_scenario
from sim.experiments.runner import run_single
from sim.results.ledger_codes import ledger_codes
from sim.results.metrics import access_counts, tidy_metrics, workload_counts
from sim.results.period_tables import period_table
from tests.conftest import scenario, tiny_mapping

ROOT = Path(__file__).resolve().parents[2]


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as the run writes it (pyarrow, no index), in memory."""
    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow", index=False)
    return buf.getvalue()


@pytest.fixture(scope="module", params=["tiny", "hubs"])
def result(request):
    """A three-practice run of 60 days, and a shipped scenario with PCN and area staff and hubs (30 days)."""
    if request.param == "tiny":
        sc = scenario(tiny_mapping(list_sizes=(4000, 3000, 5000), gps=(1, 1, 2), nurses=(1, 0, 1), days=60, seed=7))
    else:
        sc = load_scenario(ROOT / "scenarios" / "harness-member-staffed-hubs.yaml", {"horizon_days": 30})
    return run_single(sc, 0)


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_period_table_equals_tidy_metrics(result, period):
    want = tidy_metrics(access_counts(result.ledger, result.org, period),
                        workload_counts(result.staff_days, result.staff, result.org, period), result.org)
    got = period_table(result.ledger, result.staff_days, result.staff, result.org, period,
                       ledger_codes(result.ledger))
    assert len(got) > 100
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [type(d) for d in got["date"].head(3)] == [type(d) for d in want["date"].head(3)]
    assert parquet_bytes(got) == parquet_bytes(want)
    pd.testing.assert_frame_equal(result.tidy(period), want, check_exact=True)  # without codes given
