"""The terminal tables: a run's headline outcomes, strain by PCN, and a comparison with paired differences."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

KEY_METRICS = [
    ("list_size", "Registered patients", "{:,.0f}"),
    ("requests_per_1000_year", "Requests per 1,000 patients a year", "{:,.0f}"),
    ("appointments_per_1000_year", "Appointments per 1,000 patients a year", "{:,.0f}"),
    ("lost_pct", "Requests lost (unmet), %", "{:.1f}"),
    ("unmet_per_1000_year", "Unmet demand per 1,000 patients a year", "{:.0f}"),
    ("wait_bin_pct:Same Day", "Seen the same day, %", "{:.1f}"),
    ("mean_wait_days", "Mean days to appointment", "{:.1f}"),
    ("p90_wait_days", "90th percentile days to appointment", "{:.0f}"),
    ("dna_pct", "Did not attend, %", "{:.1f}"),
    ("gp_share_pct", "Appointments with a GP, %", "{:.1f}"),
    ("continuity_upc", "Continuity (UPC, LTC patients)", "{:.2f}"),
    ("utilisation_pct", "Slot utilisation, %", "{:.1f}"),
    ("appointments_per_fte_week:GP", "GP appointments per FTE a week", "{:.0f}"),
    ("admin_hours_per_fte_week:GP", "GP admin hours per FTE a week", "{:.1f}"),
    ("overtime_hours_per_week", "Clinician overtime, hours a week", "{:.0f}"),
]

HEADLINE = [
    ("lost_pct", "Requests lost (unmet), %", "{:.2f}"),
    ("unmet_per_1000_year", "Unmet demand per 1,000 a year", "{:.0f}"),
    ("wait_bin_pct:Same Day", "Seen the same day, %", "{:.1f}"),
    ("mean_wait_days", "Mean days to appointment", "{:.2f}"),
    ("p90_wait_days", "90th percentile wait, days", "{:.1f}"),
    ("gp_share_pct", "Appointments with a GP, %", "{:.1f}"),
    ("continuity_upc", "Continuity (UPC)", "{:.3f}"),
    ("utilisation_pct", "Slot utilisation, %", "{:.1f}"),
    ("appointments_per_fte_week:GP", "GP appointments per FTE-week", "{:.1f}"),
    ("admin_hours_per_fte_week:GP", "GP admin hours per FTE-week", "{:.2f}"),
    ("overtime_hours_per_week", "Clinician overtime, h/week", "{:.1f}"),
    ("admin_fte_required_per_10k", "Admin FTE needed per 10,000", "{:.2f}"),
    ("days_below_75pct_capacity", "Days a practice < 75% capacity", "{:.1f}"),
    ("gp_fte_end", "GP FTE at the end", "{:.1f}"),
    ("leavers", "Leavers", "{:.1f}"),
]


def comparison_table(comparison: pd.DataFrame, order: list[str]) -> Table:
    """The headline comparison: mean per scenario and the paired difference from the first."""
    lg = comparison[comparison["level"] == "lgpo"]
    table = Table(title=f"Scenarios compared with {order[0]!r} (95% intervals; * = interval excludes 0)",
                  show_lines=False)
    table.add_column("Outcome (whole area)")
    for name in order:
        table.add_column(name if name == order[0] else f"{name}\n(difference)", justify="right")
    for metric, label, fmt in HEADLINE:
        rows = lg[lg["metric"] == metric].set_index("scenario")
        if rows.empty:
            continue
        cells = []
        for k, name in enumerate(order):
            if name not in rows.index:
                cells.append("")
                continue
            r = rows.loc[name]
            if k == 0:
                cells.append(fmt.format(r["mean"]))
            else:
                star = "*" if r["diff_significant"] else ""
                d = fmt.format(r["diff_mean"])
                if r["diff_mean"] >= 0:
                    d = "+" + d
                lo, hi = fmt.format(r["diff_ci_low"]), fmt.format(r["diff_ci_high"])
                cells.append(f"{fmt.format(r['mean'])}\n{d} [{lo}, {hi}]{star}")
        table.add_row(label, *cells)
    return table


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """The headline outcomes of one run for the terminal."""
    lg = summary[summary["level"] == "lgpo"]
    values = dict(zip(lg["metric"], lg["value"], strict=True))
    table = Table(title=title, show_lines=False)
    table.add_column("Outcome (whole area)")
    table.add_column("Value", justify="right")
    for key, label, fmt in KEY_METRICS:
        if key in values:
            table.add_row(label, fmt.format(values[key]))
    return table


def pcn_table(summary: pd.DataFrame) -> Table:
    """Where the strain falls: key access figures per PCN."""
    pc = summary[summary["level"] == "pcn"].pivot_table(index="unit", columns="metric", values="value")
    table = Table(title="By PCN")
    for col in ("PCN", "Patients", "Lost %", "Same day %", "Mean wait (days)", "Utilisation %"):
        table.add_column(col, justify="right" if col != "PCN" else "left")
    for unit, row in pc.iterrows():
        table.add_row(str(unit), f"{row.get('list_size', 0):,.0f}", f"{row.get('lost_pct', 0):.1f}",
                      f"{row.get('wait_bin_pct:Same Day', 0):.1f}", f"{row.get('mean_wait_days', 0):.1f}",
                      f"{row.get('utilisation_pct', 0):.1f}")
    return table
