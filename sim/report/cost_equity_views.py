"""Report views of cost and equity: the cost-and-access plane, supply against need by practice, the price list.

* :func:`cost_plane`: each scenario's paired change in cost per 1,000 patients against its change in
  lost requests per 1,000, with 95% intervals on both (what it costs, and what it buys).
* :func:`supply_need_by_practice`: one point per practice, IMD 2019 score against GP FTE per 10,000
  Carr-Hill weighted patients and appointments per 1,000 weighted patients (the inverse care law seen
  practice by practice).
* :func:`prices_frame`: every intervention price field of the report's scenarios, with its value and
  its source, or the statement that no published price exists and it is 0.
* :func:`group_frame`: the whole-area rows of a set of outcome groups (the workbook's Costs and
  Equity sheets).

Each figure returns None where the comparison has nothing to show.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.config.interventions import INTERVENTION_TYPES
from sim.costs.rates import DDRB_GP_AWARDS, PRICE_YEAR, GpRates, LocumRate, TraineeRates, pay_uplift
from sim.report.assumptions import show_value
from sim.report.data import ReportData
from sim.report.figures import DPI, PALETTE, interval_note
from sim.results.outcomes import Outcome


def _lgpo(data: ReportData, metric: str) -> pd.DataFrame:
    c = data.comparison
    return c[(c["level"] == "lgpo") & (c["metric"] == metric)].set_index("scenario")


def cost_plane(data: ReportData) -> Figure | None:
    """Paired change in cost per 1,000 patients a year against change in lost requests per 1,000 a year."""
    cost, unmet = _lgpo(data, "cost_per_1000_gbp_year"), _lgpo(data, "unmet_per_1000_year")
    names = [n for n in data.order[1:] if n in cost.index and n in unmet.index]
    if not names or "diff_mean" not in cost.columns:
        return None
    fig = Figure(figsize=(8, 4.6), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for k, name in enumerate(names, start=1):
        c, u = cost.loc[name], unmet.loc[name]
        x, y = float(u["diff_mean"]), float(c["diff_mean"])
        xerr = yerr = None
        if data.n_reps > 1:
            xerr = [[x - float(u["diff_ci_low"])], [float(u["diff_ci_high"]) - x]]
            yerr = [[y - float(c["diff_ci_low"])], [float(c["diff_ci_high"]) - y]]
        ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt="o", ms=7, capsize=3, color=PALETTE[k % len(PALETTE)],
                    label=name)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.axhline(0, color="#888", linewidth=0.8)
    ax.axvline(0, color="#888", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(color="#e3e7eb", linewidth=0.6)
    ax.set_xlabel(f"Change in requests lost per 1,000 patients a year vs {data.reference} (left: fewer lost)\n"
                  + interval_note(data), fontsize=9.5)
    ax.set_ylabel(f"Change in cost, GBP per 1,000 patients a year vs {data.reference}", fontsize=9.5)
    ax.set_title("What it costs and what it buys: paired differences, whole area", fontsize=12, loc="left",
                 fontweight="bold")
    ax.legend(frameon=False, fontsize=9, title="Scenario", title_fontsize=9, loc="best")  # inside: the long axis labels keep the width
    return fig


def _practice_means(data: ReportData, metric: str) -> pd.Series:
    c = data.comparison
    rows = c[(c["level"] == "practice") & (c["metric"] == metric) & (c["scenario"] == data.reference)]
    return rows.set_index("unit")["mean"].astype(float)


def supply_need_by_practice(data: ReportData) -> Figure | None:
    """Each practice's IMD score against GP FTE and appointments per need-weighted patient (reference scenario)."""
    imd = _practice_means(data, "imd_score")
    panels = [(m, label) for m, label in (
        ("gp_fte_per_10k_weighted", "GP FTE per 10,000 weighted patients"),
        ("appointments_per_1000_weighted_year", "appointments a year per 1,000 weighted patients"))
        if not _practice_means(data, m).empty]
    if imd.empty or not panels:
        return None
    fig = Figure(figsize=(10, 4.3), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (metric, label) in zip(axes, panels, strict=True):
        joined = pd.concat([imd.rename("imd"), _practice_means(data, metric).rename("y")], axis=1).dropna()
        ax.scatter(joined["imd"], joined["y"], s=14, alpha=0.7, color=PALETTE[0], edgecolor="none")
        if len(joined) >= 3 and joined["imd"].nunique() > 1:
            slope, icept = np.polyfit(joined["imd"], joined["y"], 1)
            xs = np.linspace(joined["imd"].min(), joined["imd"].max(), 2)
            ax.plot(xs, icept + slope * xs, color="#333", linewidth=1.2,
                    label=f"least squares: {slope:+.3g} per IMD point")
            ax.legend(frameon=False, fontsize=8.5, loc="best")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(color="#e3e7eb", linewidth=0.6)
        ax.set_xlabel("Practice IMD 2019 score (higher = more deprived)", fontsize=9.5)
        ax.set_ylabel(label, fontsize=9.5)
    fig.suptitle(f"Supply against need, practice by practice ({data.reference}; {len(imd)} practices)",
                 fontsize=12, x=0.01, ha="left", fontweight="bold")
    return fig


def _price_fields(iv_type: str) -> dict[str, tuple[Any, str]]:
    """Price fields (GBP) of an intervention type: name -> (default, description: unit and source)."""
    model = INTERVENTION_TYPES.get(iv_type)
    if model is None:
        return {}
    return {n: (f.get_default(call_default_factory=True), f.description or "")
            for n, f in model.model_fields.items() if "gbp" in n}


def _is_zero(value: Any) -> bool:
    return not value or (isinstance(value, dict) and not any(value.values()))


def prices_frame(data: ReportData) -> pd.DataFrame:
    """One row per price field of each intervention in the report: scenario, intervention, field, GBP, source.

    A field whose default is 0 has no published price (docs/costs.md): the row says so, and whether
    the scenario set one.
    """
    rows = []
    for s in data.scenarios:
        for iv in (s.config or {}).get("interventions") or []:
            kind = str(iv.get("type", ""))
            for name, (default, desc) in _price_fields(kind).items():
                value = iv.get(name, default)
                if _is_zero(default):
                    status = "no published price: 0" if _is_zero(value) else "no published price: set in the scenario"
                else:
                    status = "published default" if value == default else "set in the scenario"
                rows.append({"Scenario": s.label, "Intervention": kind, "Price (YAML field)": name,
                             "GBP": show_value(value), "Status": status, "Unit and source": desc})
    return pd.DataFrame(rows, columns=["Scenario", "Intervention", "Price (YAML field)", "GBP", "Status",
                                       "Unit and source"])


def staff_price_note() -> str:
    """One sentence for the report's assumptions: the single price year of every staff cost and how it was reached."""
    gp, locum, trainee = GpRates(), LocumRate(), TraineeRates()
    awards = ", ".join(f"{y} {a:.1%}" for y, a in DDRB_GP_AWARDS.items() if y > gp.price_year)
    return (f"Every staff cost is in {PRICE_YEAR} pounds: Agenda for Change {PRICE_YEAR} pay scales; GP earnings "
            f"({gp.price_year}, NHS Digital GP Earnings and Expenses) x {pay_uplift(gp.price_year):.4f} by the DDRB "
            f"awards for GPs ({awards}); the locum fee ({locum.price_year}) x {pay_uplift(locum.price_year):.4f}; GP "
            f"trainees at the resident doctors' {trainee.price_year} basic pay (ST1-ST2 GBP {trainee.st1_st2_gbp:,.0f}, "
            f"ST3 GBP {trainee.st3_gbp:,.0f}) with employer NI and pension. Intervention prices are in their sources' "
            "years (docs/costs.md).")


def group_frame(data: ReportData, groups: dict[str, list[Outcome]]) -> pd.DataFrame:
    """Whole-area rows of ``groups``: mean and 95% interval per scenario, paired differences to the reference."""
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    rows = []
    for group, items in groups.items():
        for o in items:
            row: dict[str, Any] = {"Group": group, "Outcome": o.label, "Metric": o.name, "Unit": o.unit}
            for k, name in enumerate(data.order):
                if (o.name, name) not in lg.index:
                    continue
                r = lg.loc[(o.name, name)]
                row[f"{name}: mean"] = r["mean"]
                if data.n_reps > 1:
                    row[f"{name}: 95% low"], row[f"{name}: 95% high"] = r["ci_low"], r["ci_high"]
                if k > 0:
                    row[f"{name} − {data.reference}: difference"] = r["diff_mean"]
                    row[f"{name} − {data.reference}: 95% low"] = r["diff_ci_low"]
                    row[f"{name} − {data.reference}: 95% high"] = r["diff_ci_high"]
            rows.append(row)
    return pd.DataFrame(rows)


COST_EQUITY_FIGURES = (
    ("cost_plane", cost_plane,
     "Each scenario's paired change in total cost per 1,000 registered patients a year (staff, overtime and "
     "priced interventions; docs/costs.md) against its change in requests lost per 1,000 patients a year, with "
     "95% intervals. Lower left: cheaper and better; upper left: better at a cost."),
    ("supply_need_by_practice", supply_need_by_practice,
     "One point per practice of the reference scenario: its IMD 2019 score (OHID Fingertips 93553) against GP "
     "FTE and appointments per Carr-Hill weighted patient (NHS Payments to General Practice). A line falling "
     "to the right is the inverse care law: less supply where need is greater."),
)
