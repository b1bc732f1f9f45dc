"""The report's cost plane, supply against need by practice, the price list, and the workbook's Costs and Equity sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from sim.report.build import build_report
from sim.report.cost_equity_views import cost_plane, prices_frame, supply_need_by_practice
from sim.report.data import load
from tests.conftest import tiny_mapping


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    """A base and a scenario with a hub (no published price) and international recruits (a published fee)."""
    from sim.experiments.compare import finish, plan, run_task

    root = tmp_path_factory.mktemp("costeq")
    base = tiny_mapping(list_sizes=(3000, 3000), gps=(2, 2), nurses=(1, 1), days=40, seed=5) | {"name": "base"}
    for pr, score, w in zip(base["area"]["pcns"][0]["practices"], (40.0, 10.0), (3600.0, 2500.0), strict=True):
        pr["imd_score"], pr["weighted_patients"] = score, w
    (root / "base.yaml").write_text(yaml.safe_dump(base))
    (root / "more.yaml").write_text("extends: base.yaml\nname: more\ninterventions:\n"
                                    "- {type: extended_access, level: pcn}\n"
                                    "- {type: international_recruitment, gps_per_year: 12}\n")
    out = root / "cmp"
    tasks, infos = plan([root / "base.yaml", root / "more.yaml"], 2, out)
    for t in tasks:
        run_task(t)
    finish(out, tasks, infos, 2, tasks[0].mapping["seed"], dt.datetime.now())
    build_report(out)
    return out


def test_report_draws_the_cost_plane_and_supply_against_need_by_practice(report_dir):
    text = (report_dir / "report.html").read_text(encoding="utf-8")
    for stem in ("cost_plane", "supply_need_by_practice", "lost_by_quintile", "supply_against_need"):
        assert f'data-figure="{stem}"' in text, stem
        assert (report_dir / "figures" / f"{stem}.png").is_file()
    data = load(report_dir)
    assert cost_plane(data) is not None and supply_need_by_practice(data) is not None


def test_prices_table_says_which_prices_are_published_and_which_are_zero(report_dir):
    prices = prices_frame(load(report_dir)).set_index("Price (YAML field)")
    assert prices.loc["running_cost_gbp_per_hub_year", "Status"] == "no published price: 0"
    assert prices.loc["cost_per_recruit_gbp", "Status"] == "published default"
    assert prices.loc["cost_per_recruit_gbp", "GBP"] == "20000"
    assert "International GP Recruitment" in prices.loc["cost_per_recruit_gbp", "Unit and source"]
    assert 'id="prices-table"' in (report_dir / "report.html").read_text(encoding="utf-8")


def test_workbook_has_costs_equity_and_prices_sheets(report_dir):
    wb = load_workbook(report_dir / "report.xlsx")
    for sheet in ("Costs", "Equity", "Intervention prices"):
        assert sheet in wb.sheetnames, sheet
    metrics = [row[2] for row in wb["Costs"].iter_rows(min_row=2, values_only=True)]
    assert "cost_total_gbp_year" in metrics and "cost_per_1000_gbp_year" in metrics
    equity = [row[2] for row in wb["Equity"].iter_rows(min_row=2, values_only=True)]
    assert "lost_pct_imd:Q1" in equity and "gp_fte_per_10k_weighted" in equity
