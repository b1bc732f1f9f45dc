"""The command line as a whole: --days/--seed/--area alike on run and compare, progress in logs,
whole tables in pipes, no library warnings, sensitivity's size check, a hidden main-job, lazy imports."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from rich.console import Console

from sim.cli import main as cli_main
from sim.cli.common import LOG_WIDTH, log_width, progress_lines
from sim.cli.main import COMMANDS, load_command, main
from sim.cli.tables import comparison_table
from sim.experiments.sweep_design import parse_grid
from tests.conftest import ROOT, SCENARIOS, tiny_mapping

LONG_NAME = "a-scenario-with-a-name-much-too-long-for-an-eighty-column-table"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny area as a scenario file, and two scenarios on it (one with a long name)."""
    d = tmp_path_factory.mktemp("tiny")
    (d / "tiny.yaml").write_text(yaml.safe_dump(tiny_mapping(days=20, warm_up=7, list_sizes=(2000, 2500))))
    (d / "more.yaml").write_text(f"extends: tiny.yaml\nname: {LONG_NAME}\ndemand: {{rate_multiplier: 1.3}}\n")
    return d


# ------------------------------------------------------------------ compare --days/--seed, main-job


def test_compare_days_and_seed_override_every_scenario(tiny, tmp_path):
    out = tmp_path / "cmp"
    r = invoke("compare", tiny / "tiny.yaml", tiny / "more.yaml", "--reps", "2", "--days", "10", "--seed", "5",
               "--workers", "1", "--out", out)
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and [s["horizon_days"] for s in manifest["scenarios"]] == [10, 10]
    rep = json.loads((out / "tiny" / "rep-001" / "manifest.json").read_text())
    assert rep["horizon_days"] == 10 and rep["seed"] == 5
    # not a terminal: one line per finished replication, so a log is never silent for minutes
    for done in range(1, 5):
        assert f"Replications: {done} of 4 replications done" in r.output
    # not a terminal: the table is whole (no name cut or wrapped at 80 columns)
    assert LONG_NAME in r.output
    # the same comparison without --days is a different one: nothing reused
    r = invoke("compare", tiny / "tiny.yaml", tiny / "more.yaml", "--reps", "1", "--seed", "5", "--workers", "1",
               "--out", out)
    assert r.exit_code == 0 and "Reusing" not in r.output
    assert json.loads((out / "tiny" / "rep-000" / "manifest.json").read_text())["horizon_days"] == 20


# ------------------------------------------------------------------ --area


def test_run_applies_a_library_scenario_to_another_area(tiny, tmp_path):
    out = tmp_path / "run"
    r = invoke("run", SCENARIOS / "pharmacist-1-per-30k.yaml", "--area", tiny / "tiny.yaml", "--days", "10",
               "--out", out)
    assert r.exit_code == 0, r.output
    m = json.loads((out / "manifest.json").read_text())
    config = m["resolved_config"]
    assert config["area"]["code"] == "TL" and config["name"] == "pharmacist-1-per-30k"
    assert [iv["type"] for iv in config["interventions"]] == ["skill_mix"]
    assert config["start_date"] == "2025-04-01" and config["warm_up_days"] == 28  # the library's settings
    assert m["horizon_days"] == 10
    staff = pd.read_parquet(out / "staff.parquet")
    assert set(staff["unit_code"]) <= {"TL", "TN1", "T0", "T1"} and "Pharmacist" in set(staff["role"])


def test_compare_on_another_area(tiny, tmp_path):
    out = tmp_path / "cmp"
    r = invoke("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "gp-retirement-wave.yaml", "--area",
               tiny / "tiny.yaml", "--reps", "1", "--days", "10", "--workers", "1", "--out", out)
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["label"] for s in manifest["scenarios"]] == ["baseline", "gp-retirement-wave"]
    assert all(s["list_size"] == 4500 and s["area_file"] == str(tiny / "tiny.yaml") for s in manifest["scenarios"])
    rep = json.loads((out / "gp-retirement-wave" / "rep-000" / "manifest.json").read_text())
    assert rep["resolved_config"]["area"]["code"] == "TL"


def test_area_scopes_must_exist_in_the_new_area(tiny, tmp_path):
    scoped = tmp_path / "scoped.yaml"
    scoped.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: scoped\ninterventions:\n"
                      "  - {type: demand_growth, start: 0, scope: EXN1}\n")
    assert invoke("validate", scoped).exit_code == 0  # fine on its own area
    for command in (["run", scoped, "--out", tmp_path / "o"],
                    ["compare", SCENARIOS / "baseline.yaml", scoped, "--reps", "1", "--out", tmp_path / "c"]):
        r = invoke(*command[:1], *command[1:], "--area", tiny / "tiny.yaml")
        assert r.exit_code == 1 and "Traceback" not in r.output
        text = " ".join(r.output.split())
        assert "scoped.yaml" in text and "interventions[0].scope" in text and "unknown scope 'EXN1'" in text
        assert "--area" in text and str(tiny / "tiny.yaml") in text and "TN1" in text
    assert not (tmp_path / "o").exists() and not (tmp_path / "c").exists()


def test_area_file_problems_name_the_area_file(tmp_path):
    no_area = tmp_path / "no-area.yaml"
    no_area.write_text("name: x\n")
    r = invoke("run", SCENARIOS / "small.yaml", "--area", no_area, "--out", tmp_path / "o")
    assert r.exit_code == 1 and "no-area.yaml" in r.output and "area" in r.output and "Traceback" not in r.output
    r = invoke("run", SCENARIOS / "small.yaml", "--area", tmp_path / "missing.yaml", "--out", tmp_path / "o")
    assert r.exit_code == 1 and "missing.yaml" in r.output and "Traceback" not in r.output


# ------------------------------------------------------------------ logs and pipes


def test_progress_lines_one_per_finished_step():
    buf = io.StringIO()
    update = progress_lines("Replications", "replications", Console(file=buf, width=LOG_WIDTH))
    for done in (0, 1, 1, 3, 4):
        update(done, 4)
    lines = buf.getvalue().splitlines()
    assert [line.split(":")[1].split(" done")[0].strip() for line in lines] == ["1 of 4 replications",
                                                                                "3 of 4 replications",
                                                                                "4 of 4 replications"]
    assert "left" in lines[0] and "left" not in lines[-1]


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_tables_are_not_cut_in_pipes(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # exported by some tools (pytest-xdist among them): not a reason to cut
    assert log_width(io.StringIO()) == LOG_WIDTH and log_width(FakeTTY()) is None
    names = ["baseline", LONG_NAME, LONG_NAME.replace("a-", "another-")]
    rows = [{"level": "lgpo", "unit": "X", "metric": "lost_pct", "scenario": n, "mean": 10.0 + k,
             "diff_mean": float(k), "diff_ci_low": k - 0.5, "diff_ci_high": k + 0.5, "diff_significant": k > 0}
            for k, n in enumerate(names)]
    buf = io.StringIO()
    Console(file=buf, width=LOG_WIDTH, soft_wrap=True).print(comparison_table(pd.DataFrame(rows), names))
    assert all(n in buf.getvalue() for n in names)
    assert max(len(line) for line in buf.getvalue().splitlines()) < 300  # only as wide as the cells need


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-c", "from sim.cli.main import main; main()", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def warning_sweep(folder):
    """A finished Latin-hypercube sweep whose outcome moves at one point only: SALib's RBD-FAST bootstrap
    then divides by a zero variance and numpy warns (RuntimeWarning: invalid value encountered)."""
    ranges = {"demand.rate_multiplier": [0.8, 1.2], "roles.GP.same_day_slot_share": [0.2, 0.6]}
    grid = parse_grid({"latin_hypercube": {"samples": 12, "seed": 1, "ranges": ranges}}, "g.yaml")
    rows = [{"point": k, **pt, "replication": 0, "metric": "lost_pct", "value": 5.0 if k == 0 else 1.0, "units": ""}
            for k, pt in enumerate(grid.points)]
    folder.mkdir()
    pd.DataFrame(rows).to_parquet(folder / "results.parquet")
    (folder / "sweep.json").write_text(json.dumps({
        "design": grid.design, "design_options": grid.options, "parameters": list(grid.parameters),
        "ranges": {k: list(v) for k, v in grid.ranges.items()},
        "points": [{"point": k, "values": p} for k, p in enumerate(grid.points)]}))
    return folder


def test_library_warnings_are_not_shown(tmp_path):
    folder = warning_sweep(tmp_path / "sweep")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    shown = run_cli("sensitivity", folder, "--metric", "lost_pct", env={**env, "PYTHONWARNINGS": "default"})
    assert shown.returncode == 0 and "RuntimeWarning" in shown.stderr  # the sweep does warn underneath
    quiet = run_cli("sensitivity", folder, "--metric", "lost_pct", env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert "Warning" not in quiet.stderr and "What drives the outcomes" in quiet.stdout


def test_warnings_setting_is_restored_after_a_command(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    seen = {}

    def fake_analyse(*args, **kwargs):
        import warnings

        seen["env"] = os.environ.get("PYTHONWARNINGS")
        with warnings.catch_warnings(record=True) as caught:
            warnings.warn("library noise", RuntimeWarning, stacklevel=1)
        seen["caught"] = len(caught)
        raise SystemExit(0)

    import sim.cli.sweep as sweep_cli

    monkeypatch.setattr(sweep_cli, "analyse", fake_analyse)
    invoke("sensitivity", warning_sweep(tmp_path / "sweep"))
    assert seen["env"] == "ignore"  # worker processes started by the command inherit it
    assert "PYTHONWARNINGS" not in os.environ


# ------------------------------------------------------------------ sensitivity's design size


@pytest.fixture(scope="module")
def six_point_sweep(tiny):
    """The case a user met: a 6-point Latin hypercube, which `sweep` used to suggest analysing."""
    grid = tiny / "lh6.yaml"
    grid.write_text(yaml.safe_dump({"latin_hypercube": {"samples": 6, "seed": 2, "ranges": {
        "demand.rate_multiplier": [0.8, 1.2], "roles.GP.same_day_slot_share": [0.2, 0.6]}},
        "fixed": {"horizon_days": 5}}))
    out = tiny / "sweep-lh6"
    r = invoke("sweep", tiny / "tiny.yaml", "--grid", grid, "--workers", "1", "--out", out)
    return out, r


def test_sweep_says_before_running_that_the_design_is_too_small(six_point_sweep):
    _, r = six_point_sweep
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "too small for `gpsim sensitivity`" in text and "at least 10 design points" in text
    assert text.index("too small") < text.index("6 of 6 tasks done")  # said before the sweep ran
    assert "gpsim sensitivity" not in text.split("Results in")[1]  # and not suggested afterwards


def test_sensitivity_checks_the_design_size_first(six_point_sweep):
    out, _ = six_point_sweep
    r = invoke("sensitivity", out)
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "needs at least 10 design points; this sweep has 6" in text and "samples: 10 or more" in text
    (out / "results.parquet").unlink()  # checked before the results are even read
    r = invoke("sensitivity", out)
    assert r.exit_code == 1 and "at least 10 design points" in r.output


# ------------------------------------------------------------------ help, lazy loading


def test_main_job_is_hidden_but_callable():
    r = invoke("--help")
    assert r.exit_code == 0 and "main-job" not in r.output
    for name, entry in COMMANDS.items():
        assert (name in r.output) != entry.hidden
    assert invoke("main-job", "--help").exit_code == 0


def test_every_command_loads_and_its_listed_summary_is_its_own():
    for name, entry in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        assert entry.summary == command.help.split("\n\n")[0].replace("\n", " ").strip(), name
        assert bool(command.hidden) == entry.hidden


def test_a_broken_command_module_fails_loudly(monkeypatch):
    monkeypatch.setitem(COMMANDS, "broken", cli_main.Entry("sim.cli.no_such_module:cmd", "Broken."))
    r = invoke("broken")
    assert r.exit_code != 0 and isinstance(r.exception, ModuleNotFoundError)
    assert "broken" in invoke("--help").output  # listed from the registry without importing it


HEAVY = ("dask", "distributed", "optuna", "SALib", "matplotlib", "solara", "scipy.stats", "openpyxl")


def imported_by(code):
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=120).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_command_line_imports_no_heavy_package_until_a_command_needs_it():
    mods = imported_by("import sim.cli.main")
    assert not [m for m in HEAVY if m in mods]
    assert "sim.model.model" not in mods and "pandas" not in mods  # --help imports no command
    mods = imported_by("import sim.cli.main, sim.cli.run, sim.cli.compare, sim.cli.sweep")
    assert not [m for m in HEAVY if m in mods]
    mods = imported_by("import sim.cli.main, sim.cli.validate")  # checking a scenario builds no model
    assert not [m for m in ("sim.model.model", "mesa", "numba", "pandas", "scipy") if m in mods]


def test_a_run_loads_one_holiday_calendar():
    mods = imported_by("from sim.model.calendar import english_bank_holidays; english_bank_holidays(2024, 2026)")
    assert [m for m in mods if m.startswith("holidays.countries")] == ["holidays.countries.united_kingdom"]


def test_t_quantile_is_scipys():
    from scipy import stats

    from sim.results.intervals import t_interval

    x = np.array([1.0, 2.5, 2.0, 4.0])
    m, lo, hi = t_interval(x)
    half = stats.t.ppf(0.975, 3) * x.std(ddof=1) / 2.0
    assert (lo, hi) == (m - half, m + half)
