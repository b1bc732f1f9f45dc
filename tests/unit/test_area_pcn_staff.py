"""Area build: PCN additional-role staff from the PCN workforce file and Carr-Hill weighted patients."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sim.cli.area import area
from sim.experiments.runner import run_single
from sim.nhsdata.area import build_area
from sim.nhsdata.payments import read_payments
from sim.nhsdata.pcn_staff import PCN_ROLE_TO_MODEL
from sim.nhsdata.pcn_workforce import read_pcn_workforce
from tests.conftest import ROOT, scenario, tiny_mapping

DATA = ROOT / "calibration" / "data"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2026-03.csv"
PCN_WF = DATA / "pcn-workforce-individual-level_2022-09.csv.gz"
PAYMENTS = DATA / "payments-to-general-practice_2022-23.csv.gz"
PCN = "U58538"  # a North Central London PCN with pharmacists, paramedics and others in September 2022


def test_each_pcn_gets_the_additional_roles_it_employs_by_model_role():
    mapping = build_area(MAP, PATIENTS, pcns=PCN, pcn_workforce_file=PCN_WF)
    wf = read_pcn_workforce(PCN_WF)
    wf = wf[(wf["pcn_code"] == PCN) & wf["fte"].notna()]
    expected = wf.assign(model=wf["staff_role"].map(PCN_ROLE_TO_MODEL)).dropna(subset=["model"])
    fte = expected.groupby("model")["fte"].sum()
    heads = expected.groupby("model").size()
    staff = {g["role"]: g for g in mapping["area"]["pcns"][0]["staff"]}
    assert set(staff) == set(fte.index) and len(staff) >= 2
    for role, group in staff.items():
        assert group["count"] == heads[role]
        assert group["count"] * group["fte"] == pytest.approx(fte[role], abs=1e-3 * group["count"])
    sc = scenario(mapping | {"horizon_days": 7})  # the schema takes it; the roles are in the skill-mix matrix
    assert all(g.role in sc.roles for g in sc.area.pcns[0].staff)


def test_weighted_patients_are_the_list_times_the_carr_hill_need_index(tmp_path: Path):
    mapping = build_area(MAP, PATIENTS, pcns=PCN, payments_file=PAYMENTS)
    pay = read_payments(PAYMENTS).set_index("practice_code")
    for pr in mapping["area"]["pcns"][0]["practices"]:
        need = pay.at[pr["code"], "weighted_patients"] / pay.at[pr["code"], "registered_patients"]
        assert pr["weighted_patients"] == pytest.approx(pr["list_size"] * need, abs=0.1)
    out = tmp_path / "a.yaml"  # the CLI: shipped payments by default, --pcn-workforce alone the shipped file
    result = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(PATIENTS), "--pcn", PCN,
                                       "--pcn-workforce", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(out.read_text())["area"]["pcns"][0]
    assert written["staff"] == build_area(MAP, PATIENTS, pcns=PCN, pcn_workforce_file=PCN_WF)["area"]["pcns"][0]["staff"]
    assert all("weighted_patients" in pr for pr in written["practices"])


def test_appointments_per_1000_weighted_patients_add_up():
    m = tiny_mapping(list_sizes=(3000, 3000), gps=(2, 2), nurses=(1, 1), days=40, seed=1)
    for pr, score, w in zip(m["area"]["pcns"][0]["practices"], (40.0, 10.0), (3600.0, 2400.0), strict=True):
        pr["imd_score"], pr["weighted_patients"] = score, w
    s = run_single(scenario(m), 0).summary.set_index(["level", "unit", "metric"])["value"]
    years = 40 / 365.25
    lg = s.xs("lgpo", level="level").droplevel(0)
    assert lg["weighted_patients"] == 6000.0 and lg["need_index"] == pytest.approx(1.0)
    assert lg["appointments_per_1000_weighted_year"] == pytest.approx(1000 * lg["appointments"] / 6000 / years)
    t0 = s.xs(("practice", "T0"), level=("level", "unit"))
    assert lg["appointments_per_1000_weighted_imd:Q1"] == pytest.approx(1000 * t0["appointments"] / 3600 / years)
    assert t0["need_index"] == pytest.approx(1.2)
    assert t0["gp_fte_per_10k_weighted"] == pytest.approx(1e4 * t0["gp_fte_end"] / 3600)
    assert lg["gp_fte_per_10k_weighted"] == pytest.approx(1e4 * lg["gp_fte_end"] / 6000)


def test_arrs_entitlement_is_on_the_weighted_population_where_practices_have_one():
    from sim.costs.arrs import ARRS_GBP_PER_WEIGHTED_PATIENT_2025_26 as RATE

    funded = []
    for weights in (None, (1500.0, 1000.0)):
        m = tiny_mapping(list_sizes=(3000, 3000), gps=(2, 2), nurses=(1, 1), days=30, seed=2)
        m["area"]["pcns"][0]["staff"] = [{"role": "Pharmacist", "count": 4}]  # more than the entitlement pays
        for pr, w in zip(m["area"]["pcns"][0]["practices"], weights or (None, None), strict=True):
            pr["weighted_patients"] = w
        s = run_single(scenario(m), 0).summary.set_index(["level", "metric"])["value"]
        funded.append(s["pcn", "pcn_staff_arrs_reimbursable_gbp_year"])
    assert funded[0] == pytest.approx(RATE * 6000)  # capped at the entitlement on the registered list
    assert funded[1] == pytest.approx(RATE * 2500)  # ... and on the weighted population
