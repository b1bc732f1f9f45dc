"""The report's words: a short title and one plain-English sentence per scenario for the executive summary.

Numbers come from ``comparison.csv`` (through :class:`ReportData`) in the outcome registry's formats;
a rise is called a rise and a fall a fall by the sign of the paired difference, and a difference whose
95% interval includes 0 is called no clear change.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from sim.report.assumptions import parameter_differences, show_value
from sim.report.data import ReportData, ScenarioInfo
from sim.report.tables import fmt
from sim.results.outcomes import Outcome, outcome

MAIN = "unmet_per_1000_year"  # the main effect of every scenario: the demand the area cannot meet
# the other key outcomes; the clearest change among them is named after the main effect
# how a key outcome reads inside a sentence, where its label would not ("Seen the same day would fall")
NOUNS = {"lost_pct": "the share of requests lost", "wait_bin_pct:Same Day": "the share of appointments on the day",
         "mean_wait_days": "the mean wait from request to appointment", "continuity_upc": "continuity of GP care (UPC)",
         "gp_fte_end": "GP FTE in post at the end", "overtime_hours_per_week": "clinicians' overtime"}
KEY = ("lost_pct", "wait_bin_pct:Same Day", "mean_wait_days", "appointments_per_fte_week:GP",
       "admin_hours_per_fte_week:GP", "overtime_hours_per_week", "continuity_upc", "gp_fte_end")


@dataclass(frozen=True)
class Change:
    """A paired difference of one outcome: mean, 95% interval and whether it excludes 0."""

    o: Outcome
    before: float
    after: float
    diff: float
    low: float
    high: float
    clear: bool


def change_words(c: Change) -> str:
    """'unmet demand would rise by about 64 lost requests ... (95% interval 45 to 83), from 120 to 184'.

    A fall is called a fall and its interval is given as the range of the fall (both bounds positive);
    a change whose interval includes 0 is 'no clear change' with the signed interval.
    """
    f, unit = c.o.fmt, c.o.unit
    name = NOUNS.get(c.o.name, _lower(c.o.label))
    pct = unit.startswith("%")
    if pct:  # a change in a percentage is in points; the levels read "40.8%"
        unit = "percentage points"
    elif unit.startswith("index"):  # "rise by about 0.03 index 0-1" reads badly; the label says it is an index
        unit = ""
    has_ci = math.isfinite(c.low) and math.isfinite(c.high)
    if not c.clear or c.diff == 0 or not math.isfinite(c.diff):
        ci = (f" (95% interval {fmt(c.low, f, True)} to {fmt(c.high, f, True)}, which includes no change)"
              if has_ci else "")
        return f"no clear change in {name}: {fmt(c.diff, f, True)}{' ' + unit if unit else ''}{ci}"
    rise = c.diff > 0
    lo, hi = (c.low, c.high) if rise else (-c.high, -c.low)
    ci = f" (95% interval {fmt(lo, f)} to {fmt(hi, f)})" if has_ci else ""
    if has_ci and fmt(lo, f) == fmt(hi, f):  # a difference with no spread: staff added or removed by rule
        ci = " (the same in every replication)"
    if c.o.name == MAIN:
        more = "more" if rise else "fewer"
        return (f"about {fmt(abs(c.diff), f)} {more} requests per 1,000 patients a year would go unmet{ci}, "
                f"{fmt(c.before, f)} becoming {fmt(c.after, f)}")
    verb = "rise" if rise else "fall"
    sign = "%" if pct else ""
    unit = f" {unit}" if unit else ""
    return (f"{name} would {verb} by about {fmt(abs(c.diff), f)}{unit}{ci}, from {fmt(c.before, f)}{sign} "
            f"to {fmt(c.after, f)}{sign}")


def _lower(label: str) -> str:
    """A label inside a sentence: lower-case first letter unless it is an acronym or a role (GP, UPC)."""
    return label if label[1:2].isupper() else label[0].lower() + label[1:]


def changes(data: ReportData, name: str) -> dict[str, Change]:
    """The whole-area paired differences of ``name`` from the reference, for MAIN and KEY."""
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    out = {}
    for metric in (MAIN, *KEY):
        if (metric, name) not in lg.index or (metric, data.reference) not in lg.index:
            continue
        r, r0 = lg.loc[(metric, name)], lg.loc[(metric, data.reference)]
        out[metric] = Change(outcome(metric), float(r0["mean"]), float(r["mean"]), float(r["diff_mean"]),
                             float(r["diff_ci_low"]), float(r["diff_ci_high"]), bool(r["diff_significant"]))
    return out


def what(s: ScenarioInfo, reference: ScenarioInfo | None = None) -> str:
    """What a scenario does, in a few words: its interventions, else its own description, else what it sets.

    A description the scenario inherited from the reference (``extends``) says nothing about it, so then
    the parameters it sets differently from the reference are named instead ('demand.rate_multiplier 1.3').
    """
    if s.interventions:
        return "; ".join(re.sub(r" \([^()]*\)$", "", w) for w in s.interventions)
    own = s.description.rstrip(". ")
    if own and (reference is None or s.description != reference.description):
        return own
    if reference is not None and s.config and reference.config:
        ref = {r["path"]: r["value"] for r in parameter_differences(reference.config)}
        mine = [r for r in parameter_differences(s.config) if ref.get(r["path"], _NONE) != r["value"]
                and r["path"] != "horizon_days"]
        mine += [{"path": p, "value": "default"} for p in ref if p not in {r["path"] for r in
                                                                           parameter_differences(s.config)}]
        if mine:
            return "; ".join(f"{r['path']} {show_value(r['value'])}" for r in mine[:3]) + ("; ..." if len(mine) > 3 else "")
    return own or s.name


_NONE = object()


BRIEF_AFTER = 6  # with more scenarios than this, each sentence gives the main effect only (the summary is one page)


def scenario_sentence(data: ReportData, s: ScenarioInfo) -> str:
    """One sentence: the scenario's main effect (unmet demand) and the clearest other change, with intervals."""
    ch = changes(data, s.label)
    parts = [change_words(ch[MAIN])] if MAIN in ch else []
    others = [c for m, c in ch.items() if m != MAIN and c.clear and c.diff != 0]
    if others and len(data.order) - 1 <= BRIEF_AFTER:
        # the largest clear change relative to its level (the share lost repeats unmet demand in other words)
        effects = [c for c in others if c.o.name != "lost_pct" or MAIN not in ch] or others
        best = max(effects, key=lambda c: abs(c.diff) / max(abs(c.before), 1e-9))
        parts.append(change_words(best))
    if not parts:
        return f"{s.label} ({what(s, data.scenarios[0])}): the key outcomes are not in this comparison."
    text = "; ".join(parts)
    if len(data.order) > 2:  # the summary's first line says every scenario is compared with the reference
        return f"{s.label} ({what(s, data.scenarios[0])}): {text}."
    return f"{s.label} ({what(s, data.scenarios[0])}) compared with {data.reference}: {text}."


def run_sentence(data: ReportData) -> str:
    """For a single run: the area's unmet demand, same-day share and mean wait over the horizon."""
    s = data.scenarios[0]
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index("metric")["mean"]
    bits = []
    for metric, words in ((MAIN, "requests per 1,000 patients a year go unmet"),
                          ("lost_pct", "% of requests are lost"),
                          ("wait_bin_pct:Same Day", "% of appointments are the same day"),
                          ("mean_wait_days", "days is the mean wait from request to appointment")):
        if metric in lg.index and pd.notna(lg[metric]):
            bits.append(f"{fmt(lg[metric], outcome(metric).fmt)}{'' if words.startswith('%') else ' '}{words}")
    where = f"In {s.name} ({s.list_size:,} patients), over {s.horizon_days} days from {s.start_date:%-d %B %Y}"
    return where + (": " + "; ".join(bits) if bits else "") + "."


def summary_sentences(data: ReportData) -> list[str]:
    """The executive summary: one sentence per scenario compared (or one for a single scenario)."""
    if len(data.order) == 1:
        return [run_sentence(data)]
    return [scenario_sentence(data, s) for s in data.scenarios[1:]]


def title(data: ReportData) -> str:
    """A short title: what is compared, in at most a dozen words."""
    if len(data.order) == 1:
        return f"{data.reference}: access and workload"
    if len(data.order) == 2:
        return f"{data.order[1]} compared with {data.reference}"
    return f"{len(data.order) - 1} scenarios compared with {data.reference}"
