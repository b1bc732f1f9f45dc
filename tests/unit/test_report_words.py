"""The report's words and helpers: rise/fall wording, intervals clipped to the possible range, the palette, costs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from sim.report import tables
from sim.report.data import ReportData, ScenarioInfo, clip_to_range
from sim.report.excel import excel_format
from sim.report.figures import PALETTE
from sim.report.tables import cost_groups, outcome_tables, strain_sentences
from sim.report.words import Change, change_words, summary_sentences, title
from sim.results.intervals import clip_interval
from sim.results.outcomes import OUTCOMES, outcome


def change(metric: str, before: float, diff: float, low: float, high: float, clear: bool = True) -> Change:
    return Change(outcome(metric), before, before + diff, diff, low, high, clear)


def test_a_rise_is_called_a_rise_and_a_fall_a_fall():
    up = change_words(change("mean_wait_days", 5.0, 0.42, 0.29, 0.54))
    assert "would rise by about 0.42 days (95% interval 0.29 to 0.54), from 5.00 to 5.42" in up
    down = change_words(change("mean_wait_days", 5.0, -0.42, -0.54, -0.29))
    # a fall: the word, and its interval as the range of the fall (smaller bound first, both positive)
    assert "would fall by about 0.42 days (95% interval 0.29 to 0.54), from 5.00 to 4.58" in down
    assert "rise" not in down and "−" not in down


def test_unmet_demand_reads_as_requests_going_unmet():
    more = change_words(change("unmet_per_1000_year", 120.0, 64.0, 45.0, 83.0))
    assert more.startswith("about 64 more requests per 1,000 patients a year would go unmet (95% interval 45 to 83)")
    fewer = change_words(change("unmet_per_1000_year", 120.0, -64.0, -83.0, -45.0))
    assert fewer.startswith("about 64 fewer requests per 1,000 patients a year would go unmet (95% interval 45 to 83)")


def test_percentages_change_in_points_and_an_unclear_change_says_so():
    pts = change_words(change("wait_bin_pct:Same Day", 40.8, -2.6, -2.9, -2.2))
    assert "would fall by about 2.6 percentage points" in pts and "from 40.8% to 38.2%" in pts
    unclear = change_words(change("unmet_per_1000_year", 240.0, 12.0, -5.0, 28.0, clear=False))
    assert unclear.startswith("no clear change in unmet demand: +12")
    assert "(95% interval −5 to +28, which includes no change)" in unclear
    assert "rise" not in unclear and "more" not in unclear


def _data(rows: list[dict], names=("base", "wave"), n_reps: int = 5) -> ReportData:
    infos = [ScenarioInfo(label=n, name=n, description="", interventions=["50% of GPs aged 50+ retire over 1 month "
                                                                           "(the whole area, from month 0)"] if k else [],
                          file=None, sha256=None, list_size=10_000, horizon_days=365,
                          start_date=dt.date(2025, 4, 1), config={}) for k, n in enumerate(names)]
    cmp = pd.DataFrame(rows)
    return ReportData(folder=Path("."), kind="comparison", manifest={}, scenarios=infos, comparison=cmp,
                      replications=pd.DataFrame(), series=pd.DataFrame(), period="month", n_reps=n_reps)


def _row(metric, scenario, mean, lo, hi, d=0.0, dlo=0.0, dhi=0.0, sig=False, level="lgpo", unit="A"):
    return {"level": level, "unit": unit, "metric": metric, "units": outcome(metric).unit if ":" not in metric
            or metric in ("wait_bin_pct:Same Day",) else "", "scenario": scenario, "n_reps": 5, "mean": mean,
            "ci_low": lo, "ci_high": hi, "diff_mean": d, "diff_ci_low": dlo, "diff_ci_high": dhi,
            "diff_significant": sig}


def test_summary_has_one_sentence_per_scenario_and_a_short_title():
    rows = [_row("unmet_per_1000_year", "base", 120, 110, 130), _row("unmet_per_1000_year", "wave", 184, 170, 198,
                                                                      64, 45, 83, True),
            _row("gp_fte_end", "base", 17.1, 17.1, 17.1), _row("gp_fte_end", "wave", 16.4, 16.4, 16.4, -0.7, -0.8,
                                                               -0.6, True)]
    data = _data(rows)
    (sentence,) = summary_sentences(data)
    assert sentence.startswith("wave (50% of GPs aged 50+ retire over 1 month) compared with base: about 64 more "
                               "requests per 1,000 patients a year would go unmet (95% interval 45 to 83)")
    assert "GP FTE in post at the end would fall by about 0.7 FTE (95% interval 0.6 to 0.8)" in sentence
    flat = change_words(change("gp_fte_end", 17.1, -0.7, -0.7, -0.7))
    assert "would fall by about 0.7 FTE (the same in every replication), from 17.1 to 16.4" in flat
    assert title(data) == "wave compared with base" and "\n" not in title(data)
    three = _data([*rows, _row("unmet_per_1000_year", "more", 1, 0, 2)], names=("base", "wave", "more"))
    assert title(three) == "2 scenarios compared with base"


def test_strain_words_never_call_a_fall_a_rise():
    rows = [_row("unmet_per_1000_year", "base", 300, 250, 350, level="practice", unit="P1"),
            _row("unmet_per_1000_year", "wave", 200, 150, 250, -100, -150, -50, True, level="practice", unit="P1")]
    (_, _, rise_base), (_, _, rise_wave) = strain_sentences(_data(rows))
    assert rise_base == "" and "rise" in rise_wave and "no practice" in rise_wave  # no "largest rise ... (−100)"


def test_intervals_are_clipped_to_each_outcomes_possible_range():
    lo, hi = clip_interval([-0.1, 95.0, np.nan], [2.8, 101.0, np.nan], (0.0, 100.0))
    assert lo.tolist()[:2] == [0.0, 95.0] and hi.tolist()[:2] == [2.8, 100.0] and math.isnan(lo[2])
    assert outcome("leavers").bounds == (0.0, math.inf)
    assert outcome("lost_pct").bounds == (0.0, 100.0) and outcome("wait_bin_pct:1 Day").bounds == (0.0, 100.0)
    assert outcome("continuity_upc").bounds == (0.0, 1.0)
    assert outcome("utilisation_pct").bounds == (0.0, math.inf)  # extras take it over 100%
    cmp = pd.DataFrame([_row("leavers", "base", 1.3, -0.1, 2.8), _row("lost_pct", "base", 99.0, 97.0, 101.0),
                        _row("continuity_upc", "base", 0.02, -0.01, 0.05, d=-0.5, dlo=-0.9, dhi=-0.1)])
    out = clip_to_range(cmp).set_index("metric")
    assert out.loc["leavers", "ci_low"] == 0.0 and out.loc["leavers", "ci_high"] == 2.8
    assert out.loc["lost_pct", "ci_high"] == 100.0 and out.loc["continuity_upc", "ci_low"] == 0.0
    assert out.loc["continuity_upc", "diff_ci_low"] == -0.9  # differences may be negative
    for o in OUTCOMES:
        assert o.bounds[0] == 0.0 and o.bounds[1] > 0


def test_palette_has_twenty_distinct_colours():
    assert len(PALETTE) >= 20 and len(set(PALETTE)) == len(PALETTE)
    rgb = np.array([to_rgb(c) for c in PALETTE[:20]])
    dist = np.sqrt(((rgb[:, None, :] - rgb[None, :, :]) ** 2).sum(axis=2)) + np.eye(20) * 9
    assert dist.min() > 0.12, dist.min()  # no two scenarios look alike


def test_costs_are_shown_only_when_the_comparison_has_cost_outcomes(monkeypatch):
    rows = [_row("unmet_per_1000_year", "base", 120, 110, 130), _row("unmet_per_1000_year", "wave", 184, 170, 198)]
    assert cost_groups(_data(rows)) == {}
    cost = dataclasses.replace(outcome("admin_cost_per_10k_gbp_year"), name="staff_cost_per_1000_year",
                               label="Staff cost", unit="GBP per 1,000 patients per year", group="cost")
    real = tables.outcome
    monkeypatch.setattr(tables, "outcome", lambda m: cost if m == "staff_cost_per_1000_year" else real(m))
    rows += [{**_row("unmet_per_1000_year", "base", 1, 0, 2), "metric": "staff_cost_per_1000_year", "mean": 9e4},
             {**_row("unmet_per_1000_year", "wave", 1, 0, 2), "metric": "staff_cost_per_1000_year", "mean": 8e4}]
    data = _data(rows)
    groups = cost_groups(data)
    assert [o.name for o in groups["Costs"]] == ["staff_cost_per_1000_year"]
    (t,) = outcome_tables(data, groups, "costs-table")
    (group, (row,)) = t.groups[0]
    assert group == "Costs" and row.label == "Staff cost" and row.cells[0].main.text == "90,000"


def test_headline_tables_fit_a_page_for_many_scenarios():
    names = [f"s{k}" for k in range(7)]
    rows = [_row("unmet_per_1000_year", n, 100 + k, 90, 110 + k, k, k - 1, k + 1, True) for k, n in enumerate(names)]
    ts = outcome_tables(_data(rows, names=names), {"Access": [outcome("unmet_per_1000_year")]}, "headline-table")
    assert [t.id for t in ts] == ["headline-table", "headline-table-2", "headline-table-3"]
    assert all(len(t.columns) <= 1 + 2 * tables.PER_TABLE for t in ts)
    shown = {c.main.scenario for t in ts for _, rs in t.groups for r in rs for c in r.cells}
    assert shown == set(names)


def test_excel_formats_follow_the_registry():
    assert excel_format("{:,.0f}") == "#,##0" and excel_format("{:.2f}") == "0.00"
    assert excel_format("{:,.1f}") == "#,##0.0" and excel_format("{:.3f}") == "0.000"


def test_a_flat_90th_percentile_is_explained_and_long_waits_shown():
    from sim.report.build import p90_note
    from sim.report.frames import LONG_WAIT_BINS, long_wait_frame

    rows = [_row("p90_wait_days", "base", 14.0, 14.0, 14.0), _row("p90_wait_days", "wave", 14.6, 13.2, 16.0)]
    data = _data(rows)
    note = p90_note(data)
    assert "whole number of days" in note and "In base (14 days) it is the same day in every replication" in note
    assert "wave (" not in note and "more than 14 days" in note
    # the share more than 14 days: the three longest bins summed per replication, paired differences
    reps = []
    for r in range(4):
        for k, b in enumerate(LONG_WAIT_BINS):
            reps.append({"level": "lgpo", "unit": "A", "metric": f"wait_bin_pct:{b}", "value": 2.0 + k + 0.1 * r,
                         "scenario": "base", "replication": r})
            reps.append({"level": "lgpo", "unit": "A", "metric": f"wait_bin_pct:{b}", "value": 2.5 + k + 0.1 * r,
                         "scenario": "wave", "replication": r})
        reps.append({"level": "lgpo", "unit": "A", "metric": "wait_bin_pct:Same Day", "value": 40.0,
                     "scenario": "base", "replication": r})
    data.replications = pd.DataFrame(reps)
    lw = long_wait_frame(data).set_index("scenario")
    assert math.isclose(lw.loc["base", "mean"], 9.0 + 0.3 * 1.5)  # (2+3+4) + 3 x 0.1 x mean(r)
    assert math.isclose(lw.loc["wave", "diff"], 1.5) and math.isclose(lw.loc["wave", "diff_ci_low"], 1.5)
