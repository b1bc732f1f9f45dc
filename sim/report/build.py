"""A report a planner can put in front of a board: ``build_report(folder) -> report.html``.

Works on a folder from ``gpsim compare`` (scenarios side by side, paired differences) or from
``gpsim run`` (one scenario, one replication, no differences). Writes, into the folder:

- ``report.html``: one self-contained file (styles and figures inline) that opens offline;
- ``figures/*.png``: the same figures as PNG files;
- ``report.xlsx``: every table of the report, one sheet each.

The report states the question, the answer, its uncertainty and the assumptions: every parameter
that differs from the model's defaults, with the description (unit and source) of the field.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results.files import atomic_write

esc = html.escape


class ReportError(ValueError):
    """The folder is not one ``gpsim run`` or ``gpsim compare`` wrote (or is incomplete)."""


@dataclass
class ScenarioInfo:
    """One scenario of the report: its label, plain words and resolved configuration."""

    label: str
    name: str
    description: str
    interventions: list[str]
    file: str | None
    sha256: str | None
    list_size: int
    horizon_days: int
    start_date: dt.date
    config: dict[str, Any] | None


@dataclass
class ReportData:
    """Everything a report needs, the same shape for a run folder and a comparison folder."""

    folder: Path
    kind: str  # "run" or "comparison"
    manifest: dict[str, Any]
    scenarios: list[ScenarioInfo]
    comparison: pd.DataFrame  # comparison.csv columns (a run: n_reps 1, no intervals, zero differences)
    replications: pd.DataFrame  # summary rows + scenario, replication
    series: pd.DataFrame  # tidy per-period outcomes + scenario, replication
    period: str  # "month" or "week"
    staff: dict[tuple[str, int], pd.DataFrame] = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_reps: int = 1

    @property
    def order(self) -> list[str]:
        """Scenario labels, the reference first."""
        return [s.label for s in self.scenarios]

    @property
    def reference(self) -> str:
        """The scenario every other is compared with."""
        return self.scenarios[0].label


# ----------------------------------------------------------------------------- reading folders


def folder_kind(folder: Path) -> str:
    """'comparison' or 'run'; ReportError if the folder is neither."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder")
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ReportError(f"{manifest} is not valid JSON: {exc}") from None
        if m.get("kind") == "comparison" and (folder / "comparison.csv").is_file():
            return "comparison"
        if "resolved_config" in m and (folder / "summary.csv").is_file():
            return "run"
    raise ReportError(f"{folder} is neither a run folder (manifest.json and summary.csv from 'gpsim run') nor "
                      f"a comparison folder (manifest.json and comparison.csv from 'gpsim compare')")


def _interventions_in_words(config: dict[str, Any]) -> list[str]:
    from pydantic import TypeAdapter

    from sim.config.interventions import Intervention
    from sim.model.interventions import describe

    adapter = TypeAdapter(Intervention)
    return [describe(adapter.validate_python(iv)) for iv in config.get("interventions") or []]


def _date(text: Any) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text))


def load_run(folder: Path) -> ReportData:
    """A run folder as a one-scenario report."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    cfg = m["resolved_config"]
    label = str(m.get("scenario") or cfg.get("name"))
    summary = pd.read_csv(folder / "summary.csv")
    info = ScenarioInfo(label=label, name=cfg.get("name", label), description=cfg.get("description", ""),
                        interventions=_interventions_in_words(cfg), file=m.get("scenario_file"),
                        sha256=m.get("scenario_sha256"),
                        list_size=int(summary.loc[(summary["level"] == "lgpo") & (summary["metric"] == "list_size"),
                                                  "value"].sum()),
                        horizon_days=int(m.get("horizon_days", cfg.get("horizon_days"))),
                        start_date=_date(m.get("start_date", cfg.get("start_date"))), config=cfg)
    comparison = summary.assign(scenario=label, n_reps=1, mean=summary["value"], ci_low=float("nan"),
                                ci_high=float("nan"), diff_mean=0.0, diff_ci_low=float("nan"),
                                diff_ci_high=float("nan"), diff_significant=False).drop(columns=["value"])
    comparison["units"] = comparison["units"].fillna("")
    rep = int(m.get("replication", 0))
    period = "week" if (folder / "weekly.parquet").is_file() else "month"
    series_file = folder / ("weekly.parquet" if period == "week" else "monthly.parquet")
    series = pd.read_parquet(series_file).assign(scenario=label, replication=rep) if series_file.is_file() \
        else pd.DataFrame(columns=["date", "level", "unit", "metric", "value", "scenario", "replication"])
    staff = {(label, rep): pd.read_parquet(folder / "staff.parquet")} if (folder / "staff.parquet").is_file() else {}
    events = _read_events(folder / "events.csv").assign(scenario=label, replication=rep)
    return ReportData(folder=folder, kind="run", manifest=m, scenarios=[info], comparison=comparison,
                      replications=summary.assign(scenario=label, replication=rep), series=series,
                      period=period, staff=staff, events=events, n_reps=1)


def _read_events(path: Path) -> pd.DataFrame:
    cols = ["day", "staff", "role", "unit", "event", "fte"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=cols)


def load_comparison(folder: Path) -> ReportData:
    """A comparison folder: comparison.csv, the long tables, and each replication's staff and config."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    comparison = pd.read_csv(folder / "comparison.csv")
    comparison["units"] = comparison["units"].fillna("")
    scenarios = []
    staff: dict[tuple[str, int], pd.DataFrame] = {}
    for s in m["scenarios"]:
        label = s["label"]
        config = None
        for rep_dir in sorted((folder / label).glob("rep-*")):
            try:
                rep = int(rep_dir.name.split("-", 1)[1])
            except ValueError:
                continue
            if config is None and (rep_dir / "manifest.json").is_file():
                config = json.loads((rep_dir / "manifest.json").read_text(encoding="utf-8")).get("resolved_config")
            if (rep_dir / "staff.parquet").is_file():
                staff[(label, rep)] = pd.read_parquet(rep_dir / "staff.parquet")
        scenarios.append(ScenarioInfo(label=label, name=s.get("name", label), description=s.get("description", ""),
                                      interventions=list(s.get("interventions", [])), file=s.get("file"),
                                      sha256=s.get("sha256"), list_size=int(s.get("list_size", 0)),
                                      horizon_days=int(s["horizon_days"]), start_date=_date(s["start_date"]),
                                      config=config))
    reps_file, monthly_file = folder / "replications.parquet", folder / "monthly.parquet"
    replications = pd.read_parquet(reps_file) if reps_file.is_file() else pd.DataFrame(
        columns=["level", "unit", "metric", "value", "units", "scenario", "replication"])
    series = pd.read_parquet(monthly_file) if monthly_file.is_file() else pd.DataFrame(
        columns=["date", "level", "unit", "metric", "value", "scenario", "replication"])
    n_reps = int(comparison["n_reps"].max()) if len(comparison) else int(m.get("replications", 1))
    return ReportData(folder=folder, kind="comparison", manifest=m, scenarios=scenarios, comparison=comparison,
                      replications=replications, series=series, period="month", staff=staff,
                      events=_read_events(folder / "events.csv"), n_reps=n_reps)


def load(folder: str | Path) -> ReportData:
    """Read a run or comparison folder into a :class:`ReportData`."""
    folder = Path(folder)
    kind = folder_kind(folder)
    try:
        return load_comparison(folder) if kind == "comparison" else load_run(folder)
    except (OSError, KeyError, ValueError) as exc:
        raise ReportError(f"{folder}: cannot read the {kind} outputs ({type(exc).__name__}: {exc})") from None


# ----------------------------------------------------------------------------- words


def _what(words: str) -> str:
    """An intervention's plain words without its trailing '(scope, when)'."""
    words = re.sub(r"\b1 (month|year|day)s\b", r"1 \1", words)
    return words.rsplit(" (", 1)[0] if words.endswith(")") and " (" in words else words


def question(data: ReportData) -> str:
    """The question the report answers, in plain words."""
    others = data.scenarios[1:]
    if not others:
        s = data.scenarios[0]
        if s.interventions:
            return (f"What happens to access and workload if {' and '.join(_what(w) for w in s.interventions)}?")
        return (f"How do access and workload look in {s.name} over {s.horizon_days} days from "
                f"{s.start_date:%-d %B %Y}?")
    parts = []
    for s in others:
        if s.interventions:
            parts.append(" and ".join(_what(w) for w in s.interventions) +
                         (f" ({s.label})" if len(others) > 1 else ""))
        else:
            parts.append(f"we move from {data.reference} to {s.label}")
    return "What happens to access and workload if " + ", or if ".join(parts) + "?"


ANSWER_METRICS = ("lost_pct", "unmet_per_1000_year", "wait_bin_pct:Same Day", "mean_wait_days",
                  "appointments_per_fte_week:GP", "admin_hours_per_fte_week:GP", "overtime_hours_per_week",
                  "continuity_upc", "gp_fte_end")


def answer(data: ReportData) -> list[str]:
    """Bullet points (HTML) with the answer: the clear changes, and what did not clearly change."""
    from sim.report.tables import HEADLINE_FLAT, change_class, fmt

    spec = {m: (label, f, d) for m, label, f, d in HEADLINE_FLAT}
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    ref = data.reference
    out = []
    if len(data.order) == 1:
        for metric in ANSWER_METRICS:
            if (metric, ref) in lg.index:
                label, f, _ = spec[metric]
                r = lg.loc[(metric, ref)]
                out.append(f"{esc(label)}: <b>{fmt(r['mean'], f)}</b> {esc(str(r['units']))}.")
        return out
    for name in data.order[1:]:
        clear, unclear = [], []
        for metric in ANSWER_METRICS:
            if (metric, name) not in lg.index or (metric, ref) not in lg.index:
                continue
            label, f, direction = spec[metric]
            r, r0 = lg.loc[(metric, name)], lg.loc[(metric, ref)]
            if not r["diff_significant"]:
                unclear.append(label if label[1:2].isupper() else label[0].lower() + label[1:])
                continue
            cls = change_class(r["diff_mean"], True, direction)
            arrow = "▲" if r["diff_mean"] > 0 else "▼"
            clear.append(f'<li><span class="{cls}">{arrow}</span> {esc(label)}: {fmt(r0["mean"], f)} → '
                         f"<b>{fmt(r['mean'], f)}</b> <span class=\"unit\">{esc(str(r['units']))}</span> "
                         f'<span class="{cls}">{fmt(r["diff_mean"], f, True)}</span> '
                         f'<span class="ci">(95% interval {fmt(r["diff_ci_low"], f, True)} to '
                         f"{fmt(r['diff_ci_high'], f, True)})</span></li>")
        text = f"<b>{esc(name)}</b> compared with {esc(ref)}"
        text += (":<ul>" + "".join(clear) + "</ul>" if clear else ": no clear change in the key outcomes.")
        if unclear:
            text += (f'<span class="note">No clear change (the 95% interval includes 0) in '
                     f"{esc(', '.join(unclear))}.</span>")
        out.append(text)
    return out


def uncertainty(data: ReportData) -> str:
    """How to read the numbers: replications, intervals, common random numbers."""
    if data.kind == "run":
        return ("These figures come from <b>one replication</b> of one scenario, so they carry no uncertainty "
                "intervals. Run <code>gpsim compare</code> with <code>--reps 20</code> or more to get 95% "
                "intervals and differences between scenarios.")
    text = (f"Every figure is the mean of <b>{data.n_reps} replications</b> of each scenario; the bracketed "
            "ranges are 95% t-intervals over replications. Scenarios use <b>common random numbers</b>: "
            "replication <i>r</i> of every scenario sees the same patients, demand and absences, so the "
            "difference from the reference is taken replication by replication (a paired difference) and "
            "its interval is narrower than either scenario's own. A difference is called clear (●) when its "
            "95% interval excludes 0; red marks a change for the worse, green for the better.")
    if data.n_reps < 10:
        text += (f" With only {data.n_reps} replications the intervals are rough; use <code>--reps 20</code> "
                 "or more for decisions.")
    return text


# ----------------------------------------------------------------------------- html

CSS = """
:root { --nhs: #005EB8; --ink: #1f2a36; --muted: #5b6770; --line: #d8dde3; --bg: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; color: var(--ink);
  background: var(--bg); }
header { background: var(--nhs); color: #fff; padding: 28px 0 22px; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; opacity: .85; }
header h1 { margin: 6px 0 8px; font-size: 27px; line-height: 1.25; font-weight: 650; }
header .meta { font-size: 13.5px; opacity: .92; }
main { padding: 8px 0 40px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 18px 0; padding: 18px 24px 20px; }
h2 { font-size: 19px; margin: 0 0 10px; color: var(--nhs); }
h3 { font-size: 15.5px; margin: 18px 0 6px; }
p { margin: 6px 0 10px; }
.answer li { margin: 4px 0 8px; }
.note { color: var(--muted); font-size: 13.5px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 10px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { background: #e8eef5; font-weight: 600; border-bottom: 2px solid #b8c4d0; vertical-align: bottom; }
th small, td small { font-weight: 400; color: var(--muted); }
.r { text-align: right; font-variant-numeric: tabular-nums; }
td.r { white-space: nowrap; }
.scroll { overflow-x: auto; }
.answer ul { list-style: none; padding-left: 14px; margin: 4px 0 6px; }
.answer ul li { margin: 2px 0; }
span.unit { color: var(--muted); font-size: 13px; }
td.unit { color: var(--muted); font-size: 12.5px; }
tr.group th { background: #f3f5f7; color: var(--nhs); font-size: 12.5px; text-transform: uppercase; letter-spacing: .05em; }
.ci { color: var(--muted); font-size: 12px; }
.worse { color: #b42318; font-weight: 600; }
.better { color: #067647; font-weight: 600; }
.sig { font-size: 10px; vertical-align: 1px; }
td.diff.same { color: var(--ink); }
table.strain td { border-bottom: 1px solid #eef1f4; }
table.strain tr.first td { border-top: 1px solid #c9d2db; }
table.strain tr.pcn td.unitname { font-weight: 700; }
table.strain .d { display: block; font-size: 11.5px; color: var(--muted); }
table.strain .d.worse { color: #b42318; } table.strain .d.better { color: #067647; }
td.scen { color: var(--muted); font-size: 12.5px; white-space: nowrap; }
td.code, code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12.5px; }
td.code { word-break: break-word; }
td.muted { color: #98a2ab; white-space: nowrap; }
figure { margin: 14px 0 22px; }
figure img { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.scen-card { border-left: 4px solid var(--nhs); padding: 4px 12px; margin: 8px 0; }
.scen-card ul { margin: 4px 0; padding-left: 20px; }
details { margin: 8px 0; } summary { cursor: pointer; color: var(--nhs); }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 10px; overflow-x: auto; font-size: 11.5px; max-height: 480px; }
nav.toc { font-size: 13.5px; margin-top: 12px; }
nav.toc a { color: #fff; margin-right: 14px; text-decoration: none; border-bottom: 1px dotted #cfe0f3; }
footer { color: var(--muted); font-size: 12.5px; padding: 0 0 30px; }
@media print { body { background: #fff; } section { break-inside: avoid-page; border: 0; } nav.toc { display: none; } }
"""

SECTIONS = (("question", "The question and the answer"), ("scenarios", "Scenarios compared"),
            ("headline", "Headline outcomes"), ("figures", "Figures"), ("strain", "Where the strain falls"),
            ("assumptions", "Assumptions"), ("manifest", "Run manifest"))


def _scenarios_html(data: ReportData) -> str:
    from sim.report.figures import PALETTE

    out = []
    for k, s in enumerate(data.scenarios):
        colour = PALETTE[k % len(PALETTE)]
        role = " (reference)" if k == 0 and len(data.scenarios) > 1 else ""
        items = "".join(f"<li>{esc(w)}</li>" for w in s.interventions) or "<li>No interventions: the area as it is.</li>"
        out.append(f'<div class="scen-card" style="border-color:{colour}" data-scenario="{esc(s.label)}">'
                   f"<b>{esc(s.label)}</b>{role}"
                   f'<span class="note"> — {s.list_size:,} patients, {s.horizon_days} days from '
                   f"{s.start_date:%-d %b %Y}{', file ' + esc(str(s.file)) if s.file else ''}</span>"
                   f"{'<br>' + esc(s.description) if s.description else ''}<ul>{items}</ul></div>")
    return "".join(out)


def _manifest_frame(data: ReportData) -> pd.DataFrame:
    m = data.manifest
    rows: list[tuple[str, str]] = [("Report folder", str(data.folder)), ("Kind", data.kind)]
    if data.kind == "comparison":
        rows += [("Reference scenario", str(m.get("reference"))), ("Replications per scenario", str(m.get("replications"))),
                 ("Base seed", str(m.get("seed"))), ("Common random numbers", str(m.get("common_random_numbers")))]
    else:
        rows += [("Scenario", str(m.get("scenario"))), ("Seed", str(m.get("seed"))),
                 ("Replication", str(m.get("replication")))]
        rows += [(f"Timing: {k}", f"{v:g}") for k, v in (m.get("timings") or {}).items()]
    for s in data.scenarios:
        rows.append((f"Scenario file: {s.label}", f"{s.file or '—'} (sha256 {s.sha256 or '—'})"))
    rows += [("Started", str(m.get("started"))), ("Ended", str(m.get("ended")))]
    rows.append(("Packages", ", ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items())))
    rows.append(("Report written", dt.datetime.now().isoformat(timespec="seconds")))
    return pd.DataFrame(rows, columns=["Item", "Value"])


def _figure_html(figures: list[tuple[str, str, bytes]]) -> str:
    out = []
    for n, (stem, caption, png) in enumerate(figures, start=1):
        b64 = base64.b64encode(png).decode("ascii")
        out.append(f'<figure id="fig-{stem}" data-figure="{stem}"><img alt="Figure {n}: {esc(caption)}" '
                   f'src="data:image/png;base64,{b64}"><figcaption><b>Figure {n}.</b> {esc(caption)} '
                   f'<span class="note">(figures/{stem}.png)</span></figcaption></figure>')
    return "".join(out)


def render_html(data: ReportData, figures: list[tuple[str, str, bytes]], assumptions: pd.DataFrame,
                interventions: pd.DataFrame, manifest: pd.DataFrame) -> str:
    """The whole report as one HTML document."""
    from sim.report.tables import frame_html, headline_html, strain_html, strain_sentences

    s0 = data.scenarios[0]
    q = question(data)
    meta = (f"{s0.list_size:,} registered patients · {s0.horizon_days} days from {s0.start_date:%-d %B %Y} · "
            + (f"{len(data.scenarios)} scenarios × {data.n_reps} replications" if data.kind == "comparison"
               else "one run, one replication"))
    toc = "".join(f'<a href="#{sid}">{esc(title if sid != "scenarios" or len(data.order) > 1 else "Scenario")}</a>'
                  for sid, title in SECTIONS)
    answer_items = "".join(f"<li>{a}</li>" for a in answer(data))
    strain_words = "".join(f"<p>{t}</p>" for t in strain_sentences(data))
    resolved = "".join(
        f"<details><summary>Resolved configuration of {esc(s.label)} (the full scenario as run)</summary>"
        f"<pre>{esc(json.dumps(s.config, indent=1))}</pre></details>" for s in data.scenarios if s.config)
    manifest_json = {k: v for k, v in data.manifest.items() if k != "resolved_config"}
    assumptions_html = (frame_html(assumptions, "assumptions-table", code_cols=tuple(
        c for c in assumptions.columns if c not in ("Meaning, unit and source",)), muted="= default")
        if len(assumptions) else "<p>Every parameter is at its default.</p>")
    interventions_html = (frame_html(interventions, "interventions-table", code_cols=("Parameters",))
                          if len(interventions) else "<p>No interventions.</p>")
    body = f"""
<header><div class="wrap">
<div class="kicker">gpsim report · {esc(data.kind)} · {esc(str(data.folder.name))}</div>
<h1 id="title">{esc(q)}</h1>
<div class="meta">{esc(meta)}</div>
<nav class="toc">{toc}</nav>
</div></header>
<main><div class="wrap">
<section id="question"><h2>The question and the answer</h2>
<p class="q"><b>Question.</b> {esc(q)}</p>
<div id="answer"><p><b>Answer.</b></p><ul class="answer">{answer_items}</ul></div>
<p class="note" id="uncertainty"><b>Uncertainty.</b> {uncertainty(data)}</p>
</section>
<section id="scenarios"><h2>{"Scenarios compared" if len(data.order) > 1 else "Scenario"}</h2>{_scenarios_html(data)}</section>
<section id="headline"><h2>Headline outcomes</h2>
<p class="note">Whole area, over the reporting horizon. {"Differences are from " + esc(data.reference) +
    ", paired by replication; ● = the 95% interval excludes 0." if len(data.order) > 1 else ""}</p>
{headline_html(data)}</section>
<section id="figures"><h2>Figures</h2>{_figure_html(figures)}</section>
<section id="strain"><h2>Where the strain falls</h2>
<p class="note">Each PCN, then its practices. Shading: darker red = more strained within its level across all
scenarios.{" Under each value, the difference from " + esc(data.reference) + " (● = 95% interval excludes 0)."
    if len(data.order) > 1 else ""}</p>{strain_words}<div class="scroll">{strain_html(data)}</div></section>
<section id="assumptions"><h2>Assumptions</h2>
<p class="note">Every model parameter that differs from gpsim's defaults (the area's practices, staff and list
sizes are the scenario's own and not listed). The last column is the parameter's documentation: its unit and
the source of the default. Parameters not listed are at the defaults documented in <code>sim/config/scenario.py</code>.</p>
{assumptions_html}
<h3>Interventions</h3>{interventions_html}</section>
<section id="manifest"><h2>Run manifest</h2>{frame_html(manifest, "manifest-table")}
<details><summary>manifest.json</summary><pre>{esc(json.dumps(manifest_json, indent=1, default=str))}</pre></details>
{resolved}</section>
</div></main>
<footer><div class="wrap">Written by <code>gpsim report</code>. Tables also in report.xlsx; figures in figures/.
Output files and columns are described in docs/outputs.md.</div></footer>"""
    return (f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(q)}</title><style>{CSS}</style></head><body>{body}</body></html>\n")


# ----------------------------------------------------------------------------- build


def build_report(folder: str | Path) -> Path:
    """Write report.html, figures/*.png and report.xlsx into ``folder``; return the path of report.html."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.report.figures import DPI, FIGURES
    from sim.report.tables import (
        assumptions_frame,
        continuity_frame,
        fte_series,
        headline_frame,
        interventions_frame,
        strain_frame,
        unmet_series,
        wait_frame,
        write_excel,
    )

    data = load(folder)
    folder = data.folder
    figures = []
    for stem, func, caption in FIGURES:
        fig = func(data)
        if fig is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
        png = buf.getvalue()
        atomic_write(folder / "figures" / f"{stem}.png", lambda p, png=png: p.write_bytes(png))
        figures.append((stem, caption, png))
    assumptions = assumptions_frame(data)
    interventions = interventions_frame(data)
    manifest = _manifest_frame(data)
    scenarios = pd.DataFrame([{"Scenario": s.label, "Name": s.name, "Description": s.description,
                               "Interventions": "; ".join(s.interventions), "File": s.file, "sha256": s.sha256,
                               "Patients": s.list_size, "Horizon (days)": s.horizon_days,
                               "Start date": s.start_date} for s in data.scenarios])
    sheets = {
        "Scenarios": scenarios,
        "Headline outcomes": headline_frame(data),
        "Days to appointment": wait_frame(data).rename(columns={"pct": "% of appointments"}),
        "Unmet demand over time": unmet_series(data).rename(
            columns={"mean": "lost per 1,000 patients a year (mean)"}),
        "FTE by role over time": fte_series(data),
        "Continuity": continuity_frame(data).rename(columns={"mean": "UPC (mean)"}),
        "Where the strain falls": strain_frame(data),
        "Assumptions": assumptions,
        "Interventions": interventions,
        "All outcomes": data.comparison,
        "Manifest": manifest,
    }
    atomic_write(folder / "report.xlsx", lambda p: write_excel(sheets, p))
    text = render_html(data, figures, assumptions, interventions, manifest)
    return atomic_write(folder / "report.html", lambda p: p.write_text(text, encoding="utf-8"))


__all__ = ["ReportData", "ReportError", "ScenarioInfo", "build_report", "folder_kind", "load", "question"]
