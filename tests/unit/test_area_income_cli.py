"""`gpsim area build` writes the area's practice income from NHS Payments to General Practice beside the YAML."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli.area import area
from sim.nhsdata.payments import read_payments
from tests.conftest import ROOT

DATA = ROOT / "calibration" / "data"


def test_area_build_writes_income_by_practice_pcn_and_area(tmp_path: Path):
    out = tmp_path / "area-x.yaml"
    result = CliRunner().invoke(area, ["build", "--map", str(DATA / "gp-reg-pat-prac-map_2022-01.csv"),
                                       "--patients", str(DATA / "gp-reg-pat-prac-all_2026-03.csv"),
                                       "--pcn", "U60094", "--out", str(out)])
    assert result.exit_code == 0, result.output
    income = pd.read_csv(tmp_path / "area-x_income.csv")
    assert "area-x_income.csv: NHS payments to the practices" in result.output
    practices = income[income["level"] == "practice"]
    pay = read_payments(DATA / "payments-to-general-practice_2022-23.csv.gz").set_index("practice_code")
    for _, row in practices.iterrows():  # each practice's total is the file's, as published
        assert row["total_payments_gbp"] == pytest.approx(float(pay.loc[row["practice_code"], "total_payments"]))
    area_row = income[income["level"] == "lgpo"].iloc[0]
    assert area_row["total_payments_gbp"] == pytest.approx(practices["total_payments_gbp"].sum())
    assert income[income["level"] == "pcn"]["total_payments_gbp"].sum() == pytest.approx(
        area_row["total_payments_gbp"])
