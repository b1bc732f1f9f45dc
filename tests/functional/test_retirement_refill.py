"""A retirement wave 'without recruitment' really leaves its posts vacant; a recruitment drive refills them (issue 12)."""

from __future__ import annotations

from functools import cache

from sim.experiments.runner import run_single
from tests.conftest import scenario, tiny_mapping

WAVE = {"type": "retirement", "start": 0, "market_refills": False,
        "wave": {"role": "GP", "min_age": 40, "share": 0.5, "over_months": 1}}


@cache
def _refilled(drive: bool) -> tuple[int, int]:
    """(GPs retired, retirees' posts refilled) over 300 days after a wave of half the GPs in the first month."""
    m = tiny_mapping(list_sizes=(20000, 20000), gps=(10, 10), nurses=(0, 0), days=300, warm_up=0)
    m["workforce"] = {"feedback": False}
    m["interventions"] = [WAVE] + ([{"type": "recruitment", "fill_probability": {"GP": 0.9},
                                     "delay_months": {"GP": 2}}] if drive else [])
    res = run_single(scenario(m), 0)
    ev = res.events
    retired = set(ev.loc[ev["event"] == "retired", "staff"])
    joined = ev[ev["event"].isin(["vacancy_filled", "recruited"])]
    keys = dict(zip(res.staff["staff"], res.staff["key"], strict=True)) if "key" in res.staff else None
    assert keys is not None, "the staff table names each staff member's key"
    posts = {keys[s] for s in retired}
    refilled = sum(1 for s in joined["staff"] if keys[s].rsplit("/", 1)[0] in posts)
    return len(retired), refilled


def test_the_wave_without_recruitment_refills_none_of_its_posts():
    retired, refilled = _refilled(drive=False)
    assert retired >= 8 and refilled == 0


def test_a_recruitment_drive_refills_the_waves_posts():
    retired, refilled = _refilled(drive=True)
    assert retired >= 8 and refilled >= retired - 2  # p 0.9 an advert, 2 months each: nearly all within 300 days
