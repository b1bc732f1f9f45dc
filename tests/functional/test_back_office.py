"""The back office as simulated work, and the pooled back office's three mechanisms.

scenarios/small.yaml (five practices) split into two PCNs, over 120 days with a 14-day warm-up.
Every check reads what the simulated tasks and admin staff did (sim.model.back_office), never a formula.
"""

import copy
from functools import cache

import numpy as np
import pytest
import yaml

from sim.config.loading import scenario_from_mapping
from sim.model.back_office import ARRIVING, DONE, SHARED, WAITING
from sim.model.interventions import attach
from sim.results.summary_extra import extra_summary
from tests.conftest import SCENARIOS

BASE = yaml.safe_load((SCENARIOS / "small.yaml").read_text())
BASE.update({"horizon_days": 120, "warm_up_days": 14})
_pcn = BASE["area"]["pcns"][0]
BASE["area"]["pcns"] = [dict(_pcn, practices=_pcn["practices"][:3]),
                        {"code": "SMN2", "name": "PCN 2", "practices": _pcn["practices"][3:]}]
QUICK = {"transition": {"setup_months": 0, "dip_months": 0, "setup_hours_per_practice_month": 0},
         "specialisation": {"learning_months": 0}}
ALL_OFF = {"queue_pooling": False, "specialisation": {"enabled": False}, "shared_functions": {"enabled": False}}


def mapping(interventions=()):
    m = copy.deepcopy(BASE)
    m["interventions"] = [copy.deepcopy(iv) for iv in interventions]
    return m


def pooled(**kw):
    return {"type": "pooled_back_office", "redeploy": "cash", **copy.deepcopy(QUICK), **kw}


@cache
def _run(key: str):
    """(the run's back office, its warm-up days, its summary values): the model itself is not kept (memory)."""
    model = attach(scenario_from_mapping(yaml.safe_load(key), "<test>"), 0)
    model.run()
    rows = extra_summary(model)
    return model.back_office, model.cal.warm_up, rows.set_index(["level", "unit", "metric"])["value"]


def run(m):
    return _run(yaml.safe_dump(m, sort_keys=True))


def area(values, metric):
    return values[("lgpo", "SM", metric)]


def test_every_admin_task_ends_in_exactly_one_state():
    st, _, _ = run(mapping([pooled()]))
    assert not (st.state == ARRIVING).any()  # every task drawn arrives inside the run
    counts = np.bincount(st.state, minlength=4)
    assert counts[DONE] + counts[WAITING] + counts[SHARED] == st.state.size
    done = st.state == DONE
    assert (st.took[done] >= 0).all() and (st.took[st.state == SHARED] == 0).all()
    assert np.isnan(st.took[st.state == WAITING]).all()  # the backlog was never done
    assert set(np.flatnonzero(st.state == WAITING)) == set(st.backlog.tolist())
    assert st.shared_kind[st.kind[st.state == SHARED]].all()  # only organisation functions are done once
    assert counts[SHARED] > 0 and counts[WAITING] > 0


def test_pooled_and_unpooled_runs_see_the_same_task_arrivals():
    a = attach(scenario_from_mapping(mapping(), "<a>"), 2).back_office
    b = attach(scenario_from_mapping(mapping([pooled(), {"type": "pooled_back_office", "scope": "SMN1"}]),
                                     "<b>"), 2).back_office
    for field in ("practice", "kind", "arrival", "e"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_each_mechanism_is_reported_on_its_own():
    base = run(mapping())[2]
    spec = run(mapping([pooled(**{**ALL_OFF, "specialisation": {"enabled": True, "learning_months": 0}})]))[2]
    shared = run(mapping([pooled(**{**ALL_OFF, "shared_functions": {"enabled": True}})]))[2]
    queue = run(mapping([pooled(**{**ALL_OFF, "queue_pooling": True, "handoff_minutes": 0})]))[2]
    saved_spec, saved_shared = "admin_hours_saved_specialisation_per_week", "admin_hours_saved_shared_functions_per_week"
    assert area(spec, saved_spec) > 0 and area(spec, saved_shared) == 0
    assert area(shared, saved_shared) > 0 and area(shared, saved_spec) == 0
    assert area(queue, saved_spec) == 0 and area(queue, saved_shared) == 0
    # one queue per role: the same staff and the same tasks wait less, and fewer wait overnight
    assert area(queue, "admin_turnaround_working_days") < area(base, "admin_turnaround_working_days")
    assert area(queue, "admin_backlog_mean") < area(base, "admin_backlog_mean")
    # savings are released: specialised handling frees hours that are cut (the cash rule)
    assert area(spec, "admin_cash_saved_gbp_year") > 0
    assert area(spec, "admin_cost_per_10k_gbp_year") < area(base, "admin_cost_per_10k_gbp_year")


def test_savings_grow_with_pool_size():
    by_pcn = run(mapping([pooled(pool="pcn")]))[2]
    whole = run(mapping([pooled(pool="scope")]))[2]
    one = run(mapping([pooled(scope="SMN2")]))[2]
    m = "admin_hours_saved_shared_functions_per_week"
    assert area(whole, m) > area(by_pcn, m) > area(one, m) > 0  # n^0.6 of n practices' functions
    q = "admin_turnaround_working_days"
    base = run(mapping())[2]
    assert area(whole, q) < area(base, q)


def test_two_pcn_pools_both_count():
    one = run(mapping([pooled(scope="SMN1")]))[2]
    two = run(mapping([pooled(scope="SMN1"), pooled(scope="SMN2")]))[2]
    m = "admin_hours_saved_shared_functions_per_week"
    assert two[("pcn", "SMN1", m)] == pytest.approx(one[("pcn", "SMN1", m)])
    assert two[("pcn", "SMN2", m)] > 0 and one[("pcn", "SMN2", m)] == 0
    assert area(two, m) == pytest.approx(two[("pcn", "SMN1", m)] + two[("pcn", "SMN2", m)])


def test_a_mid_year_start_counts_from_its_start():
    st, warm_up, late = run(mapping([pooled(start=2)]))
    full = run(mapping([pooled()]))[2]
    start = st.pools[0].runs_from
    rec = st.records
    assert start > warm_up
    assert rec["shared_saved"][:start].sum() == 0 and rec["spec_saved"][:start].sum() == 0
    assert rec["shared_saved"][start:].sum() > 0
    m = "admin_hours_saved_shared_functions_per_week"
    assert 0 < area(late, m) < 0.8 * area(full, m)


def test_workflow_coordinators_take_correspondence_off_gps():
    coord = {"type": "pooled_back_office", "pool": "practice", **ALL_OFF, "redeploy": "coordinators",
             "transition": QUICK["transition"], "coordinators": {"added_hours_per_1000_week": 5.0}}
    base = run(mapping())[2]
    sund = run(mapping([coord]))[2]
    assert area(sund, "coordinator_hours_per_week") > 0
    assert area(sund, "gp_correspondence_hours_per_week") < 0.3 * area(base, "gp_correspondence_hours_per_week")
