"""The report's figures, drawn with matplotlib's object API (no pyplot state, Agg canvas).

Each function takes the report's data and returns a :class:`matplotlib.figure.Figure`, or None when
the folder holds nothing to draw. Every axis says what it shows and in which unit; every figure
has a title. Intervals are 95% t-intervals over replications (absent for a single run).
"""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.data import ReportData
from sim.report.frames import (
    continuity_frame,
    event_series,
    fte_series,
    gp_admin_frame,
    per_fte_frame,
    role_kinds,
    unmet_series,
    wait_frame,
)
from sim.report.tables import bin_label
from sim.results.metrics import WAIT_BINS
from sim.results.outcomes import outcome

# 20 distinct qualitative colours: the NHS identity colours first (the reference is NHS blue), then
# Kelly's colours of maximum contrast (Kelly 1965; Green-Armytage 2010), the ones legible on white.
# A comparison of more than 20 scenarios reuses them (the legend still names each line).
PALETTE = ("#005EB8", "#DA291C", "#009639", "#ED8B00", "#7C2855", "#00A9CE", "#425563", "#AE2573",
           "#8DB600", "#654522", "#F3C300", "#2B3D26", "#E68FAC", "#882D17", "#A1CAF1", "#604E97",
           "#C2B280", "#F99379", "#848482", "#00B3A4")
DPI = 110


def colour(data: ReportData, name: str) -> str:
    """The scenario's colour, the same in every figure (the reference is NHS blue)."""
    return PALETTE[data.order.index(name) % len(PALETTE)]


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _style(ax: Axes) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#d8dde3", linewidth=0.7)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=9)


def _err(df: pd.DataFrame, mean: str = "mean", lo: str = "ci_low", hi: str = "ci_high",
         upper: float = np.inf) -> np.ndarray | None:
    """Asymmetric error bars from interval columns, clipped to [0, upper]; None without intervals."""
    m = df[mean].to_numpy(dtype=float)
    low = m - np.maximum(df[lo].to_numpy(dtype=float), 0.0)
    high = np.minimum(df[hi].to_numpy(dtype=float), upper) - m
    if not np.isfinite(low).any():
        return None
    return np.vstack([np.nan_to_num(low), np.nan_to_num(high)])


def _grouped_bars(ax: Axes, data: ReportData, df: pd.DataFrame, cats: list[str], cat_col: str,
                  labels: bool = True, spec: str = "{:.1f}", upper: float = np.inf) -> None:
    """Bars per category, one per scenario side by side, with 95% error bars."""
    n = len(data.order)
    width = 0.8 / n
    x = np.arange(len(cats))
    for k, name in enumerate(data.order):
        part = df[df["scenario"] == name].set_index(cat_col).reindex(cats)
        y = part["mean"].to_numpy(dtype=float)
        err = _err(part, upper=upper)
        bars = ax.bar(x + (k - (n - 1) / 2) * width, np.nan_to_num(y), width * 0.95, color=colour(data, name),
                      label=name, yerr=err, capsize=2.5, error_kw={"elinewidth": 0.9, "ecolor": "#222"})
        if labels and n <= 3 and len(cats) * n <= 24:
            ax.bar_label(bars, labels=[spec.format(v) if np.isfinite(v) else "" for v in y],
                         fontsize=7.5, padding=2, color="#333")
    ax.set_xticks(x, cats)


def interval_note(data: ReportData) -> str:
    """What the bars, lines, whiskers and bands show (the same words on each figure and in each caption)."""
    if data.n_reps > 1:
        return (f"Bars and lines: mean of {data.n_reps} replications; whiskers and bands: 95% intervals "
                "(clipped to the possible range).")
    return "One replication: no intervals."


def wait_distribution(data: ReportData) -> Figure | None:
    """Share of appointments in each NHS Digital booking-interval bin, per scenario."""
    df = wait_frame(data).rename(columns={"pct": "mean"})
    if df.empty:
        return None
    df["label"] = df["bin"].map(bin_label)
    fig = _figure(10, 4.6)
    ax = fig.add_subplot()
    cats = [bin_label(b) for b in WAIT_BINS]
    _grouped_bars(ax, data, df, cats, "label")
    ax.set_xticks(ax.get_xticks(), [c.replace("More than ", "More than\n") for c in cats])  # no overlap
    _style(ax)
    ax.set_xlabel("Days from booking to appointment (NHS Digital's booking-interval bins)\n"
                  + interval_note(data), fontsize=9.5)
    ax.set_ylabel(outcome("wait_bin_pct:Same Day").unit, fontsize=9.5)
    ax.set_title("How long patients wait for an appointment, whole area", fontsize=12, loc="left",
                 fontweight="bold")
    _legend(ax)
    return fig


def _legend(ax: Axes) -> None:
    """The scenario legend to the right of the axes, outside them: it never covers a line, bar or title."""
    ax.legend(frameon=False, fontsize=9, title="Scenario", title_fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _date_axis(ax: Axes, maxticks: int = 7) -> None:
    loc = mdates.AutoDateLocator(minticks=3, maxticks=maxticks)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b\n%Y"))


def unmet_over_time(data: ReportData) -> Figure | None:
    """Unmet demand per 1,000 patients a year (annualised per period), mean and 95% band per scenario."""
    df = unmet_series(data)
    if df.empty:
        return None
    fig = _figure(10, 4.2)
    ax = fig.add_subplot()
    for name in data.order:
        part = df[df["scenario"] == name].sort_values("date")
        if part.empty:
            continue
        c = colour(data, name)
        ax.plot(part["date"], part["mean"], marker="o", ms=4, lw=1.8, color=c, label=name)
        if np.isfinite(part["ci_low"]).any():
            ax.fill_between(part["date"], part["ci_low"].clip(lower=0), part["ci_high"], color=c, alpha=0.15, lw=0)
    _style(ax)
    dates = sorted(set(df["date"]))
    if data.period == "month" and len(dates) <= 24:
        ax.set_xticks(dates, [f"{d:%b %Y}" for d in dates], rotation=45 if len(dates) > 12 else 0)
        if len(dates) < 3:
            ax.set_xlim(dates[0] - pd.Timedelta(days=12), dates[-1] + pd.Timedelta(days=12))
    else:
        _date_axis(ax)
    ax.set_ylim(0, max(ax.get_ylim()[1], 1))
    per = "month" if data.period == "month" else "week"
    ax.set_ylabel("Lost requests per 1,000 patients a year", fontsize=9.5)
    ax.set_xlabel(f"{per.capitalize()} (rate annualised over the {per}'s days in the horizon)\n"
                  + interval_note(data), fontsize=9.5)
    ax.set_title(f"Unmet demand over time, whole area (by {per})", fontsize=12, loc="left", fontweight="bold")
    _legend(ax)
    return fig


def workload_per_fte(data: ReportData) -> Figure | None:
    """Appointments and clinical hours per FTE a week by clinical role, per scenario."""
    df = per_fte_frame(data)
    if df.empty:
        return None
    fig = _figure(11, 4.6)
    axes = fig.subplots(1, 2)
    titles = {"appointments_per_fte_week": ("Appointments per FTE a week", "appointments per FTE per week"),
              "clinical_hours_per_fte_week": ("Clinical hours per FTE a week", "clinical hours per FTE per week")}
    for ax, (measure, (title, unit)) in zip(axes, titles.items(), strict=True):
        part = df[df["measure"] == measure]
        roles = list(dict.fromkeys(part["role"]))
        _grouped_bars(ax, data, part, roles, "role", labels=len(roles) <= 5, spec="{:.0f}")
        _style(ax)
        ax.set_title(title, fontsize=10.5, loc="left")
        ax.set_ylabel(unit, fontsize=9.5)
        ax.margins(y=0.08)
        if len(roles) > 4:
            ax.tick_params(axis="x", labelrotation=25)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", frameon=False, fontsize=9, title="Scenario",
               title_fontsize=9)
    fig.suptitle("Workload by clinical role, whole area", fontsize=12, x=0.01, ha="left", fontweight="bold")
    fig.supxlabel("Role (1 FTE = 37.5 hours a week). " + interval_note(data), fontsize=9)
    return fig


def gp_admin(data: ReportData) -> Figure | None:
    """GP admin hours: per GP FTE a week, and whole-area hours a week split into their sources."""
    df = gp_admin_frame(data)
    if df.empty:
        return None
    fig = _figure(11, 4.4)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.1])
    x = np.arange(len(df))
    names = df["scenario"].tolist()
    cols = [colour(data, n) for n in names]
    err = _err(df, "per_fte", "per_fte_ci_low", "per_fte_ci_high")
    bars = ax1.bar(x, df["per_fte"], 0.6, color=cols, yerr=err, capsize=3, error_kw={"elinewidth": 0.9})
    few = len(df) <= 6  # value labels only where they do not run into each other
    if few:
        ax1.bar_label(bars, labels=[f"{v:.1f}" for v in df["per_fte"]], fontsize=8, padding=2)
    ax1.set_xticks(x, names)
    ax1.set_ylabel("admin hours per GP FTE per week", fontsize=9.5)
    ax1.set_title("Admin hours per GP FTE a week", fontsize=10.5, loc="left")
    _style(ax1)
    parts = [("session_admin", "Results, letters, prescriptions (per session)", "#7fa7d9"),
             ("correspondence", "Clinical correspondence", "#ED8B00"),
             ("supervision", "Supervising other roles", "#7C2855")]
    bottom = np.zeros(len(df))
    for col, label, c in parts:
        vals = df[col].to_numpy(dtype=float)
        ax2.bar(x, vals, 0.6, bottom=bottom, color=c, label=label)
        bottom += np.nan_to_num(vals)
    if few:
        ax2.bar_label(ax2.containers[-1], labels=[f"{v:.0f}" for v in bottom], fontsize=8, padding=2)
    ax2.set_ylim(0, max(float(np.nanmax(bottom)) * 1.12, 1.0))  # zero-height top layers pin autoscale
    ax2.set_xticks(x, names)
    ax2.set_ylabel("GP hours per week, whole area", fontsize=9.5)
    ax2.set_title("GP admin hours a week by source", fontsize=10.5, loc="left")
    ax2.legend(frameon=False, fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _style(ax2)
    ax1.margins(y=0.1)
    if sum(len(n) for n in names) > 30:
        for ax in (ax1, ax2):
            for label in ax.get_xticklabels():
                label.set(rotation=20 if len(names) <= 4 else 45, ha="right", rotation_mode="anchor")
    fig.suptitle("GP administrative workload", fontsize=12, x=0.01, ha="left", fontweight="bold")
    fig.supxlabel("Scenario. " + interval_note(data) + " The split by source shows means.", fontsize=9)
    return fig


def fte_over_time(data: ReportData) -> Figure | None:
    """FTE in post by role over time, one panel per role, and cumulative leavers and joiners."""
    fte = fte_series(data)
    if fte.empty:
        return None
    kinds = role_kinds(data)
    roles = [r for r in kinds if r in set(fte["role"])] + sorted(set(fte["role"]) - set(kinds))
    ev = event_series(data)
    n = len(roles) + 2
    ncols = 4 if n > 6 else 3
    nrows = math.ceil(n / ncols)
    fig = _figure(11.5, 2.55 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    for ax, role in zip(axes, roles, strict=False):
        for name in data.order:
            part = fte[(fte["role"] == role) & (fte["scenario"] == name)].sort_values("date")
            if part.empty:
                continue
            c = colour(data, name)
            # the reference drawn wider underneath, so it shows where a scenario's line lies on top of it
            ax.step(part["date"], part["fte"], where="post", color=c, lw=3.4 if name == data.reference else 1.6,
                    label=name)
            if np.isfinite(part["ci_low"]).any():
                ax.fill_between(part["date"], part["ci_low"].clip(lower=0), part["ci_high"], step="post",
                                color=c, alpha=0.15, lw=0)
        ax.set_title(f"{role}", fontsize=10, loc="left")
        ax.set_ylabel("FTE in post", fontsize=8.5)
        ax.set_ylim(0, max(ax.get_ylim()[1] * 1.05, 1))
    k = len(roles)
    for ax, (kind, title) in zip(axes[k:k + 2], (("leavers", "Leavers (retired or left), cumulative"),
                                                   ("joiners", "Recruited or added, cumulative")), strict=True):
        for name in data.order:
            part = ev[(ev["kind"] == kind) & (ev["scenario"] == name)]
            if not part.empty:
                ax.step(part["date"], part["cumulative"], where="post", color=colour(data, name),
                        lw=3.4 if name == data.reference else 1.6, label=name)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel("staff (mean per replication)", fontsize=8.5)
        ax.set_ylim(0, max(ax.get_ylim()[1], 1))
    for j, ax in enumerate(axes):
        if j >= k + 2:
            ax.set_visible(False)
        elif j + ncols >= k + 2:  # nothing drawn below: show its dates
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:k + 2]:
        _style(ax)
        _date_axis(ax, maxticks=4)
    handles, labels = axes[0].get_legend_handles_labels()
    longest = max((len(x) for x in labels), default=1)  # entries of ~0.075 in a character + 0.6 in of line
    ncols = max(1, min(len(labels), 5, int(11.0 / (0.075 * longest + 0.6))))
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False, fontsize=9.5,
               title="Scenario" + (f" (mean of {data.n_reps} replications; bands: 95% intervals)"
                                   if data.n_reps > 1 else ""), title_fontsize=9)
    fig.suptitle("Workforce over time: FTE in post by role (1 FTE = 37.5 hours a week), leavers and recruits",
                 fontsize=12, x=0.01, ha="left", fontweight="bold")
    return fig


def continuity(data: ReportData) -> Figure | None:
    """Continuity of care (UPC index) for the area, each PCN and each practice, per scenario."""
    df = continuity_frame(data)
    if df.empty:
        return None
    df = df.assign(label=[("Whole area " if lv == "lgpo" else ("PCN " if lv == "pcn" else "")) + u
                          for lv, u in zip(df["level"], df["unit"], strict=True)])
    cats = list(dict.fromkeys(df["label"]))
    fig = _figure(11, 4.4)
    ax = fig.add_subplot()
    _grouped_bars(ax, data, df, cats, "label", labels=len(cats) * len(data.order) <= 16, spec="{:.2f}",
                  upper=1.0)
    _style(ax)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("UPC index (0–1; 1 = always the same GP)", fontsize=9.5)
    ax.set_xlabel("Area, PCN and practice\n" + interval_note(data), fontsize=9.5)
    if len(cats) > 8:
        for label in ax.get_xticklabels():
            label.set(rotation=45, ha="right", rotation_mode="anchor")
    for k, label in enumerate(cats):  # a faint line before each PCN: its practices follow it
        if label.startswith("PCN ") and k > 0:
            ax.axvline(k - 0.5, color="#b8c4d0", lw=0.8, ls="--", zorder=0)
    ax.set_title("Continuity of GP care for patients with long-term conditions (Usual Provider of Care)",
                 fontsize=12, loc="left", fontweight="bold")
    _legend(ax)
    return fig


# (file stem, figure function, caption)
FIGURES = (
    ("wait_distribution", wait_distribution,
     "Share of appointments by days from booking to appointment, in NHS Digital's bins (Appointments in "
     "General Practice, TIME_BETWEEN_BOOK_AND_APPT)."),
    ("unmet_over_time", unmet_over_time,
     "Requests lost (the patient gave up or no slot within their tolerance) per 1,000 registered patients, "
     "annualised so months or weeks of different length compare."),
    ("workload_per_fte", workload_per_fte,
     "Appointments seen and clinical hours worked per FTE in post a week, by role, whole area."),
    ("gp_admin", gp_admin,
     "GP admin time: per GP FTE a week, and the whole area's GP admin hours a week by source "
     "(per-session clinical admin, correspondence, supervision of other roles)."),
    ("fte_over_time", fte_over_time,
     "FTE in post by role (retirements, leavers and recruits change it), and cumulative leavers and joiners."),
    ("continuity", continuity,
     "Usual Provider of Care: share of a patient's GP appointments with their most-seen GP, averaged over "
     "patients with a long-term condition and at least two GP appointments."),
)
