"""The prices of the workforce schemes: a training expansion's trainer grant, an international recruit's fee."""

from __future__ import annotations

import pytest

from sim.experiments.runner import build_model, run_single
from tests.conftest import scenario, tiny_mapping


def _costs(mapping: dict) -> tuple[object, float]:
    """The run model and the LGPO's intervention cost over the horizon (GBP, not a year)."""
    model = build_model(scenario(mapping), 0)
    model.run()
    s = run_single(scenario(mapping), 0).summary.set_index(["level", "unit", "metric"])["value"]
    return model, s["lgpo", "TL", "cost_interventions_gbp_year"] * mapping["horizon_days"] / 365.25


def test_each_international_recruit_costs_the_programme_fee_once():
    m = tiny_mapping(days=120)
    m["interventions"] = [{"type": "international_recruitment", "gps_per_year": 12, "start": 0}]
    model, gbp = _costs(m)
    w = model.cal.warm_up
    arrived = [a for a in model.staff if a.key.startswith("ir") and w <= a.joined_day < model.n_sim_days]
    assert len(arrived) >= 3  # about one a month for four months
    assert gbp == pytest.approx(20_000.0 * len(arrived))


def test_a_training_expansion_pays_the_trainer_grant_for_each_extra_trainee_day_in_post():
    m = tiny_mapping(days=90)
    m["start_date"] = "2025-07-01"  # the August intake falls inside the horizon
    m["interventions"] = [{"type": "training_expansion", "extra_intake_per_practice": 2, "start": 0,
                           "cost_per_trainee_year_gbp": 36_525.0}]
    model, gbp = _costs(m)
    trainees = [a for a in model.staff if a.trainee_year and a.training_key.startswith("tx")]
    assert len(trainees) == 4  # two ST1s in each of the two practices
    days = sum((model.n_sim_days if a.left_day is None else a.left_day) - a.joined_day for a in trainees)
    assert gbp == pytest.approx(100.0 * days)  # GBP 36,525 a year = GBP 100 a day
    assert days == 4 * (model.n_sim_days - trainees[0].joined_day)


def test_the_area_own_training_pipeline_and_other_scenarios_carry_no_scheme_price():
    m = tiny_mapping(days=40)
    _, gbp = _costs(m)
    assert gbp == 0.0


def test_an_international_recruit_fee_is_booked_where_the_recruit_works_and_levels_add_up():
    m = tiny_mapping(list_sizes=(3000, 4000, 3500), gps=(2, 3, 2), nurses=(1, 1, 1), days=120)
    practices = m["area"]["pcns"][0]["practices"]
    m["area"]["pcns"] = [{"code": "TN1", "practices": practices[:2]}, {"code": "TN2", "practices": practices[2:]}]
    m["interventions"] = [{"type": "international_recruitment", "gps_per_year": 12, "start": 0}]
    model, gbp = _costs(m)
    s = run_single(scenario(m), 0).summary.set_index(["level", "unit", "metric"])["value"]
    fee = s.xs("cost_interventions_gbp_year", level="metric")
    w = model.cal.warm_up
    where = {}
    for a in model.staff:
        if a.key.startswith("ir") and w <= a.joined_day < model.n_sim_days:
            code = model.unit_level(a.unit)[1]
            where[code] = where.get(code, 0.0) + 20_000.0 * 365.25 / 120
    assert where and all(model.unit_level(a)[0] == "practice" for a in range(len(model.practices)))
    for code, expected in where.items():  # each recruit's fee at the practice that received them
        assert fee["practice", code] == pytest.approx(expected)
    assert fee["pcn", "TN1"] == pytest.approx(fee["practice", "T0"] + fee["practice", "T1"])
    assert fee["pcn", "TN2"] == pytest.approx(fee["practice", "T2"])
    assert fee["lgpo", "TL"] == pytest.approx(fee["pcn", "TN1"] + fee["pcn", "TN2"])
    assert fee["lgpo", "TL"] * 120 / 365.25 == pytest.approx(gbp)
