"""Where unmet demand goes: every lost request has exactly one destination, met ones none, at the configured shares."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.config.destinations import DESTINATIONS, ROUTINE_DEFAULT, URGENT_DEFAULT
from sim.config.scenario import Demand
from sim.experiments.runner import run_single
from sim.model.destinations import assign_destinations, share_table
from sim.model.rng import stream
from sim.results.summary_destinations import DESTINATION_METRICS
from tests.conftest import scenario, tiny_mapping

practice_st = st.tuples(st.integers(300, 3000), st.integers(0, 2), st.integers(0, 2))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(practices=st.lists(practice_st, min_size=1, max_size=3), days=st.integers(5, 30),
       seed=st.integers(0, 10_000), walk_in=st.booleans(), front_door=st.booleans())
def test_every_unmet_request_has_exactly_one_destination_and_met_ones_none(practices, days, seed, walk_in,
                                                                          front_door):
    sizes, gps, nurses = zip(*practices, strict=True)
    mapping = tiny_mapping(sizes, gps, nurses, days=days, seed=seed, warm_up=7)
    if walk_in:
        mapping["area"]["pcns"][0]["practices"][0]["access_mode"] = "walk_in"
    if front_door:  # callers who never get through (gave_up) are unmet too, and go somewhere
        mapping["front_door"] = {}
    result = run_single(scenario(mapping), 0)
    led = result.ledger
    lost = led["state"].isin(["lost", "gave_up"]).to_numpy()
    dest = led["destination"]
    assert list(dest.cat.categories) == list(DESTINATIONS)
    assert dest[lost].notna().all()  # one destination each (a categorical cell holds exactly one)
    assert dest[~lost].isna().all()
    # the summary's five destinations add up to the unmet demand at every level and unit
    s = result.summary.set_index(["level", "unit", "metric"])["value"]
    for level, unit in {(lv, u) for lv, u, _ in s.index}:
        unmet = s[(level, unit, "unmet_per_1000_year")]
        parts = sum(s[(level, unit, m)] for m in DESTINATION_METRICS.values())
        assert parts == pytest.approx(unmet, rel=1e-9, abs=1e-9) or (np.isnan(unmet) and np.isnan(parts))


def test_shares_over_many_lost_requests_match_the_configured_shares():
    """200,000 draws per urgency: each share within 4 standard errors of its configured value (fixed seed)."""
    n = 200_000
    rng = stream(20260, 0, "test_destinations")
    table = share_table(Demand().unmet_destinations, ["any"])
    for urgent, expected in ((True, URGENT_DEFAULT), (False, ROUTINE_DEFAULT)):
        codes = assign_destinations(rng.random(n), np.full(n, urgent), table, np.zeros(n, dtype=np.int64))
        assert codes.min() >= 0 and codes.max() < len(DESTINATIONS)
        observed = np.bincount(codes, minlength=len(DESTINATIONS)) / n
        for j, d in enumerate(DESTINATIONS):
            p = expected[d]
            assert abs(observed[j] - p) < 4 * np.sqrt(p * (1 - p) / n), (urgent, d, observed[j], p)


def test_shares_by_need_override_the_default_for_that_need_only():
    demand = Demand.model_validate({"unmet_destinations": {"by_need": {"acute_minor": {
        "urgent": {"pharmacy": 1.0}, "routine": {"pharmacy": 1.0}}}}})
    needs = list(demand.need_types)
    table = share_table(demand.unmet_destinations, needs)
    k = needs.index("acute_minor")
    n = 5000
    u = np.linspace(0, 1, n, endpoint=False)
    own = assign_destinations(u, np.ones(n, dtype=bool), table, np.full(n, k))
    assert (own == DESTINATIONS.index("pharmacy")).all()
    other = assign_destinations(u, np.ones(n, dtype=bool), table, np.full(n, (k + 1) % len(needs)))
    assert len(np.unique(other)) == len(DESTINATIONS)


def test_a_shared_table_works_without_needs_for_other_callers():
    """The front door can pass a (2, destinations) table and no need codes."""
    table = np.array([[0, 0, 0, 0, 1.0], [1.0, 0, 0, 0, 0]])
    codes = assign_destinations(np.array([0.1, 0.9, 0.5]), np.array([True, False, True]), table)
    assert codes.tolist() == [0, 4, 0]


def test_bad_shares_and_unknown_needs_are_clear_errors():
    with pytest.raises(ValidationError, match="urgent shares must sum to 1"):
        Demand.model_validate({"unmet_destinations": {"urgent": {"a_and_e": 0.5}}})
    with pytest.raises(ValidationError, match="not in need_types"):
        Demand.model_validate({"unmet_destinations": {"by_need": {"no_such_need": {}}}})
    with pytest.raises(ValidationError):
        Demand.model_validate({"unmet_destinations": {"urgent": {"walk_in_centre": 1.0}}})


def test_destinations_leave_every_other_outcome_unchanged():
    """A new stream: changing the shares moves only the destination rows, never booking."""
    mapping = tiny_mapping((2500,), (1,), (0,), days=30, seed=7, warm_up=7)
    base = run_single(scenario(mapping), 0)
    mapping["demand"] = {"unmet_destinations": {"urgent": {"a_and_e": 1.0}, "routine": {"a_and_e": 1.0}}}
    all_ae = run_single(scenario(mapping), 0)
    cols = [c for c in base.ledger.columns if c != "destination"]
    pd.testing.assert_frame_equal(base.ledger[cols], all_ae.ledger[cols])
    s0, s1 = (r.summary.set_index(["level", "unit", "metric"])["value"] for r in (base, all_ae))
    moved = {m.partition(":")[0].removesuffix("_imd").removesuffix("_age")
             for (_, _, m) in s0.index[~np.isclose(s0, s1, equal_nan=True)]}  # by group: the same destinations
    assert moved <= set(DESTINATION_METRICS.values())
    lg = all_ae.headline()
    assert lg["ae_attendances_unmet_per_1000_year"] == pytest.approx(lg["unmet_per_1000_year"])


def test_a_request_lost_in_two_scenarios_goes_to_the_same_place():
    """Common random numbers: the draw is per request, so fewer GPs only add lost requests, never reshuffle."""
    more = run_single(scenario(tiny_mapping((4000,), (2,), (1,), days=30, seed=11, warm_up=7)), 0).ledger
    fewer = run_single(scenario(tiny_mapping((4000,), (1,), (0,), days=30, seed=11, warm_up=7)), 0).ledger
    pd.testing.assert_series_equal(more["need"], fewer["need"])  # the same requests in both
    both = ((more["state"] == "lost") & (fewer["state"] == "lost")).to_numpy()
    assert both.sum() > 50
    assert (more["destination"][both] == fewer["destination"][both]).all()
