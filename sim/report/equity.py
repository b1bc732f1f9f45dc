"""The report's equity section: access by IMD quintile and age band, and supply against need.

:func:`equity_groups` picks the comparison's whole-area outcomes of the registry's "Equity" group
(by national IMD quintile, need-adjusted, by age band, and where unmet demand went by quintile and
by age band) for the section's tables;
:data:`EQUITY_FIGURES` draws lost requests by IMD quintile and, where the area's practices carry
Carr-Hill weighted patients, appointments per 1,000 weighted patients by quintile (the inverse
care law: supply against need). Each returns None where the comparison has nothing to show.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.report.data import ReportData
from sim.report.figures import DPI, PALETTE, interval_note
from sim.results.outcomes import Outcome, outcome

QUINTILE_KEYS = ("Q1", "Q2", "Q3", "Q4", "Q5")
UNMET_IMD = "Where unmet demand went, by IMD quintile (per 1,000 patients of the quintile a year)"
UNMET_AGE = "Where unmet demand went, by age band (per 1,000 patients of the band a year)"


def equity_groups(data: ReportData, report: bool = False) -> dict[str, list[Outcome]]:
    """Whole-area Equity outcomes of the comparison, grouped: by IMD quintile, need-adjusted, by age band.

    ``report``: for the HTML/PDF report, which leaves out where unmet demand went by age band (40 rows a
    scenario; the Excel Equity sheet and summary.csv carry it) so the printed report stays short.
    """
    metrics = dict.fromkeys(data.comparison.loc[data.comparison["level"] == "lgpo", "metric"])
    groups: dict[str, list[Outcome]] = {"By national IMD quintile (Q1 most deprived)": [], "Need-adjusted": [],
                                        "By age band": [], UNMET_IMD: [], UNMET_AGE: []}
    for m in metrics:
        try:
            o = outcome(str(m))
        except KeyError:
            continue
        if str(o.group).lower() != "equity":
            continue
        unmet = "unmet" in o.name  # where unmet demand went (sim.results.summary_destination_groups)
        key = ((UNMET_AGE if unmet else "By age band") if "_age:" in o.name else
               UNMET_IMD if unmet else
               "Need-adjusted" if "weighted" in o.name or o.name == "need_index" else
               "By national IMD quintile (Q1 most deprived)")
        groups[key].append(o)
    return {k: v for k, v in groups.items() if v and not (report and k == UNMET_AGE)}


def _quintile_frame(data: ReportData, family: str) -> pd.DataFrame:
    """Whole-area rows of ``family:Qk`` (scenario, quintile, mean, ci_low, ci_high)."""
    c = data.comparison
    rows = c[(c["level"] == "lgpo") & c["metric"].astype(str).str.startswith(f"{family}:")]
    return rows.assign(quintile=rows["metric"].astype(str).str.split(":").str[1])


def _bars(data: ReportData, df: pd.DataFrame, ylabel: str, title: str, upper: float = np.inf) -> Figure | None:
    """Bars by quintile, one per scenario side by side, with 95% whiskers (clipped to [0, upper])."""
    cats = [q for q in QUINTILE_KEYS if q in set(df["quintile"])]
    if not cats:
        return None
    fig = Figure(figsize=(9, 4.2), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    n = len(data.order)
    width = 0.8 / n
    x = np.arange(len(cats))
    for k, name in enumerate(data.order):
        part = df[df["scenario"] == name].set_index("quintile").reindex(cats)
        y = part["mean"].to_numpy(dtype=float)
        err = None
        if data.n_reps > 1:
            low = y - np.maximum(part["ci_low"].to_numpy(dtype=float), 0.0)
            high = np.minimum(part["ci_high"].to_numpy(dtype=float), upper) - y
            err = np.vstack([np.nan_to_num(low), np.nan_to_num(high)])
        ax.bar(x + (k - (n - 1) / 2) * width, np.nan_to_num(y), width * 0.95, color=PALETTE[k % len(PALETTE)],
               label=name, yerr=err, capsize=2.5, error_kw={"elinewidth": 0.9, "ecolor": "#222"})
    ax.set_xticks(x, [f"{q}{' (most deprived)' if q == 'Q1' else ' (least deprived)' if q == 'Q5' else ''}"
                      for q in cats])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#d8dde3", linewidth=0.7)
    ax.set_axisbelow(True)
    ax.set_xlabel("National IMD 2019 quintile of the patient's practice\n" + interval_note(data), fontsize=9.5)
    ax.set_ylabel(ylabel, fontsize=9.5)
    ax.set_title(title, fontsize=12, loc="left", fontweight="bold")
    ax.legend(frameon=False, fontsize=9, title="Scenario", title_fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return fig


def lost_by_quintile(data: ReportData) -> Figure | None:
    """Share of requests lost by the practice's national IMD quintile, per scenario."""
    df = _quintile_frame(data, "lost_pct_imd")
    return _bars(data, df, "% of requests lost", "Who loses out: requests lost by deprivation, whole area",
                 upper=100.0) if len(df) else None


def supply_against_need(data: ReportData) -> Figure | None:
    """Appointments per 1,000 Carr-Hill weighted patients by IMD quintile (the inverse care law)."""
    df = _quintile_frame(data, "appointments_per_1000_weighted_imd")
    return _bars(data, df, "appointments per 1,000 weighted patients a year",
                 "Supply against need: appointments per need-weighted patient, by deprivation") if len(df) else None


EQUITY_FIGURES = (
    ("lost_by_quintile", lost_by_quintile,
     "Requests lost by the national IMD 2019 quintile of the patient's practice (OHID Fingertips 93553); "
     "demand rises with deprivation by demand.deprivation_gradient (Vestesson et al. 2023)."),
    ("supply_against_need", supply_against_need,
     "Appointments a year per 1,000 Carr-Hill weighted patients (NHS Payments to General Practice) by IMD "
     "quintile: equal bars would be equal access for equal need; falling towards Q1 is the inverse care law."),
)
