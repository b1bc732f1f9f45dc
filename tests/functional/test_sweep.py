"""Sweeps: grid files, resumable execution, identical tables serial/parallel/resumed, sensitivity."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.cli.main import main as cli
from sim.experiments.sensitivity import SensitivityError, analyse, ranking_table
from sim.experiments.sweep import plan_sweep, run_sweep
from sim.experiments.sweep_design import GridError, load_grid, parse_grid
from sim.experiments.sweep_paths import get_path, parse_path, set_path
from sim.experiments.sweep_store import collect, read_manifest
from tests.conftest import tiny_mapping

GRID = {"parameters": {"demand.rate_multiplier": [0.9, 1.2], "roles.GP.same_day_slot_share": [0.3, 0.5]}}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    (d / "tiny.yaml").write_text(yaml.safe_dump(tiny_mapping(days=20, warm_up=7, list_sizes=(2000, 2500))))
    (d / "grid.yaml").write_text(yaml.safe_dump(GRID, sort_keys=False))
    return d


@pytest.fixture(scope="module")
def uninterrupted(files):
    """The reference table: the whole sweep run serially in one go."""
    plan = plan_sweep(files / "tiny.yaml", load_grid(files / "grid.yaml"), 2, files / "serial", batch=1)
    return run_sweep(plan, workers=1)


# ------------------------------------------------------------------ paths and grids


def test_dotted_paths_read_and_write_scenario_mappings():
    assert parse_path("area.pcns[0].practices[1].list_size") == ("area", "pcns", 0, "practices", 1, "list_size")
    assert parse_path("demand.rate_per_patient_year.85+") == ("demand", "rate_per_patient_year", "85+")
    m = tiny_mapping()
    set_path(m, parse_path("area.pcns[0].practices[1].list_size"), 1234)
    assert get_path(m, parse_path("area.pcns.0.practices.1.list_size")) == 1234
    with pytest.raises(KeyError, match="keys there"):
        get_path(m, parse_path("demand.nope"))
    with pytest.raises(ValueError):
        parse_path("a..b")


def test_factorial_grid_is_the_product_of_the_lists():
    g = parse_grid(GRID, "g.yaml")
    assert g.design == "parameters" and len(g.points) == 4
    assert {tuple(p.values()) for p in g.points} == {(0.9, 0.3), (0.9, 0.5), (1.2, 0.3), (1.2, 0.5)}


def test_latin_hypercube_fills_each_range_and_keeps_integer_parameters_whole():
    g = parse_grid({"latin_hypercube": {"samples": 8, "seed": 3, "ranges": {
        "demand.rate_multiplier": [0.8, 1.2], "booking.book_ahead_days": [14, 42]}}}, "g.yaml")
    x = g.matrix()
    assert x.shape == (8, 2)
    assert ((x[:, 0] >= 0.8) & (x[:, 0] <= 1.2)).all()
    assert all(isinstance(p["booking.book_ahead_days"], int) for p in g.points)
    # one sample per stratum: a Latin hypercube
    assert sorted(np.floor((x[:, 0] - 0.8) / 0.05).astype(int)) == list(range(8))
    again = parse_grid({"latin_hypercube": {"samples": 8, "seed": 3, "ranges": {
        "demand.rate_multiplier": [0.8, 1.2], "booking.book_ahead_days": [14, 42]}}}, "g.yaml")
    assert again.points == g.points


def test_morris_and_sobol_designs_come_from_salib():
    ranges = {"demand.rate_multiplier": [0.8, 1.2], "roles.GP.same_day_slot_share": [0.2, 0.6]}
    m = parse_grid({"morris": {"trajectories": 4, "levels": 4, "seed": 1, "ranges": ranges}}, "g.yaml")
    assert len(m.points) == 4 * 3
    s = parse_grid({"sobol": {"samples": 8, "seed": 1, "ranges": ranges}}, "g.yaml")
    assert len(s.points) == 8 * (2 + 2)


@pytest.mark.parametrize(("grid", "key", "message"), [
    ({}, "", "exactly one design"),
    ({"parameters": {"a.b": [1]}, "morris": {}}, "", "exactly one design"),
    ({"paramters": {}}, "paramters", "unknown key"),
    ({"parameters": {"demand.rate_multiplier": []}}, "parameters.demand.rate_multiplier", "non-empty list"),
    ({"parameters": {"demand.rate_multiplier": 1.0}}, "parameters.demand.rate_multiplier", "non-empty list"),
    ({"parameters": {"demand.rate_multiplier": [1.0, 1.0]}}, "parameters.demand.rate_multiplier", "twice"),
    ({"parameters": {"demand.rate_multiplier": [{"x": 1}]}}, "parameters.demand.rate_multiplier", "numbers"),
    ({"latin_hypercube": {"samples": 4}}, "latin_hypercube.ranges", "required"),
    ({"latin_hypercube": {"samples": 0, "ranges": {"a": [0, 1]}}}, "latin_hypercube.samples", ">= 1"),
    ({"latin_hypercube": {"samples": 4, "ranges": {"a": [1, 0]}}}, "latin_hypercube.ranges.a", "below"),
    ({"latin_hypercube": {"samples": 4, "ranges": {"a": [0]}}}, "latin_hypercube.ranges.a", "two numbers"),
    ({"latin_hypercube": {"samples": 4, "sed": 1, "ranges": {"a": [0, 1]}}}, "latin_hypercube.sed", "unknown"),
    ({"sobol": {"samples": 6, "ranges": {"a": [0, 1]}}}, "sobol.samples", "power of 2"),
    ({"morris": {"trajectories": 4, "levels": 3, "ranges": {"a": [0, 1]}}}, "morris.levels", "even"),
    ({"parameters": {"a": [1, 2]}, "fixed": {"a": 3}}, "fixed.a", "also a swept"),
])
def test_grid_errors_name_the_file_and_key(grid, key, message):
    with pytest.raises(GridError) as err:
        parse_grid(grid, "my-grid.yaml")
    assert err.value.file == "my-grid.yaml"
    assert err.value.key == key
    assert message in str(err.value)


def test_a_parameter_must_exist_in_the_scenario_and_keep_it_valid(files):
    with pytest.raises(GridError, match=r"parameters\.demand\.rate_multiplyer: not a scenario parameter"):
        plan_sweep(files / "tiny.yaml", parse_grid({"parameters": {"demand.rate_multiplyer": [1.0]}}, "g.yaml"),
                   1, files / "x")
    with pytest.raises(GridError, match=r"point 1 \(demand.rate_multiplier=-1\.0\) gives an invalid scenario"):
        plan_sweep(files / "tiny.yaml", parse_grid({"parameters": {"demand.rate_multiplier": [1.0, -1.0]}},
                                                   "g.yaml"), 1, files / "x")


def test_load_grid_reports_missing_files_and_bad_yaml(tmp_path):
    with pytest.raises(GridError, match="file not found"):
        load_grid(tmp_path / "none.yaml")
    (tmp_path / "bad.yaml").write_text("parameters: [1, 2\n")
    with pytest.raises(GridError, match="not valid YAML"):
        load_grid(tmp_path / "bad.yaml")


# ------------------------------------------------------------------ running, resuming


def test_sweep_table_is_tidy_with_parameter_columns(files, uninterrupted):
    t = uninterrupted
    assert list(t.columns) == ["point", "demand.rate_multiplier", "roles.GP.same_day_slot_share", "replication",
                               "metric", "value", "units"]
    assert not t.duplicated(["point", "replication", "metric"]).any()
    assert set(t["point"]) == {0, 1, 2, 3} and set(t["replication"]) == {0, 1}
    assert (files / "serial" / "results.parquet").exists() and (files / "serial" / "results.csv").exists()
    manifest = read_manifest(files / "serial")
    assert manifest["complete"] and len(manifest["tasks"]) == 8 and manifest["design"] == "parameters"
    lost = t[t["metric"] == "lost_pct"].groupby("demand.rate_multiplier")["value"].mean()
    assert lost[1.2] > lost[0.9]  # more demand, more requests lost


def test_serial_and_parallel_sweeps_give_identical_tables(files, uninterrupted):
    plan = plan_sweep(files / "tiny.yaml", load_grid(files / "grid.yaml"), 2, files / "parallel", batch=1)
    parallel = run_sweep(plan, workers=2)
    pd.testing.assert_frame_equal(parallel, uninterrupted)
    assert (files / "parallel" / "results.csv").read_bytes() == (files / "serial" / "results.csv").read_bytes()


def test_interrupted_sweep_resumes_without_recomputing(files, uninterrupted):
    grid = load_grid(files / "grid.yaml")
    plan = plan_sweep(files / "tiny.yaml", grid, 2, files / "resumed", batch=1)
    finished = []

    def stop_after_three(task):
        finished.append(task.key)
        if len(finished) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, workers=1, on_task=stop_after_three)
    assert len(list((files / "resumed" / "tasks").glob("*.parquet"))) == 3
    assert not (files / "resumed" / "results.parquet").exists()
    again = plan_sweep(files / "tiny.yaml", grid, 2, files / "resumed", batch=1)
    assert len(again.pending()) == 5
    computed = []
    table = run_sweep(again, workers=1, on_task=lambda t: computed.append(t.key))
    assert len(computed) == 5 and not set(computed) & set(finished)
    pd.testing.assert_frame_equal(table, uninterrupted)


def test_killed_sweep_process_resumes_to_the_same_table(files, uninterrupted):
    """SIGKILL the CLI after some tasks finish (no clean-up at all), then run the same command again."""
    out = files / "killed"
    args = ["sweep", str(files / "tiny.yaml"), "--grid", str(files / "grid.yaml"), "--reps", "2", "--batch", "1",
            "--workers", "1", "--out", str(out)]
    cmd = [sys.executable, "-c", "import sys; from sim.cli.main import main; sys.exit(main())", *args]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "tasks").glob("*.parquet"))) >= 2:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "tasks").glob("*.parquet")))
    assert 2 <= done_before <= 8
    assert not list((out / "tasks").glob(".*.tmp"))  # no half-written task file is ever visible
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"{done_before} already done" in result.output.replace("\n", " ")
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), uninterrupted)


def test_repeated_design_points_share_one_task(files):
    grid = parse_grid({"parameters": {"demand.rate_multiplier": [1.0]}}, "g.yaml")
    grid = type(grid)(**{**grid.__dict__, "points": grid.points * 2})
    plan = plan_sweep(files / "tiny.yaml", grid, 1, files / "dup")
    assert len(plan.tasks) == 1 and len(plan.assignments) == 2
    table = run_sweep(plan, workers=1)
    a, b = table[table["point"] == 0], table[table["point"] == 1]
    # NaN where a share has no denominator (no admin task due yet in a short run) equals NaN here
    np.testing.assert_array_equal(a["value"].to_numpy(), b["value"].to_numpy())
    with pytest.raises(FileNotFoundError):
        collect(plan_sweep(files / "tiny.yaml", grid, 2, files / "dup"))


# ------------------------------------------------------------------ command line


def test_cli_sweep_then_sensitivity(files):
    (files / "lh.yaml").write_text(yaml.safe_dump({
        "latin_hypercube": {"samples": 3, "seed": 2, "ranges": {"demand.rate_multiplier": [0.8, 1.2]}},
        "fixed": {"horizon_days": 10}}))
    runner = CliRunner()
    res = runner.invoke(cli, ["sweep", str(files / "tiny.yaml"), "--grid", str(files / "lh.yaml"), "--reps", "1",
                              "--workers", "1", "--out", str(files / "cli")])
    assert res.exit_code == 0, res.output
    assert "3 point(s) x 1 replication(s)" in res.output
    table = pd.read_parquet(files / "cli" / "results.parquet")
    assert table["point"].nunique() == 3
    res = runner.invoke(cli, ["sensitivity", str(files / "cli"), "--method", "morris"])
    assert res.exit_code != 0 and "needs a morris design" in res.output
    res = runner.invoke(cli, ["sweep", str(files / "tiny.yaml"), "--grid", str(files / "nope.yaml"),
                              "--out", str(files / "cli2")])
    assert res.exit_code != 0 and "nope.yaml" in res.output and "file not found" in res.output


def test_cli_sensitivity_refuses_an_unfinished_sweep(tmp_path):
    (tmp_path / "sweep.json").write_text(json.dumps({"design": "parameters"}))
    res = CliRunner().invoke(cli, ["sensitivity", str(tmp_path)])
    assert res.exit_code != 0 and "has not finished" in res.output


# ------------------------------------------------------------------ sensitivity


def synthetic_results(grid, fn, reps=2, noise=0.0):
    """A results table whose outcomes are known functions of the inputs (no simulation needed)."""
    rng = np.random.default_rng(0)
    rows = []
    for k, pt in enumerate(grid.points):
        for r in range(reps):
            for metric, value in fn(pt).items():
                rows.append({"point": k, **pt, "replication": r, "metric": metric,
                             "value": value + noise * rng.standard_normal(), "units": ""})
    manifest = {"design": grid.design, "design_options": grid.options, "parameters": list(grid.parameters),
                "ranges": {k: list(v) for k, v in grid.ranges.items()},
                "points": [{"point": k, "values": p} for k, p in enumerate(grid.points)]}
    return pd.DataFrame(rows), manifest


def outcomes(pt):
    demand, share = pt["demand.rate_multiplier"], pt["roles.GP.same_day_slot_share"]
    return {"lost_pct": 20 * demand + 1 * share, "utilisation_pct": 50 + 40 * share + 2 * demand}


RANGES = {"demand.rate_multiplier": [0.8, 1.2], "roles.GP.same_day_slot_share": [0.2, 0.6]}


@pytest.mark.parametrize("design", [
    {"morris": {"trajectories": 10, "seed": 1, "ranges": RANGES}},
    {"sobol": {"samples": 64, "seed": 1, "ranges": RANGES}},
    {"latin_hypercube": {"samples": 40, "seed": 1, "ranges": RANGES}},
    {"parameters": {"demand.rate_multiplier": [0.8, 1.0, 1.2], "roles.GP.same_day_slot_share": [0.2, 0.4, 0.6]}},
])
def test_sensitivity_ranks_the_input_that_drives_each_outcome(design):
    grid = parse_grid(design, "g.yaml")
    table, manifest = synthetic_results(grid, outcomes)
    res = analyse(table, manifest)
    top = res[res["rank"] == 1].set_index("outcome")["parameter"]
    assert top["lost_pct"] == "demand.rate_multiplier"
    assert top["utilisation_pct"] == "roles.GP.same_day_slot_share"
    assert set(res["group"]) == {"access", "workload"}
    assert (res.loc[res["outcome"] == "lost_pct", "noise_pct"] == 0).all()  # replications identical here
    wide = ranking_table(res)
    assert set(wide["top_driver"]) == {"demand.rate_multiplier", "roles.GP.same_day_slot_share"}


def test_sensitivity_reports_replication_noise_and_constant_outcomes():
    levels = [round(0.8 + 0.04 * k, 2) for k in range(11)]
    grid = parse_grid({"parameters": {"demand.rate_multiplier": levels, "roles.GP.same_day_slot_share": [0.2, 0.6]}},
                      "g.yaml")
    table, manifest = synthetic_results(grid, lambda pt: {"lost_pct": 1.0, "dna_pct": pt["demand.rate_multiplier"]},
                                        reps=4, noise=5.0)
    res = analyse(table, manifest, metrics=["dna_pct"])
    assert (res["noise_pct"] > 50).all()  # effect 0.4, noise sd 5: mostly noise
    table, manifest = synthetic_results(grid, lambda pt: {"lost_pct": 1.0})
    res = analyse(table, manifest, metrics=["lost_pct"])
    assert res["rank"].isna().all() and (res["value"] == 0).all()
    with pytest.raises(SensitivityError, match="no metric"):
        analyse(table, manifest, metrics=["not_a_metric"])
    with pytest.raises(SensitivityError, match="needs a sobol design"):
        analyse(table, manifest, method="sobol")
