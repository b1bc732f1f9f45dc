"""The simple forecast beside every calibration (issue 14): hand-worked numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibrate.forecast import baseline_summary, baseline_table, simple_forecast

# April 2019 has 20 working days (Easter Friday and Monday removed), May 21 (two bank holidays),
# October 23, December 20 (Christmas and Boxing Day removed).
PROFILE = [1.0] * 12
PROFILE[9], PROFILE[11] = 1.1, 0.8  # October, December
M = {k: pd.Timestamp(k) for k in ("2019-04", "2019-05", "2019-10", "2019-12")}


def test_simple_forecast_by_hand():
    # level = (400 + 420) / (1.0 x 20 + 1.0 x 21) = 20 per working day
    observed = {M["2019-04"]: 400.0, M["2019-05"]: 420.0}
    got = simple_forecast(observed, [M["2019-04"], M["2019-05"]], list(M.values()), PROFILE)
    assert got[M["2019-04"]] == pytest.approx(400.0)  # 20 x 1.0 x 20
    assert got[M["2019-05"]] == pytest.approx(420.0)  # 20 x 1.0 x 21
    assert got[M["2019-10"]] == pytest.approx(506.0)  # 20 x 1.1 x 23
    assert got[M["2019-12"]] == pytest.approx(320.0)  # 20 x 0.8 x 20


def test_simple_forecast_removes_the_season_from_the_fit_months():
    # with May at 0.9 the level is (400 + 378) / (20 + 0.9 x 21) = 778 / 38.9 = 20
    profile = list(PROFILE)
    profile[4] = 0.9
    observed = {M["2019-04"]: 400.0, M["2019-05"]: 378.0}
    got = simple_forecast(observed, [M["2019-04"], M["2019-05"]], [M["2019-10"]], profile)
    assert got[M["2019-10"]] == pytest.approx(506.0)
    with pytest.raises(ValueError, match="2019-06"):
        simple_forecast(observed, [pd.Timestamp("2019-06")], [M["2019-10"]], profile)


def test_baseline_table_and_summary_by_hand():
    months = ["2019-04", "2019-05", "2019-10", "2019-12"]
    table = pd.DataFrame({"period": ["fit", "fit", "holdout", "holdout"], "month": months,
                          "target": "attended_per_1000",
                          "observed": [400.0, 420.0, 500.0, 320.0],
                          "simulated": [404.0, 420.0, 510.0, 336.0]})
    period_of = {"2019-04": "fit", "2019-05": "fit", "2019-10": "holdout", "2019-12": "holdout"}
    predictive = pd.DataFrame({"month": months, "sim_lower": [390.0, 410.0, 505.0, 330.0],
                               "sim_upper": [410.0, 430.0, 515.0, 342.0],
                               "pred_lower": [380.0, 400.0, 490.0, 310.0],
                               "pred_upper": [420.0, 440.0, 530.0, 350.0]})
    frame = baseline_table(table, "QXX", period_of, [M["2019-04"], M["2019-05"]], PROFILE,
                           predictive)
    assert list(frame["forecast"]) == pytest.approx([400.0, 420.0, 506.0, 320.0])
    assert list(frame["model_error_pct"]) == pytest.approx([1.0, 0.0, 2.0, 5.0])
    assert list(frame["forecast_error_pct"]) == pytest.approx([0.0, 0.0, 1.2, 0.0])
    assert list(frame["sim_covers"]) == [True, True, False, False]
    assert list(frame["pred_covers"]) == [True, True, True, True]
    assert frame["pred_width_pct"].iloc[2] == pytest.approx(8.0)  # 40 / 500
    (summary,) = baseline_summary(frame)
    assert summary["stp"] == "QXX" and summary["months"] == 2
    assert summary["model_mape_pct"] == pytest.approx(3.5)  # (2 + 5) / 2
    assert summary["forecast_mape_pct"] == pytest.approx(0.6)  # (1.2 + 0) / 2
    assert summary["model_at_least_as_accurate"] is False
    assert summary["months_model_better"] == 0
    assert summary["runs_coverage"] == 0.0 and summary["predictive_coverage"] == 1.0
    assert summary["predictive_width_pct"] == pytest.approx((40 / 500 + 40 / 320) / 2 * 100)
