"""Admin staff turnover and the back office: a recruit into an admin post serves that post's admin tasks.

scenarios/small.yaml over a year with a high admin leaving rate and quick filling: before the fix, recruits
were never given a back-office role, so each leaver's queue lost its server for good and the backlog grew
without limit (807,000 tasks after three years of baseline.yaml).
"""

from functools import cache

import yaml

from sim.config.loading import scenario_from_mapping
from sim.model.back_office import WAITING
from sim.model.interventions import attach
from sim.model.workforce import add_staff
from tests.conftest import SCENARIOS


@cache
def _model():
    m = yaml.safe_load((SCENARIOS / "small.yaml").read_text())
    m.update({"horizon_days": 365, "warm_up_days": 28})
    m.setdefault("workforce", {})["turnover"] = {
        "annual_leaving_rate": {"Admin": 0.6}, "time_to_fill_months": {"Admin": 0.5},
        "fill_probability": {"Admin": 1.0}}
    model = attach(scenario_from_mapping(m, "<test>"), 0)
    model.run()
    return model


def test_every_admin_in_post_is_a_back_office_server_in_the_leavers_role():
    model = _model()
    st = model.back_office
    active, _ = model.staff_status()
    admins = [a for a in model.staff if a.kind == "admin" and a.active]
    recruits = [a for a in admins if a.key.endswith("/v")]
    assert len(recruits) >= 10  # the turnover really happened
    servers = set(st.admin_staff[active[st.admin_staff]].tolist())
    assert {a.index for a in admins} <= servers
    role = {int(s): int(r) for s, r in zip(st.admin_staff, st.admin_role, strict=True)}
    by_key = {a.key: a.index for a in model.staff}
    for a in recruits:
        post = a.key[:-2]
        leaver = by_key.get(post, by_key.get(post.removesuffix("/s")))
        assert role[a.index] == role[leaver]


def test_the_backlog_does_not_grow_with_admin_turnover():
    model = _model()
    st = model.back_office
    working = model.cal.is_working_day[: model.n_sim_days]
    backlog = st.records["backlog"].sum(axis=1)[working]
    quarter = backlog.size // 4
    # a steady queue: the last quarter's mean backlog is no more than twice the first quarter's
    assert backlog[-quarter:].mean() < 2.0 * backlog[:quarter].mean()
    per_day = st.state.size / working.sum()
    assert (st.state == WAITING).sum() < 2.0 * per_day  # at most two days' arrivals wait at the end


def test_an_admin_added_by_any_route_is_a_back_office_server_once():
    # workforce.add_staff, as an intervention adding admin staff calls it: before the fix only
    # turnover's recruits were given a back-office role, so an added admin served no task
    m = yaml.safe_load((SCENARIOS / "small.yaml").read_text())
    m.update({"horizon_days": 30, "warm_up_days": 0})
    model = attach(scenario_from_mapping(m, "<test>"), 0)
    model.run()
    added = add_staff(model, "Admin", 0, model.n_sim_days - 1, fte=1.0, key="test/Admin/added", event="added")
    st = model.back_office
    assert (st.admin_staff == added.index).sum() == 1
    # and each turnover recruit holds exactly one role (its leaver's, given after add_staff's own)
    turnover = _model().back_office
    assert len(set(turnover.admin_staff.tolist())) == turnover.admin_staff.size
