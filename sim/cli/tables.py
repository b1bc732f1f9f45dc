"""The terminal tables: a run's headline outcomes, strain by PCN, and a comparison with paired differences.

Labels, units and number formats come from the outcome registry (sim/results/outcomes.py).
"""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from sim.results.outcomes import outcome

# whole-area outcomes `gpsim run` prints
KEY_METRICS: tuple[str, ...] = (
    "list_size", "requests_per_1000_year", "appointments_per_1000_year", "lost_pct", "unmet_per_1000_year",
    "wait_bin_pct:Same Day", "mean_wait_days", "p90_wait_days", "dna_pct", "gp_share_pct", "continuity_upc",
    "utilisation_pct", "appointments_per_fte_week:GP", "admin_hours_per_fte_week:GP", "overtime_hours_per_week",
)
# per-PCN columns of `gpsim run`
PCN_METRICS: tuple[str, ...] = ("list_size", "lost_pct", "wait_bin_pct:Same Day", "mean_wait_days", "utilisation_pct")
# whole-area outcomes `gpsim compare` and `gpsim main-job` print
HEADLINE: tuple[str, ...] = (
    "lost_pct", "unmet_per_1000_year", "wait_bin_pct:Same Day", "mean_wait_days", "p90_wait_days", "gp_share_pct",
    "continuity_upc", "utilisation_pct", "appointments_per_fte_week:GP", "admin_hours_per_fte_week:GP",
    "overtime_hours_per_week", "admin_cost_per_10k_gbp_year", "days_below_75pct_capacity", "gp_fte_end", "leavers",
)


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """The headline outcomes of one run for the terminal."""
    lg = summary[summary["level"] == "lgpo"]
    values = dict(zip(lg["metric"], lg["value"], strict=True))
    table = Table(title=title, show_lines=False)
    table.add_column("Outcome (whole area)")
    table.add_column("Value", justify="right")
    table.add_column("Unit", style="dim")
    for metric in KEY_METRICS:
        if metric in values:
            o = outcome(metric)
            table.add_row(o.label, o.format(values[metric]), o.unit)
    return table


def pcn_table(summary: pd.DataFrame) -> Table:
    """Where the strain falls: key access figures per PCN."""
    pc = summary[summary["level"] == "pcn"].pivot_table(index="unit", columns="metric", values="value")
    table = Table(title="By PCN")
    table.add_column("PCN")
    for metric in PCN_METRICS:
        o = outcome(metric)
        table.add_column(f"{o.heading}\n[dim]{o.unit}[/dim]", justify="right")
    for unit, row in pc.iterrows():
        table.add_row(str(unit), *(outcome(m).format(row.get(m, 0)) for m in PCN_METRICS))
    return table


def comparison_table(comparison: pd.DataFrame, order: list[str]) -> Table:
    """The headline comparison: mean per scenario and the paired difference from the first."""
    lg = comparison[comparison["level"] == "lgpo"]
    table = Table(title=f"Scenarios compared with {order[0]!r} (95% intervals; * = interval excludes 0)",
                  show_lines=False)
    table.add_column("Outcome (whole area)")
    for name in order:
        table.add_column(name if name == order[0] else f"{name}\n(difference)", justify="right")
    for metric in HEADLINE:
        rows = lg[lg["metric"] == metric].set_index("scenario")
        if rows.empty:
            continue
        o = outcome(metric)
        cells = []
        for k, name in enumerate(order):
            if name not in rows.index:
                cells.append("")
                continue
            r = rows.loc[name]
            if k == 0:
                cells.append(o.format(r["mean"]))
            else:
                star = "*" if r["diff_significant"] else ""
                d = o.format(r["diff_mean"])
                if r["diff_mean"] >= 0:
                    d = "+" + d
                lo, hi = o.format(r["diff_ci_low"]), o.format(r["diff_ci_high"])
                cells.append(f"{o.format(r['mean'])}\n{d} [{lo}, {hi}]{star}")
        table.add_row(f"{o.label}\n[dim]{o.unit}[/dim]", *cells)
    return table
