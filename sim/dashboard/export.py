"""The current comparison as files a workshop can keep: a CSV of every number on screen and a PNG of the charts.

Both are built from a published :class:`~sim.dashboard.state.View` (never a running model), so
the app can offer them while the models play. Labels and units come from the outcome registry
where the measure is a summary outcome; the live-only measures carry their own words here.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.dashboard.bands import (
    NON_NEGATIVE,
    PERCENT,
    Band,
    Bounds,
    attr_band,
    paired_difference,
    practice_bands,
    role_bands,
    series_band,
    wait_share_bands,
)
from sim.dashboard.charts import BIN_LABELS, COLOURS, DAY_AXIS, SERIES, role_names
from sim.dashboard.controller import View
from sim.dashboard.controls import Side
from sim.dashboard.state import ROLLING_DAYS, STRAIN_DAYS
from sim.results.outcomes import outcome

DIFFERENCE = "difference (collaborating - standalone)"
COLUMNS = ("scenario", "day", "replications", "section", "measure", "unit", "side", "mean", "ci_low", "ci_high")


@dataclass(frozen=True)
class Headline:
    """A headline number: the snapshot field, its words and unit, its decimals, its range and its better way."""

    attr: str
    label: str
    unit: str
    decimals: int
    bounds: Bounds
    lower_better: bool | None


def _registered(attr: str, when: str = "", bounds: Bounds = NON_NEGATIVE) -> Headline:
    """A headline for a summary outcome, labelled and formatted as the outcome registry says."""
    o = outcome(attr)
    return Headline(attr, f"{o.label}{when}", o.unit, o.decimals, bounds,
                    None if o.better is None else o.better == "lower")


HEADLINES: tuple[Headline, ...] = (
    # live-only measures are labelled here; the others come from the outcome registry
    Headline("waiting_list", "Waiting list (booked, not yet seen)", "patients", 0, NON_NEGATIVE, True),
    _registered("unmet_per_1000_year", " so far"),
    _registered("mean_wait_days"),
    Headline("continuity_pct", "Continuity: LTC patients seeing their usual GP", "% of their GP visits", 1,
             PERCENT, False),
    Headline("gp_admin_hours_per_fte_week", f"GP admin hours (last {ROLLING_DAYS} days)",
             "hours per GP FTE per week", 1, NON_NEGATIVE, True),
    Headline("gp_fte", "GP FTE in post", "FTE", 1, NON_NEGATIVE, False),
)


def headline_bands(view: View) -> dict[str, dict[str, Band]]:
    """Per headline: each side's band, and the paired difference in the split view (key DIFFERENCE)."""
    out: dict[str, dict[str, Band]] = {}
    for h in HEADLINES:
        row: dict[str, Band] = {side: attr_band(view.latest(side), h.attr, h.bounds) for side in view.history}
        if len(view.history) == 2:
            row[DIFFERENCE] = paired_difference(view.latest("standalone"), view.latest("collaborating"), h.attr)
        out[h.attr] = row
    return out


def comparison_frame(view: View, labels: dict[Side, str]) -> pd.DataFrame:
    """Every number of the current comparison, one row per measure and side, with 95% intervals."""
    rows: list[tuple] = []

    def add(section: str, measure: str, unit: str, side: str, b: Band) -> None:
        rows.append((section, measure, unit, side, b.mean, b.low, b.high))

    names: dict[str, str] = {**labels, DIFFERENCE: DIFFERENCE}
    headlines = headline_bands(view)
    for h in HEADLINES:
        for side, b in headlines[h.attr].items():
            add("headline", h.label, h.unit, names[side], b)
    current = view.current
    roles = role_names(current)
    for side, snaps in current.items():
        for label, b in zip(BIN_LABELS, wait_share_bands(snaps, len(BIN_LABELS)), strict=True):
            add("days to appointment so far", label, outcome("wait_bin_pct:Same Day").unit, labels[side], b)
        for role, b in zip(roles, role_bands(snaps, "utilisation_pct", roles), strict=True):
            add("utilisation so far", role, outcome("utilisation_pct").unit, labels[side], b)
        for role, b in zip(roles, role_bands(snaps, "overtime_hours_per_fte_week", roles), strict=True):
            add("overtime so far", role, outcome("overtime_hours_per_fte_week:GP").unit, labels[side], b)
        for p in practice_bands(snaps):
            add(f"practice strain, last {STRAIN_DAYS} days", f"{p.name} ({p.code})",
                "% of requests unmet or late", labels[side], p.strain)
    frame = pd.DataFrame(rows, columns=list(COLUMNS[3:]))
    frame.insert(0, "replications", view.replications)
    frame.insert(0, "day", view.day)
    frame.insert(0, "scenario", view.scenario)
    return frame


def comparison_csv(view: View, labels: dict[Side, str]) -> bytes:
    """The comparison as CSV (UTF-8, numbers to 4 decimals)."""
    return comparison_frame(view, labels).to_csv(index=False, float_format="%.4f").encode("utf-8")


def comparison_png(view: View, labels: dict[Side, str], dpi: int = 110) -> bytes:
    """The comparison as one PNG: the headline table (means and 95% intervals) over the four time series."""
    fig = Figure(figsize=(11, 12.4), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subfigures(2, 1, height_ratios=[0.7, 3])  # the table's width does not squeeze the charts
    table_ax = top.subplots()
    table_ax.axis("off")
    bands = headline_bands(view)
    columns = ["Measure (unit)"] + [labels[s] for s in view.history]
    if len(view.history) == 2:
        columns.append("Collaborating − standalone")
    cells = []
    for h in HEADLINES:
        row = [f"{h.label} ({h.unit})"]
        for key, b in bands[h.attr].items():
            mean, interval = fmt_band(b, h.decimals)
            if key == DIFFERENCE and mean != "–" and float(mean.replace(",", "")) > 0:
                mean = "+" + mean
            row.append(f"{mean} ({interval})" if interval else mean)
        cells.append(row)
    side_width = 0.51 / (len(columns) - 1)
    table = table_ax.table(cellText=cells, colLabels=columns, loc="center", cellLoc="right",
                           colWidths=[0.49] + [side_width] * (len(columns) - 1))
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.3)
    for (_, col), cell in table.get_celld().items():
        if col == 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.02
    axes = bottom.subplots(3, 2).ravel()
    for ax in axes[len(SERIES):]:
        ax.set_axis_off()
    for ax, measure in zip(axes, SERIES, strict=False):
        for side, reps in view.history.items():
            b = series_band(reps, measure.attr, measure.bounds, measure.skip_first)
            colour = COLOURS[side]
            ax.plot(b.days, b.mean, color=colour, lw=1.8, label=labels[side])
            if view.replications > 1:
                ax.fill_between(b.days, b.low, b.high, color=colour, alpha=0.2, lw=0)
        ax.set_title(measure.title, fontsize=10, loc="left")
        ax.set_xlabel(DAY_AXIS, fontsize=9)
        ax.set_ylabel(measure.unit, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best", frameon=False)
    band_words = (f"mean of {view.replications} replications with its 95% interval (table: in brackets; charts: shaded)"
                  if view.replications > 1 else "one replication: no intervals")
    fig.suptitle(f"gpsim dashboard: {view.scenario or 'scenario'}, day {view.day} of {view.horizon}. {band_words}",
                 fontsize=11)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def filename(view: View, ext: str) -> str:
    """A download name that says what and when: gpsim-<scenario>-day<N>-<reps>reps.<ext>."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in view.scenario or "scenario")
    return f"gpsim-{safe}-day{view.day}-{view.replications}reps.{ext}"


def fmt_band(b: Band, decimals: int) -> tuple[str, str]:
    """A band as (mean, '95% interval') strings for a table; '–' where there is no number."""
    def num(x: float) -> str:
        return f"{round(x, decimals) + 0.0:,.{decimals}f}"  # + 0.0: no "-0.0"

    if not math.isfinite(b.mean):
        return "–", ""
    if not b.has_interval:
        return num(b.mean), ""
    return num(b.mean), f"{num(b.low)} to {num(b.high)}"
