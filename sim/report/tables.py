"""The report's tables as plain data for the Jinja2 templates: headline outcomes, costs, strain, text tables.

Each number is a :class:`Num`: the rounded text and the exact value, which the template writes into a
``data-value`` attribute so a reader (or a test) can trace it to ``comparison.csv`` or ``summary.csv``.
Wide comparisons are cut into several tables of at most ``PER_TABLE`` scenarios each, so that no
table is wider than an A4 page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.report.data import ReportData
from sim.report.frames import STRAIN, unit_order
from sim.results.outcomes import LEVEL_ORDER, Outcome, outcome

PER_TABLE = 2  # scenarios besides the reference in one headline table (value and difference columns each)
TOP_PRACTICES = 10  # practices in the report's strain table (the full table is in report.xlsx)


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


@dataclass
class Num:
    """One number in a table: what it is (metric, scenario, statistic), its exact value and its text."""

    metric: str
    scenario: str
    stat: str
    value: str
    text: str


def num(value: Any, spec: str, stat: str, scenario: str, metric: str, signed: bool = False) -> Num:
    """A :class:`Num` with the exact value as ``repr(float)`` ('nan' where there is none)."""
    try:
        exact = repr(float(value))
    except (TypeError, ValueError):
        exact = "nan"
    return Num(metric, scenario, stat, exact, fmt(value, spec, signed))


@dataclass
class Cell:
    """A table cell of numbers: the main one, an optional interval, and its CSS class."""

    main: Num | None
    low: Num | None = None
    high: Num | None = None
    cls: str = "r"
    significant: bool | None = None


@dataclass
class Row:
    """A headline row: the outcome, its unit and one cell per column."""

    metric: str
    label: str
    unit: str
    cells: list[Cell]


@dataclass
class Table:
    """A headline-style table: column headings, then rows under group headings."""

    id: str
    columns: list[tuple[str, str]]  # (heading, note under it)
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)


def change_class(diff: float, significant: bool, direction: int) -> str:
    """CSS class of a difference: 'worse' / 'better' where the 95% interval excludes 0, else 'same'."""
    if not significant or not direction or not np.isfinite(diff) or diff == 0:
        return "same"
    return "worse" if diff * direction > 0 else "better"


def _value_cell(r: pd.Series, o: Outcome, name: str, ci: bool) -> Cell:
    cell = Cell(num(r["mean"], o.fmt, "mean", name, o.name))
    if ci:
        cell.low = num(r["ci_low"], o.fmt, "ci_low", name, o.name)
        cell.high = num(r["ci_high"], o.fmt, "ci_high", name, o.name)
    return cell


def _diff_cell(r: pd.Series, o: Outcome, name: str, ci: bool) -> Cell:
    sig = bool(r["diff_significant"])
    cell = Cell(num(r["diff_mean"], o.fmt, "diff_mean", name, o.name, True),
                cls=f"r diff {change_class(r['diff_mean'], sig, o.direction)}", significant=sig)
    if ci:
        cell.low = num(r["diff_ci_low"], o.fmt, "diff_ci_low", name, o.name, True)
        cell.high = num(r["diff_ci_high"], o.fmt, "diff_ci_high", name, o.name, True)
    return cell


def outcome_tables(data: ReportData, groups: dict[str, list[Outcome]], table_id: str) -> list[Table]:
    """Whole-area outcomes by group: the reference, then each scenario's value and paired difference.

    One table per ``PER_TABLE`` scenarios besides the reference (each repeats the reference), so a
    comparison of twenty scenarios is ten tables that each fit the page, not one that is cut off.
    """
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    present = set(lg.index.get_level_values(0)) if len(lg) else set()
    ci = data.n_reps > 1
    others = data.order[1:]
    chunks = [others[k:k + PER_TABLE] for k in range(0, len(others), PER_TABLE)] or [[]]
    tables = []
    for j, chunk in enumerate(chunks):
        cols: list[tuple[str, str]] = [(data.reference, "reference" if others else "")]
        for name in chunk:
            cols += [(name, ""), (f"{name} − {data.reference}", "paired difference" + (" [95% interval]" if ci else ""))]
        t = Table(table_id if j == 0 else f"{table_id}-{j + 1}", cols)
        for group, items in groups.items():
            rows = []
            for o in items:
                if o.name not in present:
                    continue
                cells = []
                for name in [data.reference, *chunk]:
                    if (o.name, name) not in lg.index:
                        cells += [Cell(None)] * (1 if name == data.reference else 2)
                        continue
                    r = lg.loc[(o.name, name)]
                    cells.append(_value_cell(r, o, name, ci))
                    if name != data.reference:
                        cells.append(_diff_cell(r, o, name, ci))
                rows.append(Row(o.name, o.label, o.unit, cells))
            if rows:
                t.groups.append((group, rows))
        tables.append(t)
    return tables


def cost_groups(data: ReportData) -> dict[str, list[Outcome]]:
    """The comparison's whole-area metrics whose registry group is 'cost' (none: an empty mapping)."""
    metrics = dict.fromkeys(data.comparison.loc[data.comparison["level"] == "lgpo", "metric"])
    found = []
    for m in metrics:
        try:
            o = outcome(str(m))
        except KeyError:
            continue
        if str(o.group).lower() == "cost":
            found.append(o)
    return {"Costs": found} if found else {}


def bin_label(label: str) -> str:
    """NHS Digital's bin label with single spaces, for display."""
    return " ".join(label.split())


def most_strained(data: ReportData, n: int = TOP_PRACTICES) -> list[str]:
    """The ``n`` practices with the most unmet demand per 1,000 patients in any scenario, most strained first."""
    cmp = data.comparison
    pr = cmp[(cmp["level"] == "practice") & (cmp["metric"] == "unmet_per_1000_year")]
    if pr.empty:
        return [u for lv, u in unit_order(data) if lv == "practice"][:n]
    worst = pr.groupby("unit")["mean"].max().sort_values(ascending=False, kind="stable")
    return list(worst.index[:n])


@dataclass
class StrainRow:
    """One (unit, scenario) row of the strain table; ``first`` rows carry the unit's name and size."""

    level: str
    unit: str
    scenario: str
    first: bool
    label: str
    size: str
    cells: list[tuple[Num, str, str]]  # (value, tint style, difference text and class)


def strain_rows(data: ReportData) -> tuple[list[Outcome], list[StrainRow], list[StrainRow]]:
    """The strain columns, the PCN rows and the most strained practices' rows (tinted within their level)."""
    idx = data.comparison.set_index(["level", "unit", "metric", "scenario"])
    mean = idx["mean"]
    units = unit_order(data)
    scale: dict[tuple[str, str], tuple[float, float]] = {}
    for level in LEVEL_ORDER[1:]:  # PCNs and practices; the area has no row here
        for metric in STRAIN:
            vals = [mean.get((lv, u, metric, s), math.nan) for lv, u in units if lv == level for s in data.order]
            vals = [v for v in vals if np.isfinite(v)]
            if vals:
                scale[(level, metric)] = (min(vals), max(vals))
    cols = [outcome(m) for m in STRAIN]

    def rows(level: str, unit: str, label: str) -> list[StrainRow]:
        out = []
        size = fmt(mean.get((level, unit, "list_size", data.reference), math.nan), "{:,.0f}")
        for k, name in enumerate(data.order):
            cells = []
            for o in cols:
                key = (level, unit, o.name, name)
                v = mean.get(key, math.nan)
                diff = ("", "")
                if k > 0:
                    d = idx["diff_mean"].get(key, math.nan)
                    sig = bool(idx["diff_significant"].get(key, False))
                    diff = (fmt(d, o.fmt, signed=True) + (" ●" if sig else ""), change_class(d, sig, o.direction))
                cells.append((num(v, o.fmt, "mean", name, o.name), _tint(v, scale.get((level, o.name)), o.direction),
                              *diff))
            out.append(StrainRow(level, unit, name, k == 0, label, size, cells))
        return out

    pcn_of = {u: p for p, members in _members(data).items() for u in members}
    pcns = [r for lv, u in units if lv == "pcn" for r in rows("pcn", u, f"PCN {u}")]
    practices = [r for u in most_strained(data)
                 for r in rows("practice", u, u + (f" (PCN {pcn_of[u]})" if u in pcn_of else ""))]
    return cols, pcns, practices


def _members(data: ReportData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    pcn = None
    for lv, u in unit_order(data):
        if lv == "pcn":
            pcn = u
            out[u] = []
        elif pcn is not None:
            out[pcn].append(u)
    return out


def _tint(v: float, bounds: tuple[float, float] | None, direction: int) -> str:
    if bounds is None or not direction or not np.isfinite(v) or bounds[1] <= bounds[0]:
        return ""
    x = (v - bounds[0]) / (bounds[1] - bounds[0])
    if direction < 0:
        x = 1.0 - x
    return f"background: rgba(218, 41, 28, {0.04 + 0.30 * x:.3f})"


def strain_sentences(data: ReportData) -> list[tuple[str, str, str]]:
    """Where the strain falls, per scenario: (scenario, practice with most unmet demand and its value, rise text)."""
    cmp = data.comparison
    unmet = outcome("unmet_per_1000_year")
    pr = cmp[(cmp["level"] == "practice") & (cmp["metric"] == unmet.name)]
    out: list[tuple[str, str, str]] = []
    if pr.empty:
        return out
    for k, name in enumerate(data.order):
        s = pr[pr["scenario"] == name].dropna(subset=["mean"])
        if s.empty:
            continue
        top = s.sort_values("mean", ascending=False).iloc[0]
        most = f"{top['unit']} ({fmt(top['mean'], unmet.fmt)} {unmet.unit})"
        rise = ""
        if k > 0:
            r = s.sort_values("diff_mean", ascending=False).iloc[0]
            if r["diff_mean"] > 0:
                rise = (f"the largest rise from {data.reference} is at {r['unit']} "
                        f"({fmt(r['diff_mean'], unmet.fmt, signed=True)}, interval "
                        f"{'excludes' if r['diff_significant'] else 'includes'} 0)")
            else:
                rise = f"unmet demand rises at no practice compared with {data.reference}"
        out.append((name, most, rise))
    return out


def strain_summary(data: ReportData) -> str:
    """One sentence for the summary: the practice with the most unmet demand, in which scenario ('' if none)."""
    cmp = data.comparison
    unmet = outcome("unmet_per_1000_year")
    pr = cmp[(cmp["level"] == "practice") & (cmp["metric"] == unmet.name)].dropna(subset=["mean"])
    if pr.empty:
        return ""
    top = pr.sort_values("mean", ascending=False, kind="stable").iloc[0]
    value = f"{fmt(top['mean'], unmet.fmt)} {unmet.unit}"
    if len(data.order) == 1:
        text = f"The practice with the most unmet demand is {top['unit']} ({value})"
    elif (pr.loc[pr.groupby("scenario")["mean"].idxmax(), "unit"] == top["unit"]).all():
        text = f"The practice with the most unmet demand is {top['unit']} in every scenario (up to {value}, in {top['scenario']})"
    else:
        text = f"The practice with the most unmet demand is {top['unit']} in {top['scenario']} ({value})"
    return text + "; the most strained practices are listed under 'Where the strain falls'."


def text_rows(df: pd.DataFrame) -> list[list[str]]:
    """A DataFrame's cells as text for a plain table (missing values blank)."""
    out = []
    for row in df.itertuples(index=False):
        out.append(["" if v is None or (isinstance(v, float) and not np.isfinite(v)) else str(v) for v in row])
    return out
