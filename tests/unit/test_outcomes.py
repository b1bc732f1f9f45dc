"""The outcome registry covers exactly what a run's summary emits, and every table's outcomes resolve in it."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.cli.tables import HEADLINE as CLI_HEADLINE
from sim.cli.tables import KEY_METRICS, PCN_METRICS
from sim.experiments.runner import run_single
from sim.experiments.sensitivity import ACCESS_OUTCOMES, WORKLOAD_OUTCOMES
from sim.report.frames import HEADLINE, STRAIN
from sim.results.outcomes import LEVEL_ORDER, OUTCOMES, by_level, find, outcome, unit_of
from tests.conftest import ROOT, scenario, tiny_mapping


def _pattern(name: str) -> str:
    """The registry entry a metric belongs to: itself, or its family ('fte:GP' -> 'fte:<role>')."""
    o = find(name)
    assert o is not None, f"{name!r} is in the summary but not in the outcome registry"
    if name in {x.name for x in OUTCOMES}:
        return name
    return next(x.name for x in OUTCOMES if x.family and x.name.split(":")[0] == name.split(":")[0])


@pytest.fixture(scope="module")
def summaries() -> pd.DataFrame:
    """A fresh run's summary, a multi-year run's (present value) and every committed golden summary."""
    run = run_single(scenario(tiny_mapping(days=30)), 0).summary
    long_run = run_single(scenario(tiny_mapping(days=400, warm_up=7)), 0).summary
    needy = tiny_mapping(days=30)  # practices with IMD scores and Carr-Hill weighted patients (area build's)
    for k, pr in enumerate(needy["area"]["pcns"][0]["practices"]):
        pr["imd_score"], pr["weighted_patients"] = 10.0 + 30.0 * k, 1.1 * pr["list_size"]
    weighted = run_single(scenario(needy), 0).summary
    golden = [pd.read_csv(f, keep_default_na=False, na_values=[""]) for f in
              sorted((ROOT / "tests" / "expected").rglob("*_summary.csv"))]
    return pd.concat([run, long_run, weighted, *golden], ignore_index=True)


def test_every_summary_metric_is_registered_with_its_unit_and_levels(summaries):
    for metric, block in summaries.groupby("metric"):
        o = outcome(metric)
        assert set(block["level"]) <= o.levels, (metric, set(block["level"]), o.levels)
        assert set(block["units"].fillna("")) == {o.unit}, metric


def test_every_registered_outcome_is_in_the_summary_at_each_of_its_levels(summaries):
    seen: dict[str, set[str]] = {}
    for metric, level in zip(summaries["metric"], summaries["level"], strict=True):
        seen.setdefault(_pattern(metric), set()).add(level)
    for o in OUTCOMES:
        assert o.name in seen, f"{o.name} is registered but no summary emits it"
        assert seen[o.name] == set(o.levels), (o.name, seen[o.name], o.levels)


def test_registry_entries_are_complete():
    assert len({o.name for o in OUTCOMES}) == len(OUTCOMES)
    for o in OUTCOMES:
        assert o.label and o.unit and o.group in ("Size", "Access", "Workload", "Workforce", "Cost", "Equity"), o
        assert o.levels and o.levels <= set(LEVEL_ORDER), o
        assert o.better in ("lower", "higher", None), o
        assert re.fullmatch(r"\{:,?\.\d+f\}", o.fmt), o
        assert o.family == ("{key}" in o.label), o


def test_family_members_take_their_key():
    o = outcome("appointments_per_fte_week:GP")
    assert o.label == "GP appointments per FTE" and o.heading == "GP appointments" and o.direction == 1
    assert outcome("wait_bin_pct:Same Day").label == "Seen the same day"
    assert outcome("wait_bin_pct:8  to 14 Days").label == "Appointments 8 to 14 Days from booking"
    assert unit_of("fte:Nurse") == "FTE (mean in post)" and unit_of("no_such_metric") == ""
    with pytest.raises(KeyError):
        outcome("no_such_metric")


def test_every_table_lists_registered_outcomes():
    for metric in (*HEADLINE, *STRAIN, *KEY_METRICS, *PCN_METRICS, *CLI_HEADLINE, *ACCESS_OUTCOMES,
                   *WORKLOAD_OUTCOMES):
        assert find(metric) is not None, metric


def test_by_level_orders_area_pcn_practice_stably():
    df = pd.DataFrame({"level": ["practice", "pcn", "lgpo", "practice"], "unit": ["B", "N", "L", "A"],
                       "metric": ["x", "x", "x", "y"]})
    assert list(by_level(df)["unit"]) == ["L", "N", "A", "B"]
