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
import html
import io
import json
import re
from pathlib import Path

import matplotlib
import pandas as pd

from sim.report.assumptions import assumptions_frame, interventions_frame
from sim.report.data import ReportData, ReportError, load
from sim.report.excel import report_sheets, write_excel
from sim.report.figures import DPI, FIGURES, PALETTE
from sim.report.frames import manifest_frame
from sim.report.tables import (
    change_class,
    fmt,
    frame_html,
    headline_html,
    strain_html,
    strain_sentences,
)
from sim.results.files import atomic_write
from sim.results.outcomes import outcome

esc = html.escape


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
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    ref = data.reference
    out = []
    if len(data.order) == 1:
        for metric in ANSWER_METRICS:
            if (metric, ref) in lg.index:
                label, f = outcome(metric).label, outcome(metric).fmt
                r = lg.loc[(metric, ref)]
                out.append(f"{esc(label)}: <b>{fmt(r['mean'], f)}</b> {esc(str(r['units']))}.")
        return out
    for name in data.order[1:]:
        clear, unclear = [], []
        for metric in ANSWER_METRICS:
            if (metric, name) not in lg.index or (metric, ref) not in lg.index:
                continue
            o = outcome(metric)
            label, f, direction = o.label, o.fmt, o.direction
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
    matplotlib.use("Agg")
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
    manifest = manifest_frame(data)
    sheets = report_sheets(data, assumptions, interventions, manifest)
    atomic_write(folder / "report.xlsx", lambda p: write_excel(sheets, p))
    text = render_html(data, figures, assumptions, interventions, manifest)
    return atomic_write(folder / "report.html", lambda p: p.write_text(text, encoding="utf-8"))


__all__ = ["ReportError", "build_report", "question"]
