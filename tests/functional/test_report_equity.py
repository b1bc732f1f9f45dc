"""The report's equity section: tables from comparison.csv and the two figures by IMD quintile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.report.build import build_report
from sim.report.data import load
from sim.report.equity import (
    UNMET_AGE,
    UNMET_IMD,
    equity_groups,
    lost_by_quintile,
    supply_against_need,
)
from tests.conftest import tiny_mapping


@pytest.fixture(scope="module")
def equity_dir(tmp_path_factory) -> Path:
    """Two scenarios on two practices (Q1 and Q5, with weighted patients), 40 days, 2 replications."""
    from sim.experiments.compare import finish, plan, run_task

    root = tmp_path_factory.mktemp("equity")
    base = tiny_mapping(list_sizes=(3000, 3000), gps=(2, 2), nurses=(1, 1), days=40, seed=5) | {"name": "base"}
    for pr, score, w in zip(base["area"]["pcns"][0]["practices"], (40.0, 10.0), (3600.0, 2500.0), strict=True):
        pr["imd_score"], pr["weighted_patients"] = score, w
    (root / "base.yaml").write_text(yaml.safe_dump(base))
    (root / "wave.yaml").write_text("extends: base.yaml\nname: wave\ninterventions:\n"
                                    "- {type: retirement, wave: {role: GP, min_age: 18, share: 0.5, over_months: 1}}\n")
    out = root / "cmp"
    tasks, infos = plan([root / "base.yaml", root / "wave.yaml"], 2, out)
    for t in tasks:
        run_task(t)
    finish(out, tasks, infos, 2, tasks[0].mapping["seed"], dt.datetime.now())
    build_report(out)
    return out


def test_equity_section_tables_and_figures(equity_dir):
    text = (equity_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="equity"' in text and 'id="equity-table"' in text
    assert 'data-figure="lost_by_quintile"' in text and 'data-figure="supply_against_need"' in text
    assert (equity_dir / "figures" / "lost_by_quintile.png").is_file()
    data = load(equity_dir)
    groups = equity_groups(data)
    names = {o.name for items in groups.values() for o in items}
    assert {"lost_pct_imd:Q1", "lost_pct_imd:Q5", "appointments_per_1000_weighted_imd:Q1",
            "gp_fte_per_10k_weighted", "lost_pct_age:25-44"} <= names
    # where unmet demand went, by group: tables of their own
    assert "ae_attendances_unmet_per_1000_year_imd:Q1" in {o.name for o in groups[UNMET_IMD]}
    assert "unmet_not_pursued_per_1000_year_age:25-44" in {o.name for o in groups[UNMET_AGE]}
    assert not any("unmet" in o.name for o in groups["By age band"])
    assert "Where unmet demand went, by IMD quintile" in text
    assert "Where unmet demand went, by age band" not in text  # the Excel Equity sheet has it
    assert UNMET_AGE not in equity_groups(data, report=True)
    assert lost_by_quintile(data) is not None and supply_against_need(data) is not None
    # the table shows comparison.csv's numbers
    c = pd.read_csv(equity_dir / "comparison.csv")
    row = c[(c["level"] == "lgpo") & (c["metric"] == "lost_pct_imd:Q1") & (c["scenario"] == "base")].iloc[0]
    assert f"{row['mean']:.2f}" in text
