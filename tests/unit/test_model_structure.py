"""The model's declared structure: levers, phases, staff fields, keyed draws and its layer."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from sim.model.levers import Levers
from sim.model.model import GPSimModel
from sim.model.phases import Phase, Phases
from sim.model.rng import Streams, stable_hash
from tests.conftest import scenario, tiny_mapping


def test_keyed_draws_are_the_numbers_of_the_old_keying():
    """Streams.keyed replaced default_rng([seed, replication, *keys]) in three places: same draws."""
    got = Streams(7, 2).keyed("recruit", "P1/GP/0").random(3)
    want = np.random.default_rng([7, 2, stable_hash("recruit"), stable_hash("P1/GP/0")]).random(3)
    assert np.array_equal(got, want)
    assert np.array_equal(Streams(7, 2).keyed(202504, "k").random(2),
                          np.random.default_rng([7, 2, 202504, stable_hash("k")]).random(2))
    assert Streams(7, 2).rank("P1/GP/0") == stable_hash("7/2/P1/GP/0")


def test_phases_run_hooks_in_order_and_one_off_hooks_after_day_start():
    calls = []
    ph = Phases()
    ph.on(Phase.DAY_START, lambda m, d: calls.append(("every", d)))
    ph.at(3, lambda m, d: calls.append(("once", d)))
    ph.on(Phase.DAY_END, lambda m, d: calls.append(("end", d)))
    ph.run_day_start(None, 2)
    ph.run_day_start(None, 3)
    ph.run(Phase.DAY_END, None, 3)
    ph.run_day_start(None, 3)
    assert calls == [("every", 2), ("every", 3), ("once", 3), ("end", 3), ("every", 3)]


def test_model_declares_its_levers_and_staff_fields():
    model = GPSimModel(scenario(tiny_mapping(days=10)), 0)
    assert isinstance(model.levers, Levers)
    assert model.back_office is not None and model.levers.shift is None and model.levers.cover is None
    assert model.levers.correspondence_share_kept.shape == (len(model.practices),)
    assert model.built
    for s in model.staff:
        assert s.key and s.joined_day == 0 and not s.hub_post
    model.run()
    assert model.today == model.n_sim_days - 1


def test_the_model_layer_imports_no_later_stage():
    code = ("import sys, sim.model.interventions, sim.config.loading; "
            "print([m for m in sys.modules if m.startswith(('sim.results', 'sim.experiments', 'sim.report', "
            "'sim.cli', 'sim.dashboard'))])")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # this checkout's sim
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
