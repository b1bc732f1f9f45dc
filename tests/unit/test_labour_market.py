"""The labour market: local markets by practice or PCN, and recruitment drives that add to the market.

A drive never fills a post later, or less often, than the market alone on the same random numbers
(each advert's draws are keyed by its post and its number); a hard-to-recruit practice is a local
market; bad settings are named with their YAML path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.config.labour_market import market_for
from sim.config.loading import ScenarioError, load_scenario
from sim.experiments.runner import build_model
from tests.conftest import scenario, tiny_mapping

NO_BACKGROUND = {"annual_leaving_rate": {"GP": 0.0, "Nurse": 0.0, "Pharmacist": 0.0, "HCA": 0.0},
                 "other_roles_rate": 0.0, "strain_sensitivity": 0.0}


def _wave_mapping(fill: float = 0.5, months: float = 2.0, seed: int = 3) -> dict:
    """Three practices whose GPs retire in a wave; background leaving off so every run has the same leavers."""
    m = tiny_mapping(list_sizes=(6000, 7000, 8000), gps=(4, 5, 6), nurses=(1, 1, 1), days=300, seed=seed)
    m["workforce"] = {"feedback": False, "turnover": {**NO_BACKGROUND, "fill_probability": {"GP": fill},
                                                      "time_to_fill_months": {"GP": months}}}
    m["interventions"] = [{"type": "retirement", "start": 0,
                           "wave": {"role": "GP", "min_age": 18, "share": 0.7, "over_months": 2}}]
    return m


def _fills(mapping: dict) -> dict[str, int]:
    """Post key -> day its vacancy filled (a market fill '/v' or a drive's recruit '/r')."""
    model = build_model(scenario(mapping), 0)
    model.run()
    out = {}
    for e in model.events:
        if e["event"] in ("vacancy_filled", "recruited"):
            key = model.staff[e["staff"]].key
            out[key[:-2]] = e["day"]
    return out


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_a_recruitment_drive_never_fills_less_or_later_than_the_market_alone(seed):
    """Common random numbers: every post the market fills, the drive fills too, on the same day or before.

    The drive's fill probability (0.3) is below the market's (0.5) but its adverts are shorter (1 month
    against 2): the market's probability still applies, so the drive only adds. (The one-shot drive it
    replaces filled 30% of posts once and left the rest vacant: this failed on it.)
    """
    market = _wave_mapping(seed=seed)
    drive = _wave_mapping(seed=seed)
    drive["interventions"].append({"type": "recruitment", "start": 0, "fill_probability": {"GP": 0.3},
                                   "delay_months": {"GP": 1.0}})
    alone, added = _fills(market), _fills(drive)
    assert alone, "the market filled nothing: the test has no power"
    late = {k: (d, added.get(k)) for k, d in alone.items() if k not in added or added[k] > d}
    assert not late, f"posts the drive filled later than the market alone, or not at all: {late}"
    assert len(added) >= len(alone)
    assert sum(added.values()) / len(added) < sum(alone.values()) / len(alone)  # and it did something


def test_a_drive_with_a_higher_fill_probability_fills_more_posts():
    """Same time to fill, fill probability 0.95 against the market's 0.3: more posts filled by the end."""
    market = _wave_mapping(fill=0.3)
    market["horizon_days"] = 150
    drive = {**market, "interventions": [*market["interventions"],
                                         {"type": "recruitment", "start": 0, "fill_probability": {"GP": 0.95}}]}
    assert len(_fills(drive)) > len(_fills(market))


def test_drive_recruits_take_over_the_leavers_patients():
    """A GP the drive recruits into a leaver's post is the usual GP of the leaver's patients."""
    m = _wave_mapping()
    m["interventions"].append({"type": "recruitment", "start": 0, "fill_probability": {"GP": 1.0},
                               "delay_months": {"GP": 0.5}})
    model = build_model(scenario(m), 0)
    model.run()
    recruits = [s for s in model.staff if s.key.endswith("/r") and s.active and s.kind == "gp"]
    assert recruits
    usual = model.population.usual_gp
    for r in recruits:
        assert (usual == r.index).sum() > 0, f"{r.key} took over nobody"
        assert r.contract == next(s for s in model.staff if s.key == r.key[:-2]).contract  # the post's contract


def test_a_hard_to_recruit_practice_is_a_local_market():
    """Fill probability 0 at T0 only: T0's GP posts stay vacant while the other practices' fill."""
    m = _wave_mapping(fill=0.9, months=1.0)
    m["workforce"]["labour_market"] = {"local": [{"scope": ["T0"], "fill_probability": {"GP": 0.0}}]}
    model = build_model(scenario(m), 0)
    model.run()
    filled = {model.staff[e["staff"]].unit for e in model.events if e["event"] == "vacancy_filled"}
    assert 0 not in filled and filled
    assert any(p["unit"] == 0 for p in model.open_vacancies.values())


def test_a_practice_entry_wins_over_its_pcn_entry():
    m = tiny_mapping()
    m["workforce"] = {"labour_market": {"local": [
        {"scope": ["T0"], "fill_probability": {"GP": 0.1}},
        {"scope": "TN1", "fill_probability": {"GP": 0.5}, "time_to_fill_months": {"GP": 6.0}}]}}
    wf = scenario(m).workforce
    assert market_for(wf, "GP", "T0", "TN1") == (0.1, 6.0)  # the practice's probability, the PCN's time
    assert market_for(wf, "GP", "T1", "TN1") == (0.5, 6.0)
    assert market_for(wf, "GP", None, "TN1") == (0.5, 6.0)  # a PCN-employed post
    assert market_for(wf, "GP", None, None) == (0.8, 4.0)  # the area's (workforce.turnover)
    assert market_for(wf, "Nurse", "T0", "TN1") == (0.85, 3.0)  # roles not listed: the area's


@pytest.mark.parametrize(("workforce", "interventions", "where", "what"), [
    ({"labour_market": {"local": [{"scope": ["T9"], "fill_probability": {"GP": 0.0}}]}}, [],
     "workforce.labour_market.local[0].scope[0]", "unknown practice 'T9'"),
    ({"labour_market": {"local": [{"scope": "XX", "fill_probability": {"GP": 0.0}}]}}, [],
     "workforce.labour_market.local[0].scope", "unknown PCN or practice 'XX'"),
    ({"labour_market": {"local": [{"scope": [], "fill_probability": {"GP": 0.0}}]}}, [],
     "workforce.labour_market.local[0].scope", "an empty list"),
    ({"labour_market": {"local": [{"scope": ["T0"], "fill_probability": {"Doctor": 0.0}}]}}, [],
     "workforce.labour_market.local[0].fill_probability.Doctor", "unknown role 'Doctor'"),
    ({"labour_market": {"local": [{"scope": ["T0"]}]}}, [],
     "workforce.labour_market.local[0]", "changes nothing"),
    ({"labour_market": {"local": [{"scope": ["T0"], "fill_probability": {"GP": 1.5}}]}}, [],
     "workforce.labour_market.local[0].fill_probability.GP", "less than or equal to 1"),
    ({"labour_market": {"local": [{"scope": ["T0"], "time_to_fill_months": {"GP": 0}}]}}, [],
     "workforce.labour_market.local[0].time_to_fill_months.GP", "greater than 0"),
    ({"labour_market": {"local": [{"scope": ["T0"], "fill_probability": {"GP": 0.1}},
                                  {"scope": ["T1", "T0"], "fill_probability": {"GP": 0.2}}]}}, [],
     "workforce.labour_market.local[1].fill_probability.GP", "already set by workforce.labour_market.local[0]"),
    ({"labour_market": {"local": [{"scope": ["T0"], "fill_probability": {"GP": 0.1}, "size": 3}]}}, [],
     "workforce.labour_market.local[0].size", "unknown key 'size'"),
    ({}, [{"type": "recruitment", "scope": ["T0"], "fill_probability": {"GP": 0.0}}],
     "interventions[0].fill_probability.GP", "workforce.labour_market.local"),
    ({}, [{"type": "recruitment", "fill_probability": {"GP": 0.95}, "delay_months": {"GP": 2, "Nurse": 1}}],
     "interventions[0].delay_months.Nurse", "give Nurse a fill_probability too"),
])
def test_bad_labour_market_settings_are_named(workforce, interventions, where, what):
    m = tiny_mapping()
    m["workforce"] = workforce
    m["interventions"] = interventions
    with pytest.raises(ScenarioError, match="at " + re.escape(where) + ".*" + re.escape(what)):
        scenario(m)


def test_a_drive_below_the_market_is_allowed_when_it_is_faster():
    m = tiny_mapping()
    m["interventions"] = [{"type": "recruitment", "fill_probability": {"GP": 0.5}, "delay_months": {"GP": 2}}]
    scenario(m)


def test_the_file_is_named_in_a_labour_market_error(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(Path(__file__).resolve().parents[2] / "scenarios" / "small.yaml") + "\n"
                   "workforce:\n  labour_market:\n    local:\n      - scope: [NOPE]\n        fill_probability: {GP: 0.0}\n")
    with pytest.raises(ScenarioError, match=re.escape(str(bad)) + r".*local\[0\]\.scope\[0\].*unknown practice 'NOPE'"):
        load_scenario(bad)


def test_without_background_turnover_only_the_drive_advertises_and_only_in_its_window():
    """turnover.enabled false: no market. A drive still refills the leavers it covers; after its end nobody does."""
    m = _wave_mapping()
    m["workforce"]["turnover"] = {"enabled": False}
    m["interventions"][0]["wave"]["over_months"] = 4
    m["interventions"].append({"type": "recruitment", "start": 0, "end": 2, "fill_probability": {"GP": 1.0},
                               "delay_months": {"GP": 0.5}})
    model = build_model(scenario(m), 0)
    model.run()
    end = model.cal.warm_up + 61  # two months after the start
    left = [e["day"] for e in model.events if e["event"] == "retired"]
    filled = [e["day"] for e in model.events if e["event"] == "recruited"]
    assert any(d < end - 30 for d in left) and any(d >= end for d in left)
    assert filled and not [e for e in model.events if e["event"] == "vacancy_filled"]
    assert len(filled) < len(left)  # leavers after the drive's end are not refilled
    assert not model.open_vacancies  # and not advertised
