"""Issue 14 item 4: the parameters ``gpsim area build --calibrate`` fits the level under.

By default East London's shipped calibration (calibration/calibrated/QMF-2019.yaml) with its
ensemble; ``--scenario-defaults`` keeps the scenario defaults (no ensemble); ``--parameters FILE``
wins over both. Each run is one fit month, one replication a step, on a real two-practice PCN.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sim import resources
from sim.calibrate.area_calibrate import (
    CALIBRATED_STP_LEVELS,
    SHIPPED_PARAMETERS,
    parameter_kind,
    shipped_parameters_file,
)
from sim.cli.main import main as cli
from sim.config.loading import load_scenario
from sim.config.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "calibration" / "data"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2021-01.csv"
GPAD = DATA / "appointments-london-2019-2021" / "Regional_CSV_ELondonHCP.csv"
BUILD = ["area", "build", "--map", str(MAP), "--patients", str(PATIENTS)]
QUICK = ["--appointments", str(GPAD), "--fit", "2019-04", "--fit-reps", "1", "--month-steps", "0",
         "--check-reps", "1"]


def _build(tmp_path: Path, *extra: str) -> tuple[Path, str]:
    """Build and calibrate New Cross Alliance PCN (U08578); the scenario path and the output."""
    out = tmp_path / "area.yaml"
    result = CliRunner().invoke(cli, [*BUILD, "--pcn", "U08578", "--out", str(out), "--calibrate",
                                      *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result.output


def _member_rates(sc: Scenario) -> list[float]:
    return [float(m.overrides["demand"]["rate_multiplier"]) for m in sc.ensemble]


def test_the_shipped_parameters_are_found_and_valid():
    """A checkout reads calibration/calibrated; a wheel sim/_data/calibrated (setup.py copies it)."""
    assert shipped_parameters_file() == ROOT / "calibration" / "calibrated" / SHIPPED_PARAMETERS
    sc = load_scenario(shipped_parameters_file())
    assert len(sc.ensemble) >= 10
    assert parameter_kind(shipped_parameters_file()) == "shipped"
    assert parameter_kind(None) == "defaults"
    assert parameter_kind(ROOT / "scenarios" / "small.yaml") == "given"


def test_installed_package_finds_the_shipped_parameters(monkeypatch):
    monkeypatch.setattr(resources, "checkout_root", lambda: None)
    assert resources.calibrated_dir() == ROOT / "sim" / "_data" / "calibrated"


def test_default_calibrate_takes_the_shipped_parameters_and_scales_their_ensemble(tmp_path):
    """Every shipped member is written, its rate times the fitted factor; the source is named."""
    out, output = _build(tmp_path, *QUICK)
    shipped = load_scenario(shipped_parameters_file())
    sc = load_scenario(out)
    factor = sc.demand.rate_multiplier / shipped.demand.rate_multiplier
    assert factor != pytest.approx(1.0, abs=1e-4)
    assert len(sc.ensemble) == len(shipped.ensemble)
    assert _member_rates(sc) == pytest.approx([r * factor for r in _member_rates(shipped)],
                                              rel=1e-6)
    assert sc.booking.routine_tolerance_days_mean == shipped.booking.routine_tolerance_days_mean
    assert sc.area.code == "U08578"
    assert "East London's calibration, shipped: calibration/calibrated/QMF-2019.yaml" in output
    report = json.loads(out.with_name("area.fit.json").read_text())
    assert report["parameter_source"] == "shipped"
    assert report["ensemble_members"] == len(shipped.ensemble)
    assert "gp_share_simulated_pct" in out.with_name("area.fit.csv").read_text()


def test_scenario_defaults_writes_no_ensemble_and_the_default_parameters(tmp_path):
    """--scenario-defaults: the fit of before, on the scenario defaults."""
    out, output = _build(tmp_path, *QUICK, "--scenario-defaults")
    raw = yaml.safe_load(out.read_text())
    assert not raw.get("ensemble")
    sc = load_scenario(out)
    defaults = Scenario.model_fields["booking"].default_factory()
    assert sc.booking.routine_tolerance_days_mean == defaults.routine_tolerance_days_mean
    assert "the scenario defaults (--scenario-defaults)" in output
    assert json.loads(out.with_name("area.fit.json").read_text())["parameter_source"] == "defaults"


def test_parameters_file_wins_over_the_shipped_ones(tmp_path):
    """--parameters FILE without an ensemble: no ensemble, that file's booking."""
    params = yaml.safe_load((ROOT / "scenarios" / "small.yaml").read_text())
    params.pop("ensemble", None)
    params.setdefault("booking", {})["routine_tolerance_days_mean"] = 23.0
    source = tmp_path / "mine.yaml"
    source.write_text(yaml.safe_dump(params))
    out, output = _build(tmp_path, *QUICK, "--parameters", str(source))
    sc = load_scenario(out)
    assert not sc.ensemble and sc.booking.routine_tolerance_days_mean == 23.0
    assert f"parameters: {source} (--parameters)" in output
    assert json.loads(out.with_name("area.fit.json").read_text())["parameter_source"] == "given"


def test_parameters_and_scenario_defaults_together_are_refused(tmp_path):
    result = CliRunner().invoke(cli, [*BUILD, "--pcn", "U08578", "--out", str(tmp_path / "a.yaml"),
                                      "--calibrate", "--scenario-defaults", "--parameters",
                                      str(ROOT / "scenarios" / "small.yaml")])
    assert result.exit_code != 0
    assert "give one or the other" in result.output


def test_a_non_london_area_without_appointments_gets_east_london_parameters_and_says_so(tmp_path):
    """Salford (01G, STP QOP), no GPAD file: nearest shipped STP's level under the shipped
    parameters, the ensemble scaled to it, and the output says both."""
    out = tmp_path / "area.yaml"
    result = CliRunner().invoke(cli, [*BUILD, "--practices", "P87002", "--out", str(out),
                                      "--calibrate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "not fitted to this area (no --appointments)" in result.output
    assert "East London's calibration, shipped" in result.output
    assert "this area is in STP QOP, not East London (QMF)" in result.output
    report = json.loads(out.with_name("area.fit.json").read_text())
    code = report["shipped_stp"]
    assert code in result.output and report["parameter_source"] == "shipped"
    sc = load_scenario(out)
    shipped = load_scenario(shipped_parameters_file())
    assert sc.demand.rate_multiplier == CALIBRATED_STP_LEVELS[code]["rate_multiplier"]
    factor = sc.demand.rate_multiplier / shipped.demand.rate_multiplier
    assert _member_rates(sc) == pytest.approx([r * factor for r in _member_rates(shipped)],
                                              rel=1e-6)


def test_the_shipped_ensemble_keeps_the_pcn_roles_the_area_staffed(tmp_path):
    """--pcn-workforce adds the social need: each member's need types get it too (shares sum to 1)."""
    out = tmp_path / "area.yaml"
    result = CliRunner().invoke(cli, [*BUILD, "--pcn", "U58538", "--pcn-workforce", "--out",
                                      str(out), "--calibrate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    sc = load_scenario(out)  # validates every member
    assert sc.ensemble
    minor = set()
    for k in range(len(sc.ensemble)):
        needs = sc.member(k).demand.need_types
        assert "social_needs" in needs
        assert needs["social_needs"].eligible_roles[0] == "SocialPrescriber"
        assert sum(n.share for n in needs.values()) == pytest.approx(1.0)
        minor.add(round(needs["acute_minor"].share, 6))
    assert len(minor) > 1  # the members' own need mixes are applied, not dropped
