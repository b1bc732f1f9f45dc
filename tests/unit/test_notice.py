"""Notice periods: the post is advertised from the notice date, and the start seeds the stationary stocks (issue 12)."""

from __future__ import annotations

import numpy as np

from sim.experiments.runner import build_model, run_single
from sim.model.notice import expected_gap_days
from sim.model.strain import strained_fill_probability
from sim.model.turnover import strain_parts
from sim.model.units import DAYS_PER_MONTH
from tests.conftest import scenario, tiny_mapping


def test_expected_gap_matches_a_simulation_of_the_adverts():
    # S: adverts until one fills (p 0.8), each gamma(2) with mean 4 months; the gap is what S runs beyond 3 months
    rng = np.random.default_rng(5)
    mean, notice, n = 4 * DAYS_PER_MONTH, 3 * DAYS_PER_MONTH, 100_000
    adverts = rng.geometric(0.8, n)
    s = rng.gamma(2 * adverts, mean / 2)
    gap = np.maximum(s - notice, 0.0)
    assert abs(expected_gap_days(0.8, mean, notice, 2) - gap.mean()) < 4 * gap.std() / np.sqrt(n)
    assert abs(expected_gap_days(0.8, mean, 0.0, 2) - mean / 0.8) < 1e-6  # no notice: the whole vacancy time


def test_the_start_seeds_vacancies_and_notices_in_their_stationary_shares():
    m = tiny_mapping(list_sizes=(20000, 20000), gps=(600, 600), nurses=(0, 0), days=400)
    m["workforce"] = {"turnover": {"annual_leaving_rate": {"GP": 0.5}, "time_to_fill_months": {"GP": 4.0},
                                   "fill_probability": {"GP": 0.8}, "age_multiplier": {0: 1.0},
                                   "notice_months": {"GP": 3.0}, "contract_notice_months": {}}}
    model = build_model(scenario(m), 0)
    gps = [a for a in model.staff if a.role == "GP"]
    notice = round(3 * DAYS_PER_MONTH)
    p_gap = 0.5 * expected_gap_days(0.8, 4 * DAYS_PER_MONTH, float(notice), 2) / 365.25
    p_notice = 0.5 * notice / 365.25
    vacant = sum(1 for v in model.open_vacancies.values() if v["role"] == "GP" and v["key"].endswith("/s"))
    on_notice = [a for a in gps if a.leaving_day is not None]
    for count, p in ((vacant, p_gap), (len(on_notice), p_notice)):
        assert abs(count - len(gps) * p) < 4 * np.sqrt(len(gps) * p * (1 - p))
    # those on notice leave on days spread over the notice, their posts advertised already
    days = np.array([a.leaving_day for a in on_notice])
    assert days.min() >= 1 and days.max() <= notice and abs(days.mean() - notice / 2) < 0.15 * notice
    assert all(a.key in model.open_vacancies for a in on_notice)


def test_a_post_filled_within_the_notice_starts_the_day_the_leaver_goes():
    # adverts fill at once (p 1, a few days): every recruit starts on their leaver's leaving day, no gap
    m = tiny_mapping(list_sizes=(20000, 20000), gps=(40, 40), nurses=(0, 0), days=300, warm_up=0)
    m["workforce"] = {"feedback": False,
                      "turnover": {"annual_leaving_rate": {"GP": 0.6}, "time_to_fill_months": {"GP": 0.2},
                                   "fill_probability": {"GP": 1.0}, "notice_months": {"GP": 2.0},
                                   "contract_notice_months": {}}}
    res = run_single(scenario(m), 0)
    ev = res.events
    gp = ev[ev["role"] == "GP"]
    left = gp[gp["event"].isin(["left_general_practice", "left_to_practice"])]
    filled = gp[gp["event"] == "vacancy_filled"]
    assert len(left) > 20
    # each leaver's recruit joins the same day (leavers near the end may not be replaced within the run)
    joined = set(filled["day"].tolist())
    assert set(left["day"][left["day"] < 280].tolist()) <= joined


def test_the_seeded_vacancies_are_the_stationary_stock_at_the_start_strain():
    # small practices with a high leaving rate: the turnover part of their strain is well above 0 in a steady
    # state, so their adverts fill less often than the market's and the stationary vacancy stock is larger
    m = tiny_mapping(list_sizes=(3000,) * 8, gps=(10,) * 8, nurses=(0,) * 8, days=400)
    m["workforce"] = {"turnover": {"annual_leaving_rate": {"GP": 0.5}, "time_to_fill_months": {"GP": 4.0},
                                   "fill_probability": {"GP": 0.8}, "age_multiplier": {0: 1.0},
                                   "notice_months": {"GP": 3.0}, "contract_notice_months": {},
                                   "strain_weights": {"turnover": 1.0}, "strain_sensitivity": 0.5}}
    model = build_model(scenario(m), 0)
    notice = float(round(3 * DAYS_PER_MONTH))
    gps = [a for a in model.staff if a.role == "GP" and not a.key.endswith("/s")]
    cfg = model.scenario.workforce.turnover
    p_start = [strained_fill_probability(cfg, 0.8, strain_parts(model, a.unit, 0)) for a in gps]
    assert np.mean(p_start) < 0.7  # the start strain is the steady one, well above 0
    at_start = sum(0.5 * expected_gap_days(p, 4 * DAYS_PER_MONTH, notice, 2) / 365.25 for p in p_start)
    at_market = len(gps) * 0.5 * expected_gap_days(0.8, 4 * DAYS_PER_MONTH, notice, 2) / 365.25
    vacant = sum(1 for v in model.open_vacancies.values() if v["role"] == "GP" and v["key"].endswith("/s"))
    assert at_start - at_market > 3
    assert np.floor(at_start) <= vacant <= np.ceil(at_start)  # systematic draws: the expectation rounded
