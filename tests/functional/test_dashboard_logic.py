"""The dashboard's model-side logic: controls -> interventions, the split pair, live metrics, controller."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from click.testing import CliRunner

from sim.config.loading import scenario_from_mapping
from sim.dashboard import charts
from sim.dashboard.controller import Controller, build_model
from sim.dashboard.controls import (
    MAX_HUB_SESSIONS,
    Controls,
    hub_hours,
    hub_sessions,
    interventions,
    lever_summary,
    pair,
    scenario_mapping,
)
from sim.dashboard.state import (
    Running,
    continuity_pct,
    gp_admin_hours,
    mean_wait_days,
    overtime_by_role,
    practice_strain,
    snapshot,
    unmet_per_1000_year,
    utilisation_by_role,
    wait_distribution,
    waiting_list,
    window,
)
from sim.model.model import BOOKED, LOST
from sim.results.metrics import WAIT_BINS
from tests.conftest import tiny_mapping

COLLAB_TYPES = {"extended_access", "pooled_cover", "pooled_back_office"}


def tiny(days: int = 21) -> dict:
    return tiny_mapping(list_sizes=(3000, 4000, 2500), gps=(2, 3, 2), nurses=(1, 1, 1), days=days, warm_up=7)


def by_type(ivs: list[dict]) -> dict[str, dict]:
    return {iv["type"]: iv for iv in ivs}


# ----------------------------------------------------------------------------- controls


def test_default_controls_collaborate_and_standalone_turns_every_lever_off():
    on = by_type(interventions(Controls()))
    assert on["extended_access"]["pooled"] is True and on["extended_access"]["level"] == "pcn"
    assert on["pooled_cover"]["level"] == "pcn"
    assert "pooled_back_office" in on
    off = by_type(interventions(Controls().standalone()))
    assert off["extended_access"]["pooled"] is False
    assert off["extended_access"]["sessions"] == on["extended_access"]["sessions"]  # the same hours, split
    assert off["pooled_cover"]["level"] == "practice"
    assert off["pooled_cover"]["cover_days_per_week_per_10k"] == on["pooled_cover"]["cover_days_per_week_per_10k"]
    assert "pooled_back_office" not in off


def test_common_levers_map_to_their_interventions():
    c = Controls(gp_retirement_pct=40, retirement_months=6, pharmacists_per_10k=2, other_roles_per_10k=1,
                 hub_sessions=0, demand_growth_pct=5, micro_teams=True)
    ivs = by_type(interventions(c))
    assert ivs["retirement"]["wave"] == {"role": "GP", "min_age": 55, "share": 0.4, "over_months": 6}
    adds = {a["role"]: a["per_10k_patients"] for a in ivs["skill_mix"]["add"]}
    assert adds == {"Pharmacist": 2, "Paramedic": 0.5, "PhysicianAssociate": 0.5}
    assert ivs["demand_growth"]["list_growth_per_year"] == pytest.approx(0.05)
    assert "micro_teams" in ivs
    assert "extended_access" not in ivs  # no hub sessions, no hub
    quiet = by_type(interventions(Controls(hub_sessions=0)))
    assert set(quiet) == {"pooled_cover", "pooled_back_office"}


def test_added_roles_the_scenario_lacks_are_left_out():
    ivs = by_type(interventions(Controls(pharmacists_per_10k=1, other_roles_per_10k=2), roles={"GP", "Pharmacist"}))
    assert [a["role"] for a in ivs["skill_mix"]["add"]] == ["Pharmacist"]


def test_hub_sessions_and_hours():
    assert hub_sessions(0) == []
    assert len(hub_sessions(MAX_HUB_SESSIONS)) == MAX_HUB_SESSIONS
    assert hub_hours(6) == pytest.approx(5 * 1.5 + 4)  # five evenings and a Saturday morning
    with pytest.raises(ValueError):
        hub_sessions(MAX_HUB_SESSIONS + 1)


def test_controls_reject_out_of_range_and_unknown_values():
    with pytest.raises(ValueError, match="gp_retirement_pct"):
        Controls(gp_retirement_pct=120)
    with pytest.raises(ValueError, match="hub_sessions"):
        Controls(hub_sessions=-1)
    with pytest.raises(ValueError, match="unknown control"):
        Controls.from_dict({"gp_retirements": 10})
    assert Controls.from_dict(Controls(micro_teams=True).as_dict()) == Controls(micro_teams=True)


def test_lever_summary_names_the_levers_on():
    assert lever_summary(Controls()) == "pooled hub, PCN cover, pooled back office"
    assert lever_summary(Controls().standalone()) == "no pooling: each practice alone"


def test_pair_differs_only_in_collaboration_levers_and_validates():
    base = tiny()
    base["interventions"] = [{"type": "recruitment"}, {"type": "pooled_back_office"}]
    c = Controls(gp_retirement_pct=50, pharmacists_per_10k=1, other_roles_per_10k=1, demand_growth_pct=3,
                 micro_teams=True)
    sides = pair(base, c)
    alone, collab = sides["standalone"], sides["collaborating"]
    assert {k: v for k, v in alone.items() if k != "interventions"} == \
        {k: v for k, v in collab.items() if k != "interventions"}
    assert alone["seed"] == collab["seed"] == base["seed"]
    common = [iv for iv in alone["interventions"] if iv["type"] not in COLLAB_TYPES]
    assert common == [iv for iv in collab["interventions"] if iv["type"] not in COLLAB_TYPES]
    assert common[0] == {"type": "recruitment"}  # kept from the base; its pooled_back_office was replaced
    assert sum(iv["type"] == "pooled_back_office" for iv in collab["interventions"]) == 1
    for mapping in sides.values():
        scenario_from_mapping(copy.deepcopy(mapping), "<test>")
    assert base["interventions"] == [{"type": "recruitment"}, {"type": "pooled_back_office"}]  # not mutated


def test_both_sides_draw_the_same_demand():
    sides = pair(tiny(), Controls(demand_growth_pct=10))
    a, b = (build_model(m, "<test>") for m in sides.values())
    for name in ("day", "practice", "need", "urgent", "patient", "lead", "tolerance"):
        np.testing.assert_array_equal(getattr(a.requests, name), getattr(b.requests, name))


# ----------------------------------------------------------------------------- live metrics


@pytest.fixture(scope="module")
def run_model():
    m = build_model(scenario_mapping(tiny(), Controls(hub_sessions=3)), "<test>")
    for _ in range(10):
        m.step()
    return m


def test_window_covers_reporting_days_only(run_model):
    m = run_model
    assert window(m) == (m.cal.warm_up, m.day)
    assert window(m, 7) == (m.day - 7, m.day)
    assert window(m, 7, complete=True) == (m.day - 8, m.day - 1)
    assert window(m, 100)[0] == m.cal.warm_up


def test_access_metrics_match_the_ledger(run_model):
    m = run_model
    lo, hi = window(m)
    made = (m.requests.day >= lo) & (m.requests.day < hi)
    booked = made & (m.appt_staff >= 0)
    bins = wait_distribution(m, lo, hi)
    assert len(bins) == len(WAIT_BINS) and bins.sum() == booked.sum()
    assert bins[0] == (booked & (m.appt_day == m.requests.day)).sum()
    so_far = m.requests.day < m.day
    assert waiting_list(m) == ((m.state == BOOKED) & (m.appt_day >= m.day) & so_far).sum() > 0
    lost = (made & (m.state == LOST)).sum()
    size = sum(p.list_size for p in m.practices)
    assert unmet_per_1000_year(m, lo, hi) == pytest.approx(lost / size * 1000 * 365 / (hi - lo))
    assert 0 <= continuity_pct(m, lo, hi) <= 100
    assert np.isnan(unmet_per_1000_year(m, lo, lo))


def test_workload_metrics(run_model):
    m = run_model
    lo, hi = window(m)
    util = utilisation_by_role(m, lo, hi)
    assert {"GP", "Nurse"} <= set(util) and all(0 < v < 200 for v in util.values())
    over = overtime_by_role(m, *window(m, complete=True))
    assert "Admin" not in over and all(v >= 0 for v in over.values())
    total, per_fte = gp_admin_hours(m, *window(m, 7, complete=True))
    gp_fte = sum(s.fte for s in m.staff if s.kind == "gp" and s.active)
    assert total > 0 and per_fte == pytest.approx(total / gp_fte)


def test_practice_strain_per_practice(run_model):
    m = run_model
    strain = practice_strain(m, *window(m, 28))
    assert [p.code for p in strain] == [p.code for p in m.practices]
    for p in strain:
        assert p.requests > 0 and 0 <= p.unmet_pct <= 100 and 0 <= p.late_pct <= 100
        assert p.strain_pct == pytest.approx(p.unmet_pct + p.late_pct)


def test_snapshot_is_plain_and_charts_are_json(run_model):
    snap = snapshot(run_model)
    assert snap.day == run_model.day - run_model.cal.warm_up == 10
    light = snapshot(run_model, full=False)
    assert not light.full and light.wait_bins == () and light.practices == () and light.utilisation_pct == {}
    assert light.waiting_list == snap.waiting_list and light.continuity_pct == snap.continuity_pct
    labels = {"collaborating": "Collaborating PCN"}
    histories = {"collaborating": ((snap, snap), (snap, snap))}  # two replications, two days
    current = {"collaborating": (snap, snap)}
    options = [*charts.time_series(histories, labels).values(), charts.wait_distribution(current, labels),
               charts.utilisation(current, labels), charts.overtime(current, labels),
               charts.area(current["collaborating"], "x", collaborating=True)]
    for option in options:
        json.dumps(option, allow_nan=False)
    area = charts.area((snap,), "x", collaborating=True)
    assert len(area["series"][2]["data"]) == len(run_model.practices)
    assert len(area["series"][1]["data"]) == len(run_model.pcns)  # one hub per PCN
    assert charts.area((snap,), "x", collaborating=False)["series"][1]["data"] == []


def test_strain_colour_scale():
    assert charts.strain_colour(0) == charts.STRAIN_COLOURS[0]
    assert charts.strain_colour(charts.STRAIN_MAX * 5) == charts.STRAIN_COLOURS[-1]
    assert charts.strain_colour(float("nan")) == "#dddddd"
    assert charts.clean(float("nan")) is None and charts.clean(1.234, 1) == 1.2


# ----------------------------------------------------------------------------- what the levers do


def test_levers_change_the_model():
    base = tiny(days=40)
    for practice in base["area"]["pcns"][0]["practices"]:
        for group in practice["staff"]:
            if group["role"] == "GP":
                group["age"] = 60
    plain = build_model(scenario_mapping(base, Controls(hub_sessions=0).standalone()), "<test>")
    more = build_model(scenario_mapping(base, Controls(hub_sessions=0, pharmacists_per_10k=3,
                                                       gp_retirement_pct=100, retirement_months=1).standalone()),
                       "<test>")
    for m in (plain, more):
        for _ in range(35):
            m.step()

    def fte(m, role):
        return sum(s.fte for s in m.staff if s.role == role and s.active)

    assert fte(more, "Pharmacist") > fte(plain, "Pharmacist")
    assert fte(more, "GP") < fte(plain, "GP")  # every GP is 60 here: all retire within the month


def test_pooled_back_office_cuts_gp_admin_hours_on_the_same_demand():
    c = Controller(tiny(), "<test>", Controls(hub_sessions=0, pooled_cover=False), replications=2)
    c.step(10)
    latest = c.latest()
    for alone, collab in zip(latest["standalone"], latest["collaborating"], strict=True):  # in every replication
        assert collab.gp_admin_hours_per_fte_week < alone.gp_admin_hours_per_fte_week


# ----------------------------------------------------------------------------- controller


def test_controller_steps_replays_and_resets():
    c = Controller(tiny(days=12), "<test>", replications=2)
    assert c.sides == ("standalone", "collaborating") and c.day == 0
    assert c.step(3) == 3 and c.day == 3
    assert c.published.days_per_second > 0  # measured, shown when play cannot keep up
    view = c.published
    assert view.replications == 2
    assert all(len(h) == 4 for reps in view.history.values() for h in reps)  # day 0 and three days, per replication
    assert all(s.full for snaps in view.current.values() for s in snaps)  # the last day of a step call is full
    assert not view.history["collaborating"][0][2].full  # the days in between are light
    before = c.latest()["collaborating"]
    c.configure(Controls(micro_teams=True))
    assert c.day == 3 and c.controls.micro_teams and c.builds == 2
    assert [s.day for s in c.latest()["collaborating"]] == [s.day for s in before]
    c.configure(split=False)
    assert c.sides == ("collaborating",) and set(c.latest()) == {"collaborating"} and c.day == 3
    assert c.published.day == 3 and not c.published.split
    assert c.step(100) == 9 and c.finished and c.day == 12  # stops at the horizon
    assert c.step(1) == 0
    c.reset()
    assert c.day == 0 and not c.finished


def test_a_superseded_replay_stops_and_the_next_change_replays_to_the_same_day():
    """A slider moved twice: the first rebuild's replay stops when the second arrives, which still reaches the day."""
    c = Controller(tiny(days=12), "<test>", replications=1)
    c.step(6)
    calls = []

    def superseded() -> bool:  # a newer change arrives after two replayed days
        calls.append(1)
        return len(calls) > 2

    c.configure(Controls(micro_teams=True), stop=superseded)
    assert c.day == 2 and c.replay_to == 6  # stopped early, the target kept
    c.configure(Controls(micro_teams=False))
    assert c.day == 6 and c.replay_to is None and not c.controls.micro_teams
    c.reset()
    assert c.day == 0 and c.replay_to is None  # starting again forgets the target


def test_same_controls_same_numbers():
    a = Controller(tiny(), "<test>", Controls(hub_sessions=2))
    b = Controller(tiny(), "<test>", Controls(hub_sessions=2))
    a.step(5)
    b.step(5)
    assert a.latest() == b.latest()


# ----------------------------------------------------------------------------- command line


def test_cli_dashboard_options_and_bad_scenario(tmp_path):
    from sim.cli.main import main

    runner = CliRunner()
    out = runner.invoke(main, ["dashboard", "--help"])
    assert out.exit_code == 0 and "--no-browser" in out.output and "127.0.0.1" in out.output
    assert "--replications" in out.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon_days: -1\n")
    out = runner.invoke(main, ["dashboard", str(bad), "--no-browser"])
    assert out.exit_code != 0 and "bad.yaml" in out.output


def test_cli_ports_and_server_command(tmp_path):
    import socket

    from sim.cli.dashboard import pick_port, port_is_free, server_command, server_env

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert not port_is_free("127.0.0.1", busy)
        with pytest.raises(Exception, match="in use"):
            pick_port("127.0.0.1", busy)
    assert 0 < pick_port("127.0.0.1", None) < 65536
    cmd = server_command("127.0.0.1", 9999)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "9999"
    env = server_env(tmp_path / "s.yaml", 2, 7)
    assert env["GPSIM_DASHBOARD_SCENARIO"].endswith("s.yaml") and env["GPSIM_DASHBOARD_REPLICATION"] == "2"
    assert env["GPSIM_DASHBOARD_REPLICATIONS"] == "7"


def test_running_totals_equal_a_full_scan():
    """The settled-prefix totals give the same "so far" views as scanning every request, day after day."""
    base = tiny(days=60)
    for practice in base["area"]["pcns"][0]["practices"]:
        for group in practice["staff"]:
            if group["role"] == "GP":
                group["age"] = 60  # a retirement wave: leavers' booked appointments are lost or rebooked
    base["interventions"] = [{"type": "extended_access", "level": "pcn", "mode": "walk_in",  # re-serves lost ones
                              "sessions": [{"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "18:30",
                                            "end": "20:00"}], "staff": [{"role": "GP", "count": 1}]}]
    mapping = scenario_mapping(base, Controls(gp_retirement_pct=60, retirement_months=1, hub_sessions=0,
                                              micro_teams=True))
    mapping["interventions"] += base["interventions"]
    m = build_model(mapping, "<test>")
    running = Running(m)
    for day in range(55):
        m.step()
        fast, slow = snapshot(m, running=running), snapshot(m)
        assert fast == slow, day
    assert running.end > running.start  # the prefix really was used
    lo, hi = window(m)
    assert mean_wait_days(m, lo, hi, running) == pytest.approx(mean_wait_days(m, lo, hi))
