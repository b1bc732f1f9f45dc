"""Care navigation to the practice team member who fits: a navigated contact is booked with the need's non-GP roles first."""

import numpy as np
import pytest

from sim.config.loading import ScenarioError, load_scenario
from sim.model.interventions import attach
from sim.model.team_booking import team_order
from tests.conftest import scenario


def test_team_order_puts_every_non_gp_diary_first_and_keeps_the_skill_mix_order():
    rd_role = np.array([0, 3, 0, 5, 3])  # role of each role diary; GP is role 0
    assert team_order([0, 1, 2, 3, 4], rd_role, 0) == [1, 3, 4, 0, 2]
    assert team_order([2, 0], rd_role, 0) == [2, 0]  # GP only: a GP still
    assert team_order([], rd_role, 0) == []


def _run(team_shares: dict[str, float], days: int = 70):
    """small.yaml with the front door and care navigation (no navigation elsewhere) from month 1, run."""
    base = load_scenario("scenarios/small.yaml", overrides={"horizon_days": days, "warm_up_days": 7, "front_door": {}})
    m = base.model_dump(mode="json")
    m["interventions"] = [{"type": "care_navigation", "start": 1, "shares": {}, "team_shares": team_shares}]
    model = attach(scenario(m), 0)
    model.run()
    return model


def test_navigated_musculoskeletal_contacts_see_the_physiotherapist_instead_of_a_gp():
    """MSK's skill mix is GP then physiotherapist; navigated contacts take the physiotherapist first."""
    with_team, without = _run({"musculoskeletal": 0.6}), _run({})
    R, fd, names = with_team.requests, with_team.front_door, with_team.need_names
    msk = R.need == names.index("musculoskeletal")
    assert R.size == without.requests.size and (R.patient == without.requests.patient).all()  # the same demand
    start = with_team.cal.warm_up + 30  # month 1 (internal days; warm-up first)
    on = msk & (fd.handled_day >= start)
    assert fd.to_team[on].mean() == pytest.approx(0.6, abs=0.05)  # the share asked for
    assert not fd.to_team[~msk].any() and not fd.to_team[msk & (fd.handled_day < start)].any()
    assert not without.front_door.to_team.any()

    def physio_share(model, who):
        staff = model.appt_staff[who & (model.appt_day >= 0)]
        roles = np.array([model.staff[s].role for s in staff])
        return (roles == "Physiotherapist").mean(), (roles == "GP").mean()

    physio_team, gp_team = physio_share(with_team, on & fd.to_team)
    physio_before, gp_before = physio_share(without, on & fd.to_team)  # the same requests without navigation
    assert physio_team > physio_before + 0.2
    assert gp_team < gp_before - 0.2
    # other needs book as before: navigation to the team only reorders the navigated contacts' roles
    assert (with_team.state[~msk & (R.day < start)] == without.state[~msk & (R.day < start)]).all()


def test_team_shares_naming_an_unknown_need_is_a_clear_error():
    base = load_scenario("scenarios/small.yaml", overrides={"horizon_days": 10, "warm_up_days": 7, "front_door": {}})
    m = base.model_dump(mode="json")
    m["interventions"] = [{"type": "care_navigation", "start": 0, "team_shares": {"no_such_need": 0.5}}]
    with pytest.raises(ScenarioError) as exc:  # refused when the scenario is read (gpsim validate), not at run time
        scenario(m)
    assert exc.value.yaml_path == "interventions[0].team_shares.no_such_need"
    assert "unknown need type 'no_such_need'" in str(exc.value) and "musculoskeletal" in str(exc.value)
