"""The report's tables: headline outcomes, strain by PCN and practice, assumptions, figure data, Excel.

Every function here is pure: it takes the report's data (see :class:`sim.report.build.ReportData`) and
returns a DataFrame or an HTML fragment. The HTML carries the exact values in ``data-value``
attributes next to the rounded text, so a reader (or a test) can trace each number to
``comparison.csv`` or ``summary.csv``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from sim.results.intervals import t_interval, t_interval_columns
from sim.results.metrics import WAIT_BINS

if TYPE_CHECKING:
    from sim.report.build import ReportData

# (metric, label, number format, direction: +1 higher is worse, -1 higher is better, 0 neither)
HEADLINE: dict[str, list[tuple[str, str, str, int]]] = {
    "Access": [
        ("requests_per_1000_year", "Requests for appointments", "{:,.0f}", 0),
        ("appointments_per_1000_year", "Appointments", "{:,.0f}", 0),
        ("lost_pct", "Requests lost (unmet demand)", "{:.2f}", 1),
        ("unmet_per_1000_year", "Unmet demand", "{:,.0f}", 1),
        ("wait_bin_pct:Same Day", "Seen the same day", "{:.1f}", -1),
        ("mean_wait_days", "Mean days from request to appointment", "{:.2f}", 1),
        ("p90_wait_days", "90th percentile days to appointment", "{:.1f}", 1),
        ("dna_pct", "Did not attend", "{:.2f}", 1),
        ("gp_share_pct", "Appointments with a GP", "{:.1f}", 0),
        ("continuity_upc", "Continuity (UPC, patients with long-term conditions)", "{:.3f}", -1),
    ],
    "Workload": [
        ("utilisation_pct", "Slot utilisation", "{:.1f}", 1),
        ("appointments_per_fte_week:GP", "GP appointments per FTE", "{:.1f}", 1),
        ("clinical_hours_per_fte_week:GP", "GP clinical hours per FTE", "{:.1f}", 1),
        ("admin_hours_per_fte_week:GP", "GP admin hours per FTE", "{:.2f}", 1),
        ("overtime_hours_per_week", "Clinician overtime", "{:.1f}", 1),
        ("days_below_75pct_capacity", "Days a practice runs below 75% of planned capacity", "{:.1f}", 1),
        ("admin_fte_required_per_10k", "Back-office admin FTE needed", "{:.2f}", 0),
    ],
    "Workforce": [
        ("gp_fte_end", "GP FTE in post at the end", "{:.1f}", -1),
        ("leavers", "Leavers (retired or left)", "{:.1f}", 1),
        ("retirements", "Retirements", "{:.1f}", 1),
        ("recruits", "Recruits", "{:.1f}", 0),
        ("gp_burnout_mean", "Mean GP burnout", "{:.3f}", 1),
    ],
}
HEADLINE_FLAT = [row for rows in HEADLINE.values() for row in rows]

# per-unit strain columns: (metric, short label, unit, format, direction)
STRAIN = [
    ("unmet_per_1000_year", "Unmet demand", "lost requests per 1,000 patients a year", "{:,.0f}", 1),
    ("wait_bin_pct:Same Day", "Seen same day", "% of appointments", "{:.1f}", -1),
    ("mean_wait_days", "Mean wait", "days", "{:.2f}", 1),
    ("utilisation_pct", "Slots booked", "% of offered slots", "{:.1f}", 1),
    ("appointments_per_fte_week:GP", "GP appointments", "per GP FTE a week", "{:.1f}", 1),
    ("overtime_hours_per_week", "Overtime", "clinician hours a week", "{:.1f}", 1),
    ("days_below_75pct_capacity", "Short-staffed days", "days below 75% of planned capacity", "{:.1f}", 1),
    ("continuity_upc", "Continuity", "UPC index 0-1", "{:.3f}", -1),
]

SKIP_FIELDS = ("area", "name", "description", "seed", "extends", "interventions")
_MISSING = object()
esc = html.escape


# ----------------------------------------------------------------------------- numbers


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


# ----------------------------------------------------------------------------- headline


def headline_frame(data: ReportData) -> pd.DataFrame:
    """The headline outcomes, whole area: one row per metric, mean/CI per scenario and paired differences."""
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    rows = []
    for group, items in HEADLINE.items():
        for metric, label, _, _ in items:
            if metric not in lg.index.get_level_values(0):
                continue
            row: dict[str, Any] = {"Group": group, "Outcome": label, "Metric": metric,
                                   "Unit": _first(lg.loc[metric, "units"])}
            for k, name in enumerate(data.order):
                if (metric, name) not in lg.index:
                    continue
                r = lg.loc[(metric, name)]
                row[f"{name}: mean"] = r["mean"]
                if data.n_reps > 1:
                    row[f"{name}: 95% low"] = r["ci_low"]
                    row[f"{name}: 95% high"] = r["ci_high"]
                if k > 0:
                    row[f"{name} − {data.reference}: difference"] = r["diff_mean"]
                    row[f"{name} − {data.reference}: 95% low"] = r["diff_ci_low"]
                    row[f"{name} − {data.reference}: 95% high"] = r["diff_ci_high"]
                    row[f"{name} − {data.reference}: interval excludes 0"] = bool(r["diff_significant"])
            rows.append(row)
    return pd.DataFrame(rows)


def _first(x: Any) -> Any:
    return x.iloc[0] if isinstance(x, pd.Series) else x


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
    for group, items in HEADLINE.items():
        present = [it for it in items if it[0] in lg.index.get_level_values(0)]
        if not present:
            continue
        out.append(f'<tr class="group"><th colspan="{ncol}">{esc(group)}</th></tr>')
        for metric, label, spec, direction in present:
            unit = _first(lg.loc[metric, "units"])
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


# ----------------------------------------------------------------------------- strain by unit


def practice_pcn(data: ReportData) -> dict[str, str]:
    """Practice code -> PCN code, from the first scenario's resolved configuration."""
    cfg = data.scenarios[0].config or {}
    out = {}
    for pcn in (cfg.get("area") or {}).get("pcns", []):
        for pr in pcn.get("practices", []):
            out[pr["code"]] = pcn["code"]
    return out


def unit_order(data: ReportData) -> list[tuple[str, str]]:
    """(level, unit) rows: each PCN followed by its practices."""
    cmp = data.comparison
    pcns = list(dict.fromkeys(cmp.loc[cmp["level"] == "pcn", "unit"]))
    practices = list(dict.fromkeys(cmp.loc[cmp["level"] == "practice", "unit"]))
    pcn_of = practice_pcn(data)
    rows: list[tuple[str, str]] = []
    for pcn in pcns:
        rows.append(("pcn", pcn))
        rows += [("practice", p) for p in practices if pcn_of.get(p) == pcn]
    rows += [("practice", p) for p in practices if pcn_of.get(p) not in pcns]
    return rows


def strain_frame(data: ReportData) -> pd.DataFrame:
    """Long table: one row per (unit, scenario) with the strain measures and differences from the reference."""
    idx = data.comparison.set_index(["level", "unit", "metric", "scenario"])
    pcn_of = practice_pcn(data)
    rows = []
    for level, unit in unit_order(data):
        size = idx["mean"].get((level, unit, "list_size", data.reference), math.nan)
        for k, name in enumerate(data.order):
            row: dict[str, Any] = {"Level": level.upper() if level == "pcn" else "Practice", "Unit": unit,
                                   "PCN": unit if level == "pcn" else pcn_of.get(unit, ""),
                                   "Patients": size, "Scenario": name}
            for metric, label, unit_text, _, _ in STRAIN:
                key = (level, unit, metric, name)
                row[f"{label} ({unit_text})"] = idx["mean"].get(key, math.nan)
                if k > 0:
                    row[f"{label}: difference from {data.reference}"] = idx["diff_mean"].get(key, math.nan)
                    row[f"{label}: interval excludes 0"] = bool(idx["diff_significant"].get(key, False))
            rows.append(row)
    return pd.DataFrame(rows)


def strain_html(data: ReportData) -> str:
    """Per-PCN and per-practice table; cells tinted by how strained the unit is within its level."""
    idx = data.comparison.set_index(["level", "unit", "metric", "scenario"])
    units = unit_order(data)
    paired = len(data.order) > 1
    # tint scale per (level, metric) over every scenario
    scale: dict[tuple[str, str], tuple[float, float]] = {}
    for level in ("pcn", "practice"):
        for metric, *_ in STRAIN:
            vals = [idx["mean"].get((lv, u, metric, s), math.nan) for lv, u in units if lv == level
                    for s in data.order]
            vals = [v for v in vals if np.isfinite(v)]
            if vals:
                scale[(level, metric)] = (min(vals), max(vals))
    head = ['<th>Unit</th><th class="r">Patients</th>']
    if paired:
        head.append("<th>Scenario</th>")
    head += [f'<th class="r">{esc(label)}<br><small>{esc(u)}</small></th>' for _, label, u, _, _ in STRAIN]
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
            for metric, _, _, spec, direction in STRAIN:
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
    pr = cmp[(cmp["level"] == "practice") & (cmp["metric"] == "unmet_per_1000_year")]
    out = []
    if pr.empty:
        return out
    for k, name in enumerate(data.order):
        s = pr[pr["scenario"] == name].dropna(subset=["mean"])
        if s.empty:
            continue
        top = s.sort_values("mean", ascending=False).iloc[0]
        text = (f"In <b>{esc(name)}</b> the practice with the most unmet demand is <b>{esc(top['unit'])}</b> "
                f"({fmt(top['mean'], '{:,.0f}')} lost requests per 1,000 patients a year")
        if k > 0:
            rise = s.sort_values("diff_mean", ascending=False).iloc[0]
            text += (f"); the largest rise from {esc(data.reference)} is at <b>{esc(rise['unit'])}</b> "
                     f"({fmt(rise['diff_mean'], '{:,.0f}', signed=True)}"
                     f"{', interval excludes 0' if rise['diff_significant'] else ', interval includes 0'})")
        else:
            text += ")"
        out.append(text + ".")
    return out


# ----------------------------------------------------------------------------- figure data


def wait_frame(data: ReportData) -> pd.DataFrame:
    """% of appointments in each NHS Digital booking-interval bin per scenario (whole area)."""
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    rows = []
    for b in WAIT_BINS:
        for name in data.order:
            key = (f"wait_bin_pct:{b}", name)
            if key in lg.index:
                r = lg.loc[key]
                rows.append({"bin": b, "scenario": name, "pct": r["mean"], "ci_low": r["ci_low"],
                             "ci_high": r["ci_high"], "diff": r["diff_mean"]})
    return pd.DataFrame(rows, columns=["bin", "scenario", "pct", "ci_low", "ci_high", "diff"])


def _period_days(dates: pd.Series, start: dt.date, horizon: int, period: str) -> np.ndarray:
    """Days of each period that fall inside the reporting horizon."""
    end = start + dt.timedelta(days=horizon)
    out = []
    for d in pd.to_datetime(dates).dt.date:
        if period == "month":
            nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        else:
            nxt = d + dt.timedelta(days=7)
        out.append(max(0, (min(nxt, end) - max(d, start)).days))
    return np.asarray(out, dtype=float)


def unmet_series(data: ReportData) -> pd.DataFrame:
    """Unmet demand per 1,000 patients over time, annualised, per scenario: mean and 95% interval."""
    s = data.series
    s = s[(s["level"] == "lgpo") & (s["metric"] == "unmet_per_1000")].copy()
    if s.empty:
        return pd.DataFrame(columns=["date", "scenario", "mean", "ci_low", "ci_high", "n_reps", "days"])
    info = data.scenarios[0]
    s["days"] = _period_days(s["date"], info.start_date, info.horizon_days, data.period)
    s = s[s["days"] > 0]
    s["annual"] = s["value"] * 365.25 / s["days"]
    rows = []
    for (date, name), block in s.groupby(["date", "scenario"], sort=True):
        m, lo, hi = t_interval(block["annual"])
        rows.append({"date": pd.Timestamp(date), "scenario": name, "mean": m, "ci_low": lo, "ci_high": hi,
                     "n_reps": len(block), "days": block["days"].iloc[0]})
    return pd.DataFrame(rows)


def fte_series(data: ReportData) -> pd.DataFrame:
    """FTE in post by role over time per scenario (mean over replications), from each staff table."""
    info = data.scenarios[0]
    step = 1 if info.horizon_days <= 180 else 7
    days = np.arange(0, info.horizon_days + 1, step)
    per: dict[tuple[str, str], list[np.ndarray]] = {}  # (scenario, role) -> one FTE curve per replication
    for (name, _rep), staff in data.staff.items():
        left = staff["left_day"].to_numpy(dtype=float, na_value=np.inf)  # <NA>: still in post
        joined = staff["joined_day"].to_numpy(dtype=float)
        in_post = (joined[:, None] <= days[None, :]) & (left[:, None] > days[None, :])
        fte = staff["fte"].to_numpy(dtype=float)[:, None] * in_post
        for role, idx in staff.groupby("role", sort=False).indices.items():
            per.setdefault((name, str(role)), []).append(fte[idx].sum(axis=0))
    cols = ["date", "day", "scenario", "role", "fte", "ci_low", "ci_high"]
    if not per:
        return pd.DataFrame(columns=cols)
    dates = pd.Timestamp(info.start_date) + pd.to_timedelta(days, unit="D")
    parts = []
    for (name, role), curves in per.items():
        x = np.vstack(curves)
        m, lo, hi = t_interval_columns(x)
        parts.append(pd.DataFrame({"date": dates, "day": days, "scenario": name, "role": role, "fte": m,
                                   "ci_low": lo, "ci_high": hi}))
    return pd.concat(parts, ignore_index=True)[cols]


LEAVING = ("retired", "left", "left_burnout")
JOINING = ("recruited", "added", "hub_added")


def event_series(data: ReportData) -> pd.DataFrame:
    """Cumulative leavers and joiners per scenario by day (mean over replications)."""
    info = data.scenarios[0]
    days = np.arange(0, info.horizon_days + 1)
    ev = data.events
    rows = []
    for name in data.order:
        e = ev[ev["scenario"] == name] if len(ev) else ev
        for kind, names in (("leavers", LEAVING), ("joiners", JOINING)):
            sel = e[e["event"].isin(names)] if len(e) else e
            counts = np.zeros(days.size)
            for d in sel["day"].to_numpy(dtype=int) if len(sel) else []:
                if 0 <= d <= info.horizon_days:
                    counts[d] += 1
            cum = np.cumsum(counts) / max(data.n_reps, 1)
            rows += [{"scenario": name, "kind": kind, "day": int(d),
                      "date": pd.Timestamp(info.start_date) + pd.Timedelta(days=int(d)), "cumulative": c}
                     for d, c in zip(days, cum, strict=True)]
    return pd.DataFrame(rows, columns=["scenario", "kind", "day", "date", "cumulative"])


def role_kinds(data: ReportData) -> dict[str, str]:
    """Role -> kind (gp, nurse, ..., admin) from the scenarios' resolved configurations."""
    kinds: dict[str, str] = {}
    for s in data.scenarios:
        for role, spec in ((s.config or {}).get("roles") or {}).items():
            kinds.setdefault(role, spec.get("kind", ""))
    return kinds


def per_fte_frame(data: ReportData) -> pd.DataFrame:
    """Appointments and clinical hours per FTE a week by clinical role and scenario (whole area)."""
    lg = data.comparison[data.comparison["level"] == "lgpo"]
    kinds = role_kinds(data)
    rows = []
    for stat in ("appointments_per_fte_week", "clinical_hours_per_fte_week"):
        part = lg[lg["metric"].str.startswith(stat + ":")]
        for _, r in part.iterrows():
            role = r["metric"].split(":", 1)[1]
            if kinds.get(role) == "admin":
                continue
            rows.append({"measure": stat, "role": role, "scenario": r["scenario"], "mean": r["mean"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "diff": r["diff_mean"],
                         "units": r["units"]})
    df = pd.DataFrame(rows, columns=["measure", "role", "scenario", "mean", "ci_low", "ci_high", "diff", "units"])
    order = [r for r in kinds if r in set(df["role"])] + sorted(set(df["role"]) - set(kinds))
    df["_r"] = df["role"].map({r: k for k, r in enumerate(order)})
    df["_s"] = df["scenario"].map({n: k for k, n in enumerate(data.order)})
    return df.sort_values(["measure", "_r", "_s"]).drop(columns=["_r", "_s"]).reset_index(drop=True)


def gp_admin_frame(data: ReportData) -> pd.DataFrame:
    """GP admin hours per scenario: per GP FTE a week, and whole-area hours a week split by source."""
    reps = data.replications
    lg = reps[reps["level"] == "lgpo"]
    gp_roles = [r for r, k in role_kinds(data).items() if k == "gp"] or ["GP"]
    rows = []
    for name in data.order:
        per_rep = []
        for rep, block in lg[lg["scenario"] == name].groupby("replication"):
            v = dict(zip(block["metric"], block["value"], strict=False))
            fte = sum(v.get(f"fte:{r}", 0.0) for r in gp_roles)
            total = sum(v.get(f"admin_hours_per_fte_week:{r}", 0.0) * v.get(f"fte:{r}", 0.0) for r in gp_roles)
            corr = v.get("gp_correspondence_hours_per_week", 0.0)
            sup = v.get("gp_supervision_hours_per_week", 0.0)
            per_rep.append({"replication": rep, "per_fte": total / fte if fte else math.nan, "total": total,
                            "correspondence": corr, "supervision": sup,
                            "session_admin": max(total - corr - sup, 0.0)})
        if not per_rep:
            continue
        df = pd.DataFrame(per_rep)
        row: dict[str, Any] = {"scenario": name}
        for col in ("per_fte", "total", "session_admin", "correspondence", "supervision"):
            row[col], row[col + "_ci_low"], row[col + "_ci_high"] = t_interval(df[col])
        rows.append(row)
    return pd.DataFrame(rows)


def continuity_frame(data: ReportData) -> pd.DataFrame:
    """Continuity (UPC) per unit (area, PCNs, practices) and scenario."""
    c = data.comparison[data.comparison["metric"] == "continuity_upc"]
    order = [("lgpo", u) for u in dict.fromkeys(c.loc[c["level"] == "lgpo", "unit"])] + unit_order(data)
    rows = []
    idx = c.set_index(["level", "unit", "scenario"])
    for level, unit in order:
        for name in data.order:
            if (level, unit, name) in idx.index:
                r = idx.loc[(level, unit, name)]
                rows.append({"level": level, "unit": unit, "scenario": name, "mean": r["mean"],
                             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "diff": r["diff_mean"]})
    return pd.DataFrame(rows, columns=["level", "unit", "scenario", "mean", "ci_low", "ci_high", "diff"])


# ----------------------------------------------------------------------------- assumptions


def _jsonable(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json")
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _walk(default: Any, resolved: Any, path: str, desc: str, out: list[dict[str, Any]]) -> None:
    if resolved is _MISSING:
        return
    if isinstance(default, BaseModel):
        res = resolved if isinstance(resolved, dict) else {}
        for name, f in type(default).model_fields.items():
            _walk(getattr(default, name), res.get(name, _MISSING), f"{path}.{name}" if path else name,
                  f.description or "", out)
        return
    if isinstance(default, dict) and isinstance(resolved, dict) and default and all(
            isinstance(v, BaseModel) for v in default.values()):
        for key in [*default, *(k for k in resolved if k not in default)]:
            sub = f"{path}.{key}"
            if key not in resolved:
                out.append({"path": sub, "value": None, "default": _jsonable(default[key]),
                            "description": f"{desc} (removed from this scenario)".strip()})
            elif key not in default:
                out.append({"path": sub, "value": resolved[key], "default": None,
                            "description": f"{desc} (not in the defaults)".strip()})
            else:
                _walk(default[key], resolved[key], sub, desc, out)
        return
    dj = _jsonable(default)
    if isinstance(dj, dict) and isinstance(resolved, dict):
        for key in [*dj, *(k for k in resolved if k not in dj)]:
            a, b = dj.get(key, _MISSING), resolved.get(key, _MISSING)
            if a is _MISSING or b is _MISSING or not _same(a, b):
                out.append({"path": f"{path}.{key}", "value": None if b is _MISSING else b,
                            "default": None if a is _MISSING else a, "description": desc})
        return
    if not _same(dj, resolved):
        out.append({"path": path, "value": resolved, "default": dj, "description": desc})


def parameter_differences(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter of a resolved scenario that differs from ``sim.config.scenario.Scenario``'s defaults.

    Walks the pydantic models field by field (roles and need types key by key); skips the area,
    name, description, seed and extends, and the interventions (listed separately). Each row has the
    YAML path, the value, the default and the field's description (its unit and source).
    """
    from sim.config.scenario import Scenario

    out: list[dict[str, Any]] = []
    for name, field in Scenario.model_fields.items():
        if name in SKIP_FIELDS or name not in config:
            continue
        default = field.get_default(call_default_factory=True)
        _walk(default, config[name], name, field.description or "", out)
    return out


def show_value(v: Any) -> str:
    """A parameter value in compact YAML-like text."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict | list):
        return json.dumps(v, separators=(", ", ": "))
    return str(v)


def assumptions_frame(data: ReportData) -> pd.DataFrame:
    """Union of the parameters that differ from the defaults in any scenario: path, default, values, description."""
    per = {s.label: {r["path"]: r for r in parameter_differences(s.config)} for s in data.scenarios if s.config}
    paths: list[str] = []
    for rows in per.values():
        paths += [p for p in rows if p not in paths]
    out = []
    for p in paths:
        first = next(rows[p] for rows in per.values() if p in rows)
        row: dict[str, Any] = {"Parameter (YAML path)": p, "Default": show_value(first["default"])}
        for s in data.scenarios:
            rows = per.get(s.label, {})
            row[s.label] = show_value(rows[p]["value"]) if p in rows else "= default"
        row["Meaning, unit and source"] = first["description"]
        out.append(row)
    cols = ["Parameter (YAML path)", "Default", *[s.label for s in data.scenarios], "Meaning, unit and source"]
    return pd.DataFrame(out, columns=cols)


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested mapping -> [('a.b', value)] for intervention parameters."""
    if isinstance(obj, dict) and obj:
        out = []
        for k, v in obj.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    return [(prefix, obj)]


def interventions_frame(data: ReportData) -> pd.DataFrame:
    """One row per intervention: scenario, plain words, every parameter (defaults filled in)."""
    rows = []
    for s in data.scenarios:
        raw = (s.config or {}).get("interventions") or []
        for k, words in enumerate(s.interventions):
            params = raw[k] if k < len(raw) else {}
            rows.append({"Scenario": s.label, "Intervention": words,
                         "Parameters": "; ".join(f"{p}: {show_value(v)}" for p, v in flatten(params))})
    return pd.DataFrame(rows, columns=["Scenario", "Intervention", "Parameters"])


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


# ----------------------------------------------------------------------------- excel


def write_excel(sheets: dict[str, pd.DataFrame], path: Any) -> None:
    """One sheet per table, bold frozen header, sensible column widths."""
    from openpyxl.styles import Alignment, Font

    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in sheets.items():
            sheet = name[:31]
            out = df.copy()
            for c in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[c]):
                    out[c] = out[c].dt.date
            out.to_excel(xl, sheet_name=sheet, index=False)
            ws = xl.sheets[sheet]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for k, col in enumerate(out.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in out[col].head(200)]) + 2
                ws.column_dimensions[ws.cell(row=1, column=k).column_letter].width = min(max(width, 8), 60)
