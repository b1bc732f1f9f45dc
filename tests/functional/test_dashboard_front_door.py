"""The dashboard's front-door panel shows what the run's summary says: time to answer, abandoned, first attempt."""

import math

import pytest

from sim.dashboard.controller import Controller
from sim.dashboard.front_door_numbers import front_door_numbers
from sim.dashboard.front_door_panel import front_door_panel
from sim.dashboard.state import window
from sim.experiments.runner import run_single
from sim.model.interventions import attach
from tests.conftest import scenario, tiny_mapping


def _mapping(front_door: bool, days: int = 30) -> dict:
    m = tiny_mapping(list_sizes=(3000, 4000), gps=(1, 2), nurses=(1, 1), days=days, warm_up=7, seed=11)
    if front_door:
        m["front_door"] = {}
    return m


def test_the_live_numbers_at_the_end_equal_the_summary_rows():
    """Over the whole reporting window, the panel's three numbers are the summary's area rows."""
    sc = scenario(_mapping(True))
    model = attach(sc, 0)
    model.run()
    live = front_door_numbers(model, *window(model))
    s = run_single(sc, 0).summary
    area = s[s["level"] == "lgpo"].set_index("metric")["value"]
    assert live.time_to_answer_minutes == pytest.approx(area["time_to_answer_minutes"], rel=1e-9)
    assert live.calls_abandoned_pct == pytest.approx(area["calls_abandoned_pct"], rel=1e-9)
    assert live.first_attempt_pct == pytest.approx(area["first_attempt_pct"], rel=1e-9)
    assert 0 < live.first_attempt_pct < 100 and live.time_to_answer_minutes > 0


def test_no_front_door_no_panel_and_an_empty_window_is_nan():
    model = attach(scenario(_mapping(False, days=10)), 0)
    model.run()
    assert front_door_numbers(model, *window(model)) is None
    with_door = attach(scenario(_mapping(True, days=10)), 0)
    empty = front_door_numbers(with_door, 7, 7)
    assert math.isnan(empty.time_to_answer_minutes) and math.isnan(empty.first_attempt_pct)
    c = Controller(_mapping(False, days=12), "<test>", replications=2)
    c.step(3)
    assert front_door_panel(c.published) == []


def test_panel_rows_are_each_sides_mean_over_replications():
    c = Controller(_mapping(True, days=20), "<test>", replications=2)
    c.step(8)
    view = c.published
    rows = front_door_panel(view)
    assert [r.attr for r in rows] == ["time_to_answer_minutes", "calls_abandoned_pct", "first_attempt_pct"]
    for r in rows:
        for side in view.history:
            values = [getattr(s.front_door, r.attr) for s in view.latest(side)]
            assert r.bands[side].mean == pytest.approx(sum(values) / len(values))
            assert r.bands[side].n == 2
