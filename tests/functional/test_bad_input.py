"""Bad input meets a clear error before any simulation: never a traceback, never silent acceptance.

One test per bad input found by trying gpsim as a new user would (issue 17), then a hypothesis fuzz
test that mutates the shipped scenarios' keys and values and runs ``gpsim validate`` (and ``gpsim run
--days 5`` on the small area), and the atomic run folders of ``gpsim run --out``.
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.main import main
from sim.config.loading import load_raw, load_scenario
from tests.conftest import SCENARIOS

SMALL = SCENARIOS / "small.yaml"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def no_traceback(r) -> None:
    """The command ended through click (an exit code), not through an unexpected exception."""
    assert r.exception is None or isinstance(r.exception, SystemExit), (
        f"unexpected {type(r.exception).__name__}: {r.exception}\n{r.output}")
    assert "Traceback" not in r.output


def refused(r, *words: str) -> str:
    """Exit code 1 with a message naming each of ``words``; returns the message on one line."""
    no_traceback(r)
    assert r.exit_code == 1, r.output
    text = " ".join(r.output.split())
    unwrapped = r.output.replace("\n", "")  # rich wraps long words at 80 columns without a space
    for w in words:
        assert w in text or w in unwrapped, (w, text)
    return text


def derived(tmp_path: Path, body: str, name: str = "bad.yaml") -> Path:
    """A scenario extending small.yaml with ``body`` (YAML text) on top."""
    p = tmp_path / name
    p.write_text(f"extends: {SMALL}\nname: bad\n{body}", encoding="utf-8")
    return p


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if a model is ever built: every check must come before the simulation."""
    import sim.experiments.runner as runner

    def boom(*a, **k):
        raise AssertionError("a simulation started although the input was bad")

    monkeypatch.setattr(runner, "build_model", boom)


# ------------------------------------------------------------------------ the "Found" list


def test_binary_scenario_file_is_reported_not_decoded(tmp_path):
    p = tmp_path / "binary.yaml"
    p.write_bytes(bytes(range(256)) * 8)
    refused(invoke("validate", p), "binary.yaml", "binary file")
    refused(invoke("run", p, "--out", tmp_path / "o"), "binary.yaml", "binary file")


def test_latin1_scenario_file_names_encoding_and_line(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes(f"extends: {SMALL}\nname: caf\xe9\ndescription: Cl\xednica\n".encode("latin-1"))
    text = refused(invoke("validate", p), "latin1.yaml:2", "not UTF-8", "0xE9", "Latin-1", "save the file as UTF-8")
    assert "UnicodeDecodeError" not in text


def test_utf8_with_byte_order_mark_is_accepted(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + f"extends: {SMALL}\nname: caf\u00e9\n".encode())
    r = invoke("validate", p)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("body, path, allowed", [
    ("demand:\n  rate_multiplier: .inf\n", "demand.rate_multiplier", "finite number"),
    ("demand:\n  rate_multiplier: .nan\n", "demand.rate_multiplier", "finite number"),
    ("demand:\n  rate_multiplier: 1e9\n", "demand.rate_multiplier", "less than or equal to 10"),
    ("demand:\n  hourly_arrival: {8: 0, 9: 0, 10: 0}\n", "demand.hourly_arrival", "at least one weight above 0"),
    ("booking:\n  session_start_minutes: [-30, 840]\n", "booking.session_start_minutes",
     "greater than or equal to 0"),
    ("walk_in:\n  open_minute: 1200\n  close_minute: 600\n", "walk_in", "must be after open_minute"),
    ("roles:\n  GP:\n    slot_minutes: 1e-9\n", "roles.GP.slot_minutes", "greater than or equal to 1"),
    ("area:\n  pcns:\n  - code: X\n    practices:\n    - {code: P1, list_size: 0}\n", "area",
     "no practice has any registered patients"),
    ("start_date: 9999-01-01\n", "start_date", "less than or equal to 2150-12-31"),
])
def test_absurd_values_are_refused_before_running(tmp_path, no_simulation, body, path, allowed):
    p = derived(tmp_path, body)
    refused(invoke("validate", p), "bad.yaml", path, allowed)
    refused(invoke("run", p, "--days", "5", "--out", tmp_path / "o"), path, allowed)
    assert not (tmp_path / "o").exists()


def test_huge_list_size_and_staff_count_are_refused(tmp_path, no_simulation):
    area = yaml.safe_load(SMALL.read_text())["area"]
    big = copy.deepcopy(area)
    big["pcns"][0]["practices"][0]["list_size"] = 10_000_000_000
    p = derived(tmp_path, yaml.safe_dump({"area": big}), "list.yaml")
    refused(invoke("run", p, "--days", "5", "--out", tmp_path / "o"), "list.yaml:",
            "area.pcns[0].practices[0].list_size", "less than or equal to 2000000")
    many = copy.deepcopy(area)
    many["pcns"][0]["practices"][0]["staff"][0]["count"] = 100_000_000
    p = derived(tmp_path, yaml.safe_dump({"area": many}), "staff.yaml")
    refused(invoke("run", p, "--days", "5", "--out", tmp_path / "o"), "staff.yaml:",
            "area.pcns[0].practices[0].staff[0].count", "less than or equal to 10000")


def test_memory_estimate_is_checked_against_the_machine(tmp_path, monkeypatch, no_simulation):
    import sim.config.checks as checks

    monkeypatch.setattr(checks, "available_memory", lambda: 256 * 1024**2)
    text = refused(invoke("run", SMALL, "--days", "5", "--out", tmp_path / "o"), "small.yaml", "GiB of memory",
                   "40,000 patients", "0.2 GiB available")
    assert "fewer days" in text
    refused(invoke("validate", SMALL), "too large for this machine")
    monkeypatch.undo()
    est = checks.memory_estimate(yaml_scenario(SMALL))
    assert 300 * 1024**2 < est["bytes"] < 2 * 1024**3  # measured peak of a year: about 400 MiB


def yaml_scenario(path):
    return load_scenario(path)


def test_unwritable_out_fails_before_the_simulation(tmp_path, no_simulation):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    refused(invoke("run", SMALL, "--days", "5", "--out", blocker / "run"), "a-file is a file, not a folder")
    r = invoke("run", SMALL, "--days", "5", "--out", blocker)  # click's own check: a usage error
    no_traceback(r)
    assert r.exit_code == 2 and "is a file" in r.output
    refused(invoke("compare", SMALL, SMALL, "--reps", "1", "--out", blocker / "cmp"), "a-file is a file, not a folder")
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            refused(invoke("run", SMALL, "--days", "5", "--out", locked / "run"), "cannot be written")
        finally:
            locked.chmod(0o700)


@pytest.mark.parametrize("body, path, words", [
    ("horizon_days: 60\ninterventions:\n  - type: micro_teams\n    start: 3\n", "interventions[0].start",
     "after the run ends"),
    ("interventions:\n  - type: micro_teams\n    start: 2026-01-01\n    end: 2025-06-01\n",
     "interventions[0].end", "not after it starts"),
    ("interventions:\n  - type: micro_teams\n    start: 4\n    end: 2\n", "interventions[0].end",
     "not after it starts"),
    ("interventions:\n  - type: micro_teams\n    start: 2024-01-01\n    end: 2025-01-01\n",
     "interventions[0].end", "before the run starts"),
])
def test_interventions_outside_the_horizon_or_inverted_are_refused(tmp_path, body, path, words):
    refused(invoke("validate", derived(tmp_path, body)), "bad.yaml:", path, words)


def test_intervention_ending_after_the_horizon_is_fine(tmp_path):
    r = invoke("validate", derived(tmp_path, "interventions:\n  - type: micro_teams\n    start: 1\n    end: 48\n"))
    assert r.exit_code == 0, r.output


def test_duplicate_yaml_key_is_refused_with_both_lines(tmp_path):
    p = tmp_path / "dup.yaml"
    p.write_text(f"extends: {SMALL}\nname: dup\nhorizon_days: 30\nseed: 3\nhorizon_days: 60\n")
    refused(invoke("validate", p), "dup.yaml:5", "duplicate key 'horizon_days' at line 5", "first given at line 3")
    nested = tmp_path / "nested.yaml"
    nested.write_text(f"extends: {SMALL}\nname: n\ndemand:\n  rate_multiplier: 1\n  rate_multiplier: 2\n")
    refused(invoke("validate", nested), "nested.yaml:5", "duplicate key 'rate_multiplier'")


def test_compare_of_scenarios_on_different_areas_is_refused(tmp_path, no_simulation):
    text = refused(invoke("compare", SMALL, SCENARIOS / "gp-retirement-wave.yaml", "--reps", "5",
                          "--out", tmp_path / "c"),
                   "gp-retirement-wave.yaml", "different area", "cannot be compared")
    assert "'EX' instead of 'SM'" in text and "TypeError" not in text


def test_area_build_on_random_bytes_names_the_file(tmp_path):
    junk = tmp_path / "map.csv"
    junk.write_bytes(bytes(range(256)) * 40)
    patients = tmp_path / "patients.csv"
    patients.write_text("x\n")
    text = refused(invoke("area", "build", "--map", junk, "--patients", patients, "--pcn", "U1",
                          "--out", tmp_path / "a.yaml"), "map.csv")
    assert "charmap" not in text


# ------------------------------------------------------------------------ fuzz


def _mappings() -> dict[str, dict]:
    """Each shipped scenario as written (extends merged) and fully resolved (every default spelled out)."""
    out = {}
    for f in sorted(SCENARIOS.glob("*.yaml")):
        data, _ = load_raw(f)
        data.pop("extends", None)
        out[f.name] = data
        resolved = load_scenario(f).model_dump(mode="json", exclude={"extends"})
        out[f"{f.name} (resolved)"] = resolved
    return out


MAPPINGS = _mappings()
BAD_NUMBERS = [-1, -0.5, -1e9, 1e15, math.nan, math.inf, -math.inf]
WRONG_TYPES = ["a string", [], {}, None, True, [1, 2, 3], {"zzz": 1}]
UNKNOWN_KEY = "zzz_unknown_key"
MAY_BE_HUGE = ("seed",)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # any non-negative 64-bit integer is a fine seed


def _paths(node, prefix=()):
    """Every (path, value) in a mapping, depth first."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw, names=tuple(MAPPINGS)):
    """(mapping, kind, path): one shipped scenario with one key or value broken."""
    name = draw(st.sampled_from(names))
    data = copy.deepcopy(MAPPINGS[name])
    section = draw(st.sampled_from(sorted(data)))  # each top-level section equally often, not mostly area
    paths = [p for p, _ in _paths(data[section], (section,))]
    path = draw(st.sampled_from(paths))
    parent, key = _parent(data, path), path[-1]
    old = parent[key]
    kind = draw(st.sampled_from(["delete", "wrong_type", "bad_number", "unknown_key", "scale"]))
    if kind == "scale" and not (isinstance(old, int | float) and not isinstance(old, bool)):
        kind = "delete"
    if kind == "scale":  # an in-range-looking change: 0, half, double, ten times
        factor = draw(st.sampled_from([0, 0.5, 2, 10]))
        parent[key] = type(old)(old * factor)
    elif kind == "delete":
        del parent[key]
    elif kind == "wrong_type":
        parent[key] = draw(st.sampled_from(WRONG_TYPES))
    elif kind == "bad_number":
        parent[key] = draw(st.sampled_from(BAD_NUMBERS))
    else:
        target = old if isinstance(old, dict) else parent if isinstance(parent, dict) else None
        if target is None:
            kind = "wrong_type"
            parent[key] = {UNKNOWN_KEY: 1}
        else:
            target[UNKNOWN_KEY] = draw(st.sampled_from([1, "x", 0.5]))
    must_refuse = kind == "unknown_key" or (
        kind == "bad_number" and isinstance(old, int | float) and not isinstance(old, bool)
        and not (key in MAY_BE_HUGE and parent[key] == 1e15))
    return data, kind, path, must_refuse


def _write(tmp: Path, data) -> Path:
    p = tmp / "fuzz.yaml"
    p.write_text(yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(case=mutated())
def test_fuzz_validate_never_tracebacks_nor_accepts_out_of_range(tmp_path, case):
    data, kind, path, must_refuse = case
    r = invoke("validate", _write(tmp_path, data))
    no_traceback(r)
    assert r.exit_code in (0, 1, 2), r.output
    if r.exit_code:
        assert "fuzz.yaml" in r.output.replace("\n", ""), r.output
    if must_refuse:
        assert r.exit_code == 1, f"{kind} at {path} accepted: {r.output}"


@settings(max_examples=6, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=mutated(names=("small.yaml", "small.yaml (resolved)")))
def test_fuzz_run_a_few_days_never_tracebacks(tmp_path, case):
    data, kind, path, must_refuse = case
    r = invoke("run", _write(tmp_path, data), "--days", "5", "--out", tmp_path / "out")
    no_traceback(r)
    assert r.exit_code in (0, 1, 2), r.output
    if must_refuse and path != ("horizon_days",):  # --days 5 replaces a bad horizon_days: rightly accepted
        assert r.exit_code == 1, f"{kind} at {path} accepted: {r.output}"


# ------------------------------------------------------------------------ atomic run folders


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_run_killed_while_writing_leaves_the_old_folder_intact(tmp_path, monkeypatch):
    out = tmp_path / "run"
    r = invoke("run", SMALL, "--days", "5", "--seed", "7", "--out", out)
    assert r.exit_code == 0, r.output
    before = _files(out)
    import sim.experiments.runner as runner

    real = runner.write_parquet
    calls = []

    def dies_on_the_third(df, path):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if killed mid-way through writing the new run
        return real(df, path)

    monkeypatch.setattr(runner, "write_parquet", dies_on_the_third)
    r = invoke("run", SMALL, "--days", "5", "--seed", "8", "--out", out)
    assert r.exit_code != 0 and len(calls) == 3
    assert _files(out) == before  # the old complete run, not the new summary beside the old manifest
    assert json.loads((out / "manifest.json").read_text())["seed"] == 7
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # nothing half-written left beside it


def test_stale_leftovers_of_killed_runs_are_cleaned_and_a_replaced_run_warned(tmp_path):
    out = tmp_path / "run"
    assert invoke("run", SMALL, "--days", "5", "--out", out).exit_code == 0
    dead = 2**22 + 12345  # above any pid_max: no such process
    (tmp_path / f".run.partial-{dead}-abc").mkdir()
    (tmp_path / f".run.partial-{dead}-abc" / "summary.csv").write_text("half")
    (out / ".summary.csv.x1y2.tmp").write_bytes(b"")
    r = invoke("run", SMALL, "--days", "5", "--seed", "11", "--out", out)
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "left by a killed run" in text and "temporary file(s)" in text
    assert "already holds a run of scenario 'small', seed 7" in text and "seed 11" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert not list(out.glob(".*"))
    assert json.loads((out / "manifest.json").read_text())["seed"] == 11


def test_a_run_killed_between_the_two_renames_gets_its_old_folder_back(tmp_path):
    out = tmp_path / "run"
    assert invoke("run", SMALL, "--days", "5", "--out", out).exit_code == 0
    before = _files(out)
    dead = 2**22 + 12345
    out.rename(tmp_path / f".run.replaced-{dead}-abc")
    from sim.results.rundir import recover

    notes = recover(out)
    assert "put back the previous run" in " ".join(notes)
    assert _files(out) == before


def test_run_refuses_to_replace_a_folder_it_did_not_write(tmp_path, no_simulation):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    refused(invoke("run", SMALL, "--days", "5", "--out", out), "notes.txt", "choose an empty or new folder")
    assert (out / "notes.txt").read_text() == "precious"
