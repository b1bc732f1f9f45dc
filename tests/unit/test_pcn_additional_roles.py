"""The PCN additional roles: their competencies, the social need they serve, and area build staffing them."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sim.calibrate.area_calibrate import shipped_defaults
from sim.config.demand import default_need_types
from sim.config.loading import load_scenario
from sim.config.pcn_roles import (
    ADDITIONAL_ROLES,
    GP_ONLY_NEEDS,
    SOCIAL_NEED,
    SOCIAL_SHARE_OF_GP_ONLY_DEMAND,
    need_types_for,
)
from sim.costs.staff import StaffCostModel
from sim.experiments.runner import run_single
from sim.nhsdata.area import build_area_details
from sim.nhsdata.pcn_workforce import read_pcn_workforce
from tests.conftest import ROOT, scenario, tiny_mapping

DATA = ROOT / "calibration" / "data"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2026-03.csv"
PCN_WF = DATA / "pcn-workforce-individual-level_2022-09.csv.gz"
NCL = "93C"  # North Central London sub-ICB
LEFT_OUT = {"Managers", "Other Admin/Non-clinical", "Medical Clinical Director (GP)", "Clinical Director (Nurse)",
            "Clinical Director (DPC)", "Non-clinical Director"}


def test_without_additional_roles_the_need_types_are_the_defaults():
    assert need_types_for(default_need_types(), ["GP", "Pharmacist"]) == default_need_types()


def test_personalised_care_roles_get_a_social_need_carved_from_gp_only_demand():
    base = default_need_types()
    needs = need_types_for(base, ["SocialPrescriber", "MentalHealthPractitioner", "PharmacyTechnician"])
    assert sum(n.share for n in needs.values()) == pytest.approx(1.0)
    gp_only = sum(base[n].share for n in GP_ONLY_NEEDS)
    assert needs[SOCIAL_NEED].share == pytest.approx(SOCIAL_SHARE_OF_GP_ONLY_DEMAND * gp_only)
    assert needs[SOCIAL_NEED].eligible_roles == ["SocialPrescriber", "GP"]
    assert needs["mental_health"].eligible_roles == ["MentalHealthPractitioner", "GP"]
    assert needs["medication_review"].eligible_roles == ["Pharmacist", "PharmacyTechnician", "GP"]
    assert needs["acute_minor"] == base["acute_minor"]  # needs they do not serve are untouched


def test_area_build_staffs_every_clinical_pcn_role_and_leaves_out_only_directors_managers_admin():
    build = build_area_details(MAP, PATIENTS, sub_icb=NCL, pcn_workforce_file=PCN_WF)
    mapping = build.mapping
    wf = read_pcn_workforce(PCN_WF)
    codes = {p["code"] for p in mapping["area"]["pcns"]}
    wf = wf[wf["pcn_code"].isin(codes) & wf["fte"].notna()]
    staffed = sum(g["count"] * g["fte"] for p in mapping["area"]["pcns"] for g in p.get("staff", []))
    clinical = wf[~wf["staff_role"].isin(LEFT_OUT)]["fte"].sum()
    assert staffed == pytest.approx(clinical, abs=0.05)
    roles = {g["role"] for p in mapping["area"]["pcns"] for g in p.get("staff", [])}
    assert {"SocialPrescriber", "CareCoordinator", "PharmacyTechnician", "HealthCoach"} <= roles
    left = [n for n in build.notes if "not modelled" in n]
    assert left and all(r.rsplit(" ", 1)[0] in LEFT_OUT for n in left for r in n.split("FTE: ")[1].split(", "))
    sc = scenario(mapping | {"horizon_days": 7})  # the built scenario knows the roles and who serves what
    assert roles <= set(sc.roles) and SOCIAL_NEED in sc.demand.need_types
    assert sum(n.share for n in sc.demand.need_types.values()) == pytest.approx(1.0)


def _run(pcn_staff: list[dict]) -> pd.DataFrame:
    m = tiny_mapping(list_sizes=(6000, 6000), gps=(2, 2), nurses=(1, 1), days=60, seed=5, pcn_staff=pcn_staff)
    roles = [g["role"] for g in pcn_staff]
    m["roles"] = {r: ADDITIONAL_ROLES[r].model_dump(exclude_defaults=True) for r in roles if r in ADDITIONAL_ROLES}
    m["demand"] = {"need_types": {k: v.model_dump(exclude_defaults=True)
                                  for k, v in need_types_for(default_need_types(), roles).items()}}
    return run_single(scenario(m), 0).ledger


def test_each_additional_role_sees_only_the_needs_it_is_competent_for():
    staff = [{"role": r, "count": 1, "fte": 1.0} for r in
             ("Pharmacist", "MentalHealthPractitioner", "PharmacyTechnician", "SocialPrescriber", "Dietitian")]
    ledger = _run(staff)
    seen = ledger[ledger["role"].notna()].groupby(["role", "need"], observed=True).size()
    allowed = {"MentalHealthPractitioner": {"mental_health"}, "PharmacyTechnician": {"medication_review"},
               "SocialPrescriber": {SOCIAL_NEED}, "Dietitian": {"ltc_review"}}
    for role, needs in allowed.items():
        got = set(seen.loc[role].index) if role in seen.index.get_level_values(0) else set()
        assert got and got <= needs, (role, got)
    # the mental health practitioner takes mental health work from the GPs: GPs see a minority of it
    mh = seen.xs("mental_health", level="need")
    assert mh["MentalHealthPractitioner"] > mh.get("GP", 0)


def test_additional_roles_are_costed_at_their_agenda_for_change_band():
    prices = StaffCostModel()
    for role, band in (("SocialPrescriber", "5"), ("CareCoordinator", "4"), ("MentalHealthPractitioner", "6"),
                       ("Dietitian", "7")):
        assert prices.band_of(role, "other_dpc") == band


def test_calibrating_with_a_parameters_file_keeps_the_additional_roles_area_build_staffed():
    mapping = build_area_details(MAP, PATIENTS, pcns="U58538", pcn_workforce_file=PCN_WF).mapping
    got = shipped_defaults(mapping, None, ROOT / "scenarios" / "baseline.yaml").mapping
    sc = scenario(got | {"horizon_days": 7})  # the parameters' roles and needs, with the staffed roles added
    assert {"SocialPrescriber", "CareCoordinator"} <= set(sc.roles)
    assert sc.demand.need_types[SOCIAL_NEED].eligible_roles[0] == "SocialPrescriber"


def test_a_library_scenario_on_a_built_area_keeps_the_additional_roles_it_staffed(tmp_path):
    """`gpsim compare LIBRARY.yaml --area AREA.yaml`: the area's link workers and care coordinators keep their roles."""
    mapping = build_area_details(MAP, PATIENTS, pcns="U58538", pcn_workforce_file=PCN_WF).mapping
    area_file = tmp_path / "area.yaml"
    area_file.write_text(yaml.safe_dump(mapping, sort_keys=False))
    sc = load_scenario(ROOT / "scenarios" / "pharmacist-1-per-30k.yaml", area=area_file)
    assert {"SocialPrescriber", "CareCoordinator"} <= set(sc.roles)
    assert sc.demand.need_types[SOCIAL_NEED].eligible_roles[0] == "SocialPrescriber"
    assert sum(n.share for n in sc.demand.need_types.values()) == pytest.approx(1.0)
    assert sc.interventions  # the library scenario's own settings are kept
