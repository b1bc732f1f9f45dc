"""Issue 14 item 4: ``gpsim area build --calibrate`` on a real area from the shipped files.

The functional test builds a real two-practice PCN of East London, fits it to its sub-ICB's
April-June 2019 in one command, then runs the written scenario on replications the command never
ran: every fit month's attended appointments per 1,000 must be within 3% of the observed one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.calibrate.area_calibrate import nearest_shipped, shipped_defaults, shipped_parameters_file
from sim.calibrate.area_fit import CHECK_FIRST_REP, fit_sample, month_step
from sim.calibrate.observed import month_range
from sim.calibrate.runs import simulate_intervals
from sim.cli.main import main as cli
from sim.config.loading import load_scenario
from tests.conftest import tiny_mapping

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "calibration" / "data"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2021-01.csv"
GPAD = DATA / "appointments-london-2019-2021"
BUILD = ["area", "build", "--map", str(MAP), "--patients", str(PATIENTS)]


def _invoke(args: list[str]):
    """Run gpsim with ``args``; the result."""
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_one_command_fits_a_real_pcn_within_3pct_of_its_sub_icb(tmp_path):
    """New Cross Alliance PCN (2 practices, 29,356 patients), fit months April-June 2019."""
    out = tmp_path / "area.yaml"
    result = _invoke([*BUILD, "--pcn", "U08578", "--out", str(out), "--calibrate",
                      "--appointments", str(GPAD), "--fit", "2019-04:2019-06"])
    assert result.exit_code == 0, result.output
    assert "observed: sub-ICB A3A8R" in result.output
    report = json.loads(out.with_name("area.fit.json").read_text())
    observed = report["observed"]["per_1000"]
    assert set(observed) == {"2019-04", "2019-05", "2019-06"}
    # April 2019: East London's attended appointments over its January 2021 list
    # (calibration/README.md: 2,256,794 patients)
    assert report["observed"]["list_size"] == 2_256_794
    assert 250 < observed["2019-04"] < 320
    table = pd.read_csv(out.with_name("area.fit.csv"))
    assert table["within_3pct"].all()
    # the written scenario, run on fresh replications (never run by the command)
    mapping = load_scenario(out).model_dump(mode="json")
    assert mapping["demand"]["rate_multiplier"] == pytest.approx(report["fit"]["rate_multiplier"])
    assert mapping["demand"]["rate_multiplier"] < 0.85  # the defaults give 22-39% too many
    months = month_range("2019-04:2019-06")
    first = CHECK_FIRST_REP + 1000
    intervals, _ = simulate_intervals(mapping, months, 3, first_rep=first)
    rate = intervals.loc[intervals["target"] == "attended_per_1000"]
    for r in rate.itertuples():
        obs = observed[pd.Timestamp(r.month).strftime("%Y-%m")]
        assert abs(r.mean / obs - 1) <= 0.03, (r.month, r.mean, obs)


def test_month_step_moves_fit_months_by_their_ratio_and_others_by_the_total():
    """Effective demand rate x s[k] / mean(s): fit months x their ratio, the rest x ``other``."""
    season = [1.2] + [1.0] * 10 + [0.8]
    rate, new = month_step(0.8, season, {0: 0.9, 5: 1.1}, other=0.95)
    assert sum(new) / 12 == pytest.approx(1.0, abs=1e-3)
    before = [0.8 * s for s in season]
    after = [rate * s for s in new]
    assert after[0] / before[0] == pytest.approx(0.9, rel=1e-3)
    assert after[5] / before[5] == pytest.approx(1.1, rel=1e-3)
    assert after[3] / before[3] == pytest.approx(0.95, rel=1e-3)


def test_fit_sample_keeps_one_practice_per_stratum_and_scales_pcn_staff():
    """Four practices, two kept: PCN staff scaled by the share of the PCN's patients kept."""
    area = {"code": "X", "name": "X", "pcns": [
        {"code": "P1", "name": "P1", "staff": [{"role": "Pharmacist", "count": 2, "fte": 2.0}],
         "practices": [{"code": c, "name": c, "list_size": n} for c, n in
                       (("A", 2000), ("B", 4000), ("C", 6000), ("D", 8000))]}]}
    sample, kept = fit_sample(area, 2)
    assert len(kept) == 2
    sizes = {p["code"]: p["list_size"] for p in sample["pcns"][0]["practices"]}
    assert sample["pcns"][0]["staff"][0]["fte"] == pytest.approx(2.0 * sum(sizes.values()) / 20000)
    whole, kept_all = fit_sample(area, 10)
    assert kept_all == ["A", "B", "C", "D"] and whole == area


def test_nearest_shipped_level():
    """The area's own STP where shipped, else the nearest in IMD score; none shipped is refused."""
    table = {"QMF": {"imd": 30.0}, "QMJ": {"imd": 20.0}}
    assert nearest_shipped("QMJ", 29.0, table)[0] == "QMJ"
    code, why = nearest_shipped("QHM", 23.0, table)
    assert code == "QMJ" and "IMD" in why
    with pytest.raises(ValueError, match="--appointments"):
        nearest_shipped("QHM", 23.0, {})


def test_without_appointments_the_area_gets_a_shipped_level_and_says_so(tmp_path):
    """No GPAD file: the nearest shipped STP's fitted level, named in the output."""
    out = tmp_path / "area.yaml"
    result = _invoke([*BUILD, "--pcn", "U08578", "--out", str(out), "--calibrate"])
    assert result.exit_code == 0, result.output
    assert "not fitted to this area (no --appointments)" in result.output
    mapping = yaml.safe_load(out.read_text())
    built = {"area": mapping["area"]}
    expected = shipped_defaults(built, "QMF", shipped_parameters_file()).mapping["demand"]
    assert mapping["demand"]["rate_multiplier"] == expected["rate_multiplier"] < 1


@pytest.mark.parametrize(("extra", "message"), [
    (["--fit", "2019-04"], "only apply with --calibrate"),
    (["--calibrate", "--appointments", str(GPAD), "--fit", "April"], "--fit: months must look like"),
    (["--calibrate", "--appointments", str(GPAD), "--fit", "2018-01:2018-02"],
     "no appointments for month(s) 2018-01, 2018-02"),
    (["--calibrate", "--fit", "2019-04:2019-05"], "--fit needs --appointments"),
])
def test_bad_calibration_options_are_refused_clearly(tmp_path, extra, message):
    """Each bad input names what is wrong; nothing is written."""
    out = tmp_path / "area.yaml"
    result = CliRunner().invoke(cli, [*BUILD, "--pcn", "U08578", "--out", str(out), *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_an_area_outside_the_appointment_files_is_refused(tmp_path):
    """A Tees practice against the East London file: no rows for its sub-ICB or STP, named."""
    out = tmp_path / "area.yaml"
    result = CliRunner().invoke(cli, [*BUILD, "--practices", "A81001", "--out", str(out),
                                      "--calibrate", "--appointments",
                                      str(GPAD / "Regional_CSV_ELondonHCP.csv")])
    assert result.exit_code != 0
    assert "no rows in Regional_CSV_ELondonHCP.csv" in result.output
    assert "16C" in result.output and "QHM" in result.output
    assert not out.exists()


def test_an_empty_appointments_folder_is_refused(tmp_path):
    """A folder without a CSV is named."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, [*BUILD, "--pcn", "U08578", "--out", str(tmp_path / "a.yaml"),
                                      "--calibrate", "--appointments", str(empty)])
    assert result.exit_code != 0
    assert "no Regional_CSV_*.csv file in this folder" in result.output


def test_parameters_and_their_ensemble_follow_the_fitted_level(tmp_path):
    """--parameters: its fields are kept and each member's rate is scaled by the level's factor."""
    params = tiny_mapping(days=28, warm_up=7)
    params["demand"] = {"rate_multiplier": 0.8}
    params.setdefault("booking", {})["routine_tolerance_days_mean"] = 21.0
    params["ensemble"] = [{"weight": 1.0, "parameters": {"rate_multiplier": 0.8},
                           "overrides": {"demand": {"rate_multiplier": 0.8}}},
                          {"weight": 1.0, "parameters": {"rate_multiplier": 1.0},
                           "overrides": {"demand": {"rate_multiplier": 1.0}}}]
    source = tmp_path / "calibrated.yaml"
    source.write_text(yaml.safe_dump(params))
    out = tmp_path / "area.yaml"
    result = _invoke([*BUILD, "--pcn", "U08578", "--out", str(out), "--calibrate",
                      "--appointments", str(GPAD / "Regional_CSV_ELondonHCP.csv"),
                      "--fit", "2019-04", "--parameters", str(source), "--fit-reps", "1",
                      "--month-steps", "0", "--check-reps", "1"])
    assert result.exit_code == 0, result.output
    assert "ensemble: 2 members" in result.output
    sc = load_scenario(out)
    rate = sc.demand.rate_multiplier
    assert rate != 0.8
    assert sc.booking.routine_tolerance_days_mean == 21.0
    assert sc.area.code == "U08578"
    members = [m.overrides["demand"]["rate_multiplier"] for m in sc.ensemble]
    assert members == pytest.approx([rate, rate * 1.0 / 0.8], rel=1e-6)
