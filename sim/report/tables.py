"""The report's HTML tables: headline outcomes, strain by PCN and practice, and plain tables.

The HTML carries the exact values in ``data-value`` attributes next to the rounded text, so a
reader (or a test) can trace each number to ``comparison.csv`` or ``summary.csv``.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.report.data import ReportData
from sim.report.frames import STRAIN, headline_groups, unit_order
from sim.results.outcomes import LEVEL_ORDER, outcome

esc = html.escape


def fmt(value: Any, spec: str = "{:.2f}", signed: bool = False) -> str:
    """A number for a table cell: en dash for missing values, a real minus sign, optional plus sign."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    text = spec.format(v)
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.0"
    if signed and not text.startswith("-"):
        text = "+" + text
    return text.replace("-", "−")


def num_span(value: Any, spec: str, stat: str, scenario: str, metric: str, signed: bool = False,
             unit: str | None = None) -> str:
    """A number with its exact value in ``data-value`` (and what it is in data-stat/scenario/metric)."""
    try:
        exact = repr(float(value))
    except (TypeError, ValueError):
        exact = "nan"
    extra = f' data-unit="{esc(unit)}"' if unit else ""
    return (f'<span class="num" data-metric="{esc(metric)}" data-scenario="{esc(scenario)}" '
            f'data-stat="{stat}" data-value="{exact}"{extra}>{fmt(value, spec, signed)}</span>')


def bin_label(label: str) -> str:
    """NHS Digital's bin label with single spaces, for display."""
    return " ".join(label.split())


def headline_html(data: ReportData) -> str:
    """The headline table, with exact values in data-value attributes."""
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    paired = len(data.order) > 1
    ci = data.n_reps > 1
    head = ["<th>Outcome (whole area)</th><th>Unit</th>"]
    for k, name in enumerate(data.order):
        tag = " <small>(reference)</small>" if paired and k == 0 else ""
        head.append(f'<th class="r">{esc(name)}{tag}</th>')
    for name in data.order[1:]:
        head.append(f'<th class="r">{esc(name)} − {esc(data.reference)}<br><small>paired difference'
                    f"{' [95% interval]' if ci else ''}</small></th>")
    out = ['<table class="headline" id="headline-table"><thead><tr>', *head, "</tr></thead><tbody>"]
    ncol = 2 + len(data.order) + len(data.order) - 1
    for group, items in headline_groups().items():
        present = [o for o in items if o.name in lg.index.get_level_values(0)]
        if not present:
            continue
        out.append(f'<tr class="group"><th colspan="{ncol}">{esc(group)}</th></tr>')
        for o in present:
            metric, label, unit, spec, direction = o.name, o.label, o.unit, o.fmt, o.direction
            cells = [f'<tr data-metric="{esc(metric)}"><td>{esc(label)}</td><td class="unit">{esc(str(unit))}</td>']
            for name in data.order:
                if (metric, name) not in lg.index:
                    cells.append("<td></td>")
                    continue
                r = lg.loc[(metric, name)]
                text = num_span(r["mean"], spec, "mean", name, metric)
                if ci:
                    text += (f' <span class="ci">[{num_span(r["ci_low"], spec, "ci_low", name, metric)}, '
                             f'{num_span(r["ci_high"], spec, "ci_high", name, metric)}]</span>')
                cells.append(f'<td class="r">{text}</td>')
            for name in data.order[1:]:
                if (metric, name) not in lg.index:
                    cells.append("<td></td>")
                    continue
                r = lg.loc[(metric, name)]
                cls = change_class(r["diff_mean"], bool(r["diff_significant"]), direction)
                text = num_span(r["diff_mean"], spec, "diff_mean", name, metric, signed=True)
                if ci:
                    text += (f' <span class="ci">[{num_span(r["diff_ci_low"], spec, "diff_ci_low", name, metric, True)}, '
                             f'{num_span(r["diff_ci_high"], spec, "diff_ci_high", name, metric, True)}]</span>')
                if r["diff_significant"]:
                    text += ' <span class="sig" title="the 95% interval excludes 0">●</span>'
                cells.append(f'<td class="r diff {cls}" data-significant="{str(bool(r["diff_significant"])).lower()}">'
                             f"{text}</td>")
            out.append("".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def change_class(diff: float, significant: bool, direction: int) -> str:
    """CSS class of a difference: 'worse' / 'better' where the 95% interval excludes 0, else 'same'."""
    if not significant or not direction or not np.isfinite(diff) or diff == 0:
        return "same"
    return "worse" if diff * direction > 0 else "better"


def strain_html(data: ReportData) -> str:
    """Per-PCN and per-practice table; cells tinted by how strained the unit is within its level."""
    idx = data.comparison.set_index(["level", "unit", "metric", "scenario"])
    units = unit_order(data)
    paired = len(data.order) > 1
    # tint scale per (level, metric) over every scenario
    scale: dict[tuple[str, str], tuple[float, float]] = {}
    for level in LEVEL_ORDER[1:]:  # PCNs and practices; the area has no row here
        for metric in STRAIN:
            vals = [idx["mean"].get((lv, u, metric, s), math.nan) for lv, u in units if lv == level
                    for s in data.order]
            vals = [v for v in vals if np.isfinite(v)]
            if vals:
                scale[(level, metric)] = (min(vals), max(vals))
    head = ['<th>Unit</th><th class="r">Patients</th>']
    if paired:
        head.append("<th>Scenario</th>")
    head += [f'<th class="r">{esc(o.heading)}<br><small>{esc(o.unit)}</small></th>' for o in map(outcome, STRAIN)]
    out = ['<table class="strain" id="strain-table"><thead><tr>', *head, "</tr></thead><tbody>"]
    for level, unit in units:
        size = idx["mean"].get((level, unit, "list_size", data.reference), math.nan)
        for k, name in enumerate(data.order):
            cls = "pcn" if level == "pcn" else "practice"
            first = k == 0
            cls += " first" if first else " more"
            cells = [f'<tr class="{cls}" data-level="{level}" data-unit="{esc(unit)}" data-scenario="{esc(name)}">']
            if first:
                label = f"PCN {esc(unit)}" if level == "pcn" else f"&nbsp;&nbsp;{esc(unit)}"
                span = f' rowspan="{len(data.order)}"' if paired else ""
                cells.append(f'<td class="unitname"{span}>{label}</td><td class="r"{span}>{fmt(size, "{:,.0f}")}</td>')
            if paired:
                cells.append(f'<td class="scen">{esc(name)}</td>')
            for o in map(outcome, STRAIN):
                metric, spec, direction = o.name, o.fmt, o.direction
                key = (level, unit, metric, name)
                v = idx["mean"].get(key, math.nan)
                style = _tint(v, scale.get((level, metric)), direction)
                text = num_span(v, spec, "mean", name, metric)
                if k > 0:
                    d = idx["diff_mean"].get(key, math.nan)
                    sig = bool(idx["diff_significant"].get(key, False))
                    dcls = change_class(d, sig, direction)
                    text += f' <span class="d {dcls}">{fmt(d, spec, signed=True)}{" ●" if sig else ""}</span>'
                cells.append(f'<td class="r"{style}>{text}</td>')
            out.append("".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _tint(v: float, bounds: tuple[float, float] | None, direction: int) -> str:
    if bounds is None or not direction or not np.isfinite(v) or bounds[1] <= bounds[0]:
        return ""
    x = (v - bounds[0]) / (bounds[1] - bounds[0])
    if direction < 0:
        x = 1.0 - x
    return f' style="background: rgba(218, 41, 28, {0.04 + 0.30 * x:.3f})"'


def strain_sentences(data: ReportData) -> list[str]:
    """Plain words on where the strain falls (practices with the most unmet demand, and biggest rises)."""
    cmp = data.comparison
    unmet = outcome("unmet_per_1000_year")
    pr = cmp[(cmp["level"] == "practice") & (cmp["metric"] == unmet.name)]
    out = []
    if pr.empty:
        return out
    for k, name in enumerate(data.order):
        s = pr[pr["scenario"] == name].dropna(subset=["mean"])
        if s.empty:
            continue
        top = s.sort_values("mean", ascending=False).iloc[0]
        text = (f"In <b>{esc(name)}</b> the practice with the most unmet demand is <b>{esc(top['unit'])}</b> "
                f"({fmt(top['mean'], unmet.fmt)} {esc(unmet.unit)}")
        if k > 0:
            rise = s.sort_values("diff_mean", ascending=False).iloc[0]
            text += (f"); the largest rise from {esc(data.reference)} is at <b>{esc(rise['unit'])}</b> "
                     f"({fmt(rise['diff_mean'], unmet.fmt, signed=True)}"
                     f"{', interval excludes 0' if rise['diff_significant'] else ', interval includes 0'})")
        else:
            text += ")"
        out.append(text + ".")
    return out


def frame_html(df: pd.DataFrame, table_id: str, code_cols: tuple[str, ...] = (), muted: str = "") -> str:
    """A plain HTML table of text cells (escaped); ``code_cols`` in monospace; cells equal to ``muted`` greyed."""
    out = [f'<table class="plain" id="{table_id}"><thead><tr>']
    out += [f"<th>{esc(str(c))}</th>" for c in df.columns]
    out.append("</tr></thead><tbody>")
    for _, r in df.iterrows():
        cells = []
        for c in df.columns:
            v = "" if r[c] is None or (isinstance(r[c], float) and not np.isfinite(r[c])) else str(r[c])
            cls = " class=\"code\"" if c in code_cols else ""
            if muted and v == muted:
                cls = ' class="muted"'
            cells.append(f"<td{cls}>{esc(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
