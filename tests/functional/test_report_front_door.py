"""The report's front-door table: present with a front door (numbers as in comparison.csv), absent without."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import yaml

from sim.experiments.compare import finish, plan, run_task
from sim.report.build import build_report
from tests.functional.test_report import parse, two_pcn_mapping

ADMIN = {"role": "Admin", "count": 3, "fte": 0.8, "age": 40}


def test_front_door_table_shows_the_front_doors_outcomes_as_in_comparison_csv(tmp_path: Path):
    base = two_pcn_mapping(days=30) | {"name": "fd", "front_door": {}}
    for pcn in base["area"]["pcns"]:
        for pr in pcn["practices"]:
            pr["staff"].append(dict(ADMIN))
    (tmp_path / "fd.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "nav.yaml").write_text("extends: fd.yaml\nname: nav\ninterventions:\n- {type: care_navigation}\n")
    out = tmp_path / "cmp"
    tasks, infos = plan([tmp_path / "fd.yaml", tmp_path / "nav.yaml"], 2, out)
    for t in tasks:
        run_task(t)
    finish(out, tasks, infos, 2, tasks[0].mapping["seed"], dt.datetime.now())
    build_report(out)
    nums = [n for n in parse(out / "report.html").nums if n["table"] == "front-door-table"]
    metrics = {n["data-metric"] for n in nums}
    assert {"time_to_answer_minutes", "calls_abandoned_pct", "first_attempt_pct", "gave_up_pct",
            "requests_channel:telephone", "navigated_pct"} <= metrics
    lg = pd.read_csv(out / "comparison.csv").query("level == 'lgpo'").set_index(["metric", "scenario"])
    for n in nums:
        if n["data-stat"] in ("mean", "diff_mean"):
            want = lg.loc[(n["data-metric"], n["data-scenario"]), n["data-stat"]]
            assert float(n["data-value"]) == want or (math.isnan(float(n["data-value"])) and math.isnan(want))
    assert lg.loc[("navigated_pct", "nav"), "mean"] > 0


def test_no_front_door_table_without_a_front_door(tmp_path: Path):
    base = two_pcn_mapping(days=20) | {"name": "plain"}
    (tmp_path / "plain.yaml").write_text(yaml.safe_dump(base))
    out = tmp_path / "cmp"
    tasks, infos = plan([tmp_path / "plain.yaml"], 1, out)
    for t in tasks:
        run_task(t)
    finish(out, tasks, infos, 1, tasks[0].mapping["seed"], dt.datetime.now())
    build_report(out)
    assert 'id="front-door-table"' not in (out / "report.html").read_text(encoding="utf-8")
