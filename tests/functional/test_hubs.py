"""Extended-access hubs worked by member practices' clinicians, and walk-in hubs (sim/model/hubs.py).

On scenarios/small.yaml (one PCN, five practices) over 63 days after a 21-day warm-up, with common
random numbers: replication r of every scenario sees the same demand and absences. Directional claims
use the paired 95% t-interval over REPS replications; accounting claims are exact in every replication.
Workforce feedback is off so that no scenario loses or cuts staff: staffing differs only by the hub.
"""

import copy
from functools import cache

import numpy as np
import pytest
import yaml

from sim.config.loading import ScenarioError, load_scenario, scenario_from_mapping
from sim.model.interventions import attach
from sim.model.model import DNA, LOST, SEEN
from sim.results.tables import ledger_frame, staff_frame
from tests.conftest import SCENARIOS
from tests.paired import assert_down, assert_up, paired

REPS = 6
BASE = yaml.safe_load((SCENARIOS / "small.yaml").read_text())
# no burnout and no background turnover: hub and no-hub runs keep the same staff, so hours compare exactly
BASE.update({"horizon_days": 63, "warm_up_days": 21, "workforce": {"feedback": False, "turnover": {"enabled": False}}})
HUB = {"type": "extended_access", "staff": [{"role": "GP", "count": 2}, {"role": "Nurse", "count": 1}]}
MEMBER = dict(HUB, staffed_from="member_practices")
EXTRA = dict(MEMBER, member_hours="extra")
WALK_IN = dict(HUB, mode="walk_in", walk_in_max_wait_minutes=60)
WALK_IN_MEMBER = dict(MEMBER, mode="walk_in")
SPLIT_WALK_IN_MEMBER = dict(WALK_IN_MEMBER, pooled=False)  # posts sit in each practice, beside its staff
HUB_ROLES = ("GP", "Nurse")


def _measure(iv: dict | None, r: int) -> dict:
    """Run one replication and measure the quantities the tests compare (minutes, counts)."""
    m = copy.deepcopy(BASE)
    m["interventions"] = [iv] if iv else []
    model = attach(scenario_from_mapping(m, "<test>"), r)
    model.run()
    sd, w, n = model.staff_days, model.cal.warm_up, model.n_sim_days
    posts = [p.agent for hub in model.hubs for p in hub.posts]
    members = [s.index for s in model.staff
               if s.unit < len(model.practices) and s.role in HUB_ROLES and s.index not in posts]
    gps = [s for s in members if model.staff[s].role == "GP"]
    shifts = [sh for hub in model.hubs for sh in hub.worked(model)]
    hub_minutes = sum(sh.minutes for sh in shifts if sh.home in set(members))
    led, st = ledger_frame(model), staff_frame(model)
    report = led["day"] >= 0
    n_staff = len(model.staff)
    return {
        "lost_pct": 100.0 * float((led["state"][report] == "lost").mean()),
        "same_day_lost": int(((led["state"] == "lost") & led["urgent"] & report).sum()),
        # every clinical minute the member clinicians are rostered for, wherever it is worked; hub
        # minutes on days never simulated (beyond the horizon) are still on the hub posts
        "total_minutes": float(sd.session_minutes[members].sum() + sd.session_minutes[posts].sum()),
        "practice_minutes": float(sd.session_minutes[members, w:n].sum() - hub_minutes),
        "hub_minutes": float(hub_minutes),
        "all_hub_minutes": float(sum(sh.minutes for hub in model.hubs for v in hub.shifts.values() for sh in v)),
        "gp_overtime_hours": float(sd.overtime_minutes[gps, w:n].sum() / 60.0),
        # the run ends before the last day's sessions are collected (for every clinician, hub or not):
        # compare the days before it
        "seen_by_staff": np.bincount(model.appt_staff[(model.state == SEEN) & (model.appt_day < n - 1)],
                                     minlength=n_staff),
        "dna_by_staff": np.bincount(model.appt_staff[(model.state == DNA) & (model.appt_day < n - 1)],
                                    minlength=n_staff),
        "sd_seen": sd.seen[:, : n - 1].sum(axis=1), "sd_dna": sd.dna[:, : n - 1].sum(axis=1),
        "post_rows": float(sum(getattr(sd, f)[posts, w:n].sum() for f in ("seen", "dna", "session_minutes",
                                                                           "clinical_minutes", "admin_minutes",
                                                                           "overtime_minutes", "offered_slots"))),
        "posts": posts, "members": members, "shift_homes": sorted({sh.home for sh in shifts}),
        "staff_hub_hours": float(st["hub_hours"].sum()), "shift_hours": sum(sh.minutes for sh in shifts) / 60.0,
        "hub_rows": led[led["hub"]], "state": model.state.copy(), "appt_staff": model.appt_staff.copy(),
        "hub_mask": led["hub"].to_numpy(), "unstaffed": sum(h.unstaffed for h in model.hubs),
        "lost_state": LOST,
    }


@cache
def runs(key: str) -> list[dict]:
    iv = yaml.safe_load(key)
    return [_measure(iv, r) for r in range(REPS)]


def reps(iv: dict | None) -> list[dict]:
    return runs(yaml.safe_dump(iv, sort_keys=True))


def test_redeployed_member_hub_keeps_total_hours_and_moves_some_to_evenings_and_weekends():
    base, hub = reps(None), reps(MEMBER)
    for b, h in zip(base, hub, strict=True):
        assert h["unstaffed"] == 0 and h["hub_minutes"] > 0
        assert h["total_minutes"] == pytest.approx(b["total_minutes"], abs=1e-6)  # exact: hours redeployed
    assert_up(base, hub, "hub_minutes")
    assert_down(base, hub, "practice_minutes")
    # hub minutes come out of the same week's practice sessions: daytime falls by about the hub time
    m, _, _ = paired(base, hub, "practice_minutes")
    hub_mean = np.mean([h["hub_minutes"] for h in hub])
    assert 0.9 * hub_mean < -m < 1.1 * hub_mean, (m, hub_mean)


def test_extra_hours_member_hub_raises_members_overtime_and_capacity():
    base, redeployed, extra = reps(None), reps(MEMBER), reps(EXTRA)
    assert_up(base, extra, "gp_overtime_hours")
    assert_up(redeployed, extra, "gp_overtime_hours")
    assert_down(base, extra, "lost_pct")
    for b, e in zip(base, extra, strict=True):  # extra hours add exactly the hub minutes to the roster
        assert e["all_hub_minutes"] > 0
        assert e["total_minutes"] - b["total_minutes"] == pytest.approx(e["all_hub_minutes"], abs=1e-6)


@pytest.mark.parametrize("iv", [MEMBER, EXTRA, WALK_IN_MEMBER, SPLIT_WALK_IN_MEMBER],
                         ids=["redeployed", "extra", "walk_in", "split_walk_in"])
def test_member_hub_work_is_attributed_exactly_to_the_real_clinician(iv):
    for run in reps(iv):
        # the ledger and the staff-days agree clinician by clinician, and nothing is left on the posts
        np.testing.assert_array_equal(run["seen_by_staff"], run["sd_seen"])
        np.testing.assert_array_equal(run["dna_by_staff"], run["sd_dna"])
        assert run["post_rows"] == 0  # every worked hub day's slots, minutes and counts moved to a clinician
        hub_rows = run["hub_rows"]
        assert len(hub_rows) > 0
        worked = hub_rows[hub_rows["state"].isin(["seen", "dna"])]
        assert set(worked["staff"]) <= set(run["members"])  # a member practice's GP or nurse
        assert set(worked["role"].astype(str)) <= set(HUB_ROLES)
        assert set(run["shift_homes"]) <= set(run["members"])
        assert run["staff_hub_hours"] == pytest.approx(run["shift_hours"])


def test_walk_in_hub_serves_same_day_demand_within_the_wait_limit():
    base, hub = reps(None), reps(WALK_IN)
    assert_down(base, hub, "same_day_lost")
    assert_down(base, hub, "lost_pct")
    for b, h in zip(base, hub, strict=True):
        rows = h["hub_rows"]
        assert len(rows) > 0 and rows["urgent"].all()  # only same-day requests use a walk-in hub
        assert (rows["state"] == "seen").all() and (rows["appt_day"] == rows["day"]).all()
        assert rows["queue_minutes"].between(0, 60).all()  # walk_in_max_wait_minutes: 60
        # it takes only requests that would otherwise be lost: everything else is as without the hub
        mask = h["hub_mask"]
        assert (b["state"][mask] == b["lost_state"]).all()
        np.testing.assert_array_equal(h["state"][~mask], b["state"][~mask])
        np.testing.assert_array_equal(h["appt_staff"][~mask], b["appt_staff"][~mask])


def test_hub_option_errors_name_the_yaml_path(tmp_path):
    base = (SCENARIOS / "small.yaml").resolve()
    bad = [("member_hours: extra", "member_hours applies only with staffed_from: member_practices"),
           ("staffed_from: members", "member_practices"),
           ("mode: walk_in\n    same_day_slot_share: 0.3", "same_day_slot_share applies only with mode: booked"),
           ("walk_in_max_wait_minutes: 30", "walk_in_max_wait_minutes applies only with mode: walk_in"),
           ("staffed_from: member_practices\n    staff: [{role: Pharmacist}]",
            "no member practice in scope employs a 'Pharmacist'")]
    for k, (extra, message) in enumerate(bad):
        f = tmp_path / f"c{k}.yaml"
        f.write_text(f"extends: {base}\nname: c\ninterventions:\n  - type: extended_access\n    {extra}\n")
        with pytest.raises(ScenarioError) as exc:
            load_scenario(f)
        assert exc.value.yaml_path.startswith("interventions[0]") and message in str(exc.value)
