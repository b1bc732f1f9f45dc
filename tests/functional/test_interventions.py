"""Each intervention moves its documented outcomes in the documented direction.

All on scenarios/small.yaml (one PCN, ~40,000 patients) over 90 days, with common random numbers:
replication r of every scenario sees the same demand. Each assertion is on the paired difference
from the baseline over REPS replications, whose 95% t-interval must exclude zero.
"""

import copy
from functools import cache

import numpy as np
import pytest
import yaml

from sim.config.loading import scenario_from_mapping
from sim.experiments.compare import paired_comparison
from sim.experiments.runner import run_single
from sim.model.interventions import attach
from tests.conftest import SCENARIOS
from tests.paired import assert_down, assert_up

REPS = 5
BASE = yaml.safe_load((SCENARIOS / "small.yaml").read_text())
BASE.update({"horizon_days": 90, "warm_up_days": 21})


def mapping(interventions=(), **top):
    m = copy.deepcopy(BASE)
    m["interventions"] = list(interventions)
    m.update(top)
    return m


@cache
def _runs(key: str):
    m = yaml.safe_load(key)
    out = []
    for r in range(REPS):
        res = run_single(scenario_from_mapping(copy.deepcopy(m), "<test>"), r)
        h = res.headline()
        led = res.ledger
        med = led[(led["need"] == "medication_review") & led["state"].isin(["seen", "dna"])]
        h["gp_medication_reviews"] = float((med["role"] == "GP").sum())
        h["requests_total"] = float((led["day"] >= 0).sum())
        out.append(h)
    return out


def runs(m):
    return _runs(yaml.safe_dump(m, sort_keys=True))


WAVE = {"type": "retirement", "wave": {"role": "GP", "min_age": 50, "share": 0.5, "over_months": 1}}


def test_retirements_without_replacement_raise_waits_and_unmet_demand():
    base, wave = runs(mapping()), runs(mapping([WAVE]))
    assert_up(base, wave, "lost_pct")
    assert_up(base, wave, "unmet_per_1000")
    assert_up(base, wave, "mean_wait_days")
    assert_down(base, wave, "gp_fte_end")


def test_recruitment_refills_vacancies():
    rec = {"type": "recruitment", "fill_probability": {"GP": 1.0}, "delay_months": {"GP": 0.5}}
    wave, refilled = runs(mapping([WAVE])), runs(mapping([WAVE, rec]))
    assert_up(wave, refilled, "gp_fte_end")
    assert_up(wave, refilled, "recruits")
    assert_down(wave, refilled, "lost_pct")


def test_workforce_feedback_is_a_vicious_circle():
    # The same retirement wave with and without the burnout -> attrition feedback. The calibrated
    # monthly probabilities act over years; here they are turned up so the loop shows in 90 days:
    # the test is of the mechanism (pressure -> burnout -> cuts and leavers -> more unmet demand). The
    # overtime threshold is lowered too since supervision takes GP slots (fewer overrunning sessions).
    wave = dict(WAVE, wave=dict(WAVE["wave"], share=0.6))
    strong = {"burnout_gain_per_hour": 0.5, "leave_probability_at_full_burnout": 0.5,
              "overtime_threshold_hours_per_fte_week": 1.0,
              "reduce_sessions_probability_at_full_burnout": 0.8}
    on = runs(mapping([wave], workforce={"feedback": True, **strong}))
    off = runs(mapping([wave], workforce={"feedback": False, **strong}))
    assert all(h["gp_burnout_mean"] == 0 for h in off)
    assert_up(off, on, "gp_burnout_mean")
    assert sum(h["sessions_cut"] + h["leavers"] for h in on) > sum(h["sessions_cut"] + h["leavers"] for h in off)
    assert_down(off, on, "gp_fte_end")
    assert_up(off, on, "lost_pct")


def test_pharmacists_take_medication_reviews_off_gps():
    pharm = {"type": "skill_mix", "add": [{"role": "Pharmacist", "per_10k_patients": 0.333, "level": "pcn"}]}
    base, more = runs(mapping()), runs(mapping([pharm]))
    assert_down(base, more, "gp_medication_reviews")
    assert_up(base, more, "gp_supervision_hours_per_week")


def test_triage_shift_moves_work_off_gps():
    # Tower Hamlets: ~45% of GP patients could see another team member, given that team member
    shift = {"type": "skill_mix", "shift": {"needs": ["acute_complex", "mental_health"], "share": 0.45,
                                            "to_roles": ["Nurse"]},
             "add": [{"role": "Nurse", "per_10k_patients": 1.5, "level": "practice"}]}
    base, shifted = runs(mapping()), runs(mapping([shift]))
    assert_down(base, shifted, "gp_share_pct")


COORDINATORS = {"type": "pooled_back_office", "pool": "practice", "queue_pooling": False,
                "specialisation": {"enabled": False}, "shared_functions": {"enabled": False},
                "transition": {"setup_months": 0, "dip_months": 0}, "released_hours_to_sessions": True,
                "coordinators": {"added_hours_per_1000_week": 5.0}}


def test_workflow_coordinators_release_gp_admin_hours():
    base, coord = runs(mapping()), runs(mapping([COORDINATORS]))
    assert_down(base, coord, "gp_correspondence_hours_per_week")
    assert_down(base, coord, "admin_hours_per_fte_week:GP")
    assert_up(base, coord, "appointments_per_1000_year")  # released hours became clinical sessions


def test_pooled_back_office_saves_admin_hours_and_cost():
    pooled = {"type": "pooled_back_office", "redeploy": "cash", "transition": {"setup_months": 0, "dip_months": 0},
              "specialisation": {"learning_months": 0}}
    # a fixed workforce: with background turnover, vacancies filled by each practice's strain differ
    # between the two runs and hide a back-office effect of a few tenths of a working day
    fixed = {"workforce": {"turnover": {"enabled": False}}}
    base, pool = runs(mapping(**fixed)), runs(mapping([pooled], **fixed))
    assert_up(base, pool, "admin_hours_saved_shared_functions_per_week")
    assert_up(base, pool, "admin_cash_saved_gbp_year")
    assert_down(base, pool, "admin_cost_per_10k_gbp_year")
    assert_down(base, pool, "admin_turnaround_working_days")


def test_pooled_hub_beats_the_same_hours_split_across_practices():
    hub = {"type": "extended_access", "staff": [{"role": "GP", "count": 2}]}
    pooled = runs(mapping([hub]))
    split = runs(mapping([dict(hub, pooled=False)]))
    base = runs(mapping())
    assert_down(base, pooled, "lost_pct")
    assert_down(split, pooled, "lost_pct")


def test_micro_teams_raise_continuity_at_the_cost_of_waiting():
    base, micro = runs(mapping()), runs(mapping([{"type": "micro_teams", "extra_days": 7}]))
    assert_up(base, micro, "continuity_upc")
    assert_up(base, micro, "mean_wait_days")


def test_pooled_cover_keeps_practices_above_75pct_capacity_more_often():
    alone = runs(mapping([{"type": "pooled_cover", "level": "practice", "cover_days_per_week_per_10k": 1.5}]))
    pooled = runs(mapping([{"type": "pooled_cover", "level": "pcn", "cover_days_per_week_per_10k": 1.5}]))
    base = runs(mapping())
    assert_down(base, alone, "days_below_75pct_capacity")
    assert_down(alone, pooled, "days_below_75pct_capacity")


def test_demand_growth_raises_requests_and_unmet_demand():
    growth = {"type": "demand_growth", "list_growth_per_year": 0.3, "rate_growth_per_year": 0.1}
    base, grown = runs(mapping()), runs(mapping([growth]))
    assert_up(base, grown, "requests_total")
    assert_up(base, grown, "lost_pct")


def test_staffing_change_leaves_demand_identical():
    # the CRN property on the scenario path: interventions that only change staffing draw the same demand
    a = attach(scenario_from_mapping(mapping(), "<a>"), 3)
    b = attach(scenario_from_mapping(mapping([WAVE, {"type": "pooled_back_office"}]), "<b>"), 3)
    for field in ("day", "minute", "patient", "need", "urgent", "lead", "tolerance", "mode", "u_dna", "z_duration"):
        np.testing.assert_array_equal(getattr(a.requests, field), getattr(b.requests, field))


def test_paired_comparison_uses_pairs():
    import pandas as pd

    rows = []
    for r in range(5):
        noise = r * 10.0
        rows.append({"level": "lgpo", "unit": "X", "metric": "m", "units": "", "scenario": "a",
                     "replication": r, "value": noise})
        rows.append({"level": "lgpo", "unit": "X", "metric": "m", "units": "", "scenario": "b",
                     "replication": r, "value": noise + 1.0})
    out = paired_comparison(pd.DataFrame(rows), ["a", "b"]).set_index("scenario")
    # huge between-replication spread, but the paired difference is exactly 1 with no spread
    assert out.loc["b", "diff_mean"] == pytest.approx(1.0)
    assert out.loc["b", "diff_ci_low"] == pytest.approx(1.0) and out.loc["b", "diff_significant"]
    assert out.loc["a", "ci_high"] - out.loc["a", "ci_low"] > 20


@pytest.mark.parametrize("iv", [
    {"type": "micro_teams", "extra_days": 7},
    {"type": "skill_mix", "add": [{"role": "Pharmacist", "level": "pcn", "per_10k_patients": 1.0}],
     "eligibility": {"medication_review": ["Pharmacist", "GP"]}},
    COORDINATORS,
])
def test_an_intervention_end_changes_results(iv):
    """``end`` is honoured: the intervention stops (levers reset, added posts and sessions end)."""
    always = run_single(scenario_from_mapping(mapping([iv]), "<always>"), 0).headline()
    ended = run_single(scenario_from_mapping(mapping([{**iv, "end": 1}]), "<ended>"), 0).headline()
    assert always != ended
