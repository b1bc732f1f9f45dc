"""Shipped files found from a checkout and a wheel, `gpsim init`, `main-job --days`, no ../shared links.

The wheel itself is built, installed in a clean venv and run by tools/check_wheel.sh (a CI step in
.ci/run), not here: it needs the package registries and minutes.
"""

import ast
import re
import subprocess

import pytest
from click.testing import CliRunner

from sim import resources
from sim.cli.main import main
from sim.config.loading import load_scenario
from tests.conftest import ROOT, SCENARIOS


def test_checkout_finds_the_top_level_folders():
    assert resources.checkout_root() == ROOT
    assert resources.scenarios_dir() == SCENARIOS
    assert resources.scenario("small.yaml").is_file()
    assert all(resources.scenario(a).is_file() for a in resources.EXAMPLE_AREAS)
    data = resources.calibration_data_dir()
    assert data == ROOT / "calibration" / "data"
    assert (data / "gp-reg-pat-prac-map_2022-01.csv").is_file()
    assert resources.benchmarks_script() == ROOT / "benchmarks" / "run.py"


def test_installed_package_looks_in_sim_data(monkeypatch):
    """Without a checkout (an installed wheel) the copies under sim/_data are used."""
    monkeypatch.setattr(resources, "checkout_root", lambda: None)
    assert resources.scenarios_dir() == ROOT / "sim" / "_data" / "scenarios"
    assert resources.calibration_data_dir() == ROOT / "sim" / "_data" / "calibration"
    assert resources.benchmarks_script() is None


def test_setup_copies_what_resources_reads():
    """setup.py's build step and sim.resources agree on where each folder goes."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    shipped = next(ast.literal_eval(n.value) for n in tree.body
                   if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "SHIPPED")
    assert shipped == resources.SHIPPED
    manifest = (ROOT / "MANIFEST.in").read_text()
    for folder in shipped:
        assert f"graft {folder}" in manifest


def test_init_copies_the_library_and_the_copies_validate(tmp_path):
    target = tmp_path / "my-scenarios"
    r = CliRunner().invoke(main, ["init", str(target)])
    assert r.exit_code == 0, r.output
    shipped = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
    assert sorted(p.name for p in target.glob("*.yaml")) == shipped
    assert (target / "README.md").is_file()
    assert "gpsim run" in r.output
    # extends links are relative, so the copies stand alone
    sc = load_scenario(target / "gp-retirement-with-recruitment.yaml")
    assert sc.interventions
    r = CliRunner().invoke(main, ["validate", *map(str, sorted(target.glob("*.yaml")))])
    assert r.exit_code == 0, r.output


def test_init_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "s"
    target.mkdir()
    (target / "small.yaml").write_text("# mine\n")
    r = CliRunner().invoke(main, ["init", str(target)])
    assert r.exit_code == 1 and "small.yaml" in r.output and "--force" in r.output
    assert (target / "small.yaml").read_text() == "# mine\n"
    r = CliRunner().invoke(main, ["init", str(target), "--force"])
    assert r.exit_code == 0, r.output
    assert (target / "small.yaml").read_text() == (SCENARIOS / "small.yaml").read_text()


def test_init_into_a_file_is_a_clean_error(tmp_path):
    f = tmp_path / "f"
    f.write_text("")
    r = CliRunner().invoke(main, ["init", str(f)])
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_main_job_days_shortens_every_scenario_and_keeps_names(tmp_path, monkeypatch):
    """--days is an override of each scenario's horizon: labels and folders as usual, no derived files."""
    import click

    import sim.cli.main_job as main_job
    from sim.experiments.compare import plan

    paths = [main_job.SCENARIO_DIR / n for n in main_job.KEY_SCENARIOS]
    usual, _ = plan(paths, 1, tmp_path)
    short, infos = plan(paths, 1, tmp_path, overrides={"horizon_days": 60})
    assert [t.key for t in short] == [t.key for t in usual] and [t.out for t in short] == [t.out for t in usual]
    for base, task, info in zip(main_job.KEY_SCENARIOS, short, infos, strict=True):
        original = load_scenario(main_job.SCENARIO_DIR / base)
        assert task.mapping["horizon_days"] == info["horizon_days"] == 60 and info["name"] == original.name
        assert len(info["interventions"]) == len(original.interventions)
    seen = {}

    def fake_compare(paths, reps, out, out_console, **kwargs):
        seen.update(kwargs)
        raise click.ClickException("stopped before simulating")

    monkeypatch.setattr(main_job, "compare_scenarios", fake_compare)
    r = CliRunner().invoke(main, ["main-job", "--days", "60", "--reps", "1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and seen["overrides"] == {"horizon_days": 60}
    assert not list((tmp_path / "o").glob("scenarios-*"))  # no derived scenario files any more
    r = CliRunner().invoke(main, ["main-job", "--help"])
    assert "--days" in r.output and "--reps" in r.output


def test_bench_without_a_checkout_says_so(monkeypatch):
    import sim.cli.bench as bench

    monkeypatch.setattr(bench, "BENCHMARKS", None)
    r = CliRunner().invoke(main, ["bench", "--sizes", "pcn"])
    assert r.exit_code == 1 and "source checkout" in r.output


def test_no_product_file_points_at_shared():
    """A user's clone has no ../shared: every source the product cites is in docs/sources.md."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    if not files.strip():
        pytest.skip("not a git checkout")
    offenders = []
    pattern = re.compile(r"\.\./shared|/work/shared")
    for name in files.splitlines():
        path = ROOT / name
        if path.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".in", ".cff"} or name in {
                "Makefile", ".ci/run"} or path.suffix == ".sh":
            if not path.is_file() or name == "tests/functional/test_packaging.py":
                continue
            for k, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{name}:{k}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
    assert (ROOT / "docs" / "sources.md").is_file()
