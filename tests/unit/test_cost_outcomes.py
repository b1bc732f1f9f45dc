"""Cost outcomes of a run: hand-worked rates, the cost book's years, Fieller ratios, and sums across levels."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.costs.rates import OnCosts, OvertimeRate
from sim.costs.staff import StaffCostModel, days_in_post, present_value
from sim.experiments.compare import paired_comparison
from sim.experiments.runner import build_model, run_single
from sim.results.intervals import ratio_interval
from sim.results.summary_costs import CostBook
from tests.conftest import scenario, tiny_mapping


def test_overtime_hour_of_a_band_6_nurse_is_time_and_a_half_with_employer_ni():
    # band 6 midpoint GBP 42,631 a year; 37.5 h x 52.18 weeks = 1,956.7 h; x 1.5 x 1.15 NI
    hourly = 42_631.0 / (37.5 * 365.25 / 7.0)
    assert hourly == pytest.approx(21.787, abs=1e-3)
    assert StaffCostModel().overtime_hourly_gbp("Nurse", "nurse") == pytest.approx(hourly * 1.5 * 1.15)
    # a salaried GP: plain time (95,404 in 2025/26 pounds / 1,956.7 = 48.76 an hour) plus NI
    gp = StaffCostModel().overtime_hourly_gbp("GP", "gp", "salaried")
    assert gp == pytest.approx(59_600 * 1.06 * 1.06 * 1.04 / 0.73 / (37.5 * 365.25 / 7.0) * 1.15)
    # a locum: no employer NI; band 8a: plain time (Handbook 3.6)
    assert StaffCostModel().overtime_hourly_gbp("GP", "gp", "locum") == pytest.approx(
        350 * 1.06 * 1.04 * 9 * 46.4 / (37.5 * 365.25 / 7.0))
    assert OvertimeRate().hourly_gbp(1956.696, gp=False, band="8a", on_costs=OnCosts()) == pytest.approx(
        1.15, rel=1e-5)


def test_cost_book_splits_a_span_across_horizon_years_and_discounts_year_1():
    book = CostBook(730)
    assert book.n_years == 2 and book.bounds(0) == (0, 365) and book.bounds(1) == (365, 730)
    book.add_span("P", "staff", 300, 400, 10.0)  # 65 days in year 0, 35 in year 1
    book.add("P", "overtime", 365, 7.0)  # day 365 is in year 1
    assert list(book.by_year(["P"])) == [650.0, 357.0]
    assert present_value(book.by_year(["P"]).tolist()) == pytest.approx(650 + 357 / 1.035)


def test_fieller_interval_of_an_exact_ratio_is_a_point_and_a_zero_spanning_denominator_is_noted():
    den = np.array([10.0, 11.0, 12.0, 10.0, 11.0, 12.0])
    r, lo, hi, note = ratio_interval(2 * den, den)
    assert (r, note) == (2.0, "") and lo == pytest.approx(2.0) and hi == pytest.approx(2.0)
    r, lo, hi, note = ratio_interval([1.0, 2.0, 1.0, 2.0], [1.0, -1.0, 1.0, -1.0])
    assert np.isnan(lo) and np.isnan(hi) and "spans 0" in note


def test_fieller_interval_by_hand():
    a = np.array([100.0, 120.0, 80.0, 110.0])
    b = np.array([10.0, 11.0, 9.0, 10.0])
    t2 = stats.t.ppf(0.975, 3) ** 2
    cov = np.cov(a, b) / 4
    ma, mb = a.mean(), b.mean()
    qa, qb, qc = mb**2 - t2 * cov[1, 1], ma * mb - t2 * cov[0, 1], ma**2 - t2 * cov[0, 0]
    lo, hi = (qb - np.sqrt(qb**2 - qa * qc)) / qa, (qb + np.sqrt(qb**2 - qa * qc)) / qa
    got = ratio_interval(a, b)
    assert got[0] == pytest.approx(ma / mb) and got[1] == pytest.approx(lo) and got[2] == pytest.approx(hi)
    assert got[1] < ma / mb < got[2]


def two_pcn_mapping(days: int = 40) -> dict:
    """Two PCNs (one with its own pharmacist), LGPO-level admin staff, and an LGPO hub with running costs."""
    m = tiny_mapping(list_sizes=(3000, 4000, 3500), gps=(2, 3, 2), nurses=(1, 1, 1), days=days)
    practices = m["area"]["pcns"][0]["practices"]
    m["area"]["pcns"] = [{"code": "TN1", "practices": practices[:2],
                          "staff": [{"role": "Pharmacist", "count": 1, "fte": 0.5}]},
                         {"code": "TN2", "practices": practices[2:]}]
    m["area"]["staff"] = [{"role": "Admin", "count": 2, "fte": 1.0}]
    m["interventions"] = [{"type": "extended_access", "level": "pcn", "scope": "lgpo",
                           "running_cost_gbp_per_hub_year": 36_525.0, "setup_cost_gbp_per_hub": 1_000.0}]
    return m


@pytest.fixture(scope="module")
def costed():
    """A 40-day run of the two-PCN area: its result and summary rows as a (level, unit, metric) series."""
    result = run_single(scenario(two_pcn_mapping()), 0)
    s = result.summary.set_index(["level", "unit", "metric"])["value"]
    return result, s


def test_staff_cost_is_fte_days_in_post_times_daily_cost_at_every_level(costed):
    result, s = costed
    staff, years = result.staff, 40 / 365.25
    prices = StaffCostModel()
    daily = [prices.role_cost(r, k, c or None).daily_gbp for r, k, c in
             zip(staff["role"], staff["kind"], staff["contract"], strict=True)]
    each = staff["fte"] * days_in_post(staff, 40) * np.array(daily)
    assert s["lgpo", "TL", "cost_staff_gbp_year"] * years == pytest.approx(each.sum())
    for unit in ("T0", "T1", "T2"):
        assert s["practice", unit, "cost_staff_gbp_year"] * years == pytest.approx(
            each[staff["unit_code"] == unit].sum())
    tn1 = each[staff["unit_code"].isin(["TN1", "T0", "T1"])].sum()
    assert s["pcn", "TN1", "cost_staff_gbp_year"] * years == pytest.approx(tn1)


def test_costs_add_up_practice_to_pcn_to_lgpo(costed):
    result, s = costed
    staff = result.staff
    pcn_own = {"TN1": ["T0", "T1"], "TN2": ["T2"]}
    for metric in ("cost_total_gbp_year", "cost_staff_gbp_year", "cost_overtime_gbp_year",
                   "cost_interventions_gbp_year"):
        for pcn, members in pcn_own.items():
            own = s.get(("pcn", pcn, metric), 0.0) - sum(s["practice", p, metric] for p in members)
            assert own >= -1e-6, (metric, pcn)
        lgpo_own_staff = staff[staff["unit_code"] == "TL"]
        total_pcns = s["pcn", "TN1", metric] + s["pcn", "TN2", metric]
        assert s["lgpo", "TL", metric] >= total_pcns - 1e-6
        if metric == "cost_interventions_gbp_year":  # hubs are PCN items: nothing at the LGPO itself
            assert s["lgpo", "TL", metric] == pytest.approx(total_pcns)
        if metric == "cost_staff_gbp_year":  # the LGPO's own admin staff are the difference
            prices = StaffCostModel()
            own = (lgpo_own_staff["fte"] * [prices.role_cost(r, k).total_gbp for r, k in
                                            zip(lgpo_own_staff["role"], lgpo_own_staff["kind"], strict=True)]).sum()
            assert s["lgpo", "TL", metric] - total_pcns == pytest.approx(own)
    for level, unit in [("lgpo", "TL"), ("pcn", "TN1"), ("practice", "T0")]:
        parts = sum(s[level, unit, m] for m in ("cost_staff_gbp_year", "cost_overtime_gbp_year",
                                                 "cost_interventions_gbp_year"))
        assert s[level, unit, "cost_total_gbp_year"] == pytest.approx(parts)


def test_hub_running_and_setup_costs_are_counted_for_the_days_it_ran(costed):
    _, s = costed
    years = 40 / 365.25
    # GBP 36,525 a year = GBP 100 a day for 40 days, plus GBP 1,000 set-up on day 0, per PCN hub
    for pcn in ("TN1", "TN2"):
        assert s["pcn", pcn, "cost_interventions_gbp_year"] * years == pytest.approx(4_000 + 1_000)
    assert s["practice", "T0", "cost_interventions_gbp_year"] == 0.0


def test_overtime_cost_is_hours_worked_at_the_overtime_rate(costed):
    result, s = costed
    model = build_model(scenario(two_pcn_mapping()), 0)
    model.run()
    w = model.cal.warm_up
    minutes = model.staff_days.overtime_minutes[:, w:model.n_sim_days].sum(axis=1)
    prices = StaffCostModel()
    staff = result.staff
    gbp = sum(m / 60 * prices.overtime_hourly_gbp(r, k, c or None)
              for m, r, k, c in zip(minutes, staff["role"], staff["kind"], staff["contract"], strict=True))
    assert gbp > 0
    assert s["lgpo", "TL", "cost_overtime_gbp_year"] * 40 / 365.25 == pytest.approx(gbp)


def test_arrs_reimburses_the_pcn_pharmacist_at_most_its_maximum(costed):
    result, s = costed
    # 0.5 FTE pharmacist (band 7 midpoint + on-costs GBP 70,389) under the GBP 66,972 maximum
    assert s["pcn", "TN1", "pcn_staff_arrs_reimbursable_gbp_year"] == pytest.approx(0.5 * 66_972, rel=1e-6)
    # not reimbursed: the pharmacist's cost above the maximum, and the hub's own GP (not an additional role)
    staff = result.staff
    hub = staff[(staff["unit_code"] == "TN1") & (staff["role"] == "GP")]
    gp_year = StaffCostModel().role_cost("GP", "gp", "salaried").total_gbp
    hub_gbp = float((hub["fte"] * days_in_post(hub, 40)).sum()) / 40 * gp_year
    assert hub_gbp > 0
    assert s["pcn", "TN1", "pcn_staff_not_reimbursable_gbp_year"] == pytest.approx(
        0.5 * (StaffCostModel().role_cost("Pharmacist").total_gbp - 66_972) + hub_gbp, rel=1e-6)
    assert s["pcn", "TN2", "pcn_staff_arrs_reimbursable_gbp_year"] == 0.0


def test_comparison_gives_cost_per_unmet_request_avoided_with_a_fieller_interval():
    rows = []
    for rep, (cost, unmet) in enumerate([(100.0, 50.0), (101.0, 52.0), (99.0, 49.0), (100.5, 51.0)]):
        for name, dc, du in (("base", 0.0, 0.0), ("more", 200.0 + rep, -10.0 - rep % 2)):
            rows += [{"level": "lgpo", "unit": "L", "metric": "cost_per_1000_gbp_year", "scenario": name,
                      "replication": rep, "value": cost + dc},
                     {"level": "lgpo", "unit": "L", "metric": "unmet_per_1000_year", "scenario": name,
                      "replication": rep, "value": unmet + du}]
    out = paired_comparison(pd.DataFrame(rows), ["base", "more"])
    got = out[(out["metric"] == "cost_per_unmet_avoided_gbp")].iloc[0]
    d_cost, avoided = np.array([200.0, 201, 202, 203]), np.array([10.0, 11, 10, 11])
    assert got["scenario"] == "more" and got["mean"] == pytest.approx(d_cost.mean() / avoided.mean())
    assert got["diff_ci_low"] == pytest.approx(ratio_interval(d_cost, avoided)[1])
    assert got["units"] == "GBP per lost request avoided" and got["note"] == ""


def test_a_multi_year_horizon_reports_the_present_value():
    m = copy.deepcopy(tiny_mapping(days=400, warm_up=7))
    s = run_single(scenario(m), 0).summary.set_index(["level", "unit", "metric"])["value"]
    total = s["lgpo", "TL", "cost_total_gbp_year"] * 400 / 365.25
    pv = s["lgpo", "TL", "cost_total_pv_gbp"]
    assert total * (365 / 400 + 35 / 400 / 1.035) * 0.98 < pv < total  # year 1 is 35 of 400 days


def test_absence_cover_is_priced_for_the_cover_days_actually_worked():
    m = tiny_mapping(days=60)
    m["interventions"] = [{"type": "pooled_cover", "level": "pcn", "cover_days_per_week_per_10k": 5.0}]
    model = build_model(scenario(m), 0)
    model.run()
    w = model.cal.warm_up
    # cover is assigned when a day opens in the book, up to book_ahead_days past the last simulated day
    worked = [(t, s) for t, s in model.levers.cover.worked if w <= t < model.n_sim_days]
    assert worked and len(worked) < len(model.levers.cover.worked)
    prices = StaffCostModel()
    # a GP locum session of 4 h 10 min costs GBP 350 (2023/24) x 1.06 x 1.04 = GBP 385.84: GBP 92.60 an hour
    assert prices.cover_hourly_gbp("GP", "gp") == pytest.approx(84.0 * 1.06 * 1.04)
    gbp = sum(model.staff_days.session_minutes[s, t] / 60 * prices.cover_hourly_gbp(model.staff[s].role,
                                                                                      model.staff[s].kind)
              for t, s in worked)
    s = run_single(scenario(m), 0).summary.set_index(["level", "unit", "metric"])["value"]
    assert gbp > 0 and s["lgpo", "TL", "cost_interventions_gbp_year"] * 60 / 365.25 == pytest.approx(gbp)
