"""A London-shaped synthetic area at 1% scale runs in the suite.

London at 1%: about 111,000 patients in 11 practices and 2 PCNs (one LGPO), built by the benchmark's
generator with the baseline's per-patient rates. To keep the suite quick the horizon is 60 days
(plus the 28-day warm-up) rather than a year; the full-size run is benchmarks/run.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import mesa
import pytest

from sim.config.loading import scenario_from_mapping
from sim.experiments.parallel import ReplicationTask, run_replications, run_tasks
from sim.experiments.runner import build_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def london_1pct(bench):
    return bench.london_scenarios(days=60, scale=0.01)


def test_full_london_has_the_planned_shape(bench):
    areas = bench.london_scenarios()
    assert len(areas) == 40
    assert sum(len(a["area"]["pcns"]) for a in areas) == 200
    assert sum(len(p["practices"]) for a in areas for p in a["area"]["pcns"]) == 1_140
    assert 10.8e6 < sum(bench.list_size(a) for a in areas) < 11.3e6
    assert {a["name"][:2] for a in areas} == {"S1", "S2", "S3", "S4", "S5"}  # five STPs


def test_london_at_one_percent_is_london_shaped(bench, london_1pct):
    assert len(london_1pct) == 1
    area = london_1pct[0]["area"]
    assert len(area["pcns"]) == 2
    assert sum(len(p["practices"]) for p in area["pcns"]) == 11
    assert 105_000 < bench.list_size(london_1pct[0]) < 117_000


def test_london_at_one_percent_runs_as_tasks(london_1pct):
    tasks = [ReplicationTask(key=m["name"], scenario=m, replications=(0,), labels={"lgpo": m["name"]})
             for m in london_1pct]
    results = [r for _, r in run_tasks(run_replications, tasks, workers=1, key=lambda t: t.key)]
    assert len(results) == 1
    head = results[0]["summary"].set_index("metric")["value"]
    timing = results[0]["timings"].iloc[0]
    assert 105_000 < head["list_size"] < 117_000
    # about 5.8 requests per patient per year over 60 days, most of them seen or booked
    assert 0.5 < head["requests_per_1000_year"] / 5_800 < 1.5
    assert head["appointments"] > 0.7 * head["requests"]
    assert timing["requests"] > head["requests"]  # warm-up requests are simulated too
    # memory is measured in benchmarks/ (a fresh process per size), not here: this worker's peak RSS
    # includes every test it ran before, and line coverage adds to it
    assert timing["peak_rss_mb"] > 0


def test_patients_stay_mesa_agents_while_their_state_lives_in_arrays(london_1pct):
    model = build_model(scenario_from_mapping(london_1pct[0], "<london 1%>"), 0)
    assert model.population.size > 100_000
    assert len(model.agents) < 1_000  # staff only: no agent object per patient until asked for
    p = model.patient(12_345)
    assert isinstance(p, mesa.Agent) and p.model is model
    assert p.practice == model.practices[int(model.population.practice[12_345])].code
    assert model.patient(12_345) is p
