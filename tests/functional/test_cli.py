"""The command line as a user meets it: run, validate, clear errors."""

import json

import pandas as pd
from click.testing import CliRunner

from sim.cli.main import main
from tests.conftest import SCENARIOS


def test_run_writes_every_file_and_prints_summary(tmp_path):
    out = tmp_path / "run"
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "small.yaml"), "--seed", "7", "--days", "30",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Requests lost" in r.output and str(out) in r.output.replace("\n", "")
    for f in ("summary.csv", "daily.parquet", "weekly.parquet", "monthly.parquet", "ledger.parquet",
              "manifest.json", "staff.parquet"):
        assert (out / f).exists(), f
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["horizon_days"] == 30
    assert len(manifest["scenario_sha256"]) == 64 and manifest["packages"]["mesa"]
    assert manifest["resolved_config"]["area"]["code"] == "SM"
    daily = pd.read_parquet(out / "daily.parquet")
    assert list(daily.columns) == ["date", "level", "unit", "metric", "value"]
    assert set(daily["level"]) == {"practice", "pcn", "lgpo"}
    assert daily["date"].nunique() == 30
    # practice requests add up to the PCN and LGPO totals
    req = daily[daily["metric"] == "requests"].groupby("level")["value"].sum()
    assert req["practice"] == req["pcn"] == req["lgpo"]


def test_validate_ok_and_bad(tmp_path):
    r = CliRunner().invoke(main, ["validate", str(SCENARIOS / "small.yaml")])
    assert r.exit_code == 0 and "ok" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text((SCENARIOS / "small.yaml").read_text().replace("horizon_days: 365", "horizon_dayz: 365"))
    r = CliRunner().invoke(main, ["validate", str(bad)])
    assert r.exit_code == 1
    assert "horizon_dayz" in r.output and "allowed keys here" in r.output and "horizon_days" in r.output


def test_run_with_bad_scenario_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\narea: {pcns: []}\n")
    r = CliRunner().invoke(main, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code != 0
    assert "area.pcns" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o").exists()
