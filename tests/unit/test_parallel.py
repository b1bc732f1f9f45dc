"""sim.experiments.parallel: the serial task path, errors, batching, and replication tasks that do not depend on batching."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest

from sim.experiments.parallel import (
    ReplicationTask,
    TaskError,
    batches,
    default_workers,
    run_replications,
    run_tasks,
)
from sim.experiments.runner import build_model
from tests.conftest import scenario, tiny_mapping


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x


def test_batches_cut_replications_in_order():
    assert batches(range(7), 3) == [(0, 1, 2), (3, 4, 5), (6,)]
    assert batches(range(2), 5) == [(0, 1)]
    with pytest.raises(ValueError):
        batches(range(3), 0)


def test_default_workers_is_at_least_one():
    assert default_workers() >= 1


def test_serial_path_runs_every_task_and_reports_progress():
    seen, progress = [], []
    out = list(run_tasks(square, [1, 2, 3], workers=1, on_done=lambda t, r: seen.append((t, r)),
                         on_progress=lambda *p: progress.append(p)))
    assert out == [(1, 1), (2, 4), (3, 9)]
    assert seen == out
    assert progress[0] == (0, 1, 2) and progress[-1] == (3, 0, 0)
    assert all(done + running + left == 3 for done, running, left in progress)


def test_a_failing_task_is_named_and_earlier_results_are_kept():
    kept = []
    with pytest.raises(TaskError, match="task t3 failed: ValueError: three is not allowed"):
        for task, result in run_tasks(fail_on_three, [1, 2, 3, 4], workers=1, key=lambda t: f"t{t}"):
            kept.append((task, result))
    assert kept == [(1, 1), (2, 2)]


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="unique"):
        list(run_tasks(square, [1, 1], workers=1, key=str))


def test_no_tasks_gives_no_results():
    assert list(run_tasks(square, [], workers=2)) == []


def test_replication_results_do_not_depend_on_batching():
    mapping = tiny_mapping(days=20, warm_up=7)
    together = run_replications(ReplicationTask("ab", mapping, (0, 1), labels={"point": 5}))
    apart = [run_replications(ReplicationTask(f"r{r}", mapping, (r,), labels={"point": 5})) for r in (0, 1)]
    joined = pd.concat([a["summary"] for a in apart], ignore_index=True)
    pd.testing.assert_frame_equal(together["summary"], joined)
    s = together["summary"]
    assert list(s.columns[:3]) == ["point", "replication", "level"]
    assert set(s["level"]) == {"lgpo"} and set(s["replication"]) == {0, 1}
    t = together["timings"]
    assert list(t["replication"]) == [0, 1]
    assert (t["requests"] > 0).all() and (t["appointments"] > 0).all() and (t["peak_rss_mb"] > 0).all()
    # different replications are different draws
    r0 = s[(s["replication"] == 0) & (s["metric"] == "requests")]["value"].item()
    r1 = s[(s["replication"] == 1) & (s["metric"] == "requests")]["value"].item()
    assert r0 != r1


def test_replication_task_can_return_every_level():
    res = run_replications(ReplicationTask("all", tiny_mapping(days=10, warm_up=0), (0,),
                                           levels=("lgpo", "pcn", "practice")))
    assert set(res["summary"]["level"]) == {"lgpo", "pcn", "practice"}


def test_a_finished_model_is_freed():
    """Mesa 3.3 kept every model alive in a class-level agent-number registry; gpsim's agents do not."""
    model = build_model(scenario(tiny_mapping(days=5, warm_up=0)), 0)
    model.run()
    assert model.patient(0).unique_id > 0
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_compare_replications_write_their_results(tmp_path):
    from sim.experiments.compare import CompareTask, run_task

    for rep in (0, 1):
        run_task(CompareTask(key=f"t{rep}", name="tiny", mapping=tiny_mapping(days=5, warm_up=0), replication=rep,
                             out=str(tmp_path / f"r{rep}"), source="tiny.yaml", sha256="0"))
        assert (tmp_path / f"r{rep}" / "manifest.json").exists()


def test_calibration_trials_do_not_keep_their_models_alive():
    """A calibration fit runs hundreds of models in one process; none may stay in Mesa's registry."""
    import mesa

    from sim.calibrate.runs import run_targets
    from sim.config.loading import scenario_from_mapping

    scenario = scenario_from_mapping(tiny_mapping(days=5, warm_up=0), "tiny.yaml")
    before = len(getattr(mesa.Agent, "_ids", {}))
    for rep in (0, 1):
        targets = run_targets(scenario, rep, [pd.Timestamp(scenario.start_date).replace(day=1)])
        assert len(targets) > 0
    assert len(getattr(mesa.Agent, "_ids", {})) == before
