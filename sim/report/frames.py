"""The report's numbers: one DataFrame per table and figure, computed from :class:`ReportData`.

Every function here is pure. The headline and strain tables, the Excel sheets and the figures all
take their numbers from these frames.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.report.data import ReportData
from sim.results.intervals import clip_interval, t_interval, t_interval_columns
from sim.results.metrics import WAIT_BINS
from sim.results.outcomes import Outcome, outcome
from sim.results.summary_destinations import DESTINATION_METRICS
from sim.results.workforce_outcomes import JOINING_EVENTS, LEAVING_EVENTS

# whole-area outcomes in the headline table, in order; the registry gives their group, label and format
HEADLINE: tuple[str, ...] = (
    "requests_per_1000_year", "appointments_per_1000_year", "lost_pct", "unmet_per_1000_year",
    "wait_bin_pct:Same Day", "mean_wait_days", "p90_wait_days", "dna_pct", "gp_share_pct", "continuity_upc",
    "utilisation_pct", "appointments_per_fte_week:GP", "clinical_hours_per_fte_week:GP",
    "admin_hours_per_fte_week:GP", "overtime_hours_per_week", "days_below_75pct_capacity",
    "admin_cost_per_10k_gbp_year",
    "gp_fte_end", "leavers", "retirements", "recruits", "gp_burnout_mean",
)
# per-unit strain columns (PCNs and practices)
STRAIN: tuple[str, ...] = (
    "unmet_per_1000_year", "wait_bin_pct:Same Day", "mean_wait_days", "utilisation_pct",
    "appointments_per_fte_week:GP", "overtime_hours_per_week", "days_below_75pct_capacity", "continuity_upc",
)


def headline_groups() -> dict[str, list[Outcome]]:
    """The headline outcomes by registry group (Access, Workload, Workforce), each in HEADLINE order."""
    groups: dict[str, list[Outcome]] = {}
    for metric in HEADLINE:
        o = outcome(metric)
        groups.setdefault(o.group, []).append(o)
    return groups


def destination_groups() -> dict[str, list[Outcome]]:
    """Where unmet demand goes (A&E, NHS 111, UTC, pharmacy, not pursued), for the report's destinations table."""
    return {"Where unmet demand goes": [outcome(m) for m in DESTINATION_METRICS.values()]}


# the front door's outcomes in the report's front-door table (those a run has; none without a front door)
FRONT_DOOR: tuple[str, ...] = (
    "calls_per_1000_week", "time_to_answer_minutes", "calls_abandoned_pct", "calls_engaged_pct", "first_attempt_pct",
    "gave_up_pct", "requests_channel:telephone", "requests_channel:online", "requests_channel:in_person",
    "online_over_cap", "resolved_at_triage_pct", "gp_triage_hours_per_week", "navigated_pct",
    "navigated_to:pharmacy", "navigated_to:self_care", "navigated_to:social_prescriber", "referred_by_111",
)


def front_door_groups() -> dict[str, list[Outcome]]:
    """The front door's outcomes (time to answer, abandoned, first attempt, gave up, by channel) for its table."""
    return {"The front door": [outcome(m) for m in FRONT_DOOR]}


def headline_frame(data: ReportData) -> pd.DataFrame:
    """The headline outcomes, whole area: one row per metric, mean/CI per scenario and paired differences."""
    lg = data.comparison[data.comparison["level"] == "lgpo"].set_index(["metric", "scenario"])
    rows = []
    for group, items in headline_groups().items():
        for o in items:
            metric = o.name
            if metric not in lg.index.get_level_values(0):
                continue
            row: dict[str, Any] = {"Group": group, "Outcome": o.label, "Metric": metric, "Unit": o.unit}
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


LONG_WAIT_BINS = ("15  to 21 Days", "22  to 28 Days", "More than 28 Days")  # more than two weeks


def long_wait_frame(data: ReportData) -> pd.DataFrame:
    """% of appointments more than 14 days after the request, per scenario, with 95% and paired intervals.

    The sum of NHS Digital's three longest booking-interval bins, replication by replication. Unlike
    the 90th-percentile wait (a whole number of days, often the same in every replication), it moves
    by small amounts, so it shows a change in the long waits that the percentile hides.
    """
    reps = data.replications
    cols = ["scenario", "mean", "ci_low", "ci_high", "diff", "diff_ci_low", "diff_ci_high"]
    if reps.empty:
        return pd.DataFrame(columns=cols)
    sel = reps[(reps["level"] == "lgpo") & reps["metric"].isin([f"wait_bin_pct:{b}" for b in LONG_WAIT_BINS])]
    per = sel.groupby(["scenario", "replication"])["value"].sum()
    if per.empty:
        return pd.DataFrame(columns=cols)
    ref = per.get(data.reference)
    rows = []
    for name in data.order:
        if name not in per.index.get_level_values(0):
            continue
        x = per.loc[name]
        m, lo, hi = t_interval(x)
        lo, hi = (float(v) for v in clip_interval(lo, hi, (0.0, 100.0)))
        d = (x - ref).dropna() if ref is not None and name != data.reference else pd.Series(dtype=float)
        dm, dlo, dhi = t_interval(d) if len(d) else (math.nan, math.nan, math.nan)
        rows.append({"scenario": name, "mean": m, "ci_low": lo, "ci_high": hi, "diff": dm, "diff_ci_low": dlo,
                     "diff_ci_high": dhi})
    return pd.DataFrame(rows, columns=cols)


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
            for metric in STRAIN:
                label = outcome(metric).heading
                key = (level, unit, metric, name)
                row[f"{label} ({outcome(metric).unit})"] = idx["mean"].get(key, math.nan)
                if k > 0:
                    row[f"{label}: difference from {data.reference}"] = idx["diff_mean"].get(key, math.nan)
                    row[f"{label}: interval excludes 0"] = bool(idx["diff_significant"].get(key, False))
            rows.append(row)
    return pd.DataFrame(rows)


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
        lo, hi = (float(x) for x in clip_interval(lo, hi, outcome("unmet_per_1000_year").bounds))
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
        lo, hi = clip_interval(lo, hi, (0.0, math.inf))  # FTE in post is never negative
        parts.append(pd.DataFrame({"date": dates, "day": days, "scenario": name, "role": role, "fte": m,
                                   "ci_low": lo, "ci_high": hi}))
    return pd.concat(parts, ignore_index=True)[cols]


LEAVING = LEAVING_EVENTS


JOINING = (*JOINING_EVENTS, "added", "hub_added")


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
            m, lo, hi = t_interval(df[col])
            lo, hi = clip_interval(lo, hi, (0.0, math.inf))  # hours are never negative
            row[col], row[col + "_ci_low"], row[col + "_ci_high"] = m, float(lo), float(hi)
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


def manifest_frame(data: ReportData) -> pd.DataFrame:
    """The run manifest as (item, value) rows: scenarios, seeds, files, timings, packages."""
    m = data.manifest
    rows: list[tuple[str, str]] = [("Report folder", str(data.folder)), ("Kind", data.kind)]
    if data.kind == "comparison":
        rows += [("Reference scenario", str(m.get("reference"))), ("Replications per scenario", str(m.get("replications"))),
                 ("Base seed", str(m.get("seed"))), ("Common random numbers", str(m.get("common_random_numbers")))]
    else:
        rows += [("Scenario", str(m.get("scenario"))), ("Seed", str(m.get("seed"))),
                 ("Replication", str(m.get("replication")))]
        rows += [(f"Timing: {k}", f"{v:g}") for k, v in (m.get("timings") or {}).items()]
    for s in data.scenarios:
        rows.append((f"Scenario file: {s.label}", f"{s.file or '—'} (sha256 {s.sha256 or '—'})"))
    rows += [("Started", str(m.get("started"))), ("Ended", str(m.get("ended")))]
    rows.append(("Packages", ", ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items())))
    rows.append(("Report written", dt.datetime.now().isoformat(timespec="seconds")))
    return pd.DataFrame(rows, columns=["Item", "Value"])
