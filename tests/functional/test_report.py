"""Reports: gpsim report on a small comparison and on a single run; headline numbers trace to comparison.csv."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.cli.main import main
from sim.report.assumptions import parameter_differences
from sim.report.build import build_report
from sim.report.data import ReportData, ReportError, ScenarioInfo, folder_kind
from sim.report.frames import HEADLINE
from sim.report.tables import fmt
from sim.report.words import title
from sim.results.outcomes import outcome
from sim.results.summary_destinations import DESTINATION_METRICS
from tests.conftest import ROOT, scenario, tiny_mapping

SECTIONS = ("summary", "findings", "uncertainty", "scenarios", "headline", "figures", "strain", "limitations",
            "assumptions", "manifest")
FIGURES = ("wait_distribution", "unmet_over_time", "workload_per_fte", "gp_admin", "fte_over_time", "continuity")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def two_pcn_mapping(days: int = 45) -> dict:
    """Two PCNs of two practices each (about 15,000 patients): small enough to run in seconds."""
    m = tiny_mapping(list_sizes=(3000, 4500), gps=(3, 3), nurses=(1, 2), days=days, seed=11)
    other = tiny_mapping(list_sizes=(3500, 4000), gps=(2, 3), nurses=(1, 1))["area"]["pcns"][0]
    other["code"] = "TN2"
    for k, pr in enumerate(other["practices"]):
        pr["code"] = f"U{k}"
    m["area"]["pcns"].append(other)
    return m


@pytest.fixture(scope="session")
def comparison_dir(tmp_path_factory) -> Path:
    """Two scenarios, 45 days, 2 replications, run once and reported once."""
    from sim.experiments.compare import finish, plan, run_task

    root = tmp_path_factory.mktemp("report")
    base = two_pcn_mapping() | {"name": "base"}
    (root / "base.yaml").write_text(yaml.safe_dump(base))
    (root / "wave.yaml").write_text("extends: base.yaml\nname: gp-retirement-wave\ninterventions:\n"
                                    "- {type: retirement, wave: {role: GP, min_age: 50, share: 0.5, over_months: 1}}\n")
    out = root / "cmp"
    tasks, infos = plan([root / "base.yaml", root / "wave.yaml"], 2, out)
    for t in tasks:
        run_task(t)
    finish(out, tasks, infos, 2, tasks[0].mapping["seed"], dt.datetime.now())
    build_report(out)
    return out


class Collector(HTMLParser):
    """Parse the report, checking every non-void tag closes in order, and collect what the tests need."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.figures: list[str] = []
        self.imgs: list[str] = []
        self.external: list[str] = []
        self.nums: list[dict[str, str]] = []
        self._num: dict[str, str] | None = None
        self._text: list[str] = []
        self.table: str | None = None
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table":
            self.table = a.get("id")
        if tag == "figure" and "data-figure" in a:
            self.figures.append(a["data-figure"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        for key in ("src", "href"):
            v = a.get(key)
            if v and not (v.startswith("data:") or v.startswith("#")):
                self.external.append(v)
        if tag == "span" and a.get("class") == "num":
            self._num = {**a, "table": self.table or ""}
            self._text = []
        if tag == "h1":
            self._in_h1 = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "span" and self._num is not None:
            self._num["text"] = "".join(self._text)
            self.nums.append(self._num)
            self._num = None
        if tag == "h1":
            self._in_h1 = False
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if self._num is not None:
            self._text.append(data)
        if self._in_h1:
            self.h1 += data


def parse(path: Path) -> Collector:
    p = Collector()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    return p


def test_comparison_report_writes_html_figures_and_workbook(comparison_dir):
    html = comparison_dir / "report.html"
    assert html.is_file() and html.stat().st_size > 100_000
    for stem in FIGURES:
        png = comparison_dir / "figures" / f"{stem}.png"
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", stem
        assert png.stat().st_size > 15_000, stem
    assert (comparison_dir / "report.xlsx").is_file()
    assert not list(comparison_dir.glob(".*.tmp")) and not list((comparison_dir / "figures").glob(".*.tmp"))


def test_html_parses_is_self_contained_and_has_every_section_and_figure(comparison_dir):
    p = parse(comparison_dir / "report.html")
    assert not p.errors, p.errors[:5]
    assert p.stack == [], p.stack
    assert set(SECTIONS) <= p.ids, set(SECTIONS) - p.ids
    assert {"headline-table", "strain-table", "strain-pcn-table", "assumptions-table", "defaults-table",
            "interventions-table", "manifest-table"} <= p.ids
    # the six figures, then the cost plane (two scenarios with cost outcomes; no IMD scores: no equity figures)
    assert p.figures == [*FIGURES, "cost_plane"]
    assert len(p.imgs) == len(FIGURES) + 1 and all(s.startswith("data:image/png;base64,") for s in p.imgs)
    assert p.external == []  # nothing to fetch: opens offline
    assert p.h1 == "gp-retirement-wave compared with base"  # short, not a generated question
    text = (comparison_dir / "report.html").read_text(encoding="utf-8")
    assert "<link" not in text and "<script" not in text
    # the scenarios and interventions in plain words, the assumptions with their source
    assert "gp-retirement-wave" in text and "50% of GPs aged 50+ retire over 1 month" in text
    assert "horizon_days" in text and "simulated days reported" in text
    assert "PCN TN1" in text and "PCN TN2" in text


def test_headline_numbers_equal_comparison_csv(comparison_dir):
    cmp = pd.read_csv(comparison_dir / "comparison.csv")
    lg = cmp[cmp["level"] == "lgpo"].set_index(["metric", "scenario"])
    nums = [n for n in parse(comparison_dir / "report.html").nums if n["table"].startswith("headline-table")]
    seen = set()
    clipped = 0
    for n in nums:
        expected = lg.loc[(n["data-metric"], n["data-scenario"]), n["data-stat"]]
        if n["data-stat"] in ("ci_low", "ci_high"):  # intervals are clipped to the outcome's possible range
            lo, hi = outcome(n["data-metric"]).bounds
            expected = min(max(expected, lo), hi)
            clipped += expected != lg.loc[(n["data-metric"], n["data-scenario"]), n["data-stat"]]
        got = float(n["data-value"])
        assert (math.isnan(got) and math.isnan(expected)) or got == expected, n
        signed = n["data-stat"].startswith("diff")
        assert n["text"] == fmt(expected, outcome(n["data-metric"]).fmt, signed), n
        seen.add((n["data-metric"], n["data-scenario"], n["data-stat"]))
    assert clipped > 0  # this comparison has intervals that reach below 0 (so the clipping is tested)
    headline = [m for m in HEADLINE if m in set(lg.index.get_level_values(0))]
    assert len(headline) >= 15
    for metric in headline:
        for stat in ("mean", "ci_low", "ci_high"):
            assert (metric, "base", stat) in seen and (metric, "gp-retirement-wave", stat) in seen
        for stat in ("diff_mean", "diff_ci_low", "diff_ci_high"):
            assert (metric, "gp-retirement-wave", stat) in seen
    # the strain table's numbers trace to comparison.csv too
    strain = [n for n in parse(comparison_dir / "report.html").nums if n["table"] == "strain-table"]
    assert strain
    idx = cmp.set_index(["metric", "scenario", "unit"]).sort_index()
    practices = set(cmp.loc[cmp["level"] == "practice", "unit"])
    assert len({n["data-metric"] for n in strain}) >= 6
    for n in strain[:40]:
        vals = idx.loc[(n["data-metric"], n["data-scenario"]), "mean"].to_numpy(dtype=float)
        assert np.isnan(float(n["data-value"])) or float(n["data-value"]) in vals
    text = (comparison_dir / "report.html").read_text(encoding="utf-8")
    assert practices == set(re.findall(r'data-level="practice" data-unit="([^"]+)"', text))


def test_destinations_table_shows_where_unmet_demand_went_as_in_comparison_csv(comparison_dir):
    """The report's 'where unmet demand goes' table: the five destinations, numbers as in comparison.csv."""
    cmp = pd.read_csv(comparison_dir / "comparison.csv")
    lg = cmp[cmp["level"] == "lgpo"].set_index(["metric", "scenario"])
    nums = [n for n in parse(comparison_dir / "report.html").nums if n["table"] == "destinations-table"]
    assert {n["data-metric"] for n in nums} == set(DESTINATION_METRICS.values())
    for n in nums:
        if n["data-stat"] in ("mean", "diff_mean"):
            assert float(n["data-value"]) == lg.loc[(n["data-metric"], n["data-scenario"]), n["data-stat"]]
    # the five add up to the unmet demand in every scenario
    for name in ("base", "gp-retirement-wave"):
        parts = sum(lg.loc[(m, name), "mean"] for m in DESTINATION_METRICS.values())
        assert parts == pytest.approx(lg.loc[("unmet_per_1000_year", name), "mean"], abs=0.01)  # csv rounds


def test_summary_says_the_clear_changes_in_words(comparison_dir):
    text = (comparison_dir / "report.html").read_text(encoding="utf-8")
    findings = text.split('id="findings"')[1].split("</ul>")[0]
    assert findings.count("<li>") == 1  # one sentence per scenario compared
    assert "50% of GPs aged 50+ retire over 1 month" in findings and "compared with base" in findings
    assert "unmet" in findings and "95% interval" in findings


def test_workbook_has_one_sheet_per_table(comparison_dir):
    from openpyxl import load_workbook

    wb = load_workbook(comparison_dir / "report.xlsx", read_only=True)
    for sheet in ("Scenarios", "Headline outcomes", "Days to appointment", "Unmet demand over time",
                  "FTE by role over time", "Continuity", "Where the strain falls", "Assumptions", "Interventions",
                  "All outcomes", "Manifest"):
        assert sheet in wb.sheetnames, sheet
    head = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Headline outcomes")
    cmp = pd.read_csv(comparison_dir / "comparison.csv")
    row = head[head["Metric"] == "lost_pct"].iloc[0]
    ref = cmp[(cmp["level"] == "lgpo") & (cmp["metric"] == "lost_pct")].set_index("scenario")
    assert row["base: mean"] == ref.loc["base", "mean"]
    assert row["gp-retirement-wave − base: difference"] == ref.loc["gp-retirement-wave", "diff_mean"]
    wait = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Days to appointment")
    assert set(wait["bin"]) == {"Same Day", "1 Day", "2 to 7 Days", "8  to 14 Days", "15  to 21 Days",
                                "22  to 28 Days", "More than 28 Days"}


def test_workbook_is_formatted_filtered_and_complete(comparison_dir):
    from openpyxl import load_workbook

    wb = load_workbook(comparison_dir / "report.xlsx")
    for ws in wb:  # every sheet: one Excel table over all its cells (filters on), the header frozen
        assert ws.freeze_panes == "A2", ws.title
        (table,) = ws.tables.values()
        assert table.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
    # numbers carry the registry's format by unit (the cell keeps the exact value)
    ws = wb["Headline outcomes"]
    head = [c.value for c in ws[1]]
    col = head.index("base: mean") + 1
    for row in ws.iter_rows(min_row=2):
        metric = row[head.index("Metric")].value
        cell = row[col - 1]
        spec = outcome(metric).fmt
        expected = {"{:,.0f}": "#,##0", "{:.2f}": "0.00", "{:.1f}": "0.0", "{:.3f}": "0.000",
                    "{:,.1f}": "#,##0.0"}[spec]
        assert cell.number_format == expected, (metric, cell.number_format)
    all_rows = wb["All outcomes"]
    assert all(c.number_format != "General" for c in next(all_rows.iter_cols(
        min_col=[c.value for c in all_rows[1]].index("mean") + 1, min_row=2, max_row=50)))
    # the Assumptions sheet is filled: the non-default parameters, then the key defaults with sources
    a = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Assumptions")
    assert "horizon_days" in set(a["Parameter (YAML path)"])
    keys = a[a["Kind"] == "key default"]
    assert len(keys) >= 10 and keys["Meaning, unit and source"].str.contains("Hobbs").any()
    # the runs' monthly tables: whole area per replication, every unit as the mean of replications
    monthly = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Monthly, whole area")
    series = pd.read_parquet(comparison_dir / "monthly.parquet")
    assert len(monthly) == series[series["level"] == "lgpo"].groupby(["scenario", "replication", "date"]).ngroups
    assert {"requests", "lost", "appointments"} <= set(monthly.columns)
    by_unit = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Monthly, by unit")
    assert set(by_unit["level"]) == {"lgpo", "pcn", "practice"}
    # a chart of the headline (unmet demand by scenario) with its data beside it
    chart_ws = wb["Chart"]
    assert len(chart_ws._charts) == 1
    assert [c.value for c in chart_ws["A"][1:]] == ["base", "gp-retirement-wave"]
    # the full per-practice table is in the workbook (the report shows the ten most strained)
    strain = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Where the strain falls")
    cmp = pd.read_csv(comparison_dir / "comparison.csv")
    assert set(strain.loc[strain["Level"] == "Practice", "Unit"]) == set(cmp.loc[cmp["level"] == "practice", "unit"])


def test_parameter_differences_name_path_value_default_and_source():
    m = tiny_mapping(days=30)
    m["booking"] = {"book_ahead_days": 21}
    m["demand"] = {"rate_per_patient_year": {"0-4": 6.5, "5-14": 3.0, "15-24": 4.0, "25-44": 4.8, "45-64": 6.0,
                                             "65-74": 8.5, "75-84": 11.0, "85+": 15.0}}
    sc = scenario(m)
    cfg = sc.model_dump(mode="json")
    cfg["roles"]["GP"]["slot_minutes"] = 12.0
    rows = {r["path"]: r for r in parameter_differences(cfg)}
    assert rows["booking.book_ahead_days"]["value"] == 21
    assert rows["booking.book_ahead_days"]["default"] == 28
    assert "days ahead" in rows["booking.book_ahead_days"]["description"]
    assert rows["demand.rate_per_patient_year.85+"]["value"] == 15.0
    assert "Hobbs" in rows["demand.rate_per_patient_year.85+"]["description"]
    assert rows["roles.GP.slot_minutes"]["default"] == 10.0 and "Hobbs" in rows["roles.GP.slot_minutes"]["description"]
    assert rows["horizon_days"]["value"] == 30
    assert not any(p.startswith(("area", "seed", "name", "interventions")) for p in rows)
    assert "demand.rate_per_patient_year.0-4" not in rows
    # a scenario at every default lists nothing but what it must set
    assert set(parameter_differences(scenario(tiny_mapping(days=365, warm_up=28)).model_dump(mode="json"))) == set()


def test_run_folder_report_through_the_cli(tmp_path):
    from sim.experiments.runner import run_single, write_run

    sc = scenario(tiny_mapping(days=30))
    write_run(run_single(sc), tmp_path / "run", scenario_file="<test>")
    assert folder_kind(tmp_path / "run") == "run"
    r = CliRunner().invoke(main, ["report", str(tmp_path / "run")])
    assert r.exit_code == 0, r.output
    assert "report.html" in r.output
    p = parse(tmp_path / "run" / "report.html")
    assert not p.errors and set(SECTIONS) <= p.ids
    summary = pd.read_csv(tmp_path / "run" / "summary.csv")
    lg = summary[summary["level"] == "lgpo"].set_index("metric")["value"]
    nums = [n for n in p.nums if n["table"].startswith("headline-table")]
    assert nums and {n["data-stat"] for n in nums} == {"mean"}
    for n in nums:
        assert float(n["data-value"]) == lg[n["data-metric"]] or math.isnan(lg[n["data-metric"]])
    assert "one replication" in (tmp_path / "run" / "report.html").read_text()
    assert (tmp_path / "run" / "report.xlsx").is_file()
    assert (tmp_path / "run" / "figures" / "unmet_over_time.png").is_file()


def test_report_on_a_folder_that_is_neither_is_a_clear_error(tmp_path):
    (tmp_path / "x.csv").write_text("a\n1\n")
    r = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert r.exit_code != 0 and "neither a run folder" in r.output and "Traceback" not in r.output
    with pytest.raises(ReportError):
        build_report(tmp_path)
    r = CliRunner().invoke(main, ["report", str(tmp_path / "missing")])
    assert r.exit_code != 0


def test_title_of_a_run_names_the_scenario(tmp_path):
    info = ScenarioInfo(label="small", name="small", description="", interventions=[], file=None, sha256=None,
                        list_size=1, horizon_days=30, start_date=dt.date(2025, 4, 1), config={})
    data = ReportData(folder=tmp_path, kind="run", manifest={}, scenarios=[info], comparison=pd.DataFrame(),
                      replications=pd.DataFrame(), series=pd.DataFrame(), period="week")
    assert title(data) == "small: access and workload"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.browser
def test_report_renders_in_headless_chromium(comparison_dir, tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
    png = tmp_path / "report.png"
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1280,2400",
           (comparison_dir / "report.html").resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert png.is_file(), proc.stderr[-2000:]
    assert png.stat().st_size > 50_000
    from matplotlib.image import imread

    img = imread(png)[:, :, :3]
    assert img.shape[0] == 2400 and img.shape[1] == 1280
    background = np.all(np.abs(img - img[-1, -1]) < 0.02, axis=2)
    assert background.mean() < 0.9  # mostly not blank
    assert img.std() > 0.05
    out = ROOT / "outputs"
    out.mkdir(exist_ok=True)
    shutil.copyfile(png, out / "report-screenshot.png")


def test_report_pdf_without_chromium_is_a_clear_message(comparison_dir, monkeypatch):
    monkeypatch.setenv("GPSIM_CHROMIUM", str(comparison_dir / "no-such-browser"))
    r = CliRunner().invoke(main, ["report", str(comparison_dir), "--pdf"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "no Chromium found" in r.output and "chromium" in r.output and "report.html is written" in r.output
    assert (comparison_dir / "report.html").is_file() and not (comparison_dir / "report.pdf").exists()


def test_report_templates_are_package_data():
    from importlib.resources import files

    names = {p.name for p in files("sim.report").joinpath("templates").iterdir()}
    assert {"report.html.j2", "macros.html.j2", "limitations.html.j2", "report.css"} <= names
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"sim.report" = ["templates/*"]' in pyproject


def test_no_legend_covers_a_plot_or_a_title(comparison_dir):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.report.data import load
    from sim.report.figures import FIGURES

    data = load(comparison_dir)
    checked = 0
    for stem, func, _ in FIGURES:
        fig = func(data)
        FigureCanvasAgg(fig).draw()
        renderer = fig.canvas.get_renderer()
        legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
        boxes = [ax.get_window_extent(renderer) for ax in fig.axes if ax.get_visible()]
        titles = [t.get_window_extent(renderer) for ax in fig.axes for t in (ax.title, ax._left_title)
                  if t.get_text()] + ([fig._suptitle.get_window_extent(renderer)] if fig._suptitle else [])
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for other in boxes + titles:
                assert not box.overlaps(other), (stem, box, other)
            checked += 1
    assert checked >= 6


def test_workforce_by_year_matches_the_replications_staff_tables(comparison_dir):
    """The report's workforce table and workbook sheet: the retirement wave's GP leavers, mean over replications."""
    p = parse(comparison_dir / "report.html")
    assert "workforce-table" in p.ids
    sheet = pd.read_excel(comparison_dir / "report.xlsx", sheet_name="Workforce by year")
    months = pd.read_parquet(comparison_dir / "staff_by_month.parquet")
    gp = months[(months["level"] == "lgpo") & (months["role"] == "GP")]
    for name in ("base", "gp-retirement-wave"):
        mine = gp[gp["scenario"] == name]
        expected = mine["leavers"].sum() / mine["replication"].nunique()
        got = sheet[(sheet["scenario"] == name) & (sheet["role"] == "GP")]["leavers"].sum()
        assert got == pytest.approx(expected)
    wave = sheet[(sheet["scenario"] == "gp-retirement-wave") & (sheet["role"] == "GP")]["leavers"].sum()
    base = sheet[(sheet["scenario"] == "base") & (sheet["role"] == "GP")]["leavers"].sum()
    assert wave > base  # half the GPs aged 50+ retire in the first month
