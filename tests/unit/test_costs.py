"""Staff costs, on-costs, ARRS and discounting: hand-worked numbers and a plausibility check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.costs.arrs import (
    ARRS_ROLES_2025_26,
    WORKFORCE_ROLE_ARRS,
    arrs_entitlement,
    arrs_for_pcn,
    arrs_funding,
)
from sim.costs.rates import AFC_2025_26, GREEN_BOOK, PRICE_YEAR, GpRates, OnCosts, pay_uplift
from sim.costs.staff import (
    StaffCostModel,
    appointments_by_role,
    cost_per_appointment,
    gp_rates_from_earnings,
    present_value,
    staff_costs,
    staff_from_area,
    unit_costs,
)
from sim.nhsdata.earnings import gp_measure, read_gp_earnings
from sim.nhsdata.payments import read_payments
from sim.nhsdata.pcn_workforce import pcn_role_fte, read_pcn_workforce
from sim.report.cost_equity_views import staff_price_note

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "calibration" / "data"


def test_band_6_nurse_one_fte_by_hand():
    # Agenda for Change 2025/26 band 6: GBP 38,682 entry, 46,580 top -> midpoint 42,631
    pay = (38_682 + 46_580) / 2
    ni = 0.15 * (pay - 5_000)  # 5,644.65: 15% above the GBP 5,000 secondary threshold
    nhs = StaffCostModel().role_cost("Nurse")
    assert nhs.pay_gbp == 42_631
    assert nhs.employer_ni_gbp == pytest.approx(5_644.65)
    assert nhs.pension_gbp == pytest.approx(0.2378 * 42_631)  # 23.7% + 0.08% levy = 10,137.65
    assert nhs.total_gbp == pytest.approx(58_413.30, abs=0.01)
    practice = StaffCostModel(on_costs=OnCosts(perspective="practice")).role_cost("Nurse")
    assert practice.total_gbp == pytest.approx(pay + ni + 0.1438 * pay)  # 54,405.99
    assert practice.total_gbp == pytest.approx(54_405.99, abs=0.01)
    top = StaffCostModel(afc_point="top").role_cost("Nurse")
    assert top.pay_gbp == 46_580


#: 2022/23 GP pay to 2025/26: DDRB awards 6% (2023/24), 6% (2024/25), 4% (2025/26).
UPLIFT_2022_23 = 1.06 * 1.06 * 1.04


def test_gp_costs_by_contract_by_hand():
    model = StaffCostModel()
    partner = model.gp_cost("partner")
    assert partner.pay_gbp == pytest.approx(140_200 * UPLIFT_2022_23 / 0.73)  # GBP 224,423 per FTE, 2025/26
    assert partner.employer_ni_gbp == 0.0  # self-employed
    assert partner.pension_gbp == pytest.approx(0.094 * 140_200 * UPLIFT_2022_23 / 0.73)  # the central 9.4% only
    salaried = model.gp_cost("salaried")
    pay = 59_600 * UPLIFT_2022_23 / 0.73  # GBP 95,404 per FTE in 2025/26 pounds
    assert salaried.total_gbp == pytest.approx(pay + 0.15 * (pay - 5_000) + 0.2378 * pay)
    locum = model.gp_cost("locum")
    assert locum.total_gbp == pytest.approx(350 * 1.06 * 1.04 * 9 * 46.4)  # 2023/24 fee to 2025/26, no on-costs
    assert model.gp_cost("retainer").total_gbp == salaried.total_gbp
    with pytest.raises(KeyError):
        model.gp_cost("consultant")
    with pytest.raises(KeyError, match="no Agenda for Change band"):
        model.role_cost("Astronaut")
    assert model.role_cost("CareNavigator", kind="admin").pay_gbp == AFC_2025_26["3"].point()
    table = model.table()
    assert set(table["role"]) >= {"GP", "Nurse", "Admin"} and table["basis"].str.len().gt(0).all()


def test_gp_rates_from_the_shipped_earnings_files():
    earnings = read_gp_earnings(DATA / "gp-earnings-expenses_2021-22.csv.gz")
    rates = gp_rates_from_earnings(earnings, label="2021/22")
    assert (rates.partner_income_gbp, rates.salaried_pay_gbp) == (153_400, 58_500)
    assert rates.fte_per_head == GpRates().fte_per_head
    latest = gp_rates_from_earnings(read_gp_earnings(DATA / "gp-earnings-expenses_2022-23.csv.gz"))
    defaults = GpRates()
    assert (latest.partner_income_gbp, latest.salaried_pay_gbp) == (
        defaults.partner_income_gbp, defaults.salaried_pay_gbp)


def staff_table() -> pd.DataFrame:
    return pd.DataFrame([
        # one band 6 nurse all year; a salaried GP who leaves on day 100; a pharmacist at the PCN
        {"role": "Nurse", "kind": "nurse", "level": "practice", "unit_code": "P1", "fte": 1.0,
         "contract": "", "joined_day": -300, "left_day": -1},
        {"role": "GP", "kind": "gp", "level": "practice", "unit_code": "P1", "fte": 0.5,
         "contract": "salaried", "joined_day": -50, "left_day": 100},
        {"role": "Pharmacist", "kind": "pharmacist", "level": "pcn", "unit_code": "N1", "fte": 0.8,
         "contract": "", "joined_day": 65, "left_day": -1},
        {"role": "Admin", "kind": "admin", "level": "practice", "unit_code": "P2", "fte": 1.0,
         "contract": "", "joined_day": 0, "left_day": -1},
    ])


def test_cost_accounting_adds_up_per_level():
    model = StaffCostModel()
    costs = staff_costs(staff_table(), 365, model)
    assert costs["fte_days"].tolist() == [365.0, 50.0, 0.8 * 300, 365.0]
    nurse = model.role_cost("Nurse").total_gbp
    assert costs.loc[0, "cost_gbp"] == pytest.approx(nurse * 365 / 365.25)  # 365 days in post
    assert costs.loc[0, "annual_cost_gbp"] == pytest.approx(nurse)
    # total = sum over staff of FTE-days x daily cost, at every level
    by_hand = (costs["fte_days"] * costs["cost_per_fte_year_gbp"] / 365.25).sum()
    assert costs["cost_gbp"].sum() == pytest.approx(by_hand)
    units = unit_costs(costs, {"P1": 6000, "P2": 4000}, {"P1": "N1", "P2": "N1"}, area="A")
    by_level = units.groupby("level")["cost_gbp"].sum()
    assert by_level["lgpo"] == pytest.approx(costs["cost_gbp"].sum())
    assert by_level["pcn"] == pytest.approx(costs["cost_gbp"].sum())
    assert by_level["practice"] == pytest.approx(costs.loc[costs["level"] == "practice", "cost_gbp"].sum())
    area = units.iloc[0]
    assert area["cost_per_1000_year_gbp"] == pytest.approx(
        costs["cost_gbp"].sum() * 365.25 / 365 / 10_000 * 1000)
    per_appt = cost_per_appointment(costs, {"Nurse": 5000, "GP": 1000, "Pharmacist": 800})
    nurse_row = per_appt.set_index("role").loc["Nurse"]
    assert nurse_row["cost_per_appointment_gbp"] == pytest.approx(nurse * 365 / 365.25 / 5000)
    assert pd.isna(per_appt.set_index("role").loc["Admin", "cost_per_appointment_gbp"])
    assert per_appt.set_index("role").loc["all", "cost_gbp"] == pytest.approx(costs["cost_gbp"].sum())


def test_present_value_green_book():
    assert present_value([100, 100, 100]) == pytest.approx(100 + 100 / 1.035 + 100 / 1.035**2)
    assert present_value([100, 100, 100]) == pytest.approx(289.97, abs=0.005)
    assert GREEN_BOOK.factor(0) == 1.0 and GREEN_BOOK.factor(30) == pytest.approx(1.035**-30)
    assert GREEN_BOOK.factor(31) == pytest.approx(1.035**-30 / 1.03)


def test_arrs_entitlement_of_a_50000_weighted_patient_pcn():
    assert arrs_entitlement(50_000) == pytest.approx(1_331_550.0)  # 50,000 x GBP 26.631
    # two pharmacists paid at the band 7 midpoint cost (below the GBP 66,972 maximum) and a
    # receptionist (not reimbursable): what is funded and what is not
    model = StaffCostModel()
    cost = {role: model.role_cost(role).total_gbp for role in ("Pharmacist", "Admin")}
    table, totals = arrs_funding({"Pharmacist": 2.0, "Admin": 1.0}, 50_000, cost_per_fte=cost)
    rows = table.set_index("role")
    assert rows.loc["Pharmacist", "claimable_gbp"] == pytest.approx(2 * min(cost["Pharmacist"], 66_972))
    assert rows.loc["Admin", "claimable_gbp"] == 0.0 and rows.loc["Admin", "arrs_role"] == ""
    assert totals["funded_gbp"] == pytest.approx(rows["claimable_gbp"].sum())
    assert totals["unfunded_gbp"] == pytest.approx(cost["Admin"] + 2 * max(0, cost["Pharmacist"] - 66_972))
    assert totals["headroom_gbp"] == pytest.approx(1_331_550.0 - totals["funded_gbp"])
    # more claims than entitlement: funding is capped
    _, capped = arrs_funding({"Pharmacist": 30.0}, 50_000)
    assert capped["funded_gbp"] == pytest.approx(1_331_550.0)
    assert capped["unfunded_gbp"] == pytest.approx(30 * 66_972 - 1_331_550.0)
    assert all(r.max_gbp is None or r.max_gbp > 30_000 for r in ARRS_ROLES_2025_26.values())


def test_arrs_on_a_real_pcn_from_the_workforce_and_payments_files():
    workforce = read_pcn_workforce(DATA / "pcn-workforce-individual-level_2022-09.csv.gz")
    payments = read_payments(DATA / "payments-to-general-practice_2022-23.csv.gz")
    pcn = "U33392"  # Barnet 2 PCN
    fte = pcn_role_fte(workforce[workforce["pcn_code"] == pcn]).set_index("role")["fte"].to_dict()
    weighted = payments.loc[payments["pcn_code"] == pcn, "weighted_patients"].sum()
    table, totals = arrs_funding(fte, weighted, role_map=WORKFORCE_ROLE_ARRS)
    assert totals["entitlement_gbp"] == pytest.approx(weighted * 26.631)
    assert totals["claimable_gbp"] > 0
    assert set(table.loc[table["arrs_role"] == "", "role"]) <= {
        "Medical Clinical Director (GP)", "Managers", "Other Admin/Non-clinical",
        "Other Direct Patient Care", "Non-clinical Director", "Clinical Director (DPC)",
        "Clinical Director (Nurse)"}


def test_small_scenario_staff_cost_is_plausible_against_published_earnings():
    """A year of the small scenario's staff (40,000 patients) against what general practice spends.

    Published comparator, England 2022/23: contractor GPs' income before tax plus their practices'
    employee expenses (salaried GPs, nurses, other clinical and admin staff), per contractor, times
    the estimated number of contractors, over the registered patients of the payments file. The
    model's figure is in 2025/26 pay (GPs uplifted by the DDRB awards, x 1.1685) and counts the whole
    employer pension, so it should sit above the 2022/23 comparator, not far from it.
    """
    area = yaml.safe_load((ROOT / "scenarios" / "small.yaml").read_text())["area"]
    costs = staff_costs(staff_from_area(area), 365)
    patients = sum(p["list_size"] for pcn in area["pcns"] for p in pcn["practices"])
    per_patient = costs["annual_cost_gbp"].sum() / patients

    earnings = read_gp_earnings(DATA / "gp-earnings-expenses_2022-23.csv.gz")
    contractors = gp_measure(earnings, "Contractor", "Estimated Population")
    spend = contractors * (gp_measure(earnings, "Contractor")
                           + gp_measure(earnings, "Contractor", "Average Employee"))
    registered = read_payments(DATA / "payments-to-general-practice_2022-23.csv.gz")[
        "registered_patients"].sum()
    published = spend / registered  # about GBP 111 per patient a year
    assert 95 < published < 125
    assert 0.9 * published < per_patient < 1.6 * published
    # and GPs are a plausible share of it (about half of the staff cost of English practices)
    gp_share = costs.loc[costs["role"] == "GP", "annual_cost_gbp"].sum() / costs["annual_cost_gbp"].sum()
    assert 0.35 < gp_share < 0.65


def test_changed_rates_flow_through():
    model = StaffCostModel(gp=replace(GpRates(), fte_per_head=1.0))
    assert model.gp_cost("partner").pay_gbp == pytest.approx(140_200 * UPLIFT_2022_23)
    current = StaffCostModel(gp=replace(GpRates(), fte_per_head=1.0, price_year="2025/26"))
    assert current.gp_cost("partner").pay_gbp == 140_200  # figures already in the price year are not uplifted


def test_arrs_for_a_pcn_from_a_costed_staff_table():
    costs = staff_costs(staff_table(), 365)
    table, totals = arrs_for_pcn(costs, "N1", 50_000, horizon_days=365)
    row = table.set_index("role").loc["Pharmacist"]
    assert row["fte"] == pytest.approx(0.8 * 300 / 365)  # joined on day 65
    band7 = StaffCostModel().role_cost("Pharmacist").total_gbp  # GBP 70,389 > the 66,972 maximum
    assert row["claimable_gbp"] == pytest.approx(row["fte"] * 66_972)
    assert totals["unfunded_gbp"] == pytest.approx(row["fte"] * (band7 - 66_972))
    _, end = arrs_for_pcn(costs, "N1", 50_000)
    assert end["claimable_gbp"] == pytest.approx(0.8 * 66_972)


def test_appointments_by_role_from_a_ledger():
    ledger = pd.DataFrame({
        "role": ["GP", "GP", None, "Nurse", "GP"], "appt_day": [-3, 0, None, 59, 60],
        "practice": ["P1", "P2", "P1", "P1", "P1"]})
    assert appointments_by_role(ledger, 60) == {"GP": 1.0, "Nurse": 1.0}
    assert appointments_by_role(ledger, 60, ["P1"]) == {"Nurse": 1.0}


def test_a_gp_trainee_is_costed_on_the_resident_doctors_scale_of_their_training_year():
    model = StaffCostModel()
    salaried = model.gp_cost("salaried").total_gbp
    for year, pay in ((1, 52_655.36), (2, 52_655.36), (3, 65_048.0)):  # nodal points 3 and 4, 2025/26
        cost = model.gp_cost("trainee", year)
        assert cost.pay_gbp == pytest.approx(pay)
        assert cost.total_gbp == pytest.approx(pay + 0.15 * (pay - 5_000) + 0.2378 * pay)  # NI and pension
        assert cost.total_gbp < salaried
    staff = pd.DataFrame([{"role": "GP", "kind": "gp", "unit_code": "P1", "fte": 1.0, "contract": "trainee",
                           "key": f"tr/P1/1/ST{y}", "joined_day": 0, "left_day": -1} for y in (1, 3)])
    costs = staff_costs(staff, 365)
    assert costs["cost_per_fte_year_gbp"].tolist() == pytest.approx(
        [model.gp_cost("trainee", 1).total_gbp, model.gp_cost("trainee", 3).total_gbp])


def test_every_staff_price_is_in_one_price_year():
    assert PRICE_YEAR == "2025/26" and pay_uplift("2025/26") == 1.0
    assert pay_uplift("2022/23") == pytest.approx(UPLIFT_2022_23)
    assert pay_uplift("2021/22") == pytest.approx(1.045 * UPLIFT_2022_23)
    with pytest.raises(ValueError, match="financial year"):
        pay_uplift("")
    assert "2025/26" in StaffCostModel().gp_cost("salaried").basis


def test_the_report_says_every_staff_price_is_in_one_price_year():
    note = staff_price_note()
    assert "2025/26 pounds" in note and "x 1.1685" in note and "GBP 52,655" in note
