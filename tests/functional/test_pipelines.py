"""GP training pipelines, international recruitment and retention: each mechanism does what it says."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.config.loading import ScenarioError
from sim.config.training import Training
from sim.experiments.runner import build_model, run_single
from sim.model.interventions import describe
from sim.model.training import join_delay_months
from tests.conftest import scenario, tiny_mapping


def _run(m: dict):
    model = build_model(scenario(m), 0)
    model.run()
    return model


def _training_mapping(days: int, **training) -> dict:
    """Two practices, the first a training practice with the intake on 1 May (day 7 after a week's warm-up is 1 April)."""
    m = tiny_mapping(list_sizes=(3000, 3000), gps=(3, 3), nurses=(1, 1), days=days, warm_up=7,
                     pcn_staff=[{"role": "HCA", "count": 1, "fte": 0.5}])  # no supervised PCN post
    m["workforce"] = {"training": {"enabled": True, "practices": ["T0"], "intake_month": 5, **training}}
    return m


def test_join_delays_follow_the_published_cumulative_shares():
    """34.3% within 6 months, 47.5% within 12, 62.2% within 24 (HRH 2025), the rest never."""
    cfg = Training()
    u = np.random.default_rng(1).random((200_000, 2))
    delays = np.array([np.nan if (d := join_delay_months(cfg, row)) is None else d for row in u])
    for months, share in ((6, 0.343), (12, 0.475), (24, 0.622)):
        assert abs(np.mean(delays <= months) - share) < 0.004
    assert np.nanmax(delays) <= 24 and np.isnan(delays).mean() == pytest.approx(0.378, abs=0.004)
    half = Training(local_share=0.5)
    assert join_delay_months(half, np.array([0.2, 0.5])) == pytest.approx(9.0)  # 0.343 x 0.5 <= 0.2 < 0.475 x 0.5
    assert join_delay_months(half, np.array([0.32, 0.5])) is None


def test_trainees_see_patients_in_longer_slots_and_take_gp_supervision():
    """ST1-ST3 in post from the start, slots of 30/25/20 minutes; their practice's GPs give up slots to supervise."""
    with_sup = _run(_training_mapping(25))  # ends before the May intake
    trainees = [s for s in with_sup.staff if s.trainee_year]
    assert sorted(s.trainee_year for s in trainees) == [1, 2, 3]
    assert all(s.unit == 0 and s.contract == "trainee" for s in trainees)
    sd = with_sup.staff_days
    for s in trainees:
        worked = sd.session_minutes[s.index] > 0
        assert worked.any()
        per_slot = sd.session_minutes[s.index, worked] / sd.offered_slots[s.index, worked]
        assert np.all(per_slot >= {1: 30.0, 2: 25.0, 3: 20.0}[s.trainee_year] - 1e-9)
    gps = [s.index for s in with_sup.staff if s.kind == "gp" and not s.trainee_year]
    at_t0 = [g for g in gps if with_sup.staff[g].unit == 0]
    at_t1 = [g for g in gps if with_sup.staff[g].unit == 1]
    assert sd.supervision_minutes[at_t0].sum() > 0
    assert sd.supervision_minutes[at_t1].sum() == 0  # no trainees there
    assert sd.supervision_minutes[[s.index for s in trainees]].sum() == 0  # trainees supervise nobody
    assert with_sup.diaries.extras[[s.index for s in trainees]].sum() == 0  # nor add duty extras
    no_sup = _run(_training_mapping(25, supervision_minutes_per_appointment={1: 0.0, 2: 0.0, 3: 0.0}))
    assert no_sup.staff_days.offered_slots[at_t0].sum() > sd.offered_slots[at_t0].sum()
    assert not np.isin(with_sup.population.usual_gp, [s.index for s in trainees]).any()


def test_trainees_move_up_a_year_and_st3s_qualify_and_join():
    """At the intake: ST1 -> ST2 -> ST3 (same trainee), ST3 completes and joins (share 1 within a month), new ST1."""
    model = _run(_training_mapping(60, join_within_months={1: 1.0}))
    intake = 7 + 30  # 1 May
    by_key: dict[str, list] = {}
    for s in model.staff:
        if s.trainee_year:
            by_key.setdefault(s.training_key, []).append(s)
    moved = [v for v in by_key.values() if len(v) == 2]
    assert len(moved) == 2  # the ST1 and ST2 of the seeded cohort
    for before, after in moved:
        assert before.left_day == intake and after.joined_day == intake
        assert after.trainee_year == before.trainee_year + 1
    st3 = next(s for s in model.staff if s.trainee_year == 3 and s.joined_day == 0)
    assert st3.left_day == intake
    joiner = next(s for s in model.staff if s.key == st3.training_key + "/q")
    assert intake < joiner.joined_day <= intake + 31 and joiner.fte == pytest.approx(0.67)
    assert joiner.contract == "salaried" and not joiner.trainee_year
    new_st1 = [s for s in model.staff if s.trainee_year == 1 and s.joined_day == intake]
    assert len(new_st1) == 1
    res = run_single(scenario(_training_mapping(60, join_within_months={1: 1.0})), 0)
    lg = res.summary[res.summary["level"] == "lgpo"].set_index("metric")["value"]
    assert lg["trainees_end"] == 3 and lg["qualified_joiners"] == 1
    # trainees are not counted in GP FTE: the qualified joiner is
    qualified = sum(s.fte for s in model.staff if s.kind == "gp" and s.active and not s.trainee_year)
    assert lg["gp_fte_end"] == pytest.approx(qualified)


def test_training_expansion_gives_qualified_gps_only_after_three_years():
    """Extra ST1s from the first intake qualify at the third intake after it: none joins before."""
    m = tiny_mapping(list_sizes=(2000, 2000), gps=(2, 2), nurses=(0, 0), days=3 * 365 + 90, warm_up=7)
    m["workforce"] = {"training": {"intake_month": 5, "join_within_months": {1: 1.0}},
                      "turnover": {"enabled": False}}
    m["interventions"] = [{"type": "training_expansion", "start": 0, "scope": ["T1"]}]
    model = _run(m)
    events = [e for e in model.events if e["unit"] == "T1"]
    started = min(e["day"] for e in events if e["event"] == "trainee_started")
    joined = [e["day"] for e in model.events if e["event"] == "qualified_joined"]
    assert started == 37 and joined  # first intake 1 May 2025
    assert min(joined) > started + 3 * 365 - 2
    assert all(model.staff[e["staff"]].unit == 1 for e in model.events if e["event"] == "qualified_joined")


def test_international_recruits_arrive_evenly_and_settle_in():
    """12 a year arrive monthly; during the six-week induction their slots are twice as long, then a GP's."""
    m = tiny_mapping(days=120, warm_up=7)
    m["interventions"] = [{"type": "international_recruitment", "gps_per_year": 12, "settling_in_months": 1.5,
                           "settling_in_capacity": 0.5}]
    model = _run(m)
    recruits = [s for s in model.staff if s.key.startswith("ir")]
    assert len(recruits) == 4  # days 15, 45, 76, 106 of 127
    first = recruits[0]
    sd = model.staff_days
    days = np.flatnonzero(sd.session_minutes[first.index] > 0)
    per_slot = sd.session_minutes[first.index, days] / sd.offered_slots[first.index, days]
    settled = first.joined_day + round(1.5 * 365.25 / 12) + model.scenario.booking.book_ahead_days + 1
    assert np.all(per_slot[days < first.joined_day + 40] >= 20.0 - 1e-9)
    assert np.all(per_slot[days > settled] < 20.0)
    assert first.slot_minutes is None


def test_retention_removes_covered_leavers_only():
    """Hazard ratio 0 for GPs 50+: none of them leaves by background turnover; nurses leave as before."""
    m = tiny_mapping(list_sizes=(3000, 3000), gps=(4, 4), nurses=(3, 3), days=360, warm_up=7)
    m["workforce"] = {"feedback": False, "turnover": {"annual_leaving_rate": {"GP": 0.6, "Nurse": 0.6}}}
    base = _run(m)
    m["interventions"] = [{"type": "retention", "hazard_ratio": 0.0, "min_age": 50}]
    kept = _run(m)
    turnover = ("left_general_practice", "left_to_practice")

    def left(model, role, old: bool):
        """Keys of ``role`` staff who left by turnover, aged 50+ at the start (old) or recruited younger."""
        return {model.staff[e["staff"]].key for e in model.events if e["event"] in turnover and e["role"] == role
                and (model.staff[e["staff"]].age >= 50) == old}

    assert left(base, "GP", old=True) and not left(kept, "GP", old=True)  # every tiny-area GP starts at 50
    assert left(base, "Nurse", old=False) == left(kept, "Nurse", old=False)  # nurses start at 45


@pytest.mark.parametrize(("extra", "where"), [
    ({"interventions": [{"type": "retention", "roles": ["Doctor"]}]}, "interventions[0].roles[0]"),
    ({"interventions": [{"type": "retention", "min_age": 60, "max_age": 50}]}, "interventions[0]"),
    ({"interventions": [{"type": "retention", "hazard_ratio": 1.5}]}, "interventions[0].hazard_ratio"),
    ({"interventions": [{"type": "international_recruitment"}]}, "interventions[0].gps_per_year"),
    ({"interventions": [{"type": "training_expansion", "scope": "XX"}]}, "interventions[0].scope"),
    ({"workforce": {"training": {"enabled": True, "practices": ["T9"]}}}, "workforce.training.practices[0]"),
    ({"workforce": {"training": {"slot_minutes": {1: 30, 2: 20}}}}, "workforce.training"),
    ({"workforce": {"training": {"join_within_months": {6: 0.5, 12: 0.4}}}}, "workforce.training"),
])
def test_bad_pipeline_settings_are_named(extra, where):
    m = tiny_mapping()
    m.update(extra)
    with pytest.raises(ScenarioError, match="at " + re.escape(where)):
        scenario(m)


def test_the_new_interventions_are_described_in_plain_words():
    m = tiny_mapping()
    m["interventions"] = [{"type": "training_expansion", "share_of_practices": 0.5},
                          {"type": "international_recruitment", "gps_per_year": 2, "start": 1},
                          {"type": "retention", "hazard_ratio": 0.7, "contracts": ["partner"], "scope": "TN1"}]
    words = [describe(iv) for iv in scenario(m).interventions]
    assert words[0] == "1 extra GP training place(s) a year in 50% of practices (qualified GPs after 3 years) (the whole area, from month 0)"
    assert words[1] == "2 international GPs a year, settling in over 6 months at 50% (the whole area, from month 1)"
    assert words[2] == "retention scheme: leaving hazard x0.7 for GP aged 50+ on partner contracts (PCN TN1, from month 0)"
