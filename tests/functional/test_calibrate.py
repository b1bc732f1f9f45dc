"""Calibration (issue 4, "Fit"): components, observed and simulated targets, the fit, the command.

Fast: the real London files are read, but every simulation is a tiny area over one or two months.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.calibrate.evaluate import acceptance, fit_table
from sim.calibrate.fit import fit
from sim.calibrate.observed import (
    TARGET_NAMES,
    area_rows,
    load_area,
    month_range,
    observed_targets,
    read_appointments,
    seasonal_profile,
    weighted_days,
    working_days,
)
from sim.calibrate.parameters import (
    PARAMETERS,
    apply_parameters,
    base_values,
    non_gp_need_share,
    parameters_by_name,
)
from sim.calibrate.pipeline import calibrate
from sim.calibrate.runs import run_targets, scenario_for, simulate_intervals
from sim.calibrate.sample import stratified_sample
from sim.calibrate.settings import Settings
from sim.calibrate.targets import RateComponent, ShareComponent, default_components
from sim.config.loading import load_scenario
from sim.config.scenario import Scenario
from sim.nhsdata import DataFormatError
from sim.results.metrics import WAIT_BINS
from tests.conftest import scenario, tiny_mapping

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "calibration" / "data"
NEL = DATA / "appointments-london-2019-2021" / "Regional_CSV_ELondonHCP.csv"
REGIONAL = sorted((DATA / "appointments-london-2019-2021").glob("Regional_CSV_*.csv"))
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2021-01.csv"
CCG_HEADER = ("CCG_CODE,CCG_ONS_CODE,CCG_NAME,STP_ONS,STPNM,REGION_ONS_CODE,REGION_NAME,"
              "Appointment_Month,APPT_STATUS,HCP_TYPE,APPT_MODE,TIME_BETWEEN_BOOK_AND_APPT,"
              "COUNT_OF_APPOINTMENTS")


def full_mapping(**kwargs) -> dict:
    """A tiny area as a full mapping (every default written out), as the fit uses."""
    return scenario(tiny_mapping(**kwargs)).model_dump(mode="json")


# --------------------------------------------------------------------------------- components


def _long(values: dict[str, list[float]], months: list[str]) -> pd.DataFrame:
    rows = [{"month": pd.Timestamp(m), "target": t, "value": v[k]}
            for t, v in values.items() for k, m in enumerate(months)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("kind", ["squared", "multinomial"])
def test_share_component_zero_on_perfect_data_positive_otherwise(kind):
    months = ["2019-04", "2019-05"]
    bins = [f"wait_bin:{b}" for b in WAIT_BINS]
    shares = [0.44, 0.08, 0.22, 0.14, 0.065, 0.035, 0.02]
    obs = _long({b: [s, s] for b, s in zip(bins, shares, strict=True)}, months)
    comp = ShareComponent.from_long("wait_bins", bins, obs, distance_kind=kind)
    assert comp.distance(comp.extract(obs)) == pytest.approx(0.0, abs=1e-12)
    moved = obs.copy()
    moved.loc[moved["target"] == bins[0], "value"] -= 0.03
    moved.loc[moved["target"] == bins[1], "value"] += 0.03
    d = comp.distance(comp.extract(moved))
    assert d > 0
    if kind == "squared":  # two bins 3 points off every month: 1 + 1 in units of the tolerance
        assert d == pytest.approx(2.0)
        err = comp.errors(comp.extract(moved))
        assert err[bins[0]].tolist() == pytest.approx([-0.03, -0.03])


def test_single_share_and_rate_components():
    months = ["2019-04", "2019-05", "2019-06"]
    obs = _long({"gp_share": [0.65, 0.66, 0.64], "attended_per_1000": [285.0, 298.0, 279.0]},
                months)
    gp = ShareComponent.from_long("gp_share", ["gp_share"], obs)
    total = RateComponent.from_long("total", ["attended_per_1000"], obs)
    for comp in (gp, total):
        assert comp.distance(comp.extract(obs)) == 0.0
    sim = obs.copy()
    sim.loc[sim["target"] == "attended_per_1000", "value"] *= 1.05  # 5% over = the tolerance
    sim.loc[sim["target"] == "gp_share", "value"] += 0.015
    assert total.distance(total.extract(sim)) == pytest.approx(1.0)
    assert gp.distance(gp.extract(sim)) == pytest.approx(0.25)
    multi = ShareComponent.from_long("gp_share", ["gp_share"], obs, distance_kind="multinomial")
    assert multi.distance(multi.extract(obs)) == pytest.approx(0.0, abs=1e-12)
    assert multi.distance(multi.extract(sim)) > 0
    # a simulation without the months is an error; one month missing scores as the worst month
    with pytest.raises(KeyError, match="none of its months"):
        total.extract(sim.iloc[0:0])
    one_missing = sim.loc[sim["month"] != pd.Timestamp("2019-06-01")]
    assert total.distance(total.extract(one_missing)) == pytest.approx(1.0)
    assert np.isinf(total.distance(pd.DataFrame(np.nan, index=total.observed.index,
                                                columns=total.targets)))


def test_default_components_cover_every_target_and_reject_unknown_weights():
    months = ["2019-04"]
    obs = _long({t: [0.1] for t in TARGET_NAMES}, months)
    comps = default_components(obs, weights={"wait_bins": 2.0})
    assert sorted(t for c in comps for t in c.targets) == sorted(TARGET_NAMES)
    assert {c.name: c.weight for c in comps}["wait_bins"] == 2.0
    with pytest.raises(ValueError, match="unknown component"):
        default_components(obs, weights={"bogus": 1.0})


# ------------------------------------------------------------------------------ observed (real)


@pytest.fixture(scope="module")
def appointments() -> pd.DataFrame:
    return read_appointments(REGIONAL)


@pytest.fixture(scope="module")
def nel():
    return load_area("QMF", MAP, PATIENTS)


def _raw_counts(path: Path, month: str) -> dict[str, dict[str, int]]:
    """Sums straight from the CSV with the csv module (no project code)."""
    out: dict[str, dict[str, int]] = {"status": {}, "hcp": {}, "mode": {}, "interval": {}}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["Appointment_Month"] != month:
                continue
            n = int(row["COUNT_OF_APPOINTMENTS"])
            for key, col in (("status", "APPT_STATUS"), ("hcp", "HCP_TYPE"),
                             ("mode", "APPT_MODE"), ("interval", "TIME_BETWEEN_BOOK_AND_APPT")):
                out[key][row[col]] = out[key].get(row[col], 0) + n
    return out


def test_area_resolves_by_stp_ons_and_ccg_code(nel):
    assert nel.icb_code == "QMF"
    assert nel.sub_icb_codes == ["A3A8R"]
    assert 250 < len(nel.practices) < 300
    assert 2_000_000 < nel.list_size < 2_500_000
    assert "2021-01-01" in nel.list_note
    for code in ("E54000029", "A3A8R", "qmf"):
        assert load_area(code, MAP, PATIENTS).icb_code == "QMF"
    with pytest.raises(ValueError, match="not an STP"):
        load_area("ZZZ", MAP, PATIENTS)


def test_observed_targets_for_one_stp_month_sum_correctly(appointments, nel):
    raw = _raw_counts(NEL, "OCT2019")
    obs = observed_targets(area_rows(appointments, nel), nel.list_size,
                           [pd.Timestamp("2019-10-01")])
    v = {r.target: r.value for r in obs.targets.itertuples()}
    attended, dna = raw["status"]["Attended"], raw["status"]["DNA"]
    assert attended == 794_013  # the real file's October 2019 total for NHS North East London CCG
    assert v["attended_per_1000"] == pytest.approx(attended / nel.list_size * 1000)
    assert v["dna_share"] == pytest.approx(dna / (attended + dna))
    gp, other = raw["hcp"]["GP"], raw["hcp"]["Other Practice staff"]
    assert v["gp_share"] == pytest.approx(gp / (gp + other))
    known = sum(raw["interval"][b] for b in WAIT_BINS)
    for b in WAIT_BINS:
        assert v[f"wait_bin:{b}"] == pytest.approx(raw["interval"][b] / known)
    assert sum(v[f"wait_bin:{b}"] for b in WAIT_BINS) == pytest.approx(1.0)
    modes = ("Face-to-Face", "Telephone", "Video/Online", "Home Visit")
    assert sum(v[f"mode:{m}"] for m in modes) == pytest.approx(1.0)
    counts = obs.counts.loc[pd.Timestamp("2019-10-01")]
    assert counts["total"] == sum(raw["status"].values())
    assert counts["hcp_unknown"] == raw["hcp"].get("Unknown", 0)
    assert counts["interval_unknown"] == raw["interval"].get("Unknown / Data Issue", 0)
    with pytest.raises(ValueError, match="no appointments for month"):
        observed_targets(area_rows(appointments, nel), nel.list_size,
                         [pd.Timestamp("2018-01-01")])


def _write_regional(path: Path, rows: list[tuple]) -> Path:
    lines = [CCG_HEADER]
    for ccg, month, status, hcp, mode, interval, count in rows:
        lines.append(f"{ccg},E380000{ccg[-2:]},NHS {ccg} CCG,E54000099,Test STP,E40000003,London,"
                     f"{month},{status},{hcp},{mode},{interval},{count}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_observed_targets_on_a_generated_file_in_the_published_schema(tmp_path):
    rows = [
        ("X01", "APR2019", "Attended", "GP", "Face-to-Face", "Same Day", 600),
        ("X01", "APR2019", "Attended", "Other Practice staff", "Telephone", "2 to 7 Days", 300),
        ("X01", "APR2019", "DNA", "GP", "Face-to-Face", "8  to 14 Days", 100),
        ("X01", "APR2019", "Unknown", "Unknown", "Unknown", "Unknown / Data Issue", 50),
    ]
    frame = read_appointments([_write_regional(tmp_path / "Regional_CSV_Test.csv", rows)])
    obs = observed_targets(frame, 10_000)
    v = {r.target: r.value for r in obs.targets.itertuples()}
    assert v["attended_per_1000"] == pytest.approx(90.0)
    assert v["gp_share"] == pytest.approx(700 / 1000)
    assert v["dna_share"] == pytest.approx(0.1)
    assert v["wait_bin:Same Day"] == pytest.approx(0.6)
    assert v["mode:Telephone"] == pytest.approx(0.3)
    assert obs.unknown_shares().iloc[0]["hcp_unknown"] == pytest.approx(50 / 1050)
    with pytest.raises(ValueError, match="positive"):
        observed_targets(frame, 0)


def test_malformed_generated_files_are_refused(tmp_path):
    bad_bin = [("X01", "APR2019", "Attended", "GP", "Face-to-Face", "8 to 14 Days", 1)]
    with pytest.raises(DataFormatError, match="TIME_BETWEEN_BOOK_AND_APPT"):
        read_appointments([_write_regional(tmp_path / "a.csv", bad_bin)])
    bad_month = [("X01", "2019-13", "Attended", "GP", "Face-to-Face", "Same Day", 1)]
    with pytest.raises(DataFormatError, match="Appointment_Month"):
        read_appointments([_write_regional(tmp_path / "b.csv", bad_month)])
    (tmp_path / "c.csv").write_text(CCG_HEADER.replace(",COUNT_OF_APPOINTMENTS", "") + "\n")
    with pytest.raises(DataFormatError, match="COUNT_OF_APPOINTMENTS"):
        read_appointments([tmp_path / "c.csv"])


def test_calendar_and_seasonal_profile(appointments, nel):
    assert working_days(pd.Timestamp("2019-12-01")) == 20  # 25, 26 December
    assert working_days(pd.Timestamp("2019-08-01")) == 21  # summer bank holiday 26 August
    assert working_days(pd.Timestamp("2019-05-01")) == 21  # two May bank holidays
    assert weighted_days(pd.Timestamp("2019-06-01"), [1, 1, 1, 1, 1, 0, 0]) == 20
    window = month_range("2019-03:2020-02")
    season, per_area = seasonal_profile(appointments, nel.sub_icb_codes, window,
                                        [1.25, 1.02, 0.96, 0.95, 0.90, 0.0, 0.0])
    assert len(season) == 12 and np.mean(season) == pytest.approx(1.0, abs=1e-3)
    assert "A3A8R" not in per_area.index and len(per_area) == 3
    assert season[7] == min(season)  # August trough
    assert season[9] > 1.03  # October (flu season) above the mean
    with pytest.raises(ValueError, match="every calendar month"):
        seasonal_profile(appointments, nel.sub_icb_codes, month_range("2019-04:2019-09"),
                         [1, 1, 1, 1, 1, 0, 0])
    with pytest.raises(ValueError, match="2019-04:2019-09"):
        month_range("Apr 2019")


def test_stratified_sample_is_deterministic_and_spans_list_sizes(nel):
    a = stratified_sample(nel.practices, 10)
    b = stratified_sample(nel.practices.sample(frac=1.0, random_state=3), 10)
    assert list(a["practice_code"]) == list(b["practice_code"])
    assert len(a) == 10 and a["list_size"].is_monotonic_increasing
    sizes = nel.practices.loc[nel.practices["list_size"] >= 1000, "list_size"]
    assert a["list_size"].iloc[0] < sizes.quantile(0.15)
    assert a["list_size"].iloc[-1] > sizes.quantile(0.85)


# ------------------------------------------------------------------------- parameters, simulated


def test_parameters_apply_to_a_full_mapping():
    m = full_mapping()
    assert base_values(m, PARAMETERS)["non_gp_need_share"] == pytest.approx(non_gp_need_share(m))
    values = {"rate_multiplier": 0.7, "non_gp_need_share": 0.4, "lead_scale": 2.0,
              "lead_spread": 1.5, "urgent_scale": 1.2, "same_day_slot_scale": 0.5,
              "remote_scale": 0.5, "dna_multiplier": 1.5, "routine_tolerance_days": 9.0,
              "continuity_extra_days": 0, "book_ahead_days": 42}
    out = apply_parameters(m, values)
    sc = Scenario.model_validate(out)
    assert sc.demand.rate_multiplier == 0.7
    assert non_gp_need_share(out) == pytest.approx(0.4, abs=1e-5)
    assert sum(n.share for n in sc.demand.need_types.values()) == pytest.approx(1.0, abs=1e-6)
    assert sc.booking.dna_8_plus_days == pytest.approx(1.5 * m["booking"]["dna_8_plus_days"])
    assert sc.booking.book_ahead_days == 42 and sc.booking.continuity_extra_days == 0
    assert sc.roles["GP"].same_day_slot_share == pytest.approx(0.5 * m["roles"]["GP"][
        "same_day_slot_share"])
    tel = [n.mode_shares.get("telephone", 0) for n in sc.demand.need_types.values()]
    assert max(tel) < max(n["mode_shares"].get("telephone", 0)
                          for n in m["demand"]["need_types"].values())
    assert all(n.same_day_share <= 1.0 for n in sc.demand.need_types.values())
    assert m == full_mapping()  # the input is not changed
    with pytest.raises(ValueError, match="unknown parameter"):
        parameters_by_name(["rate_multiplier", "nope"])


def test_simulated_targets_agree_with_the_ledger():
    from sim.experiments.runner import run_single

    months = month_range("2025-04:2025-05")
    sc = scenario_for(full_mapping(days=61), months)
    result = run_single(sc, 0)
    targets = run_targets(sc, 0, months)
    v = targets.pivot(index="month", columns="target", values="value")
    led = result.ledger
    appt = led.loc[led["state"].isin(["seen", "dna"]) & (led["appt_day"] >= 0)
                   & (led["appt_day"] < sc.horizon_days)]
    april = appt.loc[appt["appt_day"] < 30]
    seen = int((april["state"] == "seen").sum())
    assert v.loc[months[0], "attended_per_1000"] == pytest.approx(seen / sc.list_size * 1000)
    assert v.loc[months[0], "dna_share"] == pytest.approx((april["state"] == "dna").mean())
    assert v.loc[months[0], "gp_share"] == pytest.approx((april["role"] == "GP").mean())
    bins = [f"wait_bin:{b}" for b in WAIT_BINS]
    assert v[bins].sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])


# ----------------------------------------------------------------------------------------- fit


def test_fit_recovers_a_known_rate_multiplier():
    """Synthetic 'observed' data from the model itself (rate multiplier 0.8, other replications)."""
    truth = 0.8
    months = month_range("2025-04:2025-05")
    base = full_mapping(list_sizes=(5000, 5000), gps=(3, 3), nurses=(2, 2))
    observed_runs = [run_targets(scenario_for(apply_parameters(base, {"rate_multiplier": truth}),
                                              months), r, months) for r in (7, 8)]
    observed = pd.concat(observed_runs).groupby(["month", "target"], as_index=False)["value"].mean()
    comps = default_components(observed)
    params = parameters_by_name(["rate_multiplier"])
    result = fit(base, comps, months, params=params, trials=8, pilot=3, polish=1, seed=1)
    assert result.base["rate_multiplier"] == 1.0
    assert len(result.trials) == 8 and set(result.trials["stage"]) == {"pilot", "tpe", "polish"}
    assert result.best["rate_multiplier"] == pytest.approx(truth, rel=0.05)
    assert result.best_distance < result.trials.loc[0, "distance"]
    intervals, runs = simulate_intervals(apply_parameters(base, result.best, params), months, 2,
                                         first_rep=1000)
    assert len(runs) == 2 and (intervals["lower"] <= intervals["upper"]).all()
    table = fit_table(observed, intervals, {"fit": months[:1], "holdout": months[1:]}, comps)
    assert set(table["period"]) == {"fit", "holdout"}
    checks = acceptance(table, "holdout")
    assert checks["total_error_pct"].abs().max() < 5.0
    assert {"total_pass", "gp_share_pass", "bins_pass", "pass"} <= set(checks.columns)


# ------------------------------------------------------------------------ pipeline and command


@pytest.fixture(scope="module")
def tiny_calibration(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration")
    settings = Settings(stp="QMF", fit_months="2019-04", holdout_months="2019-05", trials=6,
                        pilot=2, polish=1, eval_reps=2, sample_practices=1, transfer=("QKK",),
                        final_reps=1)
    result = calibrate(ROOT / "scenarios" / "small.yaml", REGIONAL, settings, out,
                       map_file=MAP, patients_file=PATIENTS)
    return result, out


def test_calibration_outputs_and_calibrated_yaml_validates(tiny_calibration):
    result, out = tiny_calibration
    for name in ("calibrated.yaml", "sample.yaml", "fit.csv", "parameters.csv", "trials.csv",
                 "acceptance.csv", "fit.png", "holdout.png", "transfer.png", "calibration.json"):
        assert (out / name).stat().st_size > 0, name
    calibrated = load_scenario(out / "calibrated.yaml")
    assert calibrated.name == "small-calibrated"
    fitted = pd.read_csv(out / "parameters.csv").set_index("parameter")["fitted_value"]
    assert calibrated.demand.rate_multiplier == pytest.approx(fitted["rate_multiplier"])
    assert calibrated.demand.monthly_seasonality == result.manifest["seasonality"]["values"]
    assert calibrated.area.code == "SM"  # the input scenario's own area is kept
    sample = load_scenario(out / "sample.yaml")
    assert sample.list_size == result.manifest["sample"]["patients"]
    table = pd.read_csv(out / "fit.csv")
    assert set(table["period"]) == {"fit", "holdout", "transfer:QKK"}
    assert {"observed", "simulated", "lower", "upper", "error"} <= set(table.columns)
    m = result.manifest
    assert m["area"]["stp"] == "QMF" and m["months"]["fit"] == ["2019-04"]
    assert m["seasonality"]["window"] == [f"{y}-{k:02d}" for y, k in
                                          [(2019, k) for k in range(3, 13)] + [(2020, 1), (2020, 2)]]
    assert isinstance(m["acceptance"]["holdout_all_pass"], bool)
    assert m["acceptance"]["transfer"][0]["stp"] == "QKK"
    # the simple forecast beside the model, for the fitted STP and the transfer STP
    base = pd.read_csv(out / "baseline.csv")
    assert list(base["stp"]) == ["QMF", "QMF", "QKK", "QKK"]
    assert list(base["period"]) == ["fit", "holdout", "fit", "holdout"]
    fit_row = base.iloc[0]
    assert fit_row["forecast"] == pytest.approx(fit_row["observed"])  # one fit month: exact
    assert [e["stp"] for e in m["baseline"]["holdout"]] == ["QMF", "QKK"]
    # the ensemble and the 90% intervals it gives
    assert calibrated.ensemble
    first = calibrated.member(0)
    assert first.demand.rate_multiplier == calibrated.demand.rate_multiplier  # the fitted set
    assert calibrated.ensemble[0].parameters["rate_multiplier"] == pytest.approx(
        fitted["rate_multiplier"], rel=1e-5)
    assert m["uncertainty"]["members"] == len(calibrated.ensemble)
    assert (base["pred_lower"] <= base["sim_lower"]).all()
    assert (base["sim_lower"] < base["sim_upper"]).all()
    assert {"runs_coverage", "predictive_coverage", "predictive_width_pct"} <= set(
        m["baseline"]["holdout"][0])
    runs = pd.read_csv(out / "ensemble_runs.csv")
    assert set(runs["stp"]) == {"QMF", "QKK"}
    # the transfer's own level refitted on its fit month, the pure transfer reported beside it
    level = m["acceptance"]["transfer"][0]["level"]
    assert level["steps"] and level["rate_multiplier"] == pytest.approx(
        level["input_rate_multiplier"] * level["factor"], rel=1e-4)
    assert set(m["acceptance"]["transfer"][0]["pure_total_error_pct"]) == {"2019-04", "2019-05"}
    qmf = base.loc[base["stp"] == "QMF"]
    assert (qmf["model_pure"] == qmf["model"]).all()
    assert base.loc[base["stp"] == "QKK", "model_pure"].notna().all()
    assert "model_pure_mape_pct" in m["baseline"]["holdout"][1]
    # an out-of-sample discrepancy per STP, from the other areas only
    oos = m["uncertainty"]["out_of_sample_discrepancy"]
    assert set(oos) == {"QMF", "QKK"} and oos["QMF"]["relative_sd"] > 0
    assert {e["area"] for e in oos["QMF"]["errors"]} == {"72Q", "93C", "W2U3Z"}
    runner = CliRunner()
    from sim.cli.main import main

    res = runner.invoke(main, ["validate", str(out / "calibrated.yaml")])
    assert res.exit_code == 0, res.output


def test_calibrate_command(tmp_path):
    from sim.cli.main import main

    out = tmp_path / "cal"
    args = ["calibrate", str(ROOT / "scenarios" / "small.yaml"), "--appointments",
            str(DATA / "appointments-london-2019-2021"), "--stp", "QMF", "--fit", "2019-04",
            "--holdout", "2019-05", "--trials", "7", "--eval-reps", "2", "--sample-practices",
            "2", "--param", "rate_multiplier", "--param", "dna_multiplier", "--final-reps", "1",
            "--season-steps", "0", "--out", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "held-out months" in res.output and (out / "calibrated.yaml").exists()
    params = pd.read_csv(out / "parameters.csv")
    assert list(params["parameter"]) == ["rate_multiplier", "dna_multiplier"]
    assert not (out / "seasonality.csv").exists()  # --season-steps 0: no correction
    bad = CliRunner().invoke(main, [*args[:7], "2019-05", "--holdout", "2019-05", "--out",
                                    str(tmp_path / "x")])
    assert bad.exit_code != 0 and "overlap" in bad.output
    data = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert copy.deepcopy(data)["booking"]["dna_same_day"] > 0
    # by default each sampled practice's age mix is tilted to its 65+ share, recorded in the manifest
    sample = json.loads((out / "calibration.json").read_text())["sample"]
    assert "practice-share-65plus" in sample["age_mix"]
    assert all(p["age_source"] in ("own", "sub-ICB A3A8R") and 0.0 < p["share_65plus"] < 0.5
               for p in sample["practices"])
