"""Vacancies open at the start are caught part-way through a stationary sequence of adverts (issue 12, item 1)."""

from __future__ import annotations

import numpy as np

from sim.experiments.runner import build_model
from sim.model.units import DAYS_PER_MONTH
from tests.conftest import scenario, tiny_mapping

MONTHS = 4.0  # the GP default mean time to fill


def test_seeded_vacancies_have_the_stationary_time_left_of_their_advert():
    # many GPs with a high leaving rate: several hundred vacancies open at the start
    m = tiny_mapping(list_sizes=(20000, 20000), gps=(600, 600), nurses=(0, 0), days=1000)
    # no notice: every seeded post is a vacancy in an advert (notices: tests/unit/test_notice.py)
    m["workforce"] = {"turnover": {"annual_leaving_rate": {"GP": 0.8}, "time_to_fill_months": {"GP": MONTHS},
                                   "notice_months": {"GP": 0.0}, "contract_notice_months": {}}}
    model = build_model(scenario(m), 0)
    seeded = [v for v in model.open_vacancies.values() if v["role"] == "GP"]
    ends = np.repeat(list(model.phases.scheduled), [len(h) for h in model.phases.scheduled.values()])
    assert len(seeded) > 300 and ends.size == len(seeded)  # nothing else is scheduled at the start
    # a gamma(2) advert caught at a random moment has 3/4 of a fresh advert's mean left (sd about
    # 0.66 of the mean): a uniform share of a fresh advert would leave 1/2
    mean_fill = MONTHS * DAYS_PER_MONTH
    se = 0.66 * mean_fill / np.sqrt(ends.size)
    assert abs(ends.mean() - 0.75 * mean_fill) < 4 * se


def test_each_roles_seeded_vacancies_are_its_expected_stock_rounded_in_every_replication():
    """Seeded posts add to the role for the whole run: their count must not vary by replication (systematic draws)."""
    m = tiny_mapping(list_sizes=(20000, 20000), gps=(60, 60), nurses=(0, 0), days=30)
    m["workforce"] = {"turnover": {"annual_leaving_rate": {"GP": 0.3}, "time_to_fill_months": {"GP": MONTHS},
                                   "notice_months": {"GP": 0.0}, "contract_notice_months": {}}}
    counts = [sum(v["role"] == "GP" for v in build_model(scenario(m), r).open_vacancies.values()) for r in range(12)]
    assert min(counts) >= 3 and max(counts) - min(counts) <= 1, counts  # independent draws spread over several posts
