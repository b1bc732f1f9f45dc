"""A clinician who leaves for burnout gives their contract's notice, like any leaver (issue 12)."""

from __future__ import annotations

from sim.experiments.runner import build_model
from sim.model.notice import notice_days
from sim.model.workforce import BURNOUT_WINDOW_DAYS, burnout_feedback
from tests.conftest import scenario, tiny_mapping


def test_a_burnout_leaver_works_their_notice_and_their_post_is_advertised_from_the_decision():
    m = tiny_mapping(list_sizes=(3000,), gps=(3,), nurses=(1,), days=200)
    m["workforce"] = {"leave_probability_at_full_burnout": 1.0, "reduce_sessions_probability_at_full_burnout": 0.0,
                      "turnover": {"annual_leaving_rate": {"GP": 0.0}, "other_roles_rate": 0.0,
                                   "notice_months": {"GP": 3.0}, "contract_notice_months": {}}}
    model = build_model(scenario(m), 0)
    gp = next(a for a in model.staff if a.role == "GP")
    gp.burnout = 1.0  # certain to decide to leave this month
    day = BURNOUT_WINDOW_DAYS + 1
    burnout_feedback(model, day)
    notice = notice_days(model.scenario.workforce.turnover, gp)
    assert gp.active and gp.leaving_day == day + notice  # still in post, working the notice
    assert gp.key in model.open_vacancies  # the post advertised from the decision
    burnout_feedback(model, day + 30)  # deciding again while on notice changes nothing
    assert gp.active and gp.leaving_day == day + notice
    events = [e for e in model.events if e["staff"] == gp.index and e["event"] == "left_burnout"]
    assert events == []  # the leaving event comes on the leaving day
